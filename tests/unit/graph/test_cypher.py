import pytest

from kg.errors import SchemaError
from kg.graph import cypher
from kg.graph.schema import Schema


@pytest.fixture(scope="module")
def schema():
    return Schema.load()


@pytest.mark.parametrize(
    "build",
    [
        lambda s: cypher.upsert_concepts(s, "Drug"),
        lambda s: cypher.upsert_triples(s, "TREATS"),
        lambda s: cypher.refresh_triples(s, "MENTIONS"),
        lambda s: cypher.delete_unsupported_triples(s, "x]->() DELETE r"),
        lambda s: cypher.count_label(s, "Person"),
        lambda s: cypher.count_rel_type(s, "KNOWS"),
        lambda s: cypher.falkordb_unique_constraint(s, "g", "Person", "id"),
    ],
)
def test_formatted_names_must_be_whitelisted(schema, build):
    with pytest.raises(SchemaError):
        build(schema)


def test_patient_findings_are_refreshed_for_whitelisted_clinical_types_only(schema):
    assert cypher.PATIENT_FINDING_TYPES == ("Disease", "Finding", "Chemical")
    q = cypher.refresh_findings_of_patients(schema)
    assert "WHERE c:Disease OR c:Finding OR c:Chemical " in q and "$ids" in q
    assert not any(f"c:{t}" in q for t in ("Gene", "Species", "Variant", "CellLine"))
    with pytest.raises(SchemaError):
        cypher.refresh_findings_of_patients(schema, ("Disease", "Drug"))


def test_concept_upsert_sets_its_type_label_and_removes_the_others(schema):
    q = cypher.upsert_concepts(schema, "Disease")
    assert "SET c:Disease" in q
    assert "REMOVE c:Chemical:Gene:Variant:Species:CellLine:Finding" in q
    assert "$rows" in q


def test_falkordb_ddl_indexes_every_key_and_evidence_lookups(schema):
    pairs = {(label, prop) for label, prop, _ in cypher.falkordb_indexes(schema)}
    assert pairs == {("Document", "id"), ("Concept", "id"), ("Evidence", "key"), ("Patient", "id"),
                     ("Evidence", "triple_key"), ("Evidence", "doc_id")}
    cmd = cypher.falkordb_unique_constraint(schema, "medkg", "Concept", "id")
    assert cmd == ("GRAPH.CONSTRAINT", "CREATE", "medkg", "UNIQUE", "NODE", "Concept", "PROPERTIES", "1", "id")


def test_neo4j_ddl_is_idempotent_by_syntax(schema):
    ddl = cypher.neo4j_ddl(schema)
    assert all("IF NOT EXISTS" in s for s in ddl)
    assert any("FOR (n:Evidence) REQUIRE n.key IS UNIQUE" in s for s in ddl)
    assert any("ON (n.triple_key)" in s for s in ddl)


@pytest.mark.parametrize(
    ("query", "clause"),
    [
        ("CREATE (n:X)", "CREATE"),
        ("match (n) detach delete n", "detach"),
        ("MATCH (n) SET n.x = 1", "SET"),
        ("MATCH (n) REMOVE n:X", "REMOVE"),
        ("MERGE (n:X {id: 1})", "MERGE"),
        ("DROP INDEX ON :X(id)", "DROP"),
        ("INSERT (:X {id: 1})", "INSERT"),
        ("LOAD  CSV FROM 'file:///x' AS r RETURN r", "LOAD CSV"),
        ("CALL db.idx.fulltext.createNodeIndex('X', 'name')", "CALL db.idx.fulltext.create"),
        ("UNWIND [1] AS x FOREACH (y IN [x] | CREATE (:X))", "FOREACH"),
        # names that are keywords do not hide a clause after them, nor do comments or a second statement
        ("MATCH (c) WITH c AS set SET set.x = 1 RETURN set.set AS set", "SET"),
        ("MATCH (c) RETURN c.create AS create; CREATE (:X)", "CREATE"),
        ("MATCH (c) WITH c.id AS id // RETURN x AS merge\nMERGE (:X {id: id})", "MERGE"),
        ("MATCH (c) WITH c AS delete /* AS */ DETACH DELETE delete", "DETACH"),
        ("MATCH (c:`Concept`) WHERE c.name = 'AS' REMOVE c.name", "REMOVE"),
        ("MATCH (c) WITH c, {set: 1} AS m SET c += m", "SET"),
        ("MATCH (c) WITH c, c.id AS id /* c.x */ CALL apoc.create.setProperty(c, 'x', 1) YIELD node RETURN node",
         "CALL apoc.create.set"),
        ("MATCH (n) WITH * CREATE (:X)", "CREATE"),
        ("MATCH (n) RETURN n AS create UNION MATCH (n) WHERE n.x IN [1] DELETE n RETURN n AS create", "DELETE"),
    ],
)
def test_write_clauses_are_detected(query, clause):
    assert cypher.write_clause(query) == clause


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (n:Document) WHERE n.title = 'SET ME FREE' RETURN n.created_at",
        'MATCH (n) WHERE n.name CONTAINS "delete" RETURN n  // CREATE nothing',
        "MATCH (n) RETURN n SKIP 1 LIMIT 2 /* MERGE */",
        "CALL db.labels()",
        "MATCH (n:`SET`) RETURN count(n)",
        # QA: an alias or a property that is a keyword names something; it is not a clause
        "MATCH (c:Concept) RETURN c.id AS set LIMIT 1",
        "MATCH (c:Concept) RETURN c.id AS\n  delete, c.name AS `create`",
        "MATCH (c:Concept) WITH c.id AS merge, c.name AS set WHERE merge <> set RETURN merge AS remove, [set] AS x",
        "MATCH (c:Concept) WHERE c.set IS NOT NULL OR c . delete = $merge RETURN c.create",
        "MATCH (c:Concept) RETURN {set: c.id, create : c.name} AS detach",
        "MATCH (d:Document) WHERE d.title CONTAINS 'DETACH DELETE' RETURN d.id AS drop",
    ],
)
def test_reads_are_not_flagged(query):
    assert cypher.write_clause(query) is None


def test_shared_dml_passes_data_only_as_parameters(schema):
    for q in (cypher.UPSERT_DOCUMENTS, cypher.UPSERT_MENTIONS, cypher.UPSERT_EVIDENCE,
              cypher.upsert_triples(schema, "CO_OCCURS_WITH"), cypher.refresh_triples(schema, "CO_OCCURS_WITH")):
        assert q.startswith("UNWIND $rows AS r ")
        for constant in ("affirmed", *cypher.UNSCORED_ASSERTIONS):  # the module's own literals, never data
            q = q.replace(f"'{constant}'", "")
        assert "'" not in q


def test_rejection_clears_every_aggregate_the_edges_carry():
    import re

    set_by_aggregate = set(re.findall(r"t\.(\w+) =", cypher._AGGREGATE))
    assert set_by_aggregate | {"npmi"} == set(cypher.EDGE_AGGREGATES)

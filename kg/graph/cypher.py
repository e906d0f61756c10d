"""Every Cypher string medkg runs, in one place.

DML (the UNWIND/MERGE upserts, aggregate refresh, deletes, counts, reads) is written in the
subset of Cypher that FalkorDB and Neo4j share, so both backends run the same strings. Only
DDL differs: FalkorDB has no ``IF NOT EXISTS`` and makes unique constraints with a Redis
command on top of an exact-match index; Neo4j has ``CREATE CONSTRAINT ... IF NOT EXISTS``.

Data always travels in parameters (``$rows``, ``$ids``). The only names formatted into query
text are labels and relationship types, and each one passes through the ``Schema`` whitelist
first, inside the function that formats it.
"""

from __future__ import annotations

import re

from kg.graph.schema import Schema

# Properties of Evidence that get an index besides its key: aggregate refresh looks evidence up
# by triple, delete-by-document by document.
EVIDENCE_INDEXED = ("triple_key", "doc_id")

# ---------------------------------------------------------------------------------------- DDL


def falkordb_indexes(schema: Schema) -> list[tuple[str, str, str]]:
    """(label, property, CREATE INDEX statement) for every node key and Evidence lookup property.

    FalkorDB errors on an index that already exists, so the caller checks ``FALKORDB_LIST_INDEXES``
    first; the (label, property) pair is what it compares.
    """
    return [(label, prop, f"CREATE INDEX FOR (n:{label}) ON (n.{prop})") for label, prop in _indexed(schema)]


FALKORDB_LIST_INDEXES = "CALL db.indexes() YIELD label, properties, entitytype RETURN label, properties, entitytype"
FALKORDB_LIST_CONSTRAINTS = (
    "CALL db.constraints() YIELD type, label, properties, entitytype, status "
    "RETURN type, label, properties, entitytype, status"
)


def falkordb_unique_constraint(schema: Schema, graph: str, label: str, prop: str) -> tuple[str, ...]:
    """The Redis command that makes ``label.prop`` unique (FalkorDB has no Cypher for it)."""
    return ("GRAPH.CONSTRAINT", "CREATE", graph, "UNIQUE", "NODE", schema.label(label), "PROPERTIES", "1", prop)


def neo4j_ddl(schema: Schema) -> list[str]:
    """Unique constraints on node keys (they bring their own index) plus the Evidence lookup indexes."""
    out = [
        f"CREATE CONSTRAINT {label.lower()}_{spec.key}_unique IF NOT EXISTS "
        f"FOR (n:{schema.label(label)}) REQUIRE n.{spec.key} IS UNIQUE"
        for label, spec in schema.nodes.items()
    ]
    out += [
        f"CREATE INDEX evidence_{prop} IF NOT EXISTS FOR (n:{schema.label('Evidence')}) ON (n.{prop})"
        for prop in EVIDENCE_INDEXED
    ]
    return out


def unique_keys(schema: Schema) -> list[tuple[str, str]]:
    """(label, key property) of every node type: each gets a uniqueness constraint."""
    return [(schema.label(label), spec.key) for label, spec in schema.nodes.items()]


def _indexed(schema: Schema) -> list[tuple[str, str]]:
    return unique_keys(schema) + [(schema.label("Evidence"), prop) for prop in EVIDENCE_INDEXED]


# ---------------------------------------------------------------------------------------- DML

# SET d = props (not +=): a revised record that lost a field (a DOI, a MeSH heading) must lose it
# in the graph too. Each row is the document's full property map, id included.
UPSERT_DOCUMENTS = "UNWIND $rows AS r MERGE (d:Document {id: r.id}) SET d = r"

CHANGED_DOCUMENTS = (
    "UNWIND $rows AS r MATCH (d:Document {id: r.id}) "
    "WHERE d.content_hash IS NOT NULL AND d.content_hash <> r.content_hash RETURN d.id AS id"
)


def upsert_concepts(schema: Schema, type_label: str) -> str:
    """MERGE concepts of one type; the type label is set and any other type label removed.

    Neither backend takes a label from a parameter in this shared dialect, so rows are grouped
    by type and the whitelisted label is formatted in. ``+=`` keeps properties that other steps
    (e.g. graph reasoning) put on concepts.
    """
    label = schema.label(type_label)
    others = [x for x in schema.nodes["Concept"].extra_labels if x != label]
    remove = f" REMOVE c:{':'.join(others)}" if others else ""
    return f"UNWIND $rows AS r MERGE (c:Concept {{id: r.id}}) SET c += r.props SET c:{label}{remove}"


# Endpoints are MERGEd, not MATCHed: a mention or evidence whose document or concept is not in
# this batch (written earlier, or later) must not be dropped silently.
UPSERT_MENTIONS = (
    "UNWIND $rows AS r MERGE (d:Document {id: r.doc_id}) MERGE (c:Concept {id: r.concept_id}) "
    "MERGE (d)-[m:MENTIONS]->(c) SET m = r.props"
)

UPSERT_EVIDENCE = (
    "UNWIND $rows AS r MERGE (e:Evidence {key: r.key}) SET e = r "
    "MERGE (d:Document {id: r.doc_id}) MERGE (e)-[:IN_DOCUMENT]->(d)"
)


# Aggregates of a triple edge ``t``, recomputed from all its Evidence ``e`` (never incrementally,
# so re-runs and deletes stay exact). combined_score is noisy-OR: 1 - prod(1 - score).
_AGGREGATE = (
    "WITH t, collect(e.score) AS scores, count(e) AS n, count(DISTINCT e.doc_id) AS docs, max(e.score) AS top, "
    "sum(CASE WHEN e.assertion = 'affirmed' THEN 1 ELSE 0 END) AS affirmed, "
    "sum(CASE WHEN e.assertion = 'negated' THEN 1 ELSE 0 END) AS negated "
    "SET t.evidence_count = n, t.doc_count = docs, t.max_score = top, "
    "t.combined_score = 1.0 - reduce(p = 1.0, s IN scores | p * (1.0 - s)), "
    "t.affirmed = affirmed, t.negated = negated"
)


def upsert_triples(schema: Schema, predicate: str) -> str:
    """MERGE triple edges and set their aggregates in one pass (run after their Evidence is written).

    One statement instead of MERGE-then-refresh halves the lookups; the ``WITH t, r`` before the
    Evidence MATCH keeps FalkorDB from planning a cartesian product (about 2x slower).
    """
    rel = schema.predicate(predicate)
    return (
        "UNWIND $rows AS r MERGE (s:Concept {id: r.subject}) MERGE (o:Concept {id: r.object}) "
        f"MERGE (s)-[t:{rel} {{key: r.key}}]->(o) "
        f"WITH t, r MATCH (e:Evidence {{triple_key: r.key}}) {_AGGREGATE}"
    )


def refresh_triples(schema: Schema, predicate: str) -> str:
    """Recompute the aggregates of existing triple edges (after their evidence changed)."""
    rel = schema.predicate(predicate)
    return (
        "UNWIND $rows AS r "
        f"MATCH (:Concept {{id: r.subject}})-[t:{rel} {{key: r.key}}]->(:Concept {{id: r.object}}) "
        f"WITH t, r MATCH (e:Evidence {{triple_key: r.key}}) {_AGGREGATE}"
    )


def delete_unsupported_triples(schema: Schema, predicate: str) -> str:
    """Drop triple edges of the given keys that no Evidence supports any more."""
    rel = schema.predicate(predicate)
    return (
        "UNWIND $rows AS r "
        f"MATCH (:Concept {{id: r.subject}})-[t:{rel} {{key: r.key}}]->(:Concept {{id: r.object}}) "
        "OPTIONAL MATCH (e:Evidence {triple_key: r.key}) "
        "WITH t, count(e) AS n WHERE n = 0 DELETE t"
    )


TRIPLES_OF_DOCUMENTS = (
    "UNWIND $ids AS id MATCH (e:Evidence {doc_id: id}) "
    "RETURN DISTINCT e.triple_key AS triple_key, e.predicate AS predicate, e.subject AS subject, e.object AS object"
)
DELETE_EVIDENCE_OF_DOCUMENTS = "UNWIND $ids AS id MATCH (e:Evidence {doc_id: id}) DETACH DELETE e"
DELETE_MENTIONS_OF_DOCUMENTS = "UNWIND $ids AS id MATCH (:Document {id: id})-[m:MENTIONS]->() DELETE m"
COUNT_DOCUMENTS = "UNWIND $ids AS id MATCH (d:Document {id: id}) RETURN count(d) AS n"
DELETE_DOCUMENTS = "UNWIND $ids AS id MATCH (d:Document {id: id}) DETACH DELETE d"


def count_label(schema: Schema, label: str) -> str:
    return f"MATCH (n:{schema.label(label)}) RETURN count(n) AS n"


def count_rel_type(schema: Schema, rel_type: str) -> str:
    return f"MATCH ()-[r:{schema.rel_type(rel_type)}]->() RETURN count(r) AS n"


# ------------------------------------------------------------------------------------- reads

DOCUMENT = "MATCH (d:Document {id: $id}) RETURN properties(d) AS document"

EVIDENCE_OF_TRIPLE = (
    "MATCH (e:Evidence {triple_key: $key}) RETURN properties(e) AS evidence "
    "ORDER BY e.doc_id, e.sentence_start"
)

# Facts around a concept, strongest first; triple edges are the ones with evidence_count.
CONCEPT_FACTS = (
    "MATCH (c:Concept {id: $id})-[t]-(o:Concept) WHERE t.evidence_count IS NOT NULL "
    "RETURN type(t) AS predicate, startNode(t) = c AS outgoing, o.id AS other, o.name AS name, "
    "t.evidence_count AS evidence_count, t.doc_count AS doc_count, t.combined_score AS combined_score "
    "ORDER BY combined_score DESC, other LIMIT $limit"
)

# -------------------------------------------------------------------------- read-only guard

_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_WRITE_CLAUSE = re.compile(r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|INSERT|FOREACH|LOAD\s+CSV)\b", re.I)
_WRITE_PROCEDURE = re.compile(
    r"\bCALL\s+[\w.]*(create|drop|delete|set|merge|remove|add|refactor|periodic|load|import|"
    r"export|write|mutate|clear|kill|terminate)",
    re.I,
)


def write_clause(cypher: str) -> str | None:
    """The first write clause or write procedure in ``cypher`` (outside literals), or None.

    A text check so that both backends refuse the same queries; FalkorDB additionally runs
    read queries with GRAPH.RO_QUERY, which the server enforces.
    """
    code = _LITERALS.sub(" ", cypher)
    m = _WRITE_CLAUSE.search(code) or _WRITE_PROCEDURE.search(code)
    return " ".join(m.group(0).split()) if m else None

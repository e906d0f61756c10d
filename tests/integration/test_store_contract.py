"""One contract for every GraphStore backend: what the pipeline relies on, checked against a real server.

FalkorDB always runs (embedded, one server for the session in a temporary data dir); Neo4j
runs only when NEO4J_URI points at a server.
"""

import os

import pytest

from kg.config import load_settings
from kg.errors import QueryError, SchemaError
from kg.graph.backends import open_store
from kg.graph.base import GraphStore
from kg.graph import cypher as q
from kg.models import Concept, Document, Evidence, GraphBatch, MentionLink, Triple

BACKENDS = [
    pytest.param("falkordb", id="falkordb"),
    pytest.param(
        "neo4j",
        id="neo4j",
        marks=[
            pytest.mark.neo4j,
            pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason="NEO4J_URI is not set: no Neo4j server to test"),
        ],
    ),
]


@pytest.fixture(scope="session", params=BACKENDS)
def session_store(request, tmp_path_factory):
    settings = load_settings(data_dir=tmp_path_factory.mktemp("store"), store=request.param,
                             graph_name="contract", write_batch_size=1000)
    store = open_store(settings)
    store.ensure_schema()
    yield store
    store.close()


@pytest.fixture
def store(session_store) -> GraphStore:
    session_store.query("MATCH (n) DETACH DELETE n", write=True)
    return session_store


def doc(n: int, text: str = "Aspirin relieved headache.", **meta) -> Document:
    return Document(id=f"PMID:{n}", source="pubmed", text=text, title=f"Title {n}",
                    metadata={"journal": "J Test", "year": 2020, **meta})


CHEM = Concept(id="MESH:D001241", name="Aspirin", type="Chemical", synonyms=("ASA",), source="MeSH", release="2025")
DIS = Concept(id="MESH:D006261", name="Headache", type="Disease", source="MeSH", release="2025")
COOC = Triple(subject=CHEM.id, predicate="CO_OCCURS_WITH", object=DIS.id)


def ev(doc_id: str, start: int, score: float, assertion: str = "affirmed", triple: Triple = COOC) -> Evidence:
    return Evidence(triple=triple, doc_id=doc_id, sentence="Aspirin relieved headache.", sentence_start=0,
                    subject_span=(start, start + 7), object_span=(17, 25), extractor="cooc",
                    extractor_version="1", score=score, assertion=assertion)


def mention(doc_id: str, concept: Concept) -> MentionLink:
    return MentionLink(doc_id=doc_id, concept_id=concept.id, count=1, texts=(concept.name,), max_score=0.9,
                       affirmed=1, extractor="dict", extractor_version="1")


def batch() -> GraphBatch:
    return GraphBatch(
        documents=(doc(1), doc(2)),
        concepts=(CHEM, DIS),
        mentions=(mention("PMID:1", CHEM), mention("PMID:1", DIS), mention("PMID:2", CHEM)),
        evidence=(ev("PMID:1", 0, 0.5), ev("PMID:1", 30, 0.8, "negated"), ev("PMID:2", 0, 0.6)),
    )


def edge(store: GraphStore) -> dict:
    rows = store.query("MATCH (:Concept)-[t:CO_OCCURS_WITH]->(:Concept) RETURN properties(t) AS t")
    assert len(rows) <= 1
    return rows[0]["t"] if rows else {}


def test_schema_bootstrap_twice_and_constraints_hold(store):
    store.ensure_schema()
    store.ensure_schema()
    store.query("CREATE (:Document {id: 'PMID:9'})", write=True)
    with pytest.raises(QueryError):
        store.query("CREATE (:Document {id: 'PMID:9'})", write=True)


def test_write_creates_the_graph(store):
    stats = store.write(batch())
    c = store.counts()
    assert c["nodes"]["Document"] == 2 and c["nodes"]["Concept"] == 2 and c["nodes"]["Evidence"] == 3
    assert c["nodes"]["Chemical"] == 1 and c["nodes"]["Disease"] == 1
    assert c["relationships"]["MENTIONS"] == 3 and c["relationships"]["IN_DOCUMENT"] == 3
    assert c["relationships"]["CO_OCCURS_WITH"] == 1
    assert stats.nodes_created == 7 and stats.relationships_created == 7
    assert (stats.documents_written, stats.concepts_written, stats.mentions_written,
            stats.evidence_written, stats.triples_written) == (2, 2, 3, 3, 1)
    [d] = store.query(q.DOCUMENT, {"id": "PMID:1"})
    assert d["document"]["title"] == "Title 1" and d["document"]["journal"] == "J Test"
    assert "text" not in d["document"]
    [e] = store.query("MATCH (e:Evidence {key: $k})-[:IN_DOCUMENT]->(d:Document) RETURN properties(e) AS e, d.id AS d",
                      {"k": ev("PMID:2", 0, 0.6).key})
    assert e["d"] == "PMID:2" and e["e"]["subject_end"] == 7 and e["e"]["predicate"] == "CO_OCCURS_WITH"


def test_aggregates_are_recomputed_from_evidence(store):
    store.write(batch())
    t = edge(store)
    assert t["key"] == COOC.key
    assert t["evidence_count"] == 3 and t["doc_count"] == 2
    assert isinstance(t["evidence_count"], int) and isinstance(t["affirmed"], int)  # counts stay integers
    assert t["max_score"] == pytest.approx(0.6)  # PMID:1's 0.8 sentence is negated: counted, never scored
    assert t["combined_score"] == pytest.approx(1 - 0.5 * 0.4)  # noisy-OR over documents: PMID:1 counts once, at 0.5
    assert (t["affirmed"], t["negated"]) == (2, 1)
    facts = store.query(q.CONCEPT_FACTS, {"id": DIS.id, "limit": 10})
    assert facts == [{"predicate": "CO_OCCURS_WITH", "outgoing": False, "other": CHEM.id, "name": "Aspirin",
                      "evidence_count": 3, "doc_count": 2, "combined_score": pytest.approx(0.8)}]


def test_rewrite_is_idempotent(store):
    store.write(batch())
    counts, t = store.counts(), edge(store)
    again = store.write(batch())
    assert store.counts() == counts
    assert edge(store) == t
    assert again.nodes_created == 0 and again.relationships_created == 0


def test_keys_duplicated_within_a_batch_are_written_once(store):
    b = batch()
    store.write(GraphBatch(documents=b.documents * 2, concepts=b.concepts * 2, mentions=b.mentions * 2,
                           evidence=b.evidence * 2))
    c = store.counts()
    assert c["nodes"]["Evidence"] == 3 and c["relationships"]["MENTIONS"] == 3
    assert edge(store)["evidence_count"] == 3


def test_delete_documents_reaggregates_then_drops_unsupported_edges(store):
    store.write(batch())
    assert store.delete_documents(["PMID:2", "PMID:404"]) .found == 1
    t = edge(store)
    assert t["evidence_count"] == 2 and t["doc_count"] == 1 and t["combined_score"] == pytest.approx(0.5)
    c = store.counts()
    assert c["nodes"]["Document"] == 1 and c["relationships"]["MENTIONS"] == 2 and c["nodes"]["Evidence"] == 2

    assert store.delete_documents(["PMID:1"], keep_nodes=True) .found == 1
    c = store.counts()
    assert edge(store) == {}
    assert c["nodes"]["Document"] == 1 and c["nodes"]["Evidence"] == 0 and c["relationships"]["MENTIONS"] == 0
    assert c["nodes"]["Concept"] == 2  # concepts belong to the ontology, not to a document
    assert store.delete_documents([]).found == 0


def test_revised_document_replaces_its_old_support(store):
    """What the pipeline does for a document the ledger says was revised: delete its support, keep the node, write."""
    store.write(batch())
    revised = GraphBatch(documents=(doc(2, "Aspirin, revised, and headache.", doi="10.1/x"),),
                         evidence=(ev("PMID:2", 40, 0.1),))
    assert store.delete_documents(["PMID:2"], keep_nodes=True).found == 1
    store.write(revised)
    keys = {r["k"] for r in store.query("MATCH (e:Evidence {doc_id: 'PMID:2'}) RETURN e.key AS k")}
    assert keys == {ev("PMID:2", 40, 0.1).key}
    assert edge(store)["evidence_count"] == 3
    assert store.query(q.DOCUMENT, {"id": "PMID:2"})[0]["document"]["doi"] == "10.1/x"


def test_concept_type_change_moves_the_label(store):
    store.write(GraphBatch(concepts=(CHEM,)))
    store.write(GraphBatch(concepts=(CHEM.model_copy(update={"type": "Gene"}),)))
    [row] = store.query("MATCH (c:Concept {id: $id}) RETURN labels(c) AS labels", {"id": CHEM.id})
    assert sorted(row["labels"]) == ["Concept", "Gene"]


def test_unknown_predicate_fails_before_anything_is_written(store):
    bad = Triple(subject=CHEM.id, predicate="CURES", object=DIS.id)
    with pytest.raises(SchemaError):
        store.write(GraphBatch(documents=(doc(1),), evidence=(ev("PMID:1", 0, 0.5, triple=bad),)))
    assert store.counts()["nodes"]["Document"] == 0


def test_endpoints_missing_from_the_batch_are_not_lost(store):
    store.write(GraphBatch(evidence=(ev("PMID:7", 0, 0.5),)))
    c = store.counts()
    assert c["nodes"]["Document"] == 1 and c["nodes"]["Concept"] == 2 and c["relationships"]["CO_OCCURS_WITH"] == 1


def test_read_only_unless_asked(store):
    for stmt in ("CREATE (:Document {id: 'PMID:1'})", "MATCH (n) DETACH DELETE n", "MATCH (n) SET n.x = 1"):
        with pytest.raises(QueryError, match="a read may not write"):
            store.query(stmt)
    assert store.counts()["nodes"]["Document"] == 0
    assert store.query("RETURN 'CREATE' AS word") == [{"word": "CREATE"}]
    store.query("CREATE (:Document {id: 'PMID:1'})", write=True)
    assert store.counts()["nodes"]["Document"] == 1


def test_counts_list_every_schema_label_and_type(store):
    c = store.counts()
    assert set(c["nodes"]) == set(store.schema.labels)
    assert set(c["relationships"]) == set(store.schema.relationships)
    assert all(v == 0 for part in c.values() for v in part.values())


def test_unicode_and_long_strings_round_trip(store):
    nasty = "Ünïcödé ✓ 🧬 中文 'single' \"double\" back\\slash\nnew line {$param} $(x) `tick` ; -- //"
    long = "α" * 50_000 + nasty
    store.write(GraphBatch(
        documents=(doc(1, title_note=nasty),),
        concepts=(Concept(id="MESH:D1", name=nasty, type="Disease", synonyms=(nasty, long)),),
        evidence=(Evidence(triple=Triple(subject="MESH:D1", predicate="CO_OCCURS_WITH", object="MESH:D1"),
                           doc_id="PMID:1", sentence=long, sentence_start=0, subject_span=(0, 1),
                           object_span=(2, 3), extractor="x", extractor_version="1"),),
    ))
    [row] = store.query("MATCH (c:Concept {id: 'MESH:D1'}) RETURN c.name AS name, c.synonyms AS syn")
    assert row == {"name": nasty, "syn": [nasty, long]}
    assert store.query("MATCH (e:Evidence) RETURN e.sentence AS s") == [{"s": long}]
    assert store.query(q.DOCUMENT, {"id": "PMID:1"})[0]["document"]["title_note"] == nasty


def test_empty_batch_writes_nothing(store):
    before = store.counts()
    stats = store.write(GraphBatch())
    assert store.counts() == before
    assert all(v == 0 for v in stats.as_dict().values())


def test_ten_thousand_row_batch(store):
    concepts = [Concept(id=f"MESH:C{i}", name=f"c{i}", type="Chemical") for i in range(200)]
    docs = [doc(i) for i in range(100)]
    evidence = [
        ev(f"PMID:{i % 100}", i, 0.5,
           triple=Triple(subject=f"MESH:C{i % 200}", predicate="CO_OCCURS_WITH", object=f"MESH:C{(i * 7 + 1) % 200}"))
        for i in range(10_000)
    ]
    stats = store.write(GraphBatch(documents=tuple(docs), concepts=tuple(concepts), evidence=tuple(evidence)))
    assert stats.evidence_written == 10_000
    c = store.counts()
    assert c["nodes"]["Evidence"] == 10_000 and c["relationships"]["IN_DOCUMENT"] == 10_000
    assert c["relationships"]["CO_OCCURS_WITH"] == stats.triples_written == len({e.triple.key for e in evidence})
    [total] = store.query("MATCH ()-[t:CO_OCCURS_WITH]->() RETURN sum(t.evidence_count) AS n")
    assert total["n"] == 10_000


def test_edges_keep_first_and_last_seen_years(store):
    early = ev("PMID:1", 0, 0.5).model_copy(update={"year": 1990})
    late = ev("PMID:2", 0, 0.6).model_copy(update={"year": 2001})
    store.write(GraphBatch(documents=(doc(1), doc(2)), concepts=(CHEM, DIS), evidence=(early, late)))
    t = edge(store)
    assert (t["first_seen"], t["last_seen"]) == (1990, 2001)
    store.delete_documents(["PMID:1"])
    t = edge(store)
    assert (t["first_seen"], t["last_seen"]) == (2001, 2001)


def test_statistics_give_concept_document_counts_and_npmi(store):
    # 4 documents; Aspirin in 3 of them, Headache in 2, both in one sentence in 2.
    b = GraphBatch(
        documents=(doc(1), doc(2), doc(3), doc(4)),
        concepts=(CHEM, DIS),
        mentions=(mention("PMID:1", CHEM), mention("PMID:2", CHEM), mention("PMID:3", CHEM),
                  mention("PMID:1", DIS), mention("PMID:3", DIS)),
        evidence=(ev("PMID:1", 0, 0.5), ev("PMID:3", 0, 0.5)),
    )
    store.write(b)
    store.refresh_statistics()
    counts = {r["id"]: r["n"] for r in store.query("MATCH (c:Concept) RETURN c.id AS id, c.doc_count AS n")}
    assert counts == {CHEM.id: 3, DIS.id: 2}
    import math

    pxy, px, py = 2 / 4, 3 / 4, 2 / 4
    assert edge(store)["npmi"] == pytest.approx(math.log(pxy / (px * py)) / -math.log(pxy), abs=1e-6)
    store.delete_documents(["PMID:3"])  # statistics are global: the next refresh sees the change
    store.refresh_statistics()
    counts = {r["id"]: r["n"] for r in store.query("MATCH (c:Concept) RETURN c.id AS id, c.doc_count AS n")}
    assert counts == {CHEM.id: 2, DIS.id: 1}
    assert edge(store)["npmi"] == pytest.approx(math.log((1 / 3) / ((2 / 3) * (1 / 3))) / -math.log(1 / 3), abs=1e-6)


def test_patient_findings_are_refreshed_only_when_asked(store):
    note = Document(id="NOTE:n1", source="note", text="Denies headache.", metadata={"patient": "pt_1", "year": 2021})
    link = MentionLink(doc_id="NOTE:n1", concept_id=DIS.id, count=1, texts=(), max_score=0.9, negated=1,
                       assertion="negated", extractor="dict", extractor_version="1")
    human = Concept(id="NCBITaxon:9606", name="Humans", type="Species")  # "patient": the hub, no finding
    people = link.model_copy(update={"concept_id": human.id, "negated": 0, "affirmed": 1, "assertion": "affirmed"})
    store.write(GraphBatch(documents=(note,), concepts=(DIS, human), mentions=(link, people)))
    assert store.query("MATCH (:Patient)-[f:HAS_FINDING]->() RETURN f") == []  # a write writes, nothing more
    store.refresh_findings(["pt_1"])
    (row,) = store.query("MATCH (p:Patient {id: 'pt_1'})-[f:HAS_FINDING]->(c) RETURN c.id AS c, f.status AS s")
    assert row == {"c": DIS.id, "s": "negated"}
    deleted = store.delete_documents(["NOTE:n1"])
    assert (deleted.found, deleted.patients) == (1, ("pt_1",))
    store.refresh_findings(list(deleted.patients))
    assert store.query("MATCH (:Patient)-[f:HAS_FINDING]->() RETURN f") == []
    assert store.query("MATCH (p:Patient) RETURN p.id AS id") == []  # no note left: no patient


def test_a_patient_s_findings_are_clinical_concepts_only(store):
    """A note names a gene and a species too ("CRP normal", "Tobacco use"): no finding of the patient."""
    note = Document(id="NOTE:n3", source="note", text="x", metadata={"patient": "pt_3", "year": 2023})
    gene = Concept(id="NCBIGene:1401", name="CRP", type="Gene")
    species = Concept(id="NCBITaxon:4097", name="Nicotiana", type="Species")
    variant = Concept(id="RS:rs1", name="rs1", type="Variant")
    cell_line = Concept(id="CVCL:0030", name="HeLa", type="CellLine")
    finding = Concept(id="HP:0025258", name="Stiff neck", type="Finding")
    others = (gene, species, variant, cell_line)
    store.write(GraphBatch(documents=(note,), concepts=(CHEM, DIS, finding, *others),
                           mentions=tuple(mention("NOTE:n3", c) for c in (CHEM, DIS, finding, *others))))
    store.refresh_findings(["pt_3"])
    rows = store.query("MATCH (:Patient {id: 'pt_3'})-[f:HAS_FINDING]->(c) RETURN c.id AS c, f.status AS s ORDER BY c")
    assert rows == [{"c": finding.id, "s": "affirmed"}, {"c": CHEM.id, "s": "affirmed"}, {"c": DIS.id, "s": "affirmed"}]
    # an edge a refresh before this one wrote to a gene goes at the next refresh of the patient
    store.query("MATCH (p:Patient {id: 'pt_3'}), (c:Concept {id: $id}) MERGE (p)-[:HAS_FINDING]->(c)",
                {"id": gene.id}, write=True)
    store.refresh_findings(["pt_3"])
    assert len(store.query("MATCH (:Patient {id: 'pt_3'})-[f:HAS_FINDING]->(c) RETURN c.id AS c")) == 3


def test_a_revised_note_that_names_another_patient_moves_to_it(store):
    def note(patient: str) -> Document:
        return Document(id="NOTE:n2", source="note", text="Has headache.", metadata={"patient": patient})

    link = MentionLink(doc_id="NOTE:n2", concept_id=DIS.id, count=1, texts=(), max_score=0.9, affirmed=1,
                       assertion="affirmed", extractor="dict", extractor_version="1")
    store.write(GraphBatch(documents=(note("pt_old"),), concepts=(DIS,), mentions=(link,)))
    store.refresh_findings(["pt_old"])
    deleted = store.delete_documents(["NOTE:n2"], keep_nodes=True)  # what a commit does with a revision
    store.write(GraphBatch(documents=(note("pt_new"),), concepts=(DIS,), mentions=(link,)))
    store.refresh_findings([*deleted.patients, "pt_new"])
    rows = store.query("MATCH (p:Patient) OPTIONAL MATCH (p)-[:HAS_NOTE]->(d) OPTIONAL MATCH (p)-[:HAS_FINDING]->(c) "
                       "RETURN p.id AS p, collect(DISTINCT d.id) AS notes, collect(DISTINCT c.id) AS findings")
    assert rows == [{"p": "pt_new", "notes": ["NOTE:n2"], "findings": [DIS.id]}]


def test_retracted_evidence_is_counted_but_left_out_of_the_scores(store):
    from kg.graph.saved import load_saved_queries

    kept, retracted = ev("PMID:1", 0, 0.5), ev("PMID:2", 0, 0.9).model_copy(update={"retracted": True})
    store.write(GraphBatch(documents=(doc(1), doc(2, retracted=True)), concepts=(CHEM, DIS), evidence=(kept, retracted)))
    e = edge(store)
    assert (e["evidence_count"], e["doc_count"], e["retracted_count"]) == (2, 2, 1)
    assert e["max_score"] == pytest.approx(0.5) and e["combined_score"] == pytest.approx(0.5)
    saved = load_saved_queries()["edges_on_retracted_papers"].cypher
    assert store.query(saved) == []
    store.delete_documents(["PMID:1"])  # now the edge rests on the retracted paper alone
    e = edge(store)
    assert (e["evidence_count"], e["retracted_count"], e["combined_score"]) == (1, 1, 0.0) and "max_score" not in e
    (row,) = store.query(saved)
    assert row["retracted_papers"] == ["PMID:2"]



def test_flag_retracted_leaves_what_writing_the_paper_retracted_would_have(store):
    def graph():
        def props(statement):
            return sorted(repr(sorted(r["p"].items())) for r in store.query(statement))
        return (props("MATCH (e:Evidence) RETURN properties(e) AS p"), edge(store),
                props("MATCH (d:Document) RETURN d {.id, .retracted} AS p"))

    kept, paper = ev("PMID:1", 0, 0.5), ev("PMID:2", 0, 0.9)
    store.write(GraphBatch(documents=(doc(1), doc(2, retracted=True)), concepts=(CHEM, DIS),
                           evidence=(kept, paper.model_copy(update={"retracted": True}))))
    written_retracted = graph()
    store.query("MATCH (n) DETACH DELETE n", write=True)
    store.write(GraphBatch(documents=(doc(1), doc(2)), concepts=(CHEM, DIS), evidence=(kept, paper)))
    assert edge(store)["combined_score"] == pytest.approx(1 - 0.5 * 0.1)
    assert store.flag_retracted(["PMID:2", "PMID:404"]) == 1  # a paper not in the graph is ignored
    assert graph() == written_retracted
    e = edge(store)
    assert (e["retracted_count"], e["max_score"], e["combined_score"]) == (1, pytest.approx(0.5), pytest.approx(0.5))
    assert store.flag_retracted(["PMID:2"]) == 0 and graph() == written_retracted  # again: nothing to do

# -- curation (kg.curation decisions, applied by GraphStore.refresh_curation) ------------------
def curation(*decisions):
    from kg.curation import Curation

    return Curation(None, tuple(decisions))


def decision(kind, **fields):
    from kg.curation import new_decision

    return new_decision(kind, reason="contract", author="tester", date="2025-01-01", **fields)


COOC_ROW = {"triple_key": COOC.key, "predicate": "CO_OCCURS_WITH", "subject": CHEM.id, "object": DIS.id}


def test_rejected_edge_keeps_its_evidence_but_loses_its_aggregates(store):
    store.write(batch())
    reject = decision("reject", subject=CHEM.id, predicate="CO_OCCURS_WITH", object=DIS.id)
    store.refresh_curation(curation(reject), [COOC_ROW])
    t = edge(store)
    assert t["rejected"] is True and t["curation_status"] == "rejected" and t["curation"] == reject.id
    assert t["rejected_evidence"] == 3 and "evidence_count" not in t and "combined_score" not in t
    flags = store.query("MATCH (e:Evidence) RETURN e.rejected AS r, e.curation AS c")
    assert flags == [{"r": True, "c": reject.id}] * 3
    assert store.query(q.CONCEPT_FACTS, {"id": DIS.id, "limit": 10}) == []  # reads skip it
    assert store.query(q.EVIDENCE_OF_TRIPLE, {"key": COOC.key}) == []
    # a new document supporting the edge: written, then its flags refreshed as the pipeline does
    store.write(GraphBatch(documents=(doc(3),), evidence=(ev("PMID:3", 0, 0.9),)))
    store.refresh_curation(curation(reject), [COOC_ROW])
    assert edge(store)["rejected_evidence"] == 4 and "evidence_count" not in edge(store)
    # taken back: the aggregates of all four
    store.refresh_curation(curation(), [COOC_ROW])
    t = edge(store)
    assert t["evidence_count"] == 4 and t["doc_count"] == 3
    assert not {"rejected", "curation_status", "curation", "rejected_evidence"} & set(t)
    assert store.query("MATCH (e:Evidence) WHERE e.rejected IS NOT NULL OR e.curation IS NOT NULL RETURN e") == []


def test_rejected_evidence_is_left_out_of_aggregates_and_reads(store):
    store.write(batch())
    bad = ev("PMID:1", 30, 0.8, "negated")
    reject = decision("reject", subject=CHEM.id, predicate="CO_OCCURS_WITH", object=DIS.id, evidence=bad.key)
    store.refresh_curation(curation(reject), [COOC_ROW])
    t = edge(store)
    assert t["evidence_count"] == 2 and t["negated"] == 0 and t["rejected_evidence"] == 1
    assert t["combined_score"] == pytest.approx(1 - 0.5 * 0.4) and "curation_status" not in t
    keys = {r["evidence"]["key"] for r in store.query(q.EVIDENCE_OF_TRIPLE, {"key": COOC.key})}
    assert bad.key not in keys and len(keys) == 2
    # the document of the rejected evidence goes: the count follows, without a curation refresh
    store.delete_documents(["PMID:1"])
    t = edge(store)
    assert t["evidence_count"] == 1 and "rejected_evidence" not in t
    # only rejected evidence left on an edge after a delete: no aggregates
    store.write(batch())
    store.refresh_curation(curation(reject), [COOC_ROW])
    store.delete_documents(["PMID:2"])
    store.delete_documents(["PMID:1"], keep_nodes=True)
    assert edge(store) == {}


def test_confirmed_edge_keeps_the_model_score(store):
    store.write(batch())
    before = edge(store)
    confirm = decision("confirm", subject=CHEM.id, predicate="CO_OCCURS_WITH", object=DIS.id)
    store.refresh_curation(curation(confirm), [COOC_ROW])
    t = edge(store)
    assert t["confirmed"] is True and t["curation_status"] == "confirmed" and "rejected" not in t
    assert {k: v for k, v in t.items() if k not in ("confirmed", "curation_status", "curation")} == before


def test_aliases_and_orphan_concepts(store):
    alias = Concept(id="MESH:C000001", name="ASA", type="Chemical")
    store.write(GraphBatch(concepts=(CHEM, alias, DIS), mentions=(mention("PMID:1", DIS),), documents=(doc(1),)))
    same = decision("same_as", subject=alias.id, object=CHEM.id)
    store.refresh_curation(curation(same), (), [CHEM.id])
    [row] = store.query("MATCH (c:Concept {id: $id}) RETURN c.aliases AS a", {"id": CHEM.id})
    assert row["a"] == [alias.id]
    assert store.delete_orphan_concepts([alias.id, CHEM.id, DIS.id]) == 2  # DIS is mentioned: it stays
    assert [r["id"] for r in store.query("MATCH (c:Concept) RETURN c.id AS id")] == [DIS.id]
    store.write(GraphBatch(concepts=(CHEM,)))
    store.refresh_curation(curation(same), (), [CHEM.id])
    found = store.query(q.CURATION_CONCEPTS_BY_ALIAS, {"ids": [alias.id]})
    assert found == [{"alias": alias.id, "id": CHEM.id, "name": "Aspirin"}]
    store.refresh_curation(curation(), (), [CHEM.id])
    assert store.query("MATCH (c:Concept {id: $id}) RETURN c.aliases AS a", {"id": CHEM.id}) == [{"a": None}]

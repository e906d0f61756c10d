"""Saved queries (ontology/queries.cypher) on the embedded store: what their columns say is what they count."""

import re

import pytest

from kg.config import REPO_ROOT, Settings
from kg.graph.backends import open_store
from kg.graph.saved import load_saved_queries
from kg.models import Concept, Document, Evidence, GraphBatch, Triple

DIS = Concept(id="MESH:D003924", name="Diabetes Mellitus, Type 2", type="Disease")
MET = Concept(id="MESH:D008687", name="Metformin", type="Chemical")


def ev(subject: str, predicate: str, obj: str, doc: str, retracted: bool = False, *, sentence: str = "s",
       score: float = 0.9, assertion: str = "affirmed") -> Evidence:
    return Evidence(triple=Triple(subject=subject, predicate=predicate, object=obj), doc_id=doc, sentence=sentence,
                    sentence_start=0, subject_span=(0, 1), object_span=(2, 3), extractor="x", extractor_version="1",
                    score=score, retracted=retracted, assertion=assertion)


def docs(*ids: str) -> tuple[Document, ...]:
    return tuple(Document(id=i, source="note" if i.startswith("NOTE:") else "pubmed", text="x") for i in ids)


def reject(store, doc: str) -> None:
    """What `medkg curate reject --evidence KEY` leaves on the evidence of ``doc``."""
    store.query("MATCH (e:Evidence {doc_id: $doc}) SET e.rejected = true", {"doc": doc}, write=True)


@pytest.fixture
def store(tmp_path):
    with open_store(Settings(data_dir=tmp_path, graph_name="saved")) as s:
        s.ensure_schema()
        yield s


def test_chemicals_for_disease_counts_papers_and_notes_apart(store):
    store.write(GraphBatch(
        documents=(Document(id="PMID:1", source="pubmed", text="x"), Document(id="NOTE:a", source="note", text="x"),
                   Document(id="NOTE:b", source="note", text="x")),
        concepts=(DIS, MET),
        evidence=tuple(ev(MET.id, "CO_OCCURS_WITH", DIS.id, d) for d in ("PMID:1", "NOTE:a", "NOTE:b"))))
    [row] = store.query(load_saved_queries()["chemicals_for_disease"].cypher, {"disease": DIS.id})
    assert (row["documents"], row["papers"], row["notes"], row["pmids"]) == (3, 1, 2, ["PMID:1"])


def test_edges_on_retracted_papers_lists_claims_first_and_says_how_many_there_are(store):
    chemicals = [Concept(id=f"MESH:C{n:06d}", name=f"Chemical {n:02d}", type="Chemical") for n in range(30)]
    evidence = tuple(ev(c.id, "CO_OCCURS_WITH", DIS.id, "PMID:9", retracted=True) for c in chemicals)
    evidence += (ev(chemicals[29].id, "INDUCES", DIS.id, "PMID:9", retracted=True),
                 ev(MET.id, "INDUCES", DIS.id, "PMID:1"))  # not retracted: not listed
    store.write(GraphBatch(documents=(Document(id="PMID:1", source="pubmed", text="x"),
                                      Document(id="PMID:9", source="pubmed", text="x")),
                           concepts=(DIS, MET, *chemicals), evidence=evidence))
    rows = store.query(load_saved_queries()["edges_on_retracted_papers"].cypher)
    assert len(rows) == 25 and {r["of_edges"] for r in rows} == {31}  # the cut shows
    assert (rows[0]["relation"], rows[0]["subject"]) == ("INDUCES", "Chemical 29")  # the claim before co-mentions
    assert [r["relation"] for r in rows[1:]] == ["CO_OCCURS_WITH"] * 24
    assert [r["subject"] for r in rows[1:4]] == ["Chemical 00", "Chemical 01", "Chemical 02"]
    assert rows[0]["retracted_papers"] == ["PMID:9"]


def test_top_edges_for_disease_quotes_the_best_affirmed_sentence(store):
    """Not whichever sentence comes first: the best scored affirmed one of a paper neither retracted nor
    rejected, as ask and report cite."""
    store.write(GraphBatch(documents=docs("PMID:1", "PMID:2", "PMID:3", "PMID:4", "PMID:5"), concepts=(DIS, MET),
                           evidence=(
        ev(MET.id, "INDUCES", DIS.id, "PMID:1", sentence="Metformin did not cause it.", score=0.99,
           assertion="negated"),
        ev(MET.id, "INDUCES", DIS.id, "PMID:2", sentence="A weaker affirmed sentence.", score=0.6),
        ev(MET.id, "INDUCES", DIS.id, "PMID:3", sentence="From a retracted paper.", score=0.97, retracted=True),
        ev(MET.id, "INDUCES", DIS.id, "PMID:4", sentence="Rejected by a curator.", score=0.98),
        ev(MET.id, "INDUCES", DIS.id, "PMID:5", sentence="Metformin caused it.", score=0.8))))
    reject(store, "PMID:4")
    [row] = store.query(load_saved_queries()["top_edges_for_disease"].cypher, {"disease": DIS.id})
    assert row["sentence"] == "Metformin caused it." and row["papers"] == 4


def test_the_readme_copy_of_top_edges_for_disease_is_the_saved_query():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("--saved top_edges_for_disease", 1)[1].split("```cypher", 1)[1].split("```", 1)[0]
    saved = load_saved_queries()["top_edges_for_disease"].cypher
    assert re.sub(r"\s+", " ", block).strip() == re.sub(r"\s+", " ", saved).strip()


def test_contradictory_edges_counts_papers_and_notes_apart(store):
    store.write(GraphBatch(documents=docs("PMID:1", "NOTE:a", "NOTE:b"), concepts=(DIS, MET), evidence=(
        ev(MET.id, "INDUCES", DIS.id, "PMID:1"), ev(MET.id, "INDUCES", DIS.id, "NOTE:a", assertion="negated"),
        ev(MET.id, "INDUCES", DIS.id, "NOTE:b"))))
    [row] = store.query(load_saved_queries()["contradictory_edges"].cypher)
    assert (row["affirmed"], row["negated"], row["papers"], row["notes"]) == (2, 1, 1, 2)


def test_contradictory_edges_lists_claims_only_never_a_co_mention_or_a_hub(store):
    """QA: the top rows were co-mentions ("Nausea CO_OCCURS_WITH Vomiting", from "denies nausea or vomiting")
    and the human hub, which `medkg report` never lists as contradicted."""
    from kg.reason.cues import HUBS

    human = Concept(id="NCBITaxon:9606", name="Humans", type="Species")
    store.write(GraphBatch(documents=docs("PMID:1", "PMID:2"), concepts=(DIS, MET, human), evidence=tuple(
        ev(s, p, o, d, assertion=a) for s, p, o in ((MET.id, "CO_OCCURS_WITH", DIS.id), (MET.id, "INDUCES", human.id),
                                                    (MET.id, "INDUCES", DIS.id))
        for d, a in (("PMID:1", "affirmed"), ("PMID:2", "negated")))))
    rows = store.query(load_saved_queries()["contradictory_edges"].cypher)
    assert [(r["subject"], r["relation"], r["object"]) for r in rows] == [(MET.name, "INDUCES", DIS.name)]
    cypher = load_saved_queries()["contradictory_edges"].cypher
    assert all(cypher.count(f"'{hub}'") == 2 for hub in HUBS)  # the query's copy of HUBS, both ends


def test_contradictory_evidence_reads_either_direction_and_leaves_rejected_evidence_out(store):
    store.write(GraphBatch(documents=docs("PMID:1", "PMID:2", "PMID:3"), concepts=(DIS, MET), evidence=(
        ev(MET.id, "INDUCES", DIS.id, "PMID:1", sentence="Metformin caused it."),
        ev(MET.id, "INDUCES", DIS.id, "PMID:2", sentence="Metformin did not cause it.", assertion="negated"),
        ev(MET.id, "INDUCES", DIS.id, "PMID:3", sentence="Rejected by a curator."))))
    reject(store, "PMID:3")
    query = load_saved_queries()["contradictory_evidence"].cypher
    for a, b in ((MET.id, DIS.id), (DIS.id, MET.id)):
        rows = store.query(query, {"a": a, "b": b})
        assert [(r["assertion"], r["document"], r["subject"]) for r in rows] == [
            ("negated", "PMID:2", MET.id), ("affirmed", "PMID:1", MET.id)]

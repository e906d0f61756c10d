"""Saved queries (ontology/queries.cypher) on the embedded store: what their columns say is what they count."""

import pytest

from kg.config import Settings
from kg.graph.backends import open_store
from kg.graph.saved import load_saved_queries
from kg.models import Concept, Document, Evidence, GraphBatch, Triple

DIS = Concept(id="MESH:D003924", name="Diabetes Mellitus, Type 2", type="Disease")
MET = Concept(id="MESH:D008687", name="Metformin", type="Chemical")


def ev(subject: str, predicate: str, obj: str, doc: str, retracted: bool = False) -> Evidence:
    return Evidence(triple=Triple(subject=subject, predicate=predicate, object=obj), doc_id=doc, sentence="s",
                    sentence_start=0, subject_span=(0, 1), object_span=(2, 3), extractor="x", extractor_version="1",
                    score=0.9, retracted=retracted)


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

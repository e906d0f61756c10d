"""Edge aggregates (cypher._AGGREGATE) on the embedded store: what is counted and what is scored."""

import pytest

from kg.config import Settings
from kg.graph.backends import open_store
from kg.graph.cypher import UNSCORED_ASSERTIONS
from kg.models import ASSERTIONS, Concept, Document, Evidence, GraphBatch, Triple

CHEM = Concept(id="MESH:D002945", name="Cisplatin", type="Chemical")
DIS = Concept(id="MESH:D056486", name="Chemical and Drug Induced Liver Injury", type="Disease")


def ev(doc: str, assertion: str, score: float = 0.8, retracted: bool = False) -> Evidence:
    return Evidence(triple=Triple(subject=CHEM.id, predicate="INDUCES", object=DIS.id), doc_id=doc,
                    sentence="Cisplatin did not cause hepatotoxicity in rats.", sentence_start=0, subject_span=(0, 9),
                    object_span=(24, 37), extractor="re", extractor_version="1", score=score, assertion=assertion,
                    retracted=retracted)


@pytest.fixture
def store(tmp_path):
    with open_store(Settings(data_dir=tmp_path, graph_name="aggregates")) as s:
        s.ensure_schema()
        yield s


def edge(store) -> dict:
    [row] = store.query("MATCH (:Concept)-[t:INDUCES]->(:Concept) RETURN properties(t) AS t")
    return row["t"]


def write(store, *evidence: Evidence) -> dict:
    store.query("MATCH (n) DETACH DELETE n", write=True)
    docs = tuple(Document(id=d, source="pubmed", text="x") for d in dict.fromkeys(e.doc_id for e in evidence))
    store.write(GraphBatch(documents=docs, concepts=(CHEM, DIS), evidence=evidence))
    return edge(store)


def test_a_negated_hypothetical_or_family_sentence_is_counted_but_never_scored(store):
    assert set(UNSCORED_ASSERTIONS) < set(ASSERTIONS)
    for assertion in UNSCORED_ASSERTIONS:
        e = write(store, ev("PMID:1", assertion))
        assert (e["evidence_count"], e["doc_count"], e["combined_score"]) == (1, 1, 0.0), assertion
        assert "max_score" not in e, assertion  # no scored evidence: not a claim
    assert write(store, ev("PMID:1", "negated"))["negated"] == 1


def test_uncertain_and_historical_sentences_still_state_the_relation(store):
    for assertion in ("affirmed", "uncertain", "historical"):
        e = write(store, ev("PMID:1", assertion))
        assert e["max_score"] == pytest.approx(0.8) and e["combined_score"] == pytest.approx(0.8), assertion


def test_only_the_scored_sentences_make_the_score(store):
    e = write(store, ev("PMID:1", "affirmed", 0.6), ev("PMID:2", "negated", 0.9), ev("PMID:3", "family", 0.9),
              ev("PMID:4", "affirmed", 0.9, retracted=True))
    assert (e["evidence_count"], e["doc_count"], e["affirmed"], e["negated"], e["retracted_count"]) == (4, 4, 2, 1, 1)
    assert e["max_score"] == pytest.approx(0.6) and e["combined_score"] == pytest.approx(0.6)

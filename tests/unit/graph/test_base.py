"""The write logic both backends share (kg.graph.base), against a backend that only records statements."""

import pytest

from kg.config import Settings
from kg.errors import QueryError, SchemaError
from kg.graph import cypher
from kg.graph.base import GraphStore, Result
from kg.models import Concept, Document, Evidence, GraphBatch, MentionLink, Triple


class Recording(GraphStore):
    def __init__(self, settings, answers=None):
        super().__init__(settings)
        self.sent: list[tuple[str, dict | None, bool]] = []
        self.answers = answers or {}

    def ensure_schema(self):
        pass

    def _run(self, statement, params=None, *, write):
        self.sent.append((statement, params, write))
        answer = self.answers.get(statement)
        return Result(rows=answer(params) if answer else [], counters={"nodes_created": 1} if write else {})

    def close(self):
        pass

    def statements(self):
        return [s for s, _, _ in self.sent]


@pytest.fixture
def store(tmp_path):
    return Recording(Settings(data_dir=tmp_path, write_batch_size=2))


CHEM = Concept(id="MESH:D1", name="Aspirin", type="Chemical")
DIS = Concept(id="MESH:D2", name="Headache", type="Disease")


def evidence(n: int, predicate: str = "INDUCES") -> Evidence:
    return Evidence(triple=Triple(subject=CHEM.id, predicate=predicate, object=DIS.id), doc_id="PMID:1",
                    sentence="s", sentence_start=0, subject_span=(n, n + 1), object_span=(9, 10), extractor="t",
                    extractor_version="1")


def test_write_sends_nodes_then_links_then_evidence_then_triple_aggregates(store):
    note = Document(id="NOTE:1", source="note", text="x", metadata={"patient": "pt_1"})
    link = MentionLink(doc_id="NOTE:1", concept_id=DIS.id, count=1, texts=(), max_score=1.0, extractor="t",
                       extractor_version="1")
    stats = store.write(GraphBatch(documents=(note,), concepts=(CHEM, DIS), mentions=(link,),
                                   evidence=tuple(evidence(i) for i in range(3))))
    sent = store.statements()
    assert sent.index(cypher.UPSERT_DOCUMENTS) < sent.index(cypher.UPSERT_MENTIONS) < sent.index(cypher.UPSERT_EVIDENCE)
    assert sent.index(cypher.UPSERT_EVIDENCE) < sent.index(cypher.upsert_triples(store.schema, "INDUCES"))
    assert sent.count(cypher.UPSERT_EVIDENCE) == 2  # three rows in batches of two
    assert cypher.UPSERT_PATIENT_NOTES in sent
    assert cypher.refresh_findings_of_patients(store.schema) not in sent  # findings are refreshed only when asked
    assert (stats.documents_written, stats.concepts_written, stats.evidence_written, stats.triples_written) == (1, 2, 3, 1)
    assert all(write for _, _, write in store.sent)


def test_a_bad_predicate_fails_before_anything_is_sent(store):
    with pytest.raises(SchemaError):
        store.write(GraphBatch(documents=(Document(id="PMID:1", source="pubmed", text="x"),),
                               evidence=(evidence(0, predicate="CURES_EVERYTHING"),)))
    assert store.sent == []


def test_delete_reports_found_documents_and_their_patients(store):
    store.answers[cypher.COUNT_DOCUMENTS] = lambda p: [{"n": 1}]
    store.answers[cypher.PATIENTS_OF_DOCUMENTS] = lambda p: [{"id": "pt_1"}]
    store.answers[cypher.TRIPLES_OF_DOCUMENTS] = lambda p: [
        {"triple_key": "k", "predicate": "INDUCES", "subject": CHEM.id, "object": DIS.id}]
    deleted = store.delete_documents(["NOTE:1", "NOTE:1"], keep_nodes=True)
    assert (deleted.found, deleted.patients) == (1, ("pt_1",))
    sent = store.statements()
    assert cypher.refresh_triples(store.schema, "INDUCES") in sent and cypher.DELETE_DOCUMENTS not in sent
    assert store.delete_documents([]).found == 0


def test_refresh_findings_and_statistics_are_explicit_steps(store):
    store.refresh_findings(["pt_1"])
    assert store.statements() == [cypher.DELETE_FINDINGS_OF_PATIENTS, cypher.refresh_findings_of_patients(store.schema),
                                  cypher.DELETE_PATIENTS_WITHOUT_NOTES]
    store.sent.clear()
    store.refresh_findings([])
    assert store.sent == []
    store.refresh_statistics()
    assert cypher.refresh_npmi(store.schema) in store.statements()


def test_query_is_read_only_unless_asked_and_counts_cover_the_schema(store):
    with pytest.raises(QueryError, match="write clause"):
        store.query("MATCH (n) DELETE n")
    assert store.sent == []
    counts = store.counts()
    assert set(counts["nodes"]) == set(store.schema.labels) and all(v == 0 for v in counts["nodes"].values())

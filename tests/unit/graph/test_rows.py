import json

import pytest

from kg.errors import SchemaError
from kg.graph import rows
from kg.graph.schema import Schema
from kg.models import Concept, Document, Evidence, MentionLink, Section, Triple


@pytest.fixture(scope="module")
def schema():
    return Schema.load()


def _evidence(predicate="CO_OCCURS_WITH", span=(0, 3), score=0.5, doc="PMID:1"):
    return Evidence(triple=Triple(subject="MESH:C1", predicate=predicate, object="MESH:D1"), doc_id=doc,
                    sentence="Aspirin and headache.", sentence_start=0, subject_span=span, object_span=(12, 20),
                    extractor="cooc", extractor_version="1", score=score)


def test_dedupe_keeps_last_occurrence_in_first_seen_order():
    assert rows.dedupe([("a", 1), ("b", 2), ("a", 3)], key=lambda x: x[0]) == [("a", 3), ("b", 2)]


def test_chunks_cover_all_rows():
    assert [list(c) for c in rows.chunks([1, 2, 3, 4, 5], 2)] == [[1, 2], [3, 4], [5]]


def test_document_row_is_flat_and_has_no_text():
    doc = Document(id="PMID:1", source="pubmed", text="secret text", title="T", version=2,
                   sections=(Section(label="METHODS", start=0, end=3),),
                   metadata={"journal": "J", "year": 2020, "doi": None,
                             "mesh": [{"ui": "D1", "major": True}, {"ui": "D2", "major": False}],
                             "publication_types": ["Journal Article"], "dates": {"pub": "2020-01-02"},
                             "mixed": [1, "a"], "title": "metadata must not override"})
    props = rows.document_row(doc)
    assert props["id"] == "PMID:1"
    assert "secret text" not in json.dumps(props)
    assert props["title"] == "T" and props["version"] == 2 and props["content_hash"] == doc.content_hash
    assert props["mesh_ui"] == ["D1", "D2"] and props["mesh_major"] == [True, False]
    assert props["dates_pub"] == "2020-01-02"
    assert props["publication_types"] == ["Journal Article"]
    assert json.loads(props["mixed"]) == [1, "a"]
    assert "doi" not in props
    assert props["sections"] == ["METHODS"]
    for v in props.values():
        assert isinstance(v, (str, int, float, bool)) or all(isinstance(x, (str, int, float, bool)) for x in v)


def test_a_note_row_has_no_hash_of_its_text():
    # the hash of id, version and text would identify the pseudonymised note to anyone holding the notes
    note = Document(id="NOTE:note_4e2c95e98d5c3688", source="note", text="Denies chest pain.", version=1)
    props = rows.document_row(note)
    assert "content_hash" not in props and note.content_hash not in json.dumps(props)
    assert rows.document_row(note.model_copy(update={"source": "pubmed"}))["content_hash"] == note.content_hash


def test_concepts_are_grouped_by_type_and_deduplicated(schema):
    groups = rows.concept_rows(schema, [
        Concept(id="MESH:D1", name="old", type="Disease"),
        Concept(id="MESH:C1", name="aspirin", type="Chemical", synonyms=("ASA",)),
        Concept(id="MESH:D1", name="new", type="Disease"),
    ])
    assert set(groups) == {"Disease", "Chemical"}
    assert [r["props"]["name"] for r in groups["Disease"]] == ["new"]
    assert groups["Chemical"][0]["props"]["synonyms"] == ["ASA"]


def test_mentions_deduplicate_on_document_and_concept():
    m = dict(doc_id="PMID:1", concept_id="MESH:D1", texts=("a",), max_score=0.5, extractor="x", extractor_version="1")
    out = rows.mention_rows([MentionLink(count=1, **m), MentionLink(count=3, **m)])
    assert len(out) == 1 and out[0]["props"]["count"] == 3 and out[0]["props"]["texts"] == ["a"]


def test_evidence_rows_carry_the_triple_and_spans(schema):
    e = _evidence()
    [p] = rows.evidence_rows(schema, [e, e])
    assert p["key"] == e.key and p["doc_id"] == "PMID:1"
    assert p["triple_key"] == e.triple.key
    assert (p["subject_start"], p["subject_end"], p["object_start"], p["object_end"]) == (0, 3, 12, 20)


def test_unknown_predicate_is_refused(schema):
    with pytest.raises(SchemaError):
        rows.evidence_rows(schema, [_evidence(predicate="CURES")])


def test_triple_rows_one_per_triple_key(schema):
    ev = rows.evidence_rows(schema, [_evidence(span=(0, 3)), _evidence(span=(4, 7), doc="PMID:2")])
    groups = rows.triple_rows(schema, ev)
    assert list(groups) == ["CO_OCCURS_WITH"]
    assert groups["CO_OCCURS_WITH"] == [{"key": ev[0]["triple_key"], "subject": "MESH:C1", "object": "MESH:D1"}]


def test_metadata_keys_become_identifiers_and_gaps_keep_alignment():
    doc = Document(id="PMID:1", source="pubmed", text="t", metadata={
        "pub-date": "2020", "`weird` key!": 1, "": "empty", "score": float("nan"),
        "mesh": [{"ui": "D1"}, {"ui": "D2", "qualifier": "Q2"}]})
    props = rows.document_row(doc)
    assert props["pub_date"] == "2020" and props["weird_key"] == 1 and props["field"] == "empty"
    assert props["score"] == "nan"
    assert props["mesh_ui"] == ["D1", "D2"]
    assert json.loads(props["mesh_qualifier"]) == [None, "Q2"]

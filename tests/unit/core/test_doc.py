"""The annotated-document carrier and the component protocol."""

from kg.doc import AnnotatedDoc, Component, batched, describe, fingerprint
from kg.models import Document

from fakes import WordExtractor, analyse


def test_sentences_and_abbreviations_are_filled_once_by_the_analyser():
    text = "Patients with hereditary hemochromatosis (HH) were seen. HH is common. Rats got i.v. tobramycin."
    doc = analyse(text)
    assert isinstance(doc, AnnotatedDoc) and doc.id == "PMID:1" and doc.text == text
    assert [text[s:e] for s, e in doc.sentences] == [
        "Patients with hereditary hemochromatosis (HH) were seen.", "HH is common.", "Rats got i.v. tobramycin."]
    assert doc.short_forms() == {"HH": "hereditary hemochromatosis"}
    assert {(a.short_start, a.short_end) for a in doc.abbreviations} == {(42, 44), (57, 59)}
    assert doc.mentions == () and doc.relations == () and doc.concepts == {}


def test_sentence_lookup_by_offset_and_across_a_boundary():
    doc = analyse("One two. Three four. Five.")
    assert doc.sentence_index(0) == 0 and doc.sentence_index(9) == 1 and doc.sentence_index(25) == 2
    assert doc.sentence_of(9, 13) == (9, 20)
    assert doc.sentence_of(4, 13) == (0, 20)  # a span over a boundary gets both sentences


def test_notes_get_sections_and_abstracts_do_not():
    note = analyse("CHIEF COMPLAINT\nCough.\nPLAN\nRest.", source="note", doc_id="NOTE:1")
    assert [s.label for s in note.sections] == ["chief_complaint", "plan"]
    assert analyse("CHIEF COMPLAINT\nCough.").sections == ()


def test_fingerprint_covers_name_version_and_settings():
    class C:
        name, version = "c", "1"

        def __init__(self, threshold):
            self.settings = {"threshold": threshold}

        def pipe(self, docs, batch_size=256):
            yield from docs

    assert isinstance(C(0.7), Component) and isinstance(WordExtractor(), Component)
    assert describe(C(0.7)) == 'c@1{"threshold": 0.7}'
    assert fingerprint([C(0.7)]) == fingerprint([C(0.7)])
    assert fingerprint([C(0.7)]) != fingerprint([C(0.8)])
    assert fingerprint([C(0.7), WordExtractor()]) != fingerprint([WordExtractor(), C(0.7)])


def test_batched_keeps_order_and_remainder():
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(batched([], 3)) == []
    assert Document(id="PMID:1", source="text", text="x").id == "PMID:1"

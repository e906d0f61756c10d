from kg.assemble import CO_OCCURS_WITH, Assembler
from kg.models import Document

from fakes import doc, word_annotator


def _assemble(docs, **kw):
    annotated, failed = word_annotator().annotate(docs)
    assert not failed
    return Assembler(**kw).assemble(annotated)


def test_pairs_in_one_sentence_become_evidence_with_spans():
    d = doc(1, "Aspirin relieved headache and fever. Fever returned.")
    batch = _assemble([d])
    pairs = sorted((e.triple.subject, e.triple.object) for e in batch.evidence)
    # aspirin-headache, aspirin-fever, headache-fever: 3 pairs in sentence one; sentence two has one concept
    assert pairs == sorted([("MESH:D001241", "MESH:D006261"), ("MESH:D001241", "MESH:D005334"),
                            ("MESH:D005334", "MESH:D006261")])
    for e in batch.evidence:
        assert e.triple.predicate == CO_OCCURS_WITH
        assert e.sentence == "Aspirin relieved headache and fever."
        s, t = e.subject_span
        assert d.text[s:t].lower() in ("aspirin", "headache", "fever")
        assert e.triple.subject < e.triple.object  # one canonical direction


def test_mention_links_count_per_concept_and_concepts_are_included():
    batch = _assemble([doc(1, "Fever. fever and aspirin.")])
    links = {m.concept_id: m for m in batch.mentions}
    assert links["MESH:D005334"].count == 2 and links["MESH:D005334"].texts == ("fever",)
    assert {c.id for c in batch.concepts} == {"MESH:D005334", "MESH:D001241"}


def test_note_sentences_are_not_stored_unless_opted_in():
    note = Document(id="NOTE:abc", source="note", text="John Smith has fever and headache.")
    assert all(e.sentence == "" for e in _assemble([note]).evidence)
    assert all("John Smith" in e.sentence for e in _assemble([note], keep_note_text=True).evidence)


def test_evidence_of_a_retracted_paper_and_of_a_retraction_notice_is_flagged():
    text = "Aspirin relieved headache."
    paper = Document(id="PMID:1", source="pubmed", text=text, metadata={"retracted": True})
    notice = Document(id="PMID:2", source="pubmed", text=text, metadata={"retraction_of": ["1"]})
    other = Document(id="PMID:3", source="pubmed", text=text)
    flags = {e.doc_id: e.retracted for e in _assemble([paper, notice, other]).evidence}
    assert flags == {"PMID:1": True, "PMID:2": True, "PMID:3": False}  # a notice restates what it withdraws


def test_a_name_inside_a_longer_name_co_occurs_with_nothing(make_item):
    # PMID 401006: the only "dopamine" is the enzyme's head word; DBH and the damage still co-occur
    item = make_item("PMID:401006", ["Dopamine-beta-hydroxylase activity in serum of patients with hepatic damage."],
                     [("Dopamine-beta-hydroxylase", "Gene", "NCBIGene:1621"), ("Dopamine", "Chemical", "MESH:D004298"),
                      ("hepatic damage", "Disease", "MESH:D056486")])
    batch = Assembler().assemble([item])
    assert [(e.triple.subject, e.triple.object) for e in batch.evidence] == [("MESH:D056486", "NCBIGene:1621")]
    assert "MESH:D004298" in {m.concept_id for m in batch.mentions}  # still a mention of dopamine

"""The curators' link decisions in the chain: same_as maps aliases, wrong_link relinks or unlinks."""

from kg.curation import NIL, Curation, new_decision
from kg.link.curated import CuratedLinks
from kg.models import Concept

from fakes import WordExtractor, WordLinker, analyse

ASPIRIN, HEADACHE, FEVER = "MESH:D001241", "MESH:D006261", "MESH:D005334"
TEXT = "Aspirin relieved headache. Fever and headache later."


def d(kind, **fields):
    return new_decision(kind, reason="r", author="a", date="2025-01-01", **fields)


def lookup(ids):
    return {i: Concept(id=i, name=f"name of {i}", type="Chemical") for i in ids if i.startswith("MESH:")}


def run(*decisions, doc_id="PMID:1"):
    return analyse(TEXT, WordExtractor(), WordLinker(), CuratedLinks(Curation(None, decisions), lookup), doc_id=doc_id)


def test_no_decisions_change_nothing():
    plain = analyse(TEXT, WordExtractor(), WordLinker(), doc_id="PMID:1")
    doc = run()
    assert doc.mentions == plain.mentions and doc.concepts == plain.concepts and doc.curation == ()


def test_same_as_maps_the_alias_to_the_kept_id_and_fetches_its_record():
    same = d("same_as", subject=ASPIRIN, object="MESH:D999")
    doc = run(same)
    assert [m.concept_id for m in doc.mentions] == ["MESH:D999", HEADACHE, FEVER, HEADACHE]
    assert ASPIRIN not in doc.concepts and doc.concepts["MESH:D999"].name == "name of MESH:D999"
    assert doc.mentions[0].candidates[0].score == 0.9  # the linker's score stays
    assert doc.curation == (same.id,)


def test_the_kept_id_unknown_to_the_concept_store_takes_the_alias_record():
    doc = analyse(TEXT, WordExtractor(), WordLinker(),
                  CuratedLinks(Curation(None, (d("same_as", subject=ASPIRIN, object="X:1"),)), lookup))
    assert doc.concepts["X:1"].name == "aspirin" and doc.concepts["X:1"].id == "X:1"


def test_wrong_link_everywhere_and_in_one_document():
    relink = d("wrong_link", text="HEADACHE", subject=HEADACHE, object="MESH:D000001")
    doc = run(relink)
    assert [m.concept_id for m in doc.mentions] == [ASPIRIN, "MESH:D000001", FEVER, "MESH:D000001"]
    assert HEADACHE not in doc.concepts and doc.curation == (relink.id,)
    elsewhere = d("wrong_link", text="fever", subject=FEVER, object=NIL, document="PMID:2")
    assert [m.concept_id for m in run(elsewhere).mentions] == [ASPIRIN, HEADACHE, FEVER, HEADACHE]
    doc = run(elsewhere, doc_id="PMID:2")
    assert [m.concept_id for m in doc.mentions] == [ASPIRIN, HEADACHE, None, HEADACHE]
    assert FEVER not in doc.concepts and doc.curation == (elsewhere.id,)


def test_a_decision_for_the_document_beats_the_one_for_everywhere():
    everywhere = d("wrong_link", text="fever", subject=FEVER, object=NIL)
    here = d("wrong_link", text="fever", subject=FEVER, object="MESH:D000002", document="PMID:1")
    doc = run(everywhere, here)
    assert doc.mentions[2].concept_id == "MESH:D000002" and doc.curation == (here.id,)


def test_wrong_link_to_an_alias_ends_at_the_kept_id():
    doc = run(d("same_as", subject="MESH:C5", object="MESH:D5"),
              d("wrong_link", text="fever", subject=FEVER, object="MESH:C5"))
    assert doc.mentions[2].concept_id == "MESH:D5"


def test_the_decisions_are_not_in_the_fingerprint():
    assert CuratedLinks(Curation()).settings == CuratedLinks(Curation(None, (d("same_as", subject=ASPIRIN,
                                                                                 object="MESH:D9"),))).settings


def test_an_alias_below_the_top_candidate_is_mapped_but_does_not_count_as_a_change():
    from kg.models import Candidate

    class TwoCandidates:
        name, version, settings = "two", "1", {}

        def pipe(self, docs, batch_size=1):
            for doc in docs:
                doc.mentions = tuple(m.model_copy(update={"candidates": (*m.candidates, Candidate(
                    concept_id="MESH:C7", score=0.5))}) for m in doc.mentions)
                yield doc

    same = d("same_as", subject="MESH:C7", object="MESH:D7")
    doc = analyse(TEXT, WordExtractor(), WordLinker(), TwoCandidates(), CuratedLinks(Curation(None, (same,)), lookup))
    assert doc.mentions[0].candidates[1].concept_id == "MESH:D7" and doc.curation == ()

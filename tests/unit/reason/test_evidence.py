"""Citations: the sentences behind triple edges, best first, with the document's title and year."""

from kg.models import Triple
from kg.reason.evidence import Citation, citations, excerpt


def test_best_sentences_per_key_with_title_year_and_assertion(store, tiny):
    causes = [t for t in store.schema.triple_types if store.schema.relationships[t].biolink == "biolink:causes"][0]
    key = Triple(subject=tiny.MET.id, predicate=causes, object=tiny.LA.id).key
    found = citations(store, [key, key, "no-such-key", ""], per_key=2)
    assert list(found) == [key, "no-such-key"] and found["no-such-key"] == []
    first, second = found[key]
    assert (first.doc_id, first.score, first.assertion, first.year) == ("PMID:1", 0.9, "affirmed", 2001)
    assert (second.doc_id, second.assertion) == ("PMID:2", "negated")
    assert first.title == "Paper 1"
    assert first.spans == ((0, 5), (6, 10))  # where the sentence names the two concepts
    assert citations(store, [key], per_key=1)[key] == [first]


def test_short_form_flags_assertion_and_cuts_long_sentences():
    c = Citation(doc_id="PMID:9", sentence="x" * 300, score=0.5, assertion="negated", year=2019)
    text = c.short(width=50)
    assert text.startswith('PMID:9 (2019) [negated]: "') and text.endswith('…"') and len(text) < 90
    assert Citation(doc_id="NOTE:1", sentence="", score=1.0, assertion="affirmed").short() == \
        "NOTE:1: (note text not stored)"
    assert Citation(doc_id="PMID:3", sentence="s", score=1.0, assertion="affirmed", retracted=True).short() == \
        'PMID:3 [RETRACTED]: "s"'


PASSAGE = ("PGE1 was the most potent inhibitor, but the duration of action was very short. Dipyridamole and SH-869 "
           "produced inhibition of long duration. The duration of action of VK-774 was intermediate. All inhibitors "
           "produced marked hypotension of long duration, whereas the ADP effect was unchanged.")


def test_a_long_passage_is_cut_around_the_words_that_name_the_two_concepts():
    pge1, hypotension = (0, 4), (PASSAGE.index("hypotension"), PASSAGE.index("hypotension") + 11)
    # the names are too far apart for one stretch: each keeps its surroundings, whole words, "…" between
    text = excerpt(PASSAGE, [pge1, hypotension], width=120)
    assert text.startswith("PGE1 was the most potent") and " … " in text
    assert "inhibitors produced marked hypotension" in text and len(text) <= 124
    # near enough: one stretch around both, cut at word boundaries on both sides
    vk = (PASSAGE.index("VK-774"), PASSAGE.index("VK-774") + 6)
    text = excerpt(PASSAGE, [hypotension, vk], width=120)
    assert text.startswith("…") and text.endswith("…") and " … " not in text
    assert "VK-774" in text and "hypotension" in text and len(text) <= 122
    assert all(w in PASSAGE.split() for w in text.strip("…").split()[1:-1])
    # a short sentence whole; without spans the start, as before
    assert excerpt("Aspirin potentiates warfarin.", [(0, 7)], width=120) == "Aspirin potentiates warfarin."
    assert excerpt(PASSAGE, [], width=60) == "PGE1 was the most potent inhibitor, but the duration of…"


def test_a_citation_shows_the_cut_around_its_names():
    at = PASSAGE.index("hypotension")
    c = Citation(doc_id="PMID:402707", sentence=PASSAGE, score=0.41, assertion="affirmed", spans=((0, 4), (at, at + 11)))
    assert "marked hypotension" in c.short(width=120)
    assert "marked hypotension" not in Citation(doc_id="PMID:402707", sentence=PASSAGE, score=0.41,
                                                assertion="affirmed").short(width=120)

"""Citations: the sentences behind triple edges, best first, with the document's title and year."""

from kg.models import Triple
from kg.reason.evidence import Citation, citations


def test_best_sentences_per_key_with_title_year_and_assertion(store, tiny):
    causes = [t for t in store.schema.triple_types if store.schema.relationships[t].biolink == "biolink:causes"][0]
    key = Triple(subject=tiny.MET.id, predicate=causes, object=tiny.LA.id).key
    found = citations(store, [key, key, "no-such-key", ""], per_key=2)
    assert list(found) == [key, "no-such-key"] and found["no-such-key"] == []
    first, second = found[key]
    assert (first.doc_id, first.score, first.assertion, first.year) == ("PMID:1", 0.9, "affirmed", 2001)
    assert (second.doc_id, second.assertion) == ("PMID:2", "negated")
    assert first.title == "Paper 1"
    assert citations(store, [key], per_key=1)[key] == [first]


def test_short_form_flags_assertion_and_cuts_long_sentences():
    c = Citation(doc_id="PMID:9", sentence="x" * 300, score=0.5, assertion="negated", year=2019)
    text = c.short(width=50)
    assert text.startswith('PMID:9 (2019) [negated]: "') and text.endswith('…"') and len(text) < 90
    assert Citation(doc_id="NOTE:1", sentence="", score=1.0, assertion="affirmed").short() == \
        "NOTE:1: (note text not stored)"
    assert Citation(doc_id="PMID:3", sentence="s", score=1.0, assertion="affirmed", retracted=True).short() == \
        'PMID:3 [RETRACTED]: "s"'

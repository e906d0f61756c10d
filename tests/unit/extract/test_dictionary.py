import pytest

from kg.doc import Component
from kg.extract.dictionary import DictionaryExtractor
from kg.models import Document
from kg.vocab.lexicon import Lexicon, longest_matches

from fakes import analyse, analyse_many

ROWS = [
    ("breast cancer", "MESH:D001943", "Disease", "t"),
    ("cancer", "MESH:D009369", "Disease", "t"),
    ("hereditary hemochromatosis", "MESH:D006432", "Disease", "t"),
    ("naloxone", "MESH:D009270", "Chemical", "t"),
    ("cold", "MESH:D003139", "Disease", "t"),
    ("cold", "MESH:D003139", "Disease", "t"),
    ("cold", "MESH:D000001", "Chemical", "t"),
    ("ci", "MESH:D999999", "Chemical", "t"),
]


@pytest.fixture(scope="module")
def extractor():
    return DictionaryExtractor(Lexicon.from_entries(ROWS, names={"MESH:D009270": "Naloxone"}))


def _extract(extractor, text):
    return analyse(text, extractor).mentions


def test_is_an_extractor_with_version_from_lexicon(extractor):
    assert isinstance(extractor, Component)
    assert extractor.name == "dictionary"
    assert extractor.version == f"lex-{extractor.lexicon.hash[:12]}"
    other = DictionaryExtractor(Lexicon.from_entries(ROWS[:2]))
    assert other.version != extractor.version


def test_longest_match_wins_and_case_is_ignored(extractor):
    text = "Naloxone in Breast Cancer. Cancer again."
    ms = _extract(extractor, text)
    assert [(m.text, m.label) for m in ms] == [("Naloxone", "Chemical"), ("Breast Cancer", "Disease"), ("Cancer", "Disease")]
    m = ms[1]
    assert text[m.start : m.end] == "Breast Cancer"
    assert (m.sentence_start, m.sentence_end) == (0, 26)
    assert ms[2].sentence_start == 27
    assert all(m.extractor == "dictionary" and m.candidates == () for m in ms)


def test_ambiguous_form_takes_best_supported_type(extractor):
    (m,) = _extract(extractor, "A cold winter.")
    assert m.label == "Disease" and 0.5 < m.score < 1.0


def test_abbreviation_inherits_type_of_long_form(extractor):
    text = "Patients with hereditary hemochromatosis (HH) were studied. HH is common."
    ms = _extract(extractor, text)
    hh = [m for m in ms if m.text == "HH"]
    assert len(hh) == 2
    assert all(m.label == "Disease" and not m.candidates for m in hh)  # the linker links it via its long form


def test_short_form_of_non_entity_is_dropped(extractor):
    ms = _extract(extractor, "The odds ratio was 2 (confidence interval (CI) 1-3). CI was wide.")
    assert [m.text for m in ms] == []


def test_no_matches_gives_empty_mentions_not_missing_document(extractor):
    docs = [Document(id="PMID:1", source="text", text="Nothing here."), Document(id="PMID:2", source="text", text="x")]
    items = analyse_many(docs, extractor)
    assert [i.id for i in items] == ["PMID:1", "PMID:2"]
    assert all(i.mentions == () for i in items)


def test_longest_matches_prefers_longer_then_earlier():
    assert longest_matches([(0, 0, 2), (0, 1, 4), (0, 4, 5), (0, 3, 5)]) == [(1, 4), (4, 5)]


def test_fill_in_leaves_the_cation_word_of_a_salt_the_tagger_left_out():
    from kg.extract.dictionary import FILL_IN_VERSION, LexiconMatcher
    from kg.text.analyzer import analysis_pipeline

    matcher = LexiconMatcher(Lexicon.from_entries([("sodium", "MESH:D012964", "Chemical", "t")]), analysis_pipeline())
    assert matcher.version.endswith(FILL_IN_VERSION)
    doc = analyse("Sodium valproate (sodium dipropylacetate) and sodium chloride lowered sodium intake.")
    labels = {}
    added = matcher.fill_in(doc, labels, {})
    # the "sodium" of "sodium intake"; not that of a salt ("Sodium valproate", "sodium dipropylacetate", "sodium chloride")
    assert [(doc.tokens[s:e].text, doc.tokens[e].text) for s, e in sorted(added)] == [("sodium", "intake")]


def test_fill_in_adds_untaken_matches_of_the_types_asked_for_and_no_short_words_or_adjectives():
    from kg.extract.dictionary import LexiconMatcher
    from kg.text.analyzer import analysis_pipeline

    rows = [*ROWS, ("got", "MESH:D001219", "Chemical", "t"), ("serotonergic", "MESH:D018490", "Chemical", "t")]
    matcher = LexiconMatcher(Lexicon.from_entries(rows), analysis_pipeline())
    doc = analyse("Naloxone in breast cancer; serotonergic drugs; GOT rose.")
    tokens = [t.text for t in doc.tokens]
    cancer = (tokens.index("breast"), tokens.index("cancer") + 1)
    labels = {cancer: "Disease"}  # the tagger's
    added = matcher.fill_in(doc, labels, {})
    assert sorted(labels.values()) == ["Chemical", "Disease"]  # naloxone; not "serotonergic", not "GOT"
    assert [doc.tokens[s:e].text for s, e in added] == ["Naloxone"]
    from kg.extract.dictionary import marked_fill_ins
    from kg.extract.spans import to_mentions
    from kg.models import FILL_IN

    mentions = marked_fill_ins(doc, to_mentions(doc, labels, "tagger", "1"), added)
    assert [(m.text, m.extractor) for m in mentions] == [("Naloxone", FILL_IN), ("breast cancer", "tagger")]
    diseases = LexiconMatcher(Lexicon.from_entries(rows), analysis_pipeline(), types=["Disease"])
    assert diseases.n_patterns == 4  # breast cancer, cancer, hereditary hemochromatosis, cold
    labels = {}
    diseases.fill_in(doc, labels)
    assert [doc.tokens[s:e].text for s, e in labels] == ["breast cancer"]

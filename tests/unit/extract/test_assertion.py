import json

import pytest

from kg.errors import ConfigError
from kg.evaluate.assertion import MedkgAssertion
from kg.extract.assertion import AssertionTagger, CueFilter
from kg.models import Document, Mention, Section
from kg.text.analyzer import TextAnalyzer

ANALYZER = TextAnalyzer()


@pytest.fixture(scope="module")
def tagger():
    return AssertionTagger()


def tag(tagger, sentence, concept):
    start = sentence.index(concept)
    return MedkgAssertion(tagger, ANALYZER).tag_sentence(sentence, start, start + len(concept))


def analysed(document, mentions):
    doc = ANALYZER(document)
    doc.mentions = tuple(mentions)
    return doc


@pytest.mark.parametrize(
    ("sentence", "concept", "expected"),
    [
        ("The patient denies chest pain.", "chest pain", "negated"),
        ("Rule out pneumonia.", "pneumonia", "uncertain"),
        ("Her mother had breast cancer.", "breast cancer", "family"),
        ("History of MI in 2010.", "MI", "historical"),
        ("Call the clinic if she develops fever.", "fever", "hypothetical"),
        ("No association was found between smoking and asthma.", "smoking", "negated"),
        ("No association was found between smoking and asthma.", "asthma", "negated"),
        ("Not only fever but also cough was reported.", "fever", "affirmed"),
        ("The patient has pneumonia.", "pneumonia", "affirmed"),
        ("There is no family history of diabetes.", "diabetes", "negated"),
        ("Doppler of the lower extremities negative   for DVT.", "DVT", "negated"),
        ("No edema, but there is a rash.", "rash", "affirmed"),
        ("Pneumonia cannot be excluded.", "Pneumonia", "uncertain"),
    ],
)
def test_sentence_classes(tagger, sentence, concept, expected):
    assertion, cue = tag(tagger, sentence, concept)
    assert assertion == expected
    assert (cue is None) == (expected == "affirmed")


def test_cue_is_the_matched_text(tagger):
    assert tag(tagger, "She denies chest pain.", "chest pain") == ("negated", "denies")


def test_cue_inside_the_concept_does_not_negate_it(tagger):
    # NegEx annotates such whole-phrase concepts as Affirmed; medspaCy's overlap check misses it.
    assert tag(tagger, "The lungs show no opacities.", "lungs show no opacities")[0] == "affirmed"


def test_assess_reports_scope_in_original_offsets(tagger):
    sentence = "She   denies chest pain."
    (result,) = tagger.assess(sentence, [(sentence.index("chest"), sentence.index("."))])
    assert sentence[slice(*result.cue_span)] == "denies"
    assert sentence[slice(*result.scope)].startswith("chest pain")


def _mention(doc_id, text, phrase, **kw):
    start = text.index(phrase)
    return Mention(
        doc_id=doc_id, start=start, end=start + len(phrase), text=phrase, label="Finding",
        extractor="test", extractor_version="0", **kw,
    )


def test_tag_document_uses_the_analysers_sentences_and_keeps_order(tagger):
    text = "She denies chest pain. She has a cough."
    mentions = [_mention("note:1", text, "cough"), _mention("note:1", text, "chest pain")]
    cough, pain = tagger.tag(analysed(Document(id="note:1", source="note", text=text), mentions))
    assert (cough.text, cough.assertion, cough.assertion_cue) == ("cough", "affirmed", None)
    assert (pain.assertion, pain.assertion_cue) == ("negated", "denies")


def test_given_sentence_offsets_are_the_scope(tagger):
    text = "No fever; cough present"
    doc = Document(id="note:2", source="note", text=text)
    m = _mention("note:2", text, "cough", sentence_start=10, sentence_end=len(text))
    assert tagger.tag(analysed(doc, [m]))[0].assertion == "affirmed"
    whole = m.model_copy(update={"sentence_start": 0})
    assert tagger.tag(analysed(doc, [whole]))[0].assertion == "negated"


def test_sections_make_family_and_historical(tagger):
    text = "FAMILY HISTORY\nBreast cancer.\nPAST MEDICAL HISTORY\nHypertension. No diabetes.\nPLAN\nCough."
    fh, pmh, plan = text.index("FAMILY"), text.index("PAST"), text.index("PLAN")
    doc = Document(
        id="note:3", source="note", text=text,
        sections=(
            Section(label="family_history", start=fh, end=pmh - 1),
            Section(label="past_medical_history", start=pmh, end=plan - 1),
            Section(label="plan", start=plan, end=len(text)),
        ),
    )
    phrases = ["Breast cancer", "Hypertension", "diabetes", "Cough"]
    lines = [(text.index(p), text.index("\n", text.index(p)) if "\n" in text[text.index(p):] else len(text))
             for p in phrases]  # each finding's line as its sentence, so no header is read as a cue
    tagged = tagger.tag(analysed(doc, [_mention("note:3", text, p, sentence_start=text.rfind("\n", 0, s) + 1,
                                                sentence_end=e) for p, (s, e) in zip(phrases, lines)]))
    assert [(m.assertion, m.section) for m in tagged] == [
        ("family", "family_history"),
        ("historical", "past_medical_history"),
        ("negated", "past_medical_history"),
        ("affirmed", "plan"),
    ]
    assert tagged[0].assertion_cue == "section:family_history"


def test_pipe_streams_every_document(tagger):
    docs = []
    for i, text in enumerate(["No fever.", "Fever."]):
        docs.append(analysed(Document(id=f"note:{i}", source="note", text=text), [_mention(f"note:{i}", text, "ever")]))
    out = list(tagger.pipe(iter(docs)))
    assert [o.id for o in out] == ["note:0", "note:1"]
    assert [o.mentions[0].assertion for o in out] == ["negated", "affirmed"]


def test_sentences_without_a_possible_cue_skip_context(tagger, monkeypatch):
    cues = CueFilter(tagger.rules)
    assert cues.select("She denies pain.") and cues.select("It doesn't hurt.")
    assert [tagger.rules[i].literal for i in cues.select("She denies pain.")] == ["deny"]  # its pattern takes "denies"
    assert not cues.select("Fever rose after dosing.") and not cues.select("Lungs clear.")
    monkeypatch.setattr(tagger, "_context", None)  # would fail if called
    assert tag(tagger, "Fever rose after dosing.", "Fever") == ("affirmed", None)


def test_bad_rules_file_names_the_rule(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"version": "x", "context_rules": [{"literal": "nope", "category": "WRONG"}]}))
    with pytest.raises(ConfigError, match="rule 0 \\('nope'\\)"):
        AssertionTagger(path)
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="rules.json"):
        AssertionTagger(path)


def test_custom_rules_file_is_used(tmp_path):
    path = tmp_path / "rules.json"
    rule = {"literal": "zilch", "category": "NEGATED_EXISTENCE", "direction": "FORWARD"}
    path.write_text(json.dumps({"version": "9", "context_rules": [rule]}))
    custom = AssertionTagger(path)
    assert custom.version == "9"
    assert tag(custom, "zilch fever", "fever") == ("negated", "zilch")
    assert tag(custom, "no fever", "fever") == ("affirmed", None)

import re

import pytest
import spacy
from spacy import util
from spacy.training import Example

from kg.config import REPO_ROOT
from kg.errors import ModelError
from kg.doc import Component
from kg.extract.dictionary import FILL_IN_VERSION
from kg.extract.spacy_ner import SpacyNerExtractor
from kg.extract.spans import inherit_abbreviation_types
from kg.text.tokenizer import make_bio_tokenizer
from kg.vocab.lexicon import Lexicon

from fakes import analyse

CONFIG = REPO_ROOT / "configs" / "ner-cpu.cfg"
TINY = {
    "components.tok2vec.model.encode.width": 32,
    "components.tok2vec.model.encode.depth": 1,
    "components.tok2vec.model.embed.rows": [500, 500, 200, 500, 100],
    "components.ner.model.hidden_width": 32,
}
TRAIN = [
    ("Naloxone reversed the hypotension.", [(0, 8, "Chemical"), (22, 33, "Disease")]),
    ("Patients with hemochromatosis were treated.", [(14, 29, "Disease")]),
    ("Lithium caused tremor in rats.", [(0, 7, "Chemical"), (15, 21, "Disease"), (25, 29, "Species")]),
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """The committed config, shrunk, fitted to three sentences: it must memorise them."""
    util.fix_random_seed(0)
    config = util.load_config(CONFIG, overrides=TINY, interpolate=True)
    nlp = util.load_model_from_config(config, auto_fill=True)
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": ents}) for t, ents in TRAIN]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        nlp.update(examples, sgd=optimizer, drop=0.0)
    path = tmp_path_factory.mktemp("model") / "tiny"
    nlp.to_disk(path)
    return path


def _extract(extractor, text):
    return analyse(text, extractor).mentions


def test_bio_tokenizer_splits_where_gold_mentions_end():
    nlp = spacy.blank("en")
    tok = make_bio_tokenizer(nlp)
    assert [t.text for t in tok("Diazepam-, scopolamine- and AmB.")] == [
        "Diazepam", "-", ",", "scopolamine", "-", "and", "AmB", "."]
    assert [t.text for t in tok("A(1)-adenosine")] == ["A", "(", "1", ")", "-", "adenosine"]
    assert [t.text for t in spacy.blank("en").tokenizer("AmB.")] == ["AmB."]  # what it fixes


@pytest.mark.slow
def test_extractor_finds_trained_entities_with_sentences(tiny_model):
    extractor = SpacyNerExtractor(tiny_model)
    assert isinstance(extractor, Component) and extractor.name == "spacy-ner"
    assert re.fullmatch(r"pipeline-0\.0\.0-[0-9a-f]{12}", extractor.version)
    text = "Lithium caused tremor in rats. Naloxone reversed the hypotension."
    ms = _extract(extractor, text)
    assert [(m.text, m.label) for m in ms] == [
        ("Lithium", "Chemical"), ("tremor", "Disease"), ("rats", "Species"),
        ("Naloxone", "Chemical"), ("hypotension", "Disease")]
    assert all(text[m.start : m.end] == m.text for m in ms)
    assert (ms[0].sentence_start, ms[0].sentence_end) == (0, 30)
    assert ms[3].sentence_start == 31
    assert all(m.extractor == "spacy-ner" and m.extractor_version == extractor.version for m in ms)


@pytest.mark.slow
def test_short_form_takes_the_type_of_its_long_form(tiny_model):
    extractor = SpacyNerExtractor(tiny_model)
    text = "Patients with hemochromatosis (HH) were treated. HH was mild."
    ms = _extract(extractor, text)
    hh = [m for m in ms if m.text == "HH"]
    assert len(hh) == 2 and all(m.label == "Disease" for m in hh)


@pytest.mark.slow
def test_version_changes_with_the_weights(tiny_model, tmp_path):
    nlp = spacy.load(tiny_model)
    nlp.get_pipe("ner").model.get_ref("lower").set_param("b", nlp.get_pipe("ner").model.get_ref("lower").get_param("b") + 1)
    nlp.to_disk(tmp_path / "changed")
    assert SpacyNerExtractor(tmp_path / "changed").version != SpacyNerExtractor(tiny_model).version


@pytest.mark.slow
def test_lexicon_adds_what_the_model_missed_and_never_overrides_it(tiny_model):
    lexicon = Lexicon.from_entries([("etoricoxib", "MESH:C422", "Chemical", "t"), ("naloxone", "MESH:D9", "Disease", "t")])
    extractor = SpacyNerExtractor(tiny_model, lexicon=lexicon)
    assert extractor.version.endswith(f"+lex-{lexicon.hash[:12]}+{FILL_IN_VERSION}")
    ms = _extract(extractor, "Naloxone reversed the hypotension. Etoricoxib was given.")
    assert [(m.text, m.label) for m in ms] == [
        ("Naloxone", "Chemical"), ("hypotension", "Disease"), ("Etoricoxib", "Chemical")]


def test_inherit_abbreviation_types_by_hand():
    doc = analyse("Rats given cyclosporin A (CsA) had nephropathy; CsA levels rose.")
    long_start = [t.text for t in doc.tokens].index("cyclosporin")
    short = [i for i, t in enumerate(doc.tokens) if t.text == "CsA"]
    # The model tagged the long form and mistook the second short form for a gene.
    ents = {(long_start, long_start + 2): "Chemical", (short[1], short[1] + 1): "Gene"}
    scores = {(long_start, long_start + 2): 0.8}
    inherit_abbreviation_types(doc.tokens, ents, scores)
    assert ents == {(long_start, long_start + 2): "Chemical", (short[0], short[0] + 1): "Chemical",
                    (short[1], short[1] + 1): "Chemical"}
    assert scores[(short[0], short[0] + 1)] == 0.8
    # A long form that is no entity leaves the short forms as the model tagged them.
    ents = {(short[1], short[1] + 1): "Gene"}
    inherit_abbreviation_types(doc.tokens, ents, {})
    assert ents == {(short[1], short[1] + 1): "Gene"}


def test_not_a_model_directory_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="no meta.json"):
        SpacyNerExtractor(tmp_path)


def test_pipeline_without_ner_is_a_model_error(tmp_path):
    spacy.blank("en").to_disk(tmp_path / "blank")
    with pytest.raises(ModelError, match="no 'ner' component"):
        SpacyNerExtractor(tmp_path / "blank")

import sys

import pytest
import spacy

from kg.config import SHARED_DATA, load_settings
from kg.errors import ModelError
from kg.extract import loader
from kg.extract.loader import default_spec, load_extractor
from kg.extract.spacy_ner import SpacyNerExtractor


@pytest.fixture
def untrained_model(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("Chemical")
    nlp.initialize()
    nlp.to_disk(tmp_path / "model")
    return tmp_path / "model"


def test_spacy_model_directory_gives_the_spacy_extractor(untrained_model, tmp_path):
    extractor = load_extractor(str(untrained_model), load_settings(data_dir=tmp_path))
    assert isinstance(extractor, SpacyNerExtractor) and extractor.name == "spacy-ner"


def test_default_is_the_shipped_model_else_the_dictionary(untrained_model, tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "DEFAULT_MODEL", untrained_model)
    assert default_spec() == f"{untrained_model}+dictionary"
    monkeypatch.setattr(loader, "DEFAULT_MODEL", tmp_path / "absent")
    assert default_spec() == "dictionary"


@pytest.mark.slow
def test_dictionary_spec_gives_the_dictionary_extractor(tmp_path):
    if not (SHARED_DATA / "corpora").is_dir():
        pytest.skip(f"shared corpora not found in {SHARED_DATA}")
    extractor = load_extractor("dictionary", load_settings(data_dir=tmp_path))
    assert extractor.name == "dictionary"


def test_hub_name_without_transformers_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "transformers", None)  # import fails as if not installed
    with pytest.raises(ModelError, match="optional package 'transformers'"):
        load_extractor("some-org/some-ner-model", load_settings(data_dir=tmp_path))


@pytest.mark.slow
def test_hub_name_offline_is_a_clear_model_error(monkeypatch, tmp_path):
    pytest.importorskip("transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE is set") as info:
        load_extractor("some-org/some-ner-model", load_settings(data_dir=tmp_path))
    assert "some-org/some-ner-model" in str(info.value)


def test_directory_that_is_no_model_is_a_model_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="neither a spaCy model"):
        load_extractor(str(tmp_path / "empty"), load_settings(data_dir=tmp_path))


def test_plus_dictionary_needs_a_model_directory(tmp_path):
    with pytest.raises(ModelError, match="needs a model directory"):
        load_extractor(f"{tmp_path}/nothing+dictionary", load_settings(data_dir=tmp_path))


@pytest.mark.slow
def test_model_plus_dictionary_spec(untrained_model, tmp_path):
    if not (SHARED_DATA / "corpora").is_dir():
        pytest.skip(f"shared corpora not found in {SHARED_DATA}")
    extractor = load_extractor(f"{untrained_model}+dictionary", load_settings(data_dir=tmp_path))
    assert isinstance(extractor, SpacyNerExtractor) and extractor.lexicon is not None and extractor.settings == {"lexicon": True}
    assert "+lex-" in extractor.version


def test_tagger_directory_gives_the_bilstm_crf_extractor(tmp_path, monkeypatch):
    from kg.extract.ner_cpu import NerCpuExtractor

    sentinel = object()
    monkeypatch.setattr(NerCpuExtractor, "__init__", lambda self, model, lexicon=None: setattr(self, "args", (model, lexicon)))
    monkeypatch.setattr(loader, "lexicon", lambda settings: sentinel)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "tagger.json").write_text("{}", encoding="utf-8")
    plain = load_extractor(str(tmp_path / "m"), load_settings(data_dir=tmp_path))
    assert isinstance(plain, NerCpuExtractor) and plain.args == (str(tmp_path / "m"), None)
    assert load_extractor(f"{tmp_path / 'm'}+dictionary", load_settings(data_dir=tmp_path)).args[1] is sentinel
    monkeypatch.setattr(loader, "DEFAULT_MODEL", tmp_path / "m")
    assert default_spec() == f"{tmp_path / 'm'}+dictionary"


def test_default_leaves_the_lexicon_out_when_the_tagger_settings_say_so(tmp_path, monkeypatch):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "tagger.json").write_text('{"settings": {"dictionary": false}}', encoding="utf-8")
    monkeypatch.setattr(loader, "DEFAULT_MODEL", tmp_path / "m")
    assert default_spec() == str(tmp_path / "m")


@pytest.mark.parametrize(
    "spec", ["{tmp}/missing", "./no-such-model-dir", "../no-such-model-dir", "~/no-such-model-dir"]
)
def test_a_missing_local_path_says_the_path_does_not_exist(tmp_path, spec):
    spec = spec.format(tmp=tmp_path)
    with pytest.raises(ModelError, match="does not exist") as info:
        load_extractor(spec, load_settings(data_dir=tmp_path))
    assert info.value.code == "E418" and "Repo id" not in str(info.value)


def test_a_file_given_as_the_model_path_is_no_model_folder(tmp_path):
    (tmp_path / "blob.bin").write_bytes(b"\0" * 100)
    with pytest.raises(ModelError, match="is a file, not a model folder") as info:
        load_extractor(str(tmp_path / "blob.bin"), load_settings(data_dir=tmp_path))
    assert info.value.code == "E418"


def test_the_tagger_settings_may_name_the_types_the_lexicon_fills_in(tmp_path, monkeypatch):
    from kg.extract import dictionary
    from kg.extract.ner_cpu import NerCpuExtractor, NerCpuTagger

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "tagger.json").write_text('{"settings": {"dictionary": ["Chemical"]}}', encoding="utf-8")
    monkeypatch.setattr(loader, "DEFAULT_MODEL", tmp_path / "m")
    assert default_spec() == f"{tmp_path / 'm'}+dictionary"
    asked = []
    monkeypatch.setattr(dictionary.LexiconMatcher, "__init__",
                        lambda self, lexicon, nlp, types=None: setattr(self, "version", asked.append(types) or "lex"))
    for setting, types in ((["Chemical"], ["Chemical"]), (True, None)):
        tagger = type("Tagger", (), {"version": "t", "settings": {"dictionary": setting}})()
        monkeypatch.setattr(NerCpuTagger, "load", lambda model, unfinished=False, tagger=tagger: tagger)
        NerCpuExtractor("m", lexicon=type("Lexicon", (), {"hash": "0" * 12})())
        assert asked.pop() == types

"""The transformer tier on a tiny BERT made here (no download): loading, label mapping, offsets."""

import shutil

import pytest

from kg.errors import ModelError
from kg.extract.hf_ner import HfNerExtractor, looks_like_path
from kg.vocab.types import medkg_type

from fakes import analyse

LABELS = ["O", "B-Chemical", "I-Chemical", "B-DiseaseOrPhenotypicFeature", "B-Weird"]
WORDS = ["naloxone", "reversed", "the", "hypotension", "it", "worked", "."]


def test_label_mapping():
    assert medkg_type("B-Chemical") == "Chemical"
    assert medkg_type("DiseaseOrPhenotypicFeature") == "Disease"
    assert medkg_type("gene") == "Gene"
    assert medkg_type("Weird") is None


def _tiny_model(path, favoured: str):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    vocab = path / "vocab.txt"
    path.mkdir(parents=True)
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(vocab))
    config = transformers.BertConfig(
        vocab_size=5 + len(WORDS), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)},
    )
    model = transformers.BertForTokenClassification(config)
    with torch.no_grad():  # every token gets the favoured label, whatever the encoder says
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([10.0 if l == favoured else 0.0 for l in LABELS]))
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.mark.slow
def test_local_model_gives_mentions_with_medkg_types_and_sentences(tmp_path):
    extractor = HfNerExtractor(str(_tiny_model(tmp_path / "chem", "B-Chemical")))
    assert extractor.name == "hf-ner" and extractor.version.startswith("chem-")
    text = "Naloxone reversed the hypotension. It worked."
    item = analyse(text, extractor)
    words = [m.text for m in item.mentions]
    assert "Naloxone" in words and "hypotension" in words and "worked" in words
    assert all(m.label == "Chemical" and text[m.start : m.end] == m.text for m in item.mentions)
    worked = next(m for m in item.mentions if m.text == "worked")
    assert (worked.sentence_start, worked.sentence_end) == (35, len(text))


@pytest.mark.slow
def test_labels_without_a_medkg_type_are_dropped(tmp_path, caplog):
    extractor = HfNerExtractor(str(_tiny_model(tmp_path / "weird", "B-Weird")))
    item = analyse("Naloxone reversed the hypotension.", extractor)
    assert item.mentions == ()
    assert "'Weird' has no medkg entity type" in caplog.text


def _labelled_model(path, labels, seed: int = 0):
    """A tiny BERT token classifier with ``labels`` (None: a base encoder saved without a head)."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(seed)
    path.mkdir(parents=True)
    vocab = path / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    kwargs = {"id2label": dict(enumerate(labels)), "label2id": {l: i for i, l in enumerate(labels)}} if labels else {}
    config = transformers.BertConfig(
        vocab_size=5 + len(WORDS), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
        **kwargs,
    )
    model = transformers.BertForTokenClassification(config) if labels else transformers.BertModel(config)
    model.save_pretrained(path)
    transformers.BertTokenizerFast(vocab_file=str(vocab)).save_pretrained(path)
    return path


def test_local_models_in_folders_of_the_same_name_have_different_versions(tmp_path):
    # `medkg train ner` always writes OUTPUT/model: the folder name cannot tell two models apart.
    first = HfNerExtractor(str(_labelled_model(tmp_path / "a" / "model", LABELS, seed=1)))
    second = HfNerExtractor(str(_labelled_model(tmp_path / "b" / "model", LABELS, seed=2)))
    assert first.version.startswith("model-") and second.version.startswith("model-")
    assert first.version != second.version
    shutil.copytree(tmp_path / "a" / "model", tmp_path / "c" / "model")
    assert HfNerExtractor(str(tmp_path / "c" / "model")).version == first.version  # content, not place


@pytest.mark.parametrize(
    ("labels", "shown"),
    [(None, "LABEL_0, LABEL_1"), (["O", "B-DNA", "I-DNA", "B-protein"], "O, B-DNA, I-DNA, B-protein")],
    ids=["base-encoder", "other-domain"],
)
def test_a_model_with_no_medkg_label_is_refused_at_load(tmp_path, labels, shown):
    path = _labelled_model(tmp_path / "m", labels)
    with pytest.raises(ModelError) as info:
        HfNerExtractor(str(path))
    assert info.value.code == "E416"
    assert shown in str(info.value) and "Chemical, Disease, Gene" in str(info.value)


def test_truncated_weights_are_a_model_error_naming_the_folder(tmp_path):
    path = _labelled_model(tmp_path / "m", LABELS)
    weights = path / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:5000])
    with pytest.raises(ModelError) as info:
        HfNerExtractor(str(path))
    assert info.value.code == "E417" and str(path) in str(info.value)


def test_a_config_that_is_not_json_is_a_model_error_naming_the_folder(tmp_path):
    path = _labelled_model(tmp_path / "m", LABELS)
    (path / "config.json").write_text('{"model_type": "bert", ', encoding="utf-8")
    with pytest.raises(ModelError) as info:
        HfNerExtractor(str(path))
    assert info.value.code == "E417" and str(path) in str(info.value)


@pytest.mark.parametrize(
    ("spec", "is_path"),
    [("/abs/model", True), ("./model", True), ("../model", True), ("~/model", True), ("out/run/model", True),
     ("org/biomedical-ner", False), ("bert-base-cased", False), ("out/model", False)],
)
def test_what_looks_like_a_path(spec, is_path):
    assert looks_like_path(spec) is is_path

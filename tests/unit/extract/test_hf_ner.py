"""The transformer tier on a tiny BERT made here (no download): loading, label mapping, offsets."""

import pytest

from kg.extract.hf_ner import HfNerExtractor
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

"""The transformer tier's training: labels per word piece, and a tiny BERT (made here) that learns."""

import json

import pytest

from kg.errors import ConfigError
from kg.train.hf_ner import IGNORE, LABEL_ID, HfTrainConfig, piece_labels, sentence_examples
from kg.train.ner import tokenizer_nlp

from fakes import analyse

WORDS = ["naloxone", "reversed", "the", "hypotension", "in", "rats", ".", "clonidine", "caused", "it", "##ine"]


def _doc(text: str, ents: list[tuple[int, int, str]], missing: list[tuple[int, int]] = ()):
    nlp = tokenizer_nlp()
    doc = nlp.make_doc(text)
    doc.set_ents(
        [doc.char_span(s, e, label=label) for s, e, label in ents],
        missing=[doc.char_span(s, e) for s, e in missing],
        default="outside",
    )
    return doc


def test_missing_tokens_are_ignored_and_sentences_split():
    doc = _doc("Naloxone reversed the hypotension. It caused seizures in rats.",
               [(0, 8, "Chemical"), (22, 33, "Disease")], missing=[(57, 61)])
    (w1, l1), (w2, l2) = sentence_examples([doc])
    assert w1 == ["Naloxone", "reversed", "the", "hypotension", "."]
    assert l1 == [LABEL_ID["B-Chemical"], 0, 0, LABEL_ID["B-Disease"], 0]
    assert w2[-2:] == ["rats", "."] and l2[-2] == IGNORE  # unannotated type: no loss, not "O"


def test_long_sentences_are_windowed_but_never_inside_an_entity():
    text = " ".join(["word"] * 5) + " acute renal failure " + " ".join(["word"] * 5)
    doc = _doc(text, [(25, 44, "Disease")])
    windows = list(sentence_examples([doc], max_words=6))
    assert sum(len(w) for w, _ in windows) == 13
    for words, labels in windows:
        if "renal" in words:
            assert words[words.index("renal") - 1] == "acute"


def test_continuation_pieces_continue_the_entity():
    b, i = LABEL_ID["B-Chemical"], LABEL_ID["I-Chemical"]
    # word 0 = "clonid" "##ine" (entity), word 1 = "x" "##y" (outside), word 2 missing
    assert piece_labels([None, 0, 0, 1, 1, 2, 2, None], [b, 0, IGNORE]) == [IGNORE, b, i, 0, 0, IGNORE, IGNORE, IGNORE]


def test_config_file_is_checked(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[training]\nepochs = 2\nlerning_rate = 1\n")
    with pytest.raises(ConfigError, match="lerning_rate"):
        HfTrainConfig.from_file(cfg)
    cfg.write_text("[training]\nepochs = 2\n")
    assert HfTrainConfig.from_file(cfg, epochs=5, seed=None).epochs == 5
    with pytest.raises(ConfigError, match="does not exist"):
        HfTrainConfig.from_file(tmp_path / "nope.toml")


@pytest.mark.slow
def test_a_tiny_bert_learns_the_training_entities(tmp_path):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from kg.extract.hf_ner import HfNerExtractor
    from kg.train.hf_ner import fine_tune

    base = tmp_path / "base"
    base.mkdir()
    (base / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    transformers.BertTokenizerFast(vocab_file=str(base / "vocab.txt")).save_pretrained(base)
    torch.manual_seed(0)
    torch.set_num_threads(1)  # matrices this small only lose from threads
    transformers.BertModel(transformers.BertConfig(
        vocab_size=5 + len(WORDS), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
    )).save_pretrained(base)
    train = [_doc("Naloxone reversed the hypotension in rats.", [(0, 8, "Chemical"), (22, 33, "Disease")]),
             _doc("Clonidine caused it.", [(0, 9, "Chemical")])] * 8
    config = HfTrainConfig(base=str(base), epochs=30, learning_rate=3e-3, batch_size=4, warmup=0.0)
    record = fine_tune(train, config, tmp_path / "model")
    assert record["sentences"] == 16 and record["epochs"][-1]["loss"] < record["epochs"][0]["loss"] / 5
    saved = json.loads((tmp_path / "model" / "config.json").read_text())
    assert saved["id2label"]["0"] == "O" and "B-Chemical" in saved["label2id"]

    text = "Clonidine reversed the hypotension."
    item = analyse(text, HfNerExtractor(str(tmp_path / "model")))
    assert {(m.text, m.label) for m in item.mentions} == {("Clonidine", "Chemical"), ("hypotension", "Disease")}

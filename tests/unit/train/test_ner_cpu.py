import random

import numpy as np
import pytest

from kg.extract.ner_cpu import TAGS, BiLstmCrf, Gazetteer, tags_to_spans, term_key
from kg.sources.pubtator import PubtatorAnnotation, PubtatorDocument
from kg.train.ner import tokenizer_nlp
from kg.train.ner_cpu import (
    Featurizer,
    Hyper,
    _mesh_groups,
    char_vocabulary,
    convert,
    export_weights,
    lexicon_fold,
    load_examples,
    make_net,
    word_vocabulary,
)

T = {t: i for i, t in enumerate(TAGS)}
TYPES_INDEX = {t: i for i, t in enumerate(("Chemical", "Disease", "Gene", "Variant", "Species", "CellLine"))}
TEXT = "Naloxone-induced seizures in rats with BRCA1 loss."


def _example(types=frozenset({"Chemical", "Disease"}), corpus="bc5cdr"):
    pdoc = PubtatorDocument(pmid="1", title=TEXT, abstract="", annotations=(
        PubtatorAnnotation(start=0, end=8, text="Naloxone", type="Chemical"),
        PubtatorAnnotation(start=17, end=25, text="seizures", type="Disease"),
    ))
    return convert(pdoc, types, tokenizer_nlp(), corpus)


def test_unannotated_types_stay_possible_outside_gold_and_gold_tokens_are_fixed():
    ex = _example()
    idx = {t.text: t.i for t in ex.doc}
    allowed = ex.allowed
    assert np.flatnonzero(allowed[idx["Naloxone"]]).tolist() == [T["S-Chemical"]]
    assert np.flatnonzero(allowed[idx["seizures"]]).tolist() == [T["S-Disease"]]
    rats = set(np.flatnonzero(allowed[idx["rats"]]))
    assert {T["O"], T["S-Species"], T["B-Gene"], T["S-CellLine"]} <= rats  # BC5CDR does not annotate these
    assert T["S-Chemical"] not in rats and T["B-Disease"] not in rats  # ... but it does annotate these
    assert ex.gold == {(0, 8, "Chemical"), (17, 25, "Disease")}


def test_a_corpus_with_every_type_allows_only_o_outside_gold():
    ex = _example(types=frozenset({"Chemical", "Disease", "Gene", "Variant", "Species", "CellLine"}), corpus="biored")
    rats = ex.doc[[t.text for t in ex.doc].index("rats")].i
    assert np.flatnonzero(ex.allowed[rats]).tolist() == [T["O"]]


def test_mesh_tree_numbers_give_gazetteer_groups():
    assert _mesh_groups("D02.355|D12.776.1") == {"chemical", "protein"}
    assert _mesh_groups("C04.557|F03.600") == {"disease"}
    assert _mesh_groups("B01.050|A01.236") == {"organism", "anatomy"}
    assert _mesh_groups("") == set()


def test_shared_corpora_leave_out_dev_abstracts(shared):
    train, dev = load_examples(shared)
    assert sorted(ex.pmid for ex in train) == ["101", "102", "201", "301"]  # 999 is in dev, 102 once
    assert [ex.corpus for ex in train if ex.pmid == "102"] == ["biored"]
    assert [ex.pmid for ex in dev] == ["999"]


def test_partial_label_training_learns_and_numpy_inference_matches_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    nlp = tokenizer_nlp()
    lower = {term_key([t.lower for t in nlp.make_doc("naloxone")]): 1}
    gaz = Gazetteer.from_terms(("chemical",), lower, {}, max_len=2)
    examples = [_example(), _example(corpus="ncbi-disease")]
    words, chars = word_vocabulary(examples, None), char_vocabulary(examples, min_count=1)
    hyper = Hyper(word_dim=8, char_dim=4, char_filters=6, shape_dim=2, hidden=8, dropout=0.0)
    rng = np.random.default_rng(0)
    net = make_net(hyper, len(words), len(chars), gaz.n_features, rng.normal(size=(len(words), 8)).astype(np.float32))
    feats = Featurizer(words, chars, gaz)
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=0.05)
    losses = []
    for _ in range(40):
        loss = net.loss(feats.batch(examples, hyper.char_width, 0.0, random.Random(0)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.2 * losses[0]
    net.eval()
    model = BiLstmCrf(export_weights(net, hyper), feats.words, feats.chars)
    with torch.no_grad():
        batch = feats.batch(examples[:1], hyper.char_width)
        em_torch = net.scores(net.encode(*batch["inputs"]), batch["corpus_ids"])[0].numpy()
    em_numpy = model.emissions([model.inputs(examples[0].doc, gaz.features(examples[0].doc))])[0]
    np.testing.assert_allclose(em_numpy, em_torch, atol=2e-3)  # word vectors ship as float16
    tags, _ = model.decode(em_numpy)
    spans = {(examples[0].doc[s:e].text, t) for s, e, t, _ in tags_to_spans(tags)}
    assert {("Naloxone", "Chemical"), ("seizures", "Disease")} <= spans


def test_a_corpus_head_is_exported_as_the_shared_layer_plus_that_head():
    torch = pytest.importorskip("torch")
    hyper = Hyper(word_dim=4, char_dim=2, char_filters=3, shape_dim=2, hidden=4, corpus_heads=1)
    net = make_net(hyper, 5, 5, 0, None)
    with torch.no_grad():
        net.heads.normal_()
    shared, bc5cdr = export_weights(net, hyper), export_weights(net, hyper, "bc5cdr")
    head = net.heads[1].detach().numpy()
    np.testing.assert_allclose(bc5cdr["out_w"], shared["out_w"] + head[:, :-1], rtol=1e-6)
    np.testing.assert_allclose(bc5cdr["out_b"], shared["out_b"] + head[:, -1], rtol=1e-6)
    h = torch.randn(1, 3, 8)
    want = net.scores(h, torch.tensor([1]))[0].detach().numpy()
    np.testing.assert_allclose(h[0].numpy() @ bc5cdr["out_w"].T + bc5cdr["out_b"], want, atol=1e-5)


def test_training_abstracts_read_a_corpus_lexicon_without_their_own_fold():
    from kg.train.ner_cpu import corpus_lexicons

    nlp = tokenizer_nlp()
    docs = []
    for pmid, text, (s, e, label) in (("10", "Naloxone helped.", (0, 8, "Chemical")),
                                      ("11", "Lithium and naloxone.", (0, 7, "Chemical"))):
        pdoc = PubtatorDocument(pmid=pmid, title=text, abstract="", annotations=(
            PubtatorAnnotation(start=s, end=e, text=text[s:e], type=label),))
        docs.append(convert(pdoc, frozenset({"Chemical"}), nlp, "bc5cdr"))
    full, per_fold, fold_of = corpus_lexicons(docs)
    assert fold_of == {"10": 0, "11": 1}
    chem_begin = 3 * TYPES_INDEX["Chemical"]
    doc = docs[1].doc  # "Lithium and naloxone."
    assert full.features(doc)[[0, 2], chem_begin].tolist() == [1.0, 1.0]
    # Its own fold does not know "lithium" (its own mention), but the other fold's "naloxone" is there.
    assert per_fold[fold_of["11"]].features(doc)[[0, 2], chem_begin].tolist() == [0.0, 1.0]


# ---------------------------------------------------------------- files an interrupted run leaves


def _tiny_model_parts(seed=0):
    from kg.extract.ner_cpu import SHAPES

    nlp = tokenizer_nlp()
    gaz = Gazetteer.from_terms(("chemical",), {term_key([t.lower for t in nlp.make_doc("naloxone")]): 1}, {}, 2)
    words, chars = ["<pad>", "<unk>", "naloxone"], ["<pad>", "<unk>", "a"]
    rng = np.random.default_rng(seed)
    h, d_in = 2, 3 + 2 + 2 + gaz.n_features

    def r(*shape):
        return rng.normal(0, 0.5, shape).astype(np.float32)

    weights = {"word_emb": r(len(words), 3), "char_emb": r(len(chars), 2), "char_conv_w": r(2, 2, 3),
               "char_conv_b": r(2), "shape_emb": r(len(SHAPES), 2),
               **{f"lstm_{d}_ih": r(4 * h, d_in) for d in "fb"}, **{f"lstm_{d}_hh": r(4 * h, h) for d in "fb"},
               **{f"lstm_{d}_b": r(4 * h) for d in "fb"}, "out_w": r(len(TAGS), 2 * h), "out_b": r(len(TAGS)),
               "crf_trans": r(len(TAGS), len(TAGS)), "crf_start": r(len(TAGS)), "crf_end": r(len(TAGS))}
    return weights, words, chars, gaz


def test_a_finished_model_loads_and_an_unfinished_one_is_refused_until_tuning_finishes_it(tmp_path):
    from kg.errors import ModelError
    from kg.extract.ner_cpu import NerCpuTagger
    from kg.train.ner_cpu import finish_model, write_model

    weights, words, chars, gaz = _tiny_model_parts()
    write_model(tmp_path / "done", weights, words, chars, gaz, Hyper(), settings={"min_score": 0.0})
    assert NerCpuTagger.load(tmp_path / "done").settings == {"min_score": 0.0}
    write_model(tmp_path / "model", weights, words, chars, gaz, Hyper(), settings={}, unfinished="training")
    with pytest.raises(ModelError, match="E432.*training did not finish"):
        NerCpuTagger.load(tmp_path / "model")
    assert NerCpuTagger.load(tmp_path / "model", unfinished=True)  # what tune_settings reads
    finish_model(tmp_path / "model", {"min_score": 0.5})
    assert NerCpuTagger.load(tmp_path / "model").settings == {"min_score": 0.5}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["done", "model"]  # no temporary folders left


def test_an_interrupted_model_write_leaves_the_previous_model_whole(tmp_path, monkeypatch):
    from kg.extract.ner_cpu import NerCpuTagger
    from kg.train.ner_cpu import write_model

    weights, words, chars, gaz = _tiny_model_parts()
    write_model(tmp_path / "model", weights, words, chars, gaz, Hyper(), settings={})
    before = {p.name: p.read_bytes() for p in (tmp_path / "model").iterdir()}

    def interrupted(self, path):
        raise KeyboardInterrupt

    monkeypatch.setattr(Gazetteer, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_model(tmp_path / "model", _tiny_model_parts(seed=1)[0], words, chars, gaz, Hyper(), settings={})
    assert {p.name: p.read_bytes() for p in (tmp_path / "model").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    monkeypatch.undo()
    assert NerCpuTagger.load(tmp_path / "model")


def test_a_damaged_saved_gazetteer_is_rebuilt_not_reused(tmp_path, monkeypatch):
    from kg.train import ner_cpu as train_ner_cpu

    gaz = _tiny_model_parts()[3]
    (tmp_path / "gazetteer.npz").write_bytes(b"PK\x03\x04 cut short")
    monkeypatch.setattr(train_ner_cpu, "build_gazetteer", lambda shared_data: gaz)
    assert train_ner_cpu.cached_gazetteer(tmp_path / "gazetteer.npz", tmp_path) is gaz
    assert Gazetteer.load(tmp_path / "gazetteer.npz").groups == gaz.groups


def test_interrupted_unlabelled_text_leaves_no_file_for_the_next_run_to_reuse(tmp_path, monkeypatch):
    from kg.models import Document
    from kg.sources import pubmed
    from kg.train import ner_vectors

    docs = [Document(id=f"PMID:{i}", source="pubmed", title="T.", text=f"T. Naloxone reversed seizures {i}.") for i in range(5)]
    monkeypatch.setattr(pubmed, "iter_pubmed", lambda path: iter(docs))
    monkeypatch.setattr(ner_vectors, "corpus_pmids", lambda shared_data: set())
    calls = {"n": 0}

    def cut(text):
        calls["n"] += 1
        if calls["n"] > 12:
            raise KeyboardInterrupt
        return text.lower()

    monkeypatch.setattr(ner_vectors, "normalise_word", cut)
    out = tmp_path / "vectors" / "unlabelled.txt"
    with pytest.raises(KeyboardInterrupt):
        ner_vectors.write_unlabelled_tokens(out, tmp_path)
    assert list(out.parent.iterdir()) == []
    monkeypatch.setattr(ner_vectors, "normalise_word", str.lower)
    assert ner_vectors.write_unlabelled_tokens(out, tmp_path)[0] == len(docs) and out.is_file()  # each once


def test_the_lexicon_fold_of_an_id_that_is_no_number_is_the_same_in_every_process():
    import os
    import subprocess
    import sys

    code = "from kg.train.ner_cpu import lexicon_fold; print(lexicon_fold('PMC7096345'))"
    folds = {subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
                            capture_output=True, text=True, check=True).stdout.strip() for seed in ("1", "2", "3")}
    assert folds == {str(lexicon_fold("PMC7096345"))}  # Python's hash() of a string differs with the seed
    assert lexicon_fold("12345") == 0  # a PMID: modulo the folds

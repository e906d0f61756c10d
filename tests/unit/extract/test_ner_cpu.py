import json

import numpy as np
import pytest

from kg.errors import ModelError
from kg.extract import ner_cpu
from kg.extract.ner_cpu import (
    SHAPES,
    TAGS,
    TYPES,
    BiLstmCrf,
    Gazetteer,
    NerCpuTagger,
    allowed_transitions_penalty,
    normalise_word,
    shape_class,
    tags_to_spans,
    term_key,
)
from kg.text.analyzer import analysis_pipeline

from fakes import analyse

T = {t: i for i, t in enumerate(TAGS)}


@pytest.fixture(scope="module")
def nlp():
    return analysis_pipeline()


def tiny_gazetteer(nlp) -> Gazetteer:
    lower = {term_key([t.lower for t in nlp.make_doc(text)]): bits
             for text, bits in (("naloxone", 1), ("breast cancer", 2), ("cancer", 2))}
    cased = {term_key([t.orth for t in nlp.make_doc("BRCA1")]): 4}
    return Gazetteer.from_terms(("chemical", "disease", "gene"), lower, cased, max_len=3)


def random_weights(n_words: int, n_chars: int, n_gaz: int, hidden: int = 6, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    d_in = 5 + 4 + 2 + n_gaz

    def r(*shape):
        return rng.normal(0, 0.5, shape).astype(np.float32)

    return {
        "word_emb": r(n_words, 5).astype(np.float16), "char_emb": r(n_chars, 3), "char_conv_w": r(4, 3, 3),
        "char_conv_b": r(4), "shape_emb": r(len(SHAPES), 2),
        "lstm_f_ih": r(4 * hidden, d_in), "lstm_f_hh": r(4 * hidden, hidden), "lstm_f_b": r(4 * hidden),
        "lstm_b_ih": r(4 * hidden, d_in), "lstm_b_hh": r(4 * hidden, hidden), "lstm_b_b": r(4 * hidden),
        "out_w": r(len(TAGS), 2 * hidden), "out_b": r(len(TAGS)),
        "crf_trans": r(len(TAGS), len(TAGS)), "crf_start": r(len(TAGS)), "crf_end": r(len(TAGS)),
    }


def test_words_are_lowercased_with_digits_zeroed_and_shapes_are_classes():
    assert normalise_word("IL-2") == "il-0" == normalise_word("Il-6")
    assert [SHAPES[shape_class(t)] for t in ("rat", "Rat", "BRCA", "mRNA", "42", "IL2", "(")] == [
        "lower", "title", "upper", "mixed", "digit", "alnum", "punct"]


def test_gazetteer_marks_begin_inside_end_per_group_lowercase_and_cased(nlp):
    gaz = tiny_gazetteer(nlp)
    doc = nlp.make_doc("Naloxone and Breast Cancer in BRCA1 but not brca1 carriers")
    f = gaz.features(doc)
    assert f.shape == (len(doc), gaz.n_features) == (len(doc), 18)
    on = {doc[i].text: sorted(np.flatnonzero(f[i]).tolist()) for i in range(len(doc))}
    assert on["Naloxone"] == [0, 2]  # chemical: begin and end of a one-token term
    assert on["Breast"] == [3]  # disease begin ("breast cancer")
    assert on["Cancer"] == [3, 4, 5]  # inside+end of "breast cancer", begin+end of "cancer"
    assert on["BRCA1"] == [9 + 6, 9 + 8]  # cased gene match only
    assert on["brca1"] == [] and on["and"] == []


def test_spans_from_bioes_tags():
    tags = [T["O"], T["B-Chemical"], T["E-Chemical"], T["S-Disease"], T["I-Gene"], T["O"]]
    assert tags_to_spans(tags, [1, 0.9, 0.8, 0.7, 0.5, 1]) == [(1, 3, "Chemical", 0.8), (3, 4, "Disease", 0.7)]


def test_bioes_transitions_forbid_broken_entities():
    pen = allowed_transitions_penalty()
    assert pen[T["B-Chemical"], T["E-Chemical"]] == 0 and pen[T["O"], T["B-Gene"]] == 0
    assert np.isinf(pen[T["B-Chemical"], T["E-Disease"]]) and np.isinf(pen[T["O"], T["I-Gene"]])


def test_viterbi_decodes_only_well_formed_spans_and_marginals_are_probabilities():
    model = BiLstmCrf(random_weights(4, 4, 0), {}, {})
    rng = np.random.default_rng(1)
    for _ in range(20):
        tags, marg = model.decode(rng.normal(0, 3, (9, len(TAGS))).astype(np.float32))
        spans = tags_to_spans(tags, marg)
        covered = sum(e - s for s, e, _, _ in spans)
        assert covered == sum(t != T["O"] for t in tags)  # every non-O tag is inside a span
        assert np.all((marg > 0) & (marg <= 1 + 1e-6))


def _write_model(path, nlp, settings=None):
    gaz = tiny_gazetteer(nlp)
    words, chars = ["<pad>", "<unk>", "naloxone", "rats"], ["<pad>", "<unk>", "a", "n"]
    np.savez(path / "weights.npz", **random_weights(len(words), len(chars), gaz.n_features))
    gaz.save(path / "gazetteer.npz")
    meta = {"name": "medkg_ner_cpu", "format": 1, "tags": list(TAGS), "words": words, "chars": chars,
            "settings": settings or {"min_score": 0.0, "abbreviations": True}}
    (path / "tagger.json").write_text(json.dumps(meta), encoding="utf-8")


def test_tagger_loads_and_predicts_nonoverlapping_typed_spans(nlp, tmp_path):
    _write_model(tmp_path, nlp)
    tagger = NerCpuTagger.load(tmp_path)
    assert tagger.name == "ner-cpu" and tagger.version.startswith("medkg_ner_cpu-")
    assert tagger.settings == {"min_score": 0.0, "abbreviations": True}
    docs = [nlp(t) for t in ("Naloxone reversed hypertension in rats with BRCA1 loss.", "", "Rats.")]
    out = tagger.predict(docs)
    assert len(out) == 3 and out[1] == []
    for doc, spans in zip(docs, out, strict=True):
        taken: set[int] = set()
        for s, e, label, score in spans:
            assert 0 <= s < e <= len(doc) and label in TYPES and 0 < score <= 1
            assert not taken.intersection(range(s, e))
            taken.update(range(s, e))
    assert tagger.predict(docs) == out  # deterministic, char cache included


def test_version_changes_with_the_weights(nlp, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _write_model(tmp_path / "a", nlp)
    _write_model(tmp_path / "b", nlp, settings={"min_score": 0.5})
    w = dict(np.load(tmp_path / "b" / "weights.npz"))
    w["out_b"] = w["out_b"] + 1
    np.savez(tmp_path / "b" / "weights.npz", **w)
    assert NerCpuTagger.load(tmp_path / "a").version != NerCpuTagger.load(tmp_path / "b").version


def test_short_form_takes_the_type_of_its_long_form(nlp, tmp_path):
    _write_model(tmp_path, nlp)
    tagger = NerCpuTagger.load(tmp_path)
    doc = nlp("Rats received cyclophosphamide (CPA) daily. CPA was toxic.")
    assert [a.text for a in doc._.abbreviations] == ["CPA", "CPA"]
    long_form = doc._.abbreviations[0]._.long_form
    spans = tagger._postprocess(doc, [(long_form.start, long_form.end, "Chemical", 0.9)])
    assert [(doc[s:e].text, label) for s, e, label, _ in spans] == [
        ("cyclophosphamide", "Chemical"), ("CPA", "Chemical"), ("CPA", "Chemical")]


def test_a_directory_without_the_files_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="missing tagger.json"):
        NerCpuTagger.load(tmp_path)


def test_batched_decoding_matches_brute_force_over_all_tag_sequences():
    import itertools

    model = BiLstmCrf(random_weights(4, 4, 0, seed=3), {}, {})
    rng = np.random.default_rng(2)
    ems = [rng.normal(0, 2, (n, len(TAGS))).astype(np.float32) for n in (3, 1, 2)]
    tags, margs = model.decode_batch(ems)
    for em, got_tags, got_marg in zip(ems, tags, margs, strict=True):
        n = len(em)
        seqs = np.array(list(itertools.product(range(len(TAGS)), repeat=n)))
        score = model.start[seqs[:, 0]] + model.end[seqs[:, -1]] + em[np.arange(n), seqs].sum(axis=1)
        for t in range(1, n):
            score = score + model.trans[seqs[:, t - 1], seqs[:, t]]
        best = seqs[np.argmax(score)]
        assert got_tags == best.tolist()
        p = np.exp(score - score[np.isfinite(score)].max())
        p /= p.sum()
        want = [p[seqs[:, t] == best[t]].sum() for t in range(n)]
        np.testing.assert_allclose(got_marg, want, rtol=1e-3, atol=1e-5)


def test_min_score_may_be_set_per_type(nlp, tmp_path):
    _write_model(tmp_path, nlp, settings={"min_score": {"Chemical": 0.5, "Gene": 0.0}, "abbreviations": False})
    tagger = NerCpuTagger.load(tmp_path)
    doc = nlp("Naloxone and BRCA1 and lithium.")
    spans = [(0, 1, "Chemical", 0.9), (2, 3, "Gene", 0.2), (4, 5, "Chemical", 0.4)]
    assert tagger._postprocess(doc, spans) == [(0, 1, "Chemical", 0.9), (2, 3, "Gene", 0.2)]


def test_variant_patterns_fill_only_untagged_tokens(nlp):
    from kg.extract.ner_cpu import add_variant_patterns

    doc = nlp("The R140Q and c.1138G>C mutations, rs12345, not T1D.")
    ents = {(1, 2): ("Gene", 0.9)}  # the tagger's (wrong) reading of R140Q wins
    add_variant_patterns(doc, ents)
    found = {doc[s:e].text: label for (s, e), (label, _) in ents.items()}
    assert found == {"R140Q": "Gene", "c.1138G>C": "Variant", "rs12345": "Variant"}


@pytest.mark.slow
def test_shipped_model_finds_a_known_chemical_and_disease():
    from kg.config import REPO_ROOT
    from kg.extract.ner_cpu import NerCpuExtractor

    shipped = REPO_ROOT / "models" / "ner-cpu"
    if not (shipped / "tagger.json").is_file():
        pytest.skip(f"no shipped BiLSTM-CRF model in {shipped}")
    text = "Naloxone reversed the antihypertensive effect of clonidine in hypertensive patients."
    item = analyse(text, NerCpuExtractor(shipped))
    found = {(m.text, m.label) for m in item.mentions}
    assert ("Naloxone", "Chemical") in found and ("clonidine", "Chemical") in found


def test_a_tagged_string_is_tagged_wherever_else_it_occurs_untagged(nlp):
    from kg.extract.ner_cpu import propagate_within_document

    doc = nlp("Lithium helps. Lithium and lithium carbonate. Lithium again.")
    ents = {(0, 1): ("Chemical", 0.9), (5, 7): ("Chemical", 0.8)}  # "Lithium" once, "lithium carbonate"
    propagate_within_document(doc, ents)
    assert sorted((doc[s:e].text, label) for (s, e), (label, _) in ents.items()) == [
        ("Lithium", "Chemical"), ("Lithium", "Chemical"), ("Lithium", "Chemical"), ("lithium carbonate", "Chemical")]


def test_a_name_of_two_words_also_matches_where_a_sentence_capitalises_its_first_letter(nlp):
    from kg.extract.ner_cpu import propagate_within_document

    doc = nlp("Basis of complement C7 deficiency. Complement C7 deficiency (C7D) is rare. At rest, AT and at most.")
    words = [t.text for t in doc]
    name, at = words.index("Complement"), words.index("AT")
    ents = {(name, name + 3): ("Disease", 0.9), (at, at + 1): ("Disease", 0.7)}  # the second sentence's name; "AT"
    propagate_within_document(doc, ents)
    # the title's lowercase "complement C7 deficiency" is the same name; one word keeps its case: "At", "at"
    assert sorted((doc[s:e].text, label) for (s, e), (label, _) in ents.items()) == [
        ("AT", "Disease"), ("Complement C7 deficiency", "Disease"), ("complement C7 deficiency", "Disease")]


def test_emissions_do_not_depend_on_the_padding_of_a_batch():
    rng = np.random.default_rng(4)
    model = BiLstmCrf(random_weights(4, 4, 3, hidden=5), {}, {})
    xs = [rng.normal(size=(n, 5 + 4 + 2 + 3)).astype(np.float32) for n in (7, 2, 5)]
    batched = model.emissions(xs)
    for x, em in zip(xs, batched, strict=True):
        np.testing.assert_allclose(em, model.emissions([x])[0], rtol=1e-5, atol=1e-5)


def test_projections_per_distinct_token_equal_the_whole_input_times_the_weights(nlp):
    # gates() projects each distinct token text once and only the tokens with gazetteer bits: the
    # same numbers as inputs() @ W.T + b, which the generic path (and training) computes
    model = BiLstmCrf(random_weights(4, 4, 3, hidden=5), {"<pad>": 0, "<unk>": 1, "the": 2, "rat": 3},
                      {"<pad>": 0, "<unk>": 1, "a": 2, "t": 3})
    docs = [nlp.make_doc("the rat and the rat"), nlp.make_doc("a rat"), nlp.make_doc("the")]
    rng = np.random.default_rng(1)
    gaz = [(rng.random((len(d), 3)) < 0.3).astype(np.float32) for d in docs]
    gaz[2][:] = 0.0  # a Doc without a gazetteer hit
    w = np.concatenate([model.w["lstm_f_ih"], model.w["lstm_b_ih"]])
    b = np.concatenate([model.w["lstm_f_b"], model.w["lstm_b_b"]])
    for doc, g, got in zip(docs, gaz, model.gates(docs, gaz), strict=True):
        np.testing.assert_allclose(got, model.inputs(doc, g) @ w.T + b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        np.concatenate(model.emissions_of_gates(model.gates(docs, gaz))),
        np.concatenate(model.emissions([model.inputs(d, g) for d, g in zip(docs, gaz, strict=True)])),
        rtol=1e-5, atol=1e-5)


def test_the_tanh_sigmoid_is_the_logistic_function():
    from scipy.special import expit

    x = np.linspace(-30, 30, 2001, dtype=np.float32)
    assert ner_cpu._sigmoid(x).dtype == np.float32
    np.testing.assert_allclose(ner_cpu._sigmoid(x), expit(x), rtol=0, atol=2e-7)


def test_character_features_survive_a_cache_that_fills_up_mid_batch(monkeypatch):
    model = BiLstmCrf(random_weights(4, 4, 3, hidden=5), {}, {"a": 2, "b": 3})
    texts = ["ab", "ba", "aab", "ab", "bbb"]
    whole = model.char_features(texts)
    monkeypatch.setattr(ner_cpu, "CACHE_SIZE", 2)
    small = BiLstmCrf(model.w, {}, model.chars)
    small.char_features(["b"])  # one remembered: the next call overflows the cache
    np.testing.assert_array_equal(small.char_features(texts), whole)
    assert len(small._char_cache) <= len(set(texts))


@pytest.mark.parametrize("spread", [True, False])
def test_key_index_finds_what_a_binary_search_finds(spread):
    rng = np.random.default_rng(7)
    high = np.iinfo(np.uint64).max if spread else 50  # hashed keys, or all in one bucket
    keys = np.unique(rng.integers(0, high, size=3000, dtype=np.uint64, endpoint=True))
    needles = np.concatenate([rng.choice(keys, 500), rng.integers(0, high, size=500, dtype=np.uint64, endpoint=True),
                              np.array([0, high], dtype=np.uint64)])
    at = np.minimum(np.searchsorted(keys, needles), len(keys) - 1)
    expected = np.where(keys[at] == needles, at, -1)
    np.testing.assert_array_equal(ner_cpu._KeyIndex(keys).find(needles), expected)
    assert (ner_cpu._KeyIndex(keys[:0]).find(needles) == -1).all()


def _damage(path, name, change):
    """Rewrite the file ``name`` of the model in ``path`` with ``change`` applied to its bytes, JSON or arrays."""
    f = path / name
    if name == "tagger.json":
        meta = json.loads(f.read_text(encoding="utf-8"))
        change(meta)
        f.write_text(json.dumps(meta), encoding="utf-8")
    else:
        w = dict(np.load(f))
        change(w)
        np.savez(f, **w)


@pytest.mark.parametrize(("name", "change", "says"), [
    ("tagger.json", lambda m: m.update(format=99), "tagger.json has format 99, this medkg reads format 1"),
    ("tagger.json", lambda m: m.pop("format"), "tagger.json has format None"),
    ("weights.npz", lambda w: w.pop("word_emb"), "weights.npz lacks word_emb"),
    ("weights.npz", lambda w: w.update(word_emb=w["word_emb"][:2]), "weights.npz word_emb has shape (2, 5)"),
    ("weights.npz", lambda w: w.update(out_b=w["out_b"][:3]), "weights.npz out_b has shape (3,)"),
    ("tagger.json", lambda m: m.update(words=m["words"] + ["extra"]), "weights.npz word_emb has shape (4, 5), expected (5, 5)"),
])
def test_a_model_that_does_not_fit_this_code_is_refused_at_load_naming_what_is_wrong(nlp, tmp_path, name, change, says):
    _write_model(tmp_path, nlp)
    _damage(tmp_path, name, change)
    with pytest.raises(ModelError, match="E431") as err:
        NerCpuTagger.load(tmp_path)
    assert str(tmp_path) in str(err.value) and says in str(err.value)


@pytest.mark.parametrize("name", ["tagger.json", "weights.npz", "gazetteer.npz"])
def test_a_damaged_model_file_is_a_coded_error_naming_the_file(nlp, tmp_path, name):
    _write_model(tmp_path, nlp)
    data = (tmp_path / name).read_bytes()
    (tmp_path / name).write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="E430") as err:
        NerCpuTagger.load(tmp_path)
    assert str(tmp_path / name) in str(err.value)


def test_a_model_whose_training_did_not_finish_is_refused_unless_asked_for(nlp, tmp_path):
    _write_model(tmp_path, nlp)
    _damage(tmp_path, "tagger.json", lambda m: m.update(unfinished="training"))
    with pytest.raises(ModelError, match="E432") as err:
        NerCpuTagger.load(tmp_path)
    assert "training did not finish" in str(err.value) and "last finished run" in err.value.hint
    assert NerCpuTagger.load(tmp_path, unfinished=True).predict([nlp("Naloxone.")])


def test_an_interrupted_gazetteer_save_leaves_no_partial_file(nlp, tmp_path, monkeypatch):
    def cut(file, **arrays):
        if isinstance(file, (str, type(tmp_path))):
            file = open(file, "wb")  # noqa: SIM115
        file.write(b"PK\x03\x04 half a zip")
        file.flush()
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez_compressed", cut)
    with pytest.raises(KeyboardInterrupt):
        tiny_gazetteer(nlp).save(tmp_path / "gazetteer.npz")
    assert list(tmp_path.iterdir()) == []

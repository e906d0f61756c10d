import json

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from kg.errors import ModelError, SourceError
from kg.relate.features import CONTEXT_FEATURES
from kg.relate.model import Head, RelationModel, TreeBlend, positive_scores
from kg.train.re import TREE_MIN_ROWS, _classifier, _folds, _tree_blend, _trees, train_re, tree_columns

pytestmark = pytest.mark.slow  # trains a (tiny) model with cross-validation


def test_training_writes_a_loadable_model_and_report(tiny_model_dir):
    report = json.loads((tiny_model_dir / "training.json").read_text())
    assert set(report["tasks"]) == {"cid", "biored"}
    assert report["tasks"]["cid"]["documents"] == 12 and report["tasks"]["cid"]["gold_relations"] == 12
    model = RelationModel.load(tiny_model_dir)
    assert set(model.heads) == {"cid", "biored"} and model.novelty is not None
    assert "MESH:D013226" in model.trees and model.trees.get("MESH:C000001")  # disease file, MeSH 2024 files
    assert report["tasks"]["cid"]["sentence_scorer"]["sentences"] == 48
    assert model.heads["cid"].calibrator is not None and model.heads["biored"].typed_calibrator is not None
    biored = report["tasks"]["biored"]  # the typer's input chosen by cross-validated accuracy
    by_input = biored["cv_typer_accuracy_by_input"]
    assert set(by_input) == {f"{kind} C={c}" for kind in ("plain", "conjoined") for c in (0.03, 0.1, 0.3)}
    assert biored["cv_typer_accuracy"] == max(by_input.values())
    assert bool(model.heads["biored"].typer_pairs) == biored["typer_conjoined"]
    assert "typer_conjoined" not in report["tasks"]["cid"] and model.heads["cid"].typer_pairs == ()
    for task, head in model.heads.items():  # the detector reads the context features where CV says it pays
        detector = report["tasks"][task]["cv_detector_pair_and_type_f1_by_input"]
        assert set(detector) == {f"{kind} context C={c}" for kind in ("with", "without") for c in (0.03, 0.1, 0.3)}
        context = report["tasks"][task]["detector_context"]
        best = detector[f"{'with' if context else 'without'} context C={report['tasks'][task]['C']}"]
        assert sum(best) == max(sum(v) for v in detector.values())
        assert (head.detector_columns is None) == context
        blended = report["tasks"][task]["tree_weight"] > 0  # trees beside the linear model where CV says they pay
        assert blended == isinstance(head.classifier, TreeBlend)
        assert report["tasks"][task]["cv_pair_f1"] == report["tasks"][task]["cv_pair_and_type_f1_by_tree_weight"][
            str(report["tasks"][task]["tree_weight"])][0]
        linear = head.classifier.linear if blended else head.classifier
        if not context:
            names = head.vectorizer.get_feature_names_out()[head.detector_columns]
            assert not any(n.startswith(CONTEXT_FEATURES) for n in names) and len(names) == linear.coef_.shape[1]


def test_training_writes_a_model_card_with_its_data_command_and_scores_and_keeps_a_hand_written_one(
        tiny_model_dir, tmp_path, corpus_writers):
    """QA: `medkg train re` wrote no model card; the brief asks each model for one (data, command, time, scores)."""
    card = (tiny_model_dir / "MODEL_CARD.md").read_text()
    report = json.loads((tiny_model_dir / "training.json").read_text())
    assert f"--output {tiny_model_dir} --seed 1" in card and f"in {report['train_seconds']} s" in card
    for task, t in report["tasks"].items():
        row = next(line for line in card.splitlines() if line.startswith(f"| `{task}` |"))
        assert f"| {t['documents']:,} |" in row and f"| {t['threshold']} | {t['cv_pair_f1']} | {t['cv_pair_type_f1']} |" in row
    assert "medkg evaluate re --corpus" in card
    hand = tmp_path / "hand"
    hand.mkdir()
    (hand / "MODEL_CARD.md").write_text("# our model\n")
    train_re(hand, corpora={"cid": corpus_writers["cid"](tmp_path / "cdr_train.txt")}, mesh_disease_terms=None,
             mesh_descriptor_terms=None, mesh_supplementary_terms=None)
    assert (hand / "MODEL_CARD.md").read_text() == "# our model\n"


def test_a_loaded_model_s_version_is_its_file_s(tiny_model_dir, tmp_path):
    model = RelationModel.load(tiny_model_dir)
    assert model.version.startswith("re-cpu-4+") and RelationModel.load(tiny_model_dir).version == model.version
    model.heads["cid"].threshold = 0.01  # a retrained or edited model: another version, so documents are redone
    model.save(tmp_path / "edited")
    assert RelationModel.load(tmp_path / "edited").version != model.version


def test_a_detector_reads_only_its_columns():
    X = sparse.csr_matrix(np.array([[1.0, 5.0, 0.0], [0.0, -5.0, 1.0], [1.0, 0.0, 0.0], [0.0, 3.0, 1.0]]))
    y = np.array([1, 0, 1, 0])
    clf = LogisticRegression().fit(X[:, [0, 2]], y)
    head = Head(vectorizer=DictVectorizer(), classifier=clf, threshold=0.5, detector_columns=np.array([0, 2]))
    assert np.allclose(head.scores(X), clf.predict_proba(X[:, [0, 2]])[:, 1])


def test_model_finds_the_induced_pair_and_not_the_unchanged_one(tiny_model_dir, make_item):
    model = RelationModel.load(tiny_model_dir / "model.joblib")
    item = make_item(
        "PMID:7",
        ["Haloperidol-induced hepatitis in rats.", "In a second group cocaine did not change tremor at all."],
        [("Haloperidol", "Chemical", "MESH:D006220"), ("hepatitis", "Disease", "MESH:D006505"),
         ("cocaine", "Chemical", "MESH:D003042"), ("tremor", "Disease", "MESH:D014202")],
    )
    preds = model.predict(item, ["cid"])
    found = {(p.subject, p.object) for p in preds}
    assert ("MESH:D006220", "MESH:D006505") in found
    assert ("MESH:D003042", "MESH:D014202") not in found
    best = preds[0]
    assert best.type == "CID" and 0.0 <= best.score <= 1.0
    assert item.document.text[best.supports[0].sentence[0]:best.supports[0].sentence[1]] == "Haloperidol-induced hepatitis in rats."


def test_biored_head_types_pairs_and_flags_novelty(tiny_model_dir, make_item):
    model = RelationModel.load(tiny_model_dir)
    item = make_item(
        "PMID:8",
        ["Mutations in EGFR increase the risk of seizures.", "Patients also received lithium which was unrelated."],
        [("EGFR", "Gene", "NCBIGene:1956"), ("seizures", "Disease", "MESH:D012640"),
         ("lithium", "Chemical", "MESH:D008094")],
    )
    preds = {(p.subject, p.object): p for p in model.predict(item, ["biored"])}
    p = preds[("NCBIGene:1956", "MESH:D012640")]
    assert p.type == "Positive_Correlation" and p.novelty in ("Novel", "No")


def test_unknown_head_and_bad_files_raise_model_errors(tiny_model_dir, tmp_path, make_item):
    model = RelationModel.load(tiny_model_dir)
    item = make_item("PMID:9", ["Lithium and tremor."], [("Lithium", "Chemical", "MESH:D008094"),
                                                         ("tremor", "Disease", "MESH:D014202")])
    with pytest.raises(ModelError, match="no 'ddi' head"):
        model.predict(item, ["ddi"])
    with pytest.raises(ModelError, match="no relation model"):
        RelationModel.load(tmp_path / "missing")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "model.joblib").write_bytes(b"not a pickle")
    with pytest.raises(ModelError, match="cannot load"):
        RelationModel.load(tmp_path / "bad")


def test_training_refuses_development_splits(tmp_path, corpus_writers):
    dev = corpus_writers["cid"](tmp_path / "CDR_DevelopmentSet.PubTator.txt")
    with pytest.raises(SourceError, match="refusing to train"):
        train_re(tmp_path / "m", corpora={"cid": dev})


def test_evidence_is_the_stating_sentence_not_a_co_mention(tiny_model_dir, make_item):
    model = RelationModel.load(tiny_model_dir)
    item = make_item(
        "PMID:10",
        ["Records of haloperidol and hepatitis were both kept.", "Haloperidol-induced hepatitis in rats."],
        [("haloperidol", "Chemical", "MESH:D006220"), ("Haloperidol", "Chemical", "MESH:D006220"),
         ("hepatitis", "Disease", "MESH:D006505")],
    )
    (rel,) = model.predict(item, ["cid"])
    sentences = [item.document.text[s.sentence[0]:s.sentence[1]] for s in rel.supports]
    assert sentences == ["Haloperidol-induced hepatitis in rats."]
    assert rel.supports[0].same_sentence and rel.supports[0].score >= model.heads["cid"].sentences.threshold
    raw = model.heads["cid"].calibrator  # the relation's score is the calibrated probability
    assert 0.0 < rel.score < 1.0 and raw is not None


def test_a_pair_related_across_sentences_gets_one_marked_passage(tiny_model_dir, make_item):
    model = RelationModel.load(tiny_model_dir)
    item = make_item(
        "PMID:11",
        ["Haloperidol-induced hepatitis in rats.", "We gave haloperidol to rats.", "Tremor was seen after dosing."],
        [("Haloperidol", "Chemical", "MESH:D006220"), ("haloperidol", "Chemical", "MESH:D006220"),
         ("hepatitis", "Disease", "MESH:D006505"), ("Tremor", "Disease", "MESH:D014202")],
    )
    cross = [r for r in model.predict(item, ["cid"]) if r.object == "MESH:D014202"]
    for rel in cross:
        (support,) = rel.supports
        assert not support.same_sentence and support.score is None
        assert item.document.text[slice(*support.sentence)] == "We gave haloperidol to rats. Tremor was seen after dosing."


def test_vectorize_is_the_vectorizers_transform():
    from sklearn.feature_extraction import DictVectorizer

    from kg.relate.model import vectorize

    vec = DictVectorizer().fit([{"btw:induced": 1.0, "bias": 1.0}, {"prior": 0.25, "bias": 1.0}])
    feats = [{"bias": 1.0, "btw:induced": 1.0, "unseen": 1.0}, {}, {"prior": 0.5, "bias": 1.0}]
    got, want = vectorize(vec, feats), vec.transform(feats)
    assert got.shape == want.shape == (3, 3) and (got != want).nnz == 0
    assert vectorize(vec, []).shape == (0, 3)


def test_contradictory_claims_about_one_pair_keep_the_likelier():
    from kg.models import Relation
    from kg.relate.model import likelier_claims

    def rel(task, type_, score, a="MESH:C1", b="MESH:D1"):
        return Relation(subject=a, object=b, type=type_, score=score, task=task)

    induces, treats = rel("cid", "CID", 0.4), rel("biored", "Negative_Correlation", 0.7)
    other = rel("cid", "CID", 0.9, b="MESH:D2")  # another disease: no contradiction
    positive = rel("biored", "Positive_Correlation", 0.2, b="MESH:D2")  # agrees with INDUCES
    assert likelier_claims([induces, treats, other, positive]) == [treats, other, positive]
    stronger = rel("cid", "CID", 0.8)
    assert likelier_claims([stronger, treats]) == [stronger]
    tie = rel("cid", "CID", 0.7)
    assert likelier_claims([tie, treats]) == [tie, treats]


def test_the_end_to_end_calibration_rescores_predicted_entities_pairs_not_gold_ones(tiny_model_dir, make_item):
    from kg.relate.model import EndToEndCalibration, RelationExtractor

    model = RelationModel.load(tiny_model_dir)
    item = make_item("PMID:7", ["Haloperidol-induced hepatitis in rats."],
                     [("Haloperidol", "Chemical", "MESH:D006220"), ("hepatitis", "Disease", "MESH:D006505")])
    gold = model.predict_many([item], ["cid"], gold_entities=True)[0]
    model.heads["cid"].end_to_end = EndToEndCalibration(a=1.0, b=-1.0, corpus="dev.txt", sha256="", documents=1, relations=1)
    assert model.predict_many([item], ["cid"], gold_entities=True)[0] == gold  # the relation model alone: as trained
    ours = model.predict(item, ["cid"])
    assert [(r.subject, r.object) for r in ours] == [(r.subject, r.object) for r in gold]  # the same relations
    p = gold[0].score
    assert ours[0].score == pytest.approx(1 / (1 + np.exp(-(np.log(p / (1 - p)) - 1.0))), abs=2e-4) and ours[0].score < p
    extractor = RelationExtractor(model, ("cid",), gold_entities=True)
    assert next(iter(extractor.pipe([item]))).relations[0].score == p


def test_a_calibration_fitted_with_other_components_is_stale_and_warned_about_once(tiny_model_dir, caplog):
    from kg.components import warn_stale_calibration
    from kg.relate.model import EndToEndCalibration

    model = RelationModel.load(tiny_model_dir)
    chain = [("ner-cpu", "a1"), ("tfidf", "v1"), ("assertion", "1.10.0")]
    assert model.stale_calibrations(chain) == {}  # none calibrated end to end: nothing to judge
    model.heads["cid"].end_to_end = EndToEndCalibration(a=1.0, b=0.0, corpus="dev.txt", sha256="", documents=1,
                                                        relations=1, fitted_with=tuple(chain))
    assert model.stale_calibrations(chain) == {}
    running = [("ner-cpu", "b2"), ("tfidf", "v1"), ("assertion", "1.10.0"), ("curated-links", "1")]
    assert model.stale_calibrations(running) == {"cid": ["curated-links", "ner-cpu"]}

    class Part:
        def __init__(self, name, version):
            self.name, self.version = name, version

    for _ in range(2):
        warn_stale_calibration(model, [Part(*p) for p in running])
    warned = [r.getMessage().splitlines()[0] for r in caplog.records if "E424" in r.getMessage()]
    assert warned == ["E424: the relation model's 'cid' scores were calibrated end to end with other components than "
                      "this run's (curated-links, ner-cpu): they measure those components' errors, not these"]


def test_trees_beside_the_linear_detector_learn_a_conjunction_it_cannot():
    """Related exactly when a pair has one of two features but not both (a trigger word without a negation
    cue): no weighting of the features separates that, trees do; CV gives the trees weight, and the blended
    detector scores what its parts say."""
    rng = np.random.default_rng(0)
    n = 600
    a, b, noise = rng.random(n) < 0.5, rng.random(n) < 0.5, rng.random((n, 3)) < 0.3
    X = sparse.csr_matrix(np.column_stack([a, b, noise, np.ones(n)]).astype(float))
    positive = a ^ b
    groups = np.arange(n) // 3  # three pairs per document
    folds = [(np.flatnonzero(np.isin(groups, tr)), np.flatnonzero(np.isin(groups, te)))
             for tr, te in _folds(n // 3)]
    linear_oof = np.zeros(n)
    for train, test in folds:
        linear_oof[test] = positive_scores(_classifier(0.1, 0).fit(X[train], positive[train].astype(int)), X[test])
    blend = _tree_blend(X, positive, positive, folds, int(positive.sum()), 0, linear_oof)
    by_weight = blend["cv_pair_and_type_f1_by_tree_weight"]
    assert blend["tree_weight"] > 0 and by_weight["0.0"][0] < 0.8 < blend["cv_pair_f1"] == max(v[0] for v in by_weight.values())
    assert list(blend["tree_columns"]) == list(tree_columns(X)) == [0, 1, 2, 3, 4, 5]  # each in 20+ pairs
    linear = _classifier(0.1, 0).fit(X, positive.astype(int))
    trees = _trees(0).fit(X.toarray().astype(np.float32), positive.astype(int))
    detector = TreeBlend(linear=linear, trees=trees, columns=blend["tree_columns"], weight=0.75)
    head = Head(vectorizer=DictVectorizer(), classifier=detector, threshold=0.5)
    expected = 0.75 * trees.predict_proba(X.toarray())[:, 1] + 0.25 * linear.predict_proba(X)[:, 1]
    assert np.allclose(head.scores(X), expected)
    assert ((head.scores(X) >= 0.5) == positive).mean() > 0.95


def test_a_feature_too_few_pairs_have_is_no_tree_column_and_without_any_the_detector_is_linear():
    X = sparse.csr_matrix(np.array([[1.0, 1.0]] * (TREE_MIN_ROWS - 1) + [[0.0, 1.0]] * 5))
    assert list(tree_columns(X)) == [1] and list(tree_columns(X[:6])) == []
    positive = np.array([True, False] * 3)
    blend = _tree_blend(X[:6], positive, positive, [(np.arange(3), np.arange(3, 6))], 3, 0, np.full(6, 0.6))
    assert blend["tree_weight"] == 0.0 and list(blend["cv_pair_and_type_f1_by_tree_weight"]) == ["0.0"]

import numpy as np

from kg.relate.model import SCORE_CEILING, SCORE_FLOOR, fit_calibrator


def test_calibration_is_monotone_bounded_and_follows_the_observed_rate():
    rng = np.random.default_rng(0)
    raw = rng.uniform(0, 1, 4000)
    correct = rng.uniform(0, 1, 4000) < raw**2  # an overconfident raw score: right with probability raw^2
    calibrate = fit_calibrator(raw, correct)
    grid = np.linspace(-0.5, 1.5, 401)  # outside the fitted range too
    out = calibrate(grid)
    assert np.all(np.diff(out) >= 0)
    assert out.min() >= SCORE_FLOOR and out.max() <= SCORE_CEILING
    assert abs(float(calibrate([0.5])[0]) - 0.25) < 0.06 and abs(float(calibrate([0.9])[0]) - 0.81) < 0.06


def test_calibrated_scores_never_reach_certainty():
    calibrate = fit_calibrator(np.array([0.1, 0.2, 0.8, 0.9]), np.array([0, 0, 1, 1]))
    assert calibrate([0.0])[0] == SCORE_FLOOR and calibrate([1.0])[0] == SCORE_CEILING


def test_conjoin_repeats_each_row_in_its_groups_block_only():
    from scipy import sparse

    from kg.relate.model import conjoin

    X = sparse.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0], [4.0, 0.0, 0.0]]))
    out = conjoin(X, [1, 0, -1], 2).toarray()
    assert out.shape == (3, 9)
    np.testing.assert_array_equal(out[:, :3], X.toarray())  # the shared block is X itself
    np.testing.assert_array_equal(out[0], [1, 0, 2, 0, 0, 0, 1, 0, 2])  # group 1: block 2
    np.testing.assert_array_equal(out[1], [0, 3, 0, 0, 3, 0, 0, 0, 0])  # group 0: block 1
    np.testing.assert_array_equal(out[2], [4, 0, 0, 0, 0, 0, 0, 0, 0])  # no group: no copy
    assert out.dtype == X.dtype and conjoin(X, [1, 0, -1], 2).indices.dtype == np.int32  # liblinear's index type


def test_the_typer_reads_features_conjoined_with_the_pairs_entity_types():
    from scipy import sparse

    from kg.relate.model import Head

    X = sparse.csr_matrix(np.array([[1.0, 2.0], [3.0, 0.0]]))
    head = Head(vectorizer=None, classifier=None, threshold=0.5, typer_pairs=("Chemical|Gene", "Gene|Gene"))
    out = head.typer_input(X, ["Gene|Gene", "Variant|Variant"]).toarray()  # a pair type training never saw: shared weights only
    np.testing.assert_array_equal(out, [[1, 2, 0, 0, 1, 2], [3, 0, 0, 0, 0, 0]])
    assert Head(vectorizer=None, classifier=None, threshold=0.5).typer_input(X, ["Gene|Gene"]) is X  # a plain typer


def test_platt_scaling_recovers_an_overconfidence_and_its_calibration_maps_scores_by_it():
    from kg.relate.model import EndToEndCalibration, fit_platt

    rng = np.random.default_rng(0)
    scores = rng.uniform(0.05, 0.95, 20000)
    logit = np.log(scores / (1 - scores))
    correct = rng.uniform(0, 1, scores.size) < 1 / (1 + np.exp(-(0.8 * logit - 0.5)))  # right less often than said
    a, b = fit_platt(scores, correct)
    assert abs(a - 0.8) < 0.08 and abs(b + 0.5) < 0.08
    calibrate = EndToEndCalibration(a=a, b=b, corpus="dev.txt", sha256="0" * 64, documents=1, relations=20000)
    out = calibrate(np.array([0.0, 0.5, 0.9, 1.0]))
    assert np.all(np.diff(out) > 0) and out[0] >= SCORE_FLOOR and out[-1] <= SCORE_CEILING
    assert abs(out[1] - 1 / (1 + np.exp(0.5))) < 0.03 and out[2] < 0.9

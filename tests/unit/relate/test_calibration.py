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

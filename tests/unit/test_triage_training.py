"""The level head's NB weighting (training.nb_scale): n-grams that tell at-risk rows from calm
ones cost less of the penalty, and the saved model reads the rows as they are."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from lifeline.adapters.classifier import training
from lifeline.adapters.classifier.datasets import LEVELS
from lifeline.adapters.classifier.features import CUE_FEATURES

CUES = len(CUE_FEATURES)


def rows(grams: list[list[float]]) -> sp.csr_matrix:
    """n-gram columns as given, then the cue block (all zero)."""
    return sp.csr_matrix(np.hstack([np.array(grams), np.zeros((len(grams), CUES))]))


def test_a_column_that_separates_risk_from_calm_weighs_more_than_one_that_does_not() -> None:
    # column 0 only in at-risk rows, column 1 in every row, column 2 in no row
    x = rows([[1, 1, 0]] * 4 + [[0, 1, 0]] * 4)
    y = np.array([LEVELS.index("ideation")] * 4 + [LEVELS.index("none")] * 4)
    scale = training.nb_scale(x, y, np.ones(8), LEVELS)
    assert scale[0] > 1.0 > scale[1] >= training.NB_UNIFORM
    assert np.all(scale[3:] == 1.0)  # the cue block is left as it is
    assert np.isclose(scale[:2].mean(), 1.0)  # mean 1 over the columns present


def test_the_fitted_head_scores_unscaled_rows_as_the_scaled_fit_does() -> None:
    rng = np.random.default_rng(0)
    x = sp.random(120, 40 + CUES, density=0.1, format="csr", random_state=1)
    y = rng.integers(0, len(LEVELS), 120)
    w = np.ones(120)
    model = training._fit(x, y, w)
    scale = training.nb_scale(x, y, w, LEVELS)
    plain = LogisticRegression(C=training.C, max_iter=3000, tol=1e-4)
    plain.fit(x @ sp.diags(scale), y, sample_weight=w)
    assert np.allclose(model.predict_proba(x), plain.predict_proba(x @ sp.diags(scale)))

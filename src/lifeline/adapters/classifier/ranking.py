"""Ranking measures of at-risk scores (issue #19, *Ranking that uses the whole scale*): ROC AUC
and the at-risk precision at a recall (0.95: the share of people at risk the SMC must find),
each with a seeded bootstrap 95% confidence interval (a few hundred people is a small sample).

At risk means ideation or above. The precision at recall R is read at the highest score
threshold that still finds R of the positives (all items scoring at or above it are called),
which is how the SMC would set a threshold for that recall.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

RECALL = 0.95
RESAMPLES = 1_000
SEED = 0


def precision_at_recall(truth: np.ndarray, scores: np.ndarray, recall: float = RECALL) -> float:
    """Precision at the highest threshold whose recall reaches `recall` (nan: no positives)."""
    positives = int(truth.sum())
    if positives == 0:
        return float("nan")
    needed = int(np.ceil(recall * positives - 1e-9))
    threshold = np.sort(scores[truth])[::-1][needed - 1]
    called = scores >= threshold
    return float(truth[called].sum() / called.sum())


def _auc(truth: np.ndarray, scores: np.ndarray) -> float:
    if truth.all() or not truth.any():
        return float("nan")
    return float(roc_auc_score(truth, scores))


def ranking(
    truth: Sequence[bool],
    scores: Sequence[float],
    *,
    recall: float = RECALL,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, Any]:
    """ROC AUC and precision at `recall`, each with a bootstrap 95% interval: `resamples`
    draws of the items with replacement (seeded, so a rerun gives the same interval); draws
    with only one class are skipped for the AUC."""
    t = np.asarray(truth, bool)
    s = np.asarray(scores, float)
    out: dict[str, Any] = {
        "n": len(t),
        "at_risk": int(t.sum()),
        "roc_auc": _auc(t, s),
        "recall": recall,
        "precision_at_recall": precision_at_recall(t, s, recall),
        "resamples": resamples,
        "seed": seed,
    }
    rng = np.random.default_rng(seed)
    aucs, precisions = [], []
    for _ in range(resamples if len(t) else 0):
        pick = rng.integers(0, len(t), len(t))
        bt, bs = t[pick], s[pick]
        if bt.any() and not bt.all():
            aucs.append(float(roc_auc_score(bt, bs)))
        if bt.any():
            precisions.append(precision_at_recall(bt, bs, recall))
    out["roc_auc_ci95"] = _interval(aucs)
    out["precision_at_recall_ci95"] = _interval(precisions)
    return _json_safe(out)


def _interval(values: list[float]) -> list[float] | None:
    if not values:
        return None
    low, high = np.percentile(values, [2.5, 97.5])
    return [float(low), float(high)]


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    """nan (no positives, or one class) as null, so the JSON is standard."""
    return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in data.items()}


def format_ranking(name: str, m: dict[str, Any]) -> str:
    """One line (under 80 characters): n/at risk, AUC (interval), P@R95 (interval)."""

    def figure(key: str) -> str:
        value, interval = m.get(key), m.get(f"{key}_ci95")
        text = "  n/a" if value is None else f"{value:.3f}"
        return text + (f" ({interval[0]:.3f}-{interval[1]:.3f})" if interval else "")

    recall = f"P@R{round(m['recall'] * 100)}"
    counts = f"{m['n']}/{m['at_risk']}"
    auc, precision = figure("roc_auc"), figure("precision_at_recall")
    return f"  {name:8} {counts:>11}  AUC {auc}  {recall} {precision}"

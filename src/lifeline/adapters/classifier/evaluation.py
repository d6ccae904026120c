"""Measuring the triage model: per-language and per-level precision, recall and F1, the
confusion matrix, calibration error, ranking (ROC AUC and precision at recall 0.95 per language,
with bootstrap intervals: ranking.py), C-SSRS cross-validation and the RTP-LX false-alarm rate.
People (a person's posts together) are measured in person_evaluation.py."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import KFold

from lifeline.adapters.classifier.cues import CueDetector
from lifeline.adapters.classifier.datasets import LEVELS, CssrsUser, Example, cssrs_examples
from lifeline.adapters.classifier.language import LANGUAGES
from lifeline.adapters.classifier.model import SklearnRiskClassifier
from lifeline.adapters.classifier.ranking import RESAMPLES, format_ranking, ranking
from lifeline.adapters.classifier.subject import subject_metrics_of
from lifeline.domain.risk import RiskResult

CALIBRATION_BINS = 10
BATCH = 256


def _rank(level: str) -> int:
    return LEVELS.index(level)


def _binary(truth: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    t, p = np.asarray(truth, bool), np.asarray(predicted, bool)
    tp = float((t & p).sum())
    precision = tp / p.sum() if p.sum() else 0.0
    recall = tp / t.sum() if t.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": int(t.sum())}


def calibration(
    scores: Sequence[float], truth: Sequence[bool]
) -> tuple[float, list[dict[str, float]]]:
    """Expected calibration error over equal-width bins, and the bins."""
    s, t = np.asarray(scores, float), np.asarray(truth, float)
    bins = []
    ece = 0.0
    edges = np.linspace(0, 1, CALIBRATION_BINS + 1)
    for lo, hi in itertools.pairwise(edges):
        inside = (s >= lo) & ((s < hi) if hi < 1 else (s <= hi))
        if not inside.any():
            continue
        mean_score, rate = float(s[inside].mean()), float(t[inside].mean())
        ece += inside.mean() * abs(mean_score - rate)
        bins.append(
            {
                "from": float(lo),
                "to": float(hi),
                "n": int(inside.sum()),
                "mean_score": mean_score,
                "at_risk_rate": rate,
            }
        )
    return float(ece), bins


@dataclass
class Evaluation:
    n: int
    languages: dict[str, dict[str, float]] = field(default_factory=dict)
    levels: dict[str, dict[str, float]] = field(default_factory=dict)
    language_levels: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    confusion: list[list[int]] = field(default_factory=list)
    ece: float = 0.0
    brier: float = 0.0
    bins: list[dict[str, float]] = field(default_factory=list)
    #: per language and "all": ROC AUC and precision at recall 0.95 of the at-risk score,
    #: with bootstrap intervals (filled by `evaluate`, not for model.json's figures)
    ranking: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: subject figures (`subject.subject_metrics`) when the examples carry subjects, from the
    #: same scoring pass (not part of `as_dict`: callers file them under "subject")
    subjects: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "languages": self.languages,
            "levels": self.levels,
            "language_levels": self.language_levels,
            "confusion": {"labels": list(LEVELS), "rows_truth_columns_predicted": self.confusion},
            "calibration": {"ece": self.ece, "brier": self.brier, "bins": self.bins},
            "ranking": self.ranking,
        }


def _classified(
    classifier: SklearnRiskClassifier,
    texts: Sequence[str],
    progress: Callable[[int], None] | None = None,
) -> list[RiskResult]:
    out: list[RiskResult] = []
    for i in range(0, len(texts), BATCH):
        batch = texts[i : i + BATCH]
        out.extend(classifier.classify_many(batch))
        if progress:
            progress(len(batch))
    return out


def predict(
    classifier: SklearnRiskClassifier,
    texts: Sequence[str],
    progress: Callable[[int], None] | None = None,
) -> list[tuple[str, float]]:
    return [(r.level.value, r.score) for r in _classified(classifier, texts, progress)]


def evaluate(
    classifier: SklearnRiskClassifier,
    examples: Sequence[Example],
    progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Level, calibration and ranking figures, and the subject's when the examples carry
    subjects: every post scored once."""
    results = _classified(classifier, [e.text for e in examples], progress)
    scores = [r.score for r in results]
    ev = evaluation_of(examples, [r.level.value for r in results], scores)
    ev.ranking = ranking_by_language(examples, scores)
    if any(e.subject for e in examples):
        ev.subjects = subject_metrics_of(examples, results)
    return ev


def ranking_by_language(
    examples: Sequence[Example], scores: Sequence[float], *, resamples: int = RESAMPLES
) -> dict[str, dict[str, Any]]:
    """ROC AUC and at-risk precision at recall 0.95 per language and for all posts together."""
    truth = [_rank(e.level) >= 3 for e in examples]
    out = {}
    for lang in [lang for lang in LANGUAGES if any(e.language == lang for e in examples)]:
        idx = [i for i, e in enumerate(examples) if e.language == lang]
        out[lang] = ranking([truth[i] for i in idx], [scores[i] for i in idx], resamples=resamples)
    out["all"] = ranking(truth, scores, resamples=resamples)
    return out


def evaluation_of(
    examples: Sequence[Example], predicted: Sequence[str], scores: Sequence[float]
) -> Evaluation:
    """The figures for levels and scores already predicted for `examples`."""
    truth = [e.level for e in examples]
    ev = Evaluation(len(examples))
    for lang in [lang for lang in LANGUAGES if any(e.language == lang for e in examples)]:
        idx = [i for i, e in enumerate(examples) if e.language == lang]
        t = [_rank(truth[i]) for i in idx]
        p = [_rank(predicted[i]) for i in idx]
        at_risk = _binary([x >= 3 for x in t], [x >= 3 for x in p])
        urgent = _binary([x >= 4 for x in t], [x >= 4 for x in p])
        ev.languages[lang] = {
            "n": len(idx),
            "at_risk_precision": at_risk["precision"],
            "at_risk_recall": at_risk["recall"],
            "at_risk_f1": at_risk["f1"],
            "intent_or_above_recall": urgent["recall"],
            "intent_or_above_precision": urgent["precision"],
            "accuracy": float(np.mean([a == b for a, b in zip(t, p, strict=True)])),
            "ece": calibration([scores[i] for i in idx], [x >= 3 for x in t])[0],
        }
        ev.language_levels[lang] = _per_level([truth[i] for i in idx], [predicted[i] for i in idx])
    ev.levels = _per_level(truth, predicted)
    ev.confusion = confusion_matrix(truth, predicted, labels=list(LEVELS)).tolist()
    at_risk_truth = [_rank(x) >= 3 for x in truth]
    ev.ece, ev.bins = calibration(scores, at_risk_truth)
    ev.brier = float(np.mean((np.asarray(scores) - np.asarray(at_risk_truth, float)) ** 2))
    return ev


def level_metrics(
    examples: Sequence[Example], predicted: Sequence[str], scores: Sequence[float]
) -> dict[str, Any]:
    """`evaluation_of` as a dict without the calibration bins (for model.json)."""
    data = evaluation_of(examples, predicted, scores).as_dict()
    data["calibration"].pop("bins")
    return data


def _per_level(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, float]]:
    p, r, f, s = precision_recall_fscore_support(
        truth, predicted, labels=list(LEVELS), zero_division=0
    )
    return {
        level: {
            "precision": float(p[i]),
            "recall": float(r[i]),
            "f1": float(f[i]),
            "support": int(s[i]),
        }
        for i, level in enumerate(LEVELS)
    }


def format_evaluation(ev: Evaluation) -> str:
    lines = [
        f"{ev.n} posts",
        "",
        "per language        n   at-risk P  at-risk R  at-risk F1  intent+ R  accuracy",
    ]
    for lang, m in ev.languages.items():
        lines.append(
            f"  {lang:10} {m['n']:>8}   {m['at_risk_precision']:9.3f}  {m['at_risk_recall']:9.3f}"
            f"  {m['at_risk_f1']:10.3f}  {m['intent_or_above_recall']:9.3f}  {m['accuracy']:8.3f}"
        )
    lines += ["", "per level          precision  recall     F1   support"]
    for level, m in ev.levels.items():
        lines.append(
            f"  {level:14} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f} {m['support']:9}"
        )
    for lang, levels in ev.language_levels.items():
        lines.append(
            f"  [{lang}] " + "  ".join(f"{lv} F1 {m['f1']:.2f}" for lv, m in levels.items())
        )
    lines += [
        "",
        "confusion (rows: truth, columns: predicted)",
        "  " + " ".join(f"{lv[:8]:>9}" for lv in LEVELS),
    ]
    for level, row in zip(LEVELS, ev.confusion, strict=True):
        lines.append(f"  {level[:10]:10}" + "".join(f"{n:9}" for n in row))
    lines += ["", f"calibration of score (P at risk): ECE {ev.ece:.3f}, Brier {ev.brier:.3f}"]
    if ev.ranking:
        lines += [
            "",
            "ranking by score (at risk = ideation+; bootstrap 95% intervals)",
            "  language  n/at risk   ROC AUC               precision at recall 0.95",
        ]
        lines += [format_ranking(lang, m) for lang, m in ev.ranking.items()]
    return "\n".join(lines)


def false_alarms(classifier: SklearnRiskClassifier, texts: Sequence[str]) -> dict[str, Any]:
    """How often text that is not a cry for help is called at risk (ideation or above)."""
    results = predict(classifier, list(texts))
    levels = Counter(level for level, _ in results)
    alarms = sum(1 for level, _ in results if _rank(level) >= 3)
    return {
        "n": len(results),
        "at_risk": alarms,
        "false_alarm_rate": alarms / len(results) if results else 0.0,
        "levels": dict(levels),
    }


TrainFn = Callable[[list[Example]], SklearnRiskClassifier]


def cssrs_cross_validation(
    users: Sequence[CssrsUser],
    base: Iterable[Example],
    train_fn: TrainFn,
    *,
    folds: int = 5,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Five folds over C-SSRS users: train on the corpus plus four fifths of the users, then
    score each held-out user's posts as one long text (windows; the riskiest decides)."""
    base = list(base)
    detector = CueDetector()
    truth: list[str] = []
    predicted: list[str] = []
    users = list(users)
    for k, (fit, held) in enumerate(KFold(folds, shuffle=True, random_state=4).split(users)):
        if progress:
            progress(f"C-SSRS fold {k + 1}/{folds}")
        model = train_fn(base + cssrs_examples([users[i] for i in fit], detector))
        texts = ["\n\n".join(users[i].posts) or "." for i in held]
        for i, (level, _) in zip(held, predict(model, texts), strict=True):
            truth.append(users[i].level)
            predicted.append("intent" if level == "imminent" else level)
    labels = ["discussion", "distress", "ideation", "intent"]
    at_risk = _binary([_rank(t) >= 3 for t in truth], [_rank(p) >= 3 for p in predicted])
    return {
        "users": len(truth),
        "at_risk": at_risk,
        "accuracy": float(np.mean([a == b for a, b in zip(truth, predicted, strict=True)])),
        "levels": _per_level(truth, predicted),
        "confusion": {
            "labels": ["none", *labels],
            "rows_truth_columns_predicted": confusion_matrix(
                truth, predicted, labels=["none", *labels]
            ).tolist(),
        },
    }

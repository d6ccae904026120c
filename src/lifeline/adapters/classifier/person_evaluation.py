"""Measuring the triage model on people (a person's posts scored together, person.py): a
labelled persons file for `lifeline model evaluate --persons`, and the C-SSRS user-level
cross-validation of bench/cssrs.py.

A persons file holds JSON lines `{"id", "language", "level", "at_risk", "posts": [...]}`; a
post is a string or `{"text", "posted_at"}`; `at_risk` may be left out (then it is the level's:
ideation or above). The figures per language: at-risk precision and recall of the person's
level, and ROC AUC and precision at recall 0.95 of the person score (ranking.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from lifeline.adapters.classifier.cues import CueDetector
from lifeline.adapters.classifier.datasets import (
    LEVELS,
    CssrsUser,
    Example,
    cssrs_examples,
    jsonl_records,
)
from lifeline.adapters.classifier.language import LANGUAGES, detect_language
from lifeline.adapters.classifier.person import PersonScorer, PostClassifier
from lifeline.adapters.classifier.ranking import RESAMPLES, format_ranking, ranking
from lifeline.domain.person_risk import InvalidPersonPost, PersonPost, PersonRisk, person_post
from lifeline.domain.risk import RiskLevel

#: people scored per call of the model
BATCH = 32


@dataclass(frozen=True)
class LabelledPerson:
    id: str
    language: str
    level: str
    at_risk: bool
    posts: tuple[PersonPost, ...]


def load_persons(path: Path) -> list[LabelledPerson]:
    """A persons file (see the module docstring); a ValueError names the line and what is wrong."""
    out = []
    for n, r in jsonl_records(path):
        if not isinstance(r, dict) or r.get("level") not in LEVELS:
            raise ValueError(f"{path}:{n}: needs a 'level' in {', '.join(LEVELS)}")
        raw = r.get("posts")
        if not isinstance(raw, list) or not raw:
            raise ValueError(f"{path}:{n}: needs 'posts', a non-empty list")
        posts = tuple(_post(p, f"{path}:{n}", i) for i, p in enumerate(raw))
        at_risk = r.get("at_risk", RiskLevel(r["level"]).at_risk)
        if not isinstance(at_risk, bool):
            raise ValueError(f"{path}:{n}: 'at_risk' must be true or false")
        language = r.get("language") or detect_language(" ".join(p.text for p in posts)[:20_000])
        out.append(LabelledPerson(str(r.get("id", n)), language, r["level"], at_risk, posts))
    return out


def _post(item: Any, where: str, index: int) -> PersonPost:
    """A post of a persons file: a string is its text; an object is checked as `triage
    --jsonl` person lines are (`domain.person_risk.person_post`)."""
    try:
        return person_post({"text": item} if isinstance(item, str) else item, index)
    except InvalidPersonPost as exc:
        raise ValueError(f"{where}: {exc}") from None


def score_people(
    classifier: PostClassifier,
    people: Sequence[Sequence[PersonPost]],
    progress: Callable[[int], None] | None = None,
) -> list[PersonRisk]:
    scorer = PersonScorer(classifier)
    out: list[PersonRisk] = []
    for i in range(0, len(people), BATCH):
        batch = people[i : i + BATCH]
        out.extend(scorer.score_many(batch))
        if progress:
            progress(len(batch))
    return out


def person_figures(
    truth: Sequence[bool], results: Sequence[PersonRisk], *, resamples: int = RESAMPLES
) -> dict[str, Any]:
    """At-risk precision and recall of the persons' levels; ranking of their scores."""
    t = np.asarray(truth, bool)
    called = np.asarray([r.level.at_risk and r.readable_posts > 0 for r in results], bool)
    tp = float((t & called).sum())
    return {
        "n": len(t),
        "level_at_risk_precision": tp / called.sum() if called.sum() else None,
        "level_at_risk_recall": tp / t.sum() if t.sum() else None,
        "ranking": ranking(list(truth), [r.score for r in results], resamples=resamples),
    }


def evaluate_persons(
    classifier: PostClassifier,
    people: Sequence[LabelledPerson],
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    results = score_people(classifier, [p.posts for p in people], progress)
    out: dict[str, Any] = {"n": len(people), "languages": {}}
    for lang in [x for x in (*LANGUAGES, "und") if any(p.language == x for p in people)]:
        idx = [i for i, p in enumerate(people) if p.language == lang]
        out["languages"][lang] = person_figures(
            [people[i].at_risk for i in idx], [results[i] for i in idx]
        )
    out["all"] = person_figures([p.at_risk for p in people], results)
    return out


def format_persons(figures: dict[str, Any]) -> str:
    lines = [
        f"{figures['n']} people (each person's posts scored together)",
        "  language  n/at risk   ROC AUC               precision at recall 0.95",
    ]
    rows = [*figures["languages"].items(), ("all", figures["all"])]
    lines += [format_ranking(lang, m["ranking"]) for lang, m in rows]
    lines.append("level called at risk (ideation+): precision / recall")
    for lang, m in rows:
        p, r = (_figure(m[f"level_at_risk_{k}"]) for k in ("precision", "recall"))
        lines.append(f"  {lang:8} {p} / {r}")
    return "\n".join(lines)


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


TrainFn = Callable[[list[Example]], Any]
#: C-SSRS labels at risk (Ideation, Behavior, Attempt), as Lifeline levels (datasets.py)
CSSRS_AT_RISK = ("ideation", "intent")


def cssrs_person_cross_validation(
    users: Sequence[CssrsUser],
    base: Sequence[Example],
    train_fn: TrainFn,
    *,
    folds: int = 5,
    weight: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """User-level cross-validation: folds of users (stratified by label, seeded), each fold's
    model trained on `base` plus the other folds' users (datasets.cssrs_examples, weights times
    `weight`), each held-out user scored as a person (their post list, person.py)."""
    detector = CueDetector()
    users = list(users)
    labels = [u.level for u in users]
    scored: list[tuple[CssrsUser, PersonRisk]] = []
    splits = StratifiedKFold(folds, shuffle=True, random_state=4).split(users, labels)
    for k, (fit, held) in enumerate(splits):
        if progress:
            progress(f"C-SSRS fold {k + 1}/{folds}")
        extra = [
            replace(e, weight=e.weight * weight)
            for e in cssrs_examples([users[i] for i in fit], detector)
        ]
        model = train_fn([*base, *extra])
        people = [
            [PersonPost(p) for p in users[i].posts if p.strip()] or [PersonPost(".")] for i in held
        ]
        for i, result in zip(held, score_people(model, people), strict=True):
            scored.append((users[i], result))
    truth = [u.level in CSSRS_AT_RISK for u, _ in scored]
    figures = person_figures(truth, [r for _, r in scored])
    by_label: dict[str, list[float]] = {}
    for u, r in scored:
        by_label.setdefault(u.level, []).append(r.score)
    figures["mean_score_by_level"] = {k: float(np.mean(v)) for k, v in sorted(by_label.items())}
    figures["per_user"] = [
        {"user": u.user, "level": u.level, "score": round(r.score, 4), "called": r.level.value}
        for u, r in scored
    ]
    return figures

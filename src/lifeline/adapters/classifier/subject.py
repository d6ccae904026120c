"""The subject head: whose risk a level describes (docs/triage-guide.md, *Subject*), and the
threat rule.

A second multinomial logistic regression on the same rows as the level head (its cue block
carries the subject tags of lexicon.SUBJECT_TAGS: kin and friends in danger, memorials,
helpers, recovery told in the past, lyrics and quotes) gives P(self), P(other), P(general) of
the whole post, in one row as it was trained (a long post's level is decided by its riskiest
window, but "my brother" may be in another). When P(general) is at least GENERAL_GATE and the
deciding window has no cue of an act (ACT_TAGS) the post is about nobody in particular and its
level is the likelier of none and discussion. Otherwise the subject is the likeliest of those
the level allows, the pairs the guide labels: `none` is always `general`; `discussion` is `self`
(a recovery story) or `general`; from `distress` up the risk is a person's, the author's
(`self`) or a particular other person's (`other`).

A first-person threat at others ("मैं तुम सबको यहीं मार डालूँगा", "I'll kill you") is not
intent to die: a window with a `threat` cue and none of the cues of the author's own death
(THREAT_BLOCKERS) is `none`, whatever its score (see docs/model-card.md, failure modes). A
curse (death wished on someone else, the `curse` tag) is not under this rule: its target may be
the author, reporting it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from lifeline.adapters.classifier.cues import Span
from lifeline.domain.risk import Cue, RiskLevel, RiskResult, RiskSubject

#: the subject head's classes, in order
SUBJECTS: tuple[str, ...] = tuple(s.value for s in RiskSubject)
#: the cues shown as `subject_cues` for each subject
SUBJECT_CUE_TAGS: dict[RiskSubject, tuple[str, ...]] = {
    RiskSubject.SELF: ("recovery",),
    RiskSubject.OTHER: ("person", "third_party"),
    RiskSubject.GENERAL: (
        "memorial",
        "helper",
        "quote",
        "news",
        "support",
        "idiom",
        "threat",
        "curse",
    ),
}
#: cues of the author's own death that keep a threat window from being read as `none`
THREAT_BLOCKERS = frozenset({"suicide", "ideation", "attempt", "farewell", "intent"})


#: P(general) from which a post is about nobody in particular whatever its risk words say.
#: 0.5 ("more likely about nobody than not") until 1.0+8a8d5c47, whose held-out split it left at
#: English at-risk recall 0.943 (25 of its 32 misses were gated); of 0.5, 0.6 and 0.7 on that
#: split, 0.6 is the lowest that keeps recall at 0.95 in every language (docs/model-card.md)
GENERAL_GATE = 0.6


#: cues of a person's act (a decision, an act under way, a live video): a window with one is
#: never taken for a post about nobody, whatever the subject head says (missing a person at
#: risk costs more than an operator reading a news report)
ACT_TAGS = frozenset({"intent", "attempt", "live"})
#: cues that together name a particular person's goodbye ("mera bhai phone nahi utha raha,
#: uski last story mein alvida tha"): such a window, unless it is a memorial (RIP, barsi), is
#: never taken for a post about nobody either. Since 1.0+256678c4, whose tenth batch (ordinary
#: chatter about brothers, sisters and phones, `general`) moved the subject head towards
#: `general` for such posts; on the training split's out-of-fold predictions the exemption
#: changed at-risk precision and recall by under 0.001 (docs/model-card.md, *This version*)
PERSON_FAREWELL = frozenset({"person", "farewell"})


def about_nobody(probs: np.ndarray, tags: set[str]) -> bool:
    """The subject head finds `general` likely (P(general) at least GENERAL_GATE;
    probabilities in SUBJECTS order) and the window has no cue of an act (ACT_TAGS) and not a
    particular living person's farewell (PERSON_FAREWELL without `memorial`): the level is
    then the likelier of none and discussion, since only a person is at risk (a news report
    of a method, a memorial's farewell, a helper's "I've been there")."""
    general = float(probs[SUBJECTS.index(RiskSubject.GENERAL.value)])
    farewell = tags >= PERSON_FAREWELL and "memorial" not in tags
    return general >= GENERAL_GATE and not tags & ACT_TAGS and not farewell


def allowed_subjects(level: RiskLevel) -> tuple[RiskSubject, ...]:
    """The subjects a level can go with (the pairs of the corpus)."""
    if level.rank >= RiskLevel.DISTRESS.rank:
        return (RiskSubject.SELF, RiskSubject.OTHER)
    if level is RiskLevel.DISCUSSION:
        return (RiskSubject.SELF, RiskSubject.GENERAL)
    return (RiskSubject.GENERAL,)


def decide_subject(probs: np.ndarray, level: RiskLevel) -> RiskSubject:
    """The likeliest subject (probabilities in SUBJECTS order) that `level` allows."""
    allowed = allowed_subjects(level)
    return max(allowed, key=lambda s: float(probs[SUBJECTS.index(s.value)]))


def subject_cues(spans: Iterable[Span], subject: RiskSubject) -> tuple[Cue, ...]:
    tags = SUBJECT_CUE_TAGS[subject]
    return tuple(Cue(s.tag, s.text, s.start, s.end) for s in spans if s.tag in tags)


def threat_only(tags: set[str]) -> bool:
    """A threat at others with nothing of the author's own death: not suicide risk."""
    return "threat" in tags and not tags & THREAT_BLOCKERS


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return np.asarray(out / out.sum(axis=1, keepdims=True))


def subject_metrics(
    truth: Sequence[str | None],
    predicted: Sequence[str | None],
    first_person: Sequence[bool],
    languages: Sequence[str],
) -> dict[str, Any]:
    """Subject accuracy (overall and per language) and the confusion matrix (rows: truth,
    columns: predicted, in SUBJECTS order) over the examples labelled with a subject, and the
    share of posts not about the author (truth `other` or `general`) that the model called at
    risk as first person (`first_person`: RiskResult.first_person_at_risk)."""
    keep = [i for i, t in enumerate(truth) if t is not None]
    matrix = [[0] * len(SUBJECTS) for _ in SUBJECTS]
    for i in keep:
        p = predicted[i] or RiskSubject.SELF.value
        matrix[SUBJECTS.index(str(truth[i]))][SUBJECTS.index(p)] += 1
    by_language: dict[str, list[bool]] = {}
    for i in keep:
        by_language.setdefault(languages[i], []).append(truth[i] == predicted[i])
    others = [i for i in keep if truth[i] != RiskSubject.SELF.value]
    called = sum(1 for i in others if first_person[i])
    return {
        "n": len(keep),
        "accuracy": sum(truth[i] == predicted[i] for i in keep) / len(keep) if keep else 0.0,
        "accuracy_by_language": {k: sum(v) / len(v) for k, v in sorted(by_language.items())},
        "confusion": {"labels": list(SUBJECTS), "matrix": matrix},
        "not_self": len(others),
        "not_self_called_first_person_at_risk": called / len(others) if others else 0.0,
    }


def subject_metrics_of(examples: Sequence[Any], results: Sequence[RiskResult]) -> dict[str, Any]:
    """`subject_metrics` of labelled examples (datasets.Example) and the classifier's results
    for them, in the same order (evaluation.evaluate scores them once for every figure)."""
    return subject_metrics(
        [e.subject for e in examples],
        [r.subject.value if r.subject else None for r in results],
        [r.first_person_at_risk for r in results],
        [e.language for e in examples],
    )


def format_subjects(metrics: dict[str, Any]) -> str:
    labels = metrics["confusion"]["labels"]
    lines = [
        f"subject ({metrics['n']} labelled): accuracy {metrics['accuracy']:.3f} "
        + " ".join(f"{k} {v:.3f}" for k, v in metrics["accuracy_by_language"].items()),
        "  truth \\ predicted " + " ".join(f"{label:>8}" for label in labels),
    ]
    for label, row in zip(labels, metrics["confusion"]["matrix"], strict=True):
        lines.append(f"  {label:>17} " + " ".join(f"{n:>8}" for n in row))
    lines.append(
        f"  not about the author ({metrics['not_self']}) called first-person at risk: "
        f"{metrics['not_self_called_first_person_at_risk']:.3f}"
    )
    return "\n".join(lines)

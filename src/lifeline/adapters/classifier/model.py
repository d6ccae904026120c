"""The shipped triage model: a skops file holding scikit-learn objects only, loaded with an
explicit list of trusted types (skops refuses anything else; nothing is unpickled).

Scoring: each window of the text gets multinomial logistic-regression probabilities for the six
levels; `score` is P(ideation or above) after Platt calibration fitted on out-of-fold
predictions; the riskiest window decides. A window is at risk when its score reaches the
at-risk threshold of the post's language (`at_risk:hi`, `at_risk:hi-Latn`, `at_risk:en`; plain
`at_risk` for a model without them), and then intent-or-above when P(intent or imminent | at
risk) reaches the `intent` threshold; all were chosen by grouped cross-validation on the
training data only (training.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio

from lifeline.adapters.classifier.cues import VIEW_VERSION, CueDetector, Span, visible
from lifeline.adapters.classifier.features import CUE_FEATURES, Featurizer
from lifeline.adapters.classifier.language import LANGUAGES, detect_language
from lifeline.adapters.classifier.lexicon import LEXICON
from lifeline.adapters.classifier.subject import (
    SUBJECTS,
    about_nobody,
    decide_subject,
    softmax_rows,
    subject_cues,
    threat_only,
)
from lifeline.domain.risk import Cue, RiskLevel, RiskResult, RiskSubject

FORMAT = 1
MODEL_FILE = "data/triage/model.skops"
MAX_TEXT_CHARS = 500_000
#: the only types a model file may contain
TRUSTED_TYPES = [
    "numpy.dtype",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.feature_extraction.text.HashingVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "builtins.dict",
    "builtins.list",
    "builtins.str",
    "builtins.float",
    "builtins.int",
    "builtins.tuple",
]
AT_RISK = ("ideation", "intent", "imminent")
#: the column of P(self) in the subject head's probabilities (subject.SUBJECTS order)
_SELF = SUBJECTS.index(RiskSubject.SELF.value)
DISTRESS = RiskLevel.DISTRESS


class ModelError(Exception):
    """The model file is missing, of another format, or holds untrusted types."""


class UnscorableText(ValueError):
    """Text that cannot be scored: empty, or longer than MAX_TEXT_CHARS."""


def lexicon_digest() -> str:
    """Digest of what decides the cues: the lexicon and the matching view."""
    text = repr((VIEW_VERSION, sorted(LEXICON.items()), CUE_FEATURES))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def default_model_path() -> Path:
    return Path(str(resources.files("lifeline").joinpath(MODEL_FILE)))


@dataclass(frozen=True)
class WindowEvidence:
    """What the model saw in each window of one post, for ranking people (person.py): the
    calibrated P(at risk) before the threshold is folded in (`_risk_score` compresses it
    towards 1 above a low threshold) and P(subject = self) from the subject head (None for a
    model without one). Read-only: the post's level and score are the RiskResult's."""

    probability: tuple[float, ...]
    self_probability: tuple[float, ...] | None


@dataclass(frozen=True)
class Scored:
    level: RiskLevel
    score: float
    window: int


class SklearnRiskClassifier:
    """Implements services.triage.RiskClassifier. Thread-safe once loaded."""

    def __init__(self, bundle: dict[str, Any], detector: CueDetector | None = None) -> None:
        if bundle.get("format") != FORMAT:
            raise ModelError(f"model format {bundle.get('format')!r}, expected {FORMAT}")
        if bundle.get("lexicon") != lexicon_digest():
            raise ModelError(
                "the model was built with another cue lexicon or feature set; "
                "rebuild it with `lifeline model train`"
            )
        self.bundle = bundle
        self._version = str(bundle["version"])
        self.classes = [str(c) for c in bundle["classes"]]
        self.model = bundle["model"]
        self.calibrator = bundle["calibrator"]
        thresholds = bundle["thresholds"]
        self.at_risk_threshold = float(thresholds["at_risk"])
        self.language_thresholds = {
            lang: float(thresholds.get(f"at_risk:{lang}", self.at_risk_threshold))
            for lang in LANGUAGES
        }
        self.intent_threshold = float(thresholds["intent"])
        self.featurizer = Featurizer(
            bundle["char"],
            bundle["word"],
            bundle["char_idf"],
            bundle["word_idf"],
            float(bundle["cue_weight"]),
            detector,
        )
        # LogisticRegression.predict_proba (multinomial: softmax of the linear scores) and the
        # Platt calibrator, evaluated directly: the estimators' per-call input checks cost
        # more than the arithmetic for one post (a test checks both agree)
        self._coef = np.asarray(self.model.coef_, dtype=np.float64)
        self._intercept = np.asarray(self.model.intercept_, dtype=np.float64)
        self._coef_blocks = self._split_blocks(self._coef)
        self._cal_a = float(self.calibrator.coef_[0][0])
        self._cal_b = float(self.calibrator.intercept_[0])
        self._risk = [self.classes.index(c) for c in AT_RISK]
        self._indices = level_indices(self.classes)
        # the subject head (subject.py); None in a model built before subjects
        self.subject_model = bundle.get("subject_model")
        self._subject_blocks: tuple[np.ndarray, ...] | None = None
        if self.subject_model is not None:
            coef = np.asarray(self.subject_model.coef_, dtype=np.float64)
            self._subject_intercept = np.asarray(self.subject_model.intercept_, dtype=np.float64)
            self._subject_blocks = self._split_blocks(coef)

    def _split_blocks(self, coef: np.ndarray) -> tuple[np.ndarray, ...]:
        """A head's weights split as Featurizer.blocks splits the rows (characters, words,
        cues), each transposed for `blocks @ weights`."""
        n_char, n_word = self.featurizer.char.n_features, self.featurizer.word.n_features
        return (
            np.ascontiguousarray(coef[:, :n_char].T),
            np.ascontiguousarray(coef[:, n_char : n_char + n_word].T),
            np.ascontiguousarray(coef[:, n_char + n_word :].T),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> SklearnRiskClassifier:
        path = path or default_model_path()
        if not path.is_file():
            raise ModelError(f"no triage model at {path}; build it with `lifeline model train`")
        untrusted = sio.get_untrusted_types(file=path)
        unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
        if unexpected:
            raise ModelError(f"{path} holds types that are not trusted: {unexpected}")
        bundle = sio.load(path, trusted=untrusted)
        if not isinstance(bundle, dict):
            raise ModelError(f"{path} is not a Lifeline triage model")
        return cls(bundle)

    @property
    def version(self) -> str:
        return self._version

    # -- scoring -------------------------------------------------------------------------
    def probabilities(self, rows: Any) -> tuple[np.ndarray, np.ndarray]:
        """(level probabilities, calibrated at-risk score) for feature rows."""
        return self._from_logits(np.asarray(rows @ self._coef.T) + self._intercept)

    def block_probabilities(
        self, blocks: tuple[Any, Any, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """`probabilities` of the rows whose blocks are `blocks` (Featurizer.blocks)."""
        logits = self._intercept + sum(
            np.asarray(b @ w) for b, w in zip(blocks, self._coef_blocks, strict=True)
        )
        return self._from_logits(logits)

    def _from_logits(self, logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        raw = np.clip(probs[:, self._risk].sum(axis=1), 1e-6, 1 - 1e-6)
        logit = np.log(raw / (1 - raw))
        score = 1.0 / (1.0 + np.exp(-(self._cal_a * logit + self._cal_b)))
        return probs, score

    def threshold_for(self, language: str) -> float:
        return self.language_thresholds.get(language, self.at_risk_threshold)

    def subject_probabilities(self, blocks: tuple[Any, Any, np.ndarray]) -> np.ndarray | None:
        """P(self, other, general) of each row (None for a model without a subject head)."""
        if self._subject_blocks is None:
            return None
        logits = self._subject_intercept + sum(
            np.asarray(b @ w) for b, w in zip(blocks, self._subject_blocks, strict=True)
        )
        return softmax_rows(logits)

    def decide(self, probs: np.ndarray, score: float, language: str | None = None) -> RiskLevel:
        threshold = self.at_risk_threshold if language is None else self.threshold_for(language)
        return decide_level(
            probs, score, threshold, self.intent_threshold, self.classes, self._indices
        )

    def _calm(self, probs: np.ndarray) -> RiskLevel:
        """The likelier of none and discussion: the level of a post about nobody."""
        none, discussion = self._indices.calm[:2]
        return RiskLevel.NONE if probs[none] > probs[discussion] else RiskLevel.DISCUSSION

    def _check(self, text: str) -> None:
        if not isinstance(text, str) or not text.strip():
            raise UnscorableText("text is empty")
        if len(text) > MAX_TEXT_CHARS:
            raise UnscorableText(f"text is longer than {MAX_TEXT_CHARS} characters")

    def classify(self, text: str) -> RiskResult:
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[RiskResult]:
        """Score several texts in one pass (faster per text). Raises UnscorableText if any
        text is empty or too long; check each first when one bad text must not stop a batch."""
        return [result for result, _ in self._classify(texts, evidence=False)]

    def classify_with_evidence(
        self, texts: Sequence[str]
    ) -> list[tuple[RiskResult, WindowEvidence]]:
        """`classify_many`, each result with its windows' evidence (WindowEvidence)."""
        results = self._classify(texts, evidence=True)
        return [(result, seen) for result, seen in results if seen is not None]  # all have it

    def _classify(
        self, texts: Sequence[str], evidence: bool
    ) -> list[tuple[RiskResult, WindowEvidence | None]]:
        """The results, each with its windows' evidence when `evidence` (else None: only
        person scoring reads it, and building it costs time on every post)."""
        for text in texts:
            self._check(text)
        parts = [self.featurizer.text_windows(t) for t in texts]
        if not parts:
            return []
        window_texts = [
            t[w.start : w.end] for t, (wins, _) in zip(texts, parts, strict=True) for w in wins
        ]
        window_spans = [spans for _, per_window in parts for spans in per_window]
        blocks = self.featurizer.blocks(window_texts, window_spans)
        probs, scores = self.block_probabilities(blocks)
        subjects = self.subject_probabilities(blocks)
        whole = self._whole_post_subjects(texts, parts)
        results: list[tuple[RiskResult, WindowEvidence | None]] = []
        offset = 0
        for text, (wins, spans) in zip(texts, parts, strict=True):
            n = len(wins)
            best = offset + int(np.argmax(scores[offset : offset + n]))
            language = detect_language(text[:20_000])
            window = spans[best - offset]
            threshold = self.threshold_for(language)
            level = self.decide(probs[best], float(scores[best]), language)
            tags = {s.tag for s in window}
            if threat_only(tags):
                level = RiskLevel.NONE
            # whose risk it is, read off the whole post (as the head was trained); the act
            # that keeps a post at its level must be in the deciding window
            post_subject = None if subjects is None else whole.get(len(results), subjects[best])
            if (
                post_subject is not None
                and about_nobody(post_subject, tags)
                and level.rank >= DISTRESS.rank
            ):
                level = self._calm(probs[best])
            subject = None if post_subject is None else decide_subject(post_subject, level)
            post_spans = window if n == 1 else sorted(set().union(*spans), key=_by_position)
            result = RiskResult(
                level,
                _risk_score(float(scores[best]), threshold, level),
                language,
                _cues(window),
                self.version,
                subject=subject,
                subject_cues=() if subject is None else subject_cues(post_spans, subject),
            )
            seen = (
                WindowEvidence(
                    tuple(float(x) for x in scores[offset : offset + n]),
                    None
                    if subjects is None
                    else tuple(float(x) for x in subjects[offset : offset + n, _SELF]),
                )
                if evidence
                else None
            )
            results.append((result, seen))
            offset += n
        return results

    def _whole_post_subjects(
        self, texts: Sequence[str], parts: Sequence[tuple[list[Any], list[list[Span]]]]
    ) -> dict[int, np.ndarray]:
        """P(self, other, general) of each post of several windows, read off the whole post
        in one row (the head is trained on whole posts; "my brother" may sit in one window
        and his goodbye in another). A one-window post's row is its window's, so short posts
        cost nothing more."""
        if self._subject_blocks is None:
            return {}
        long = [i for i, (wins, _) in enumerate(parts) if len(wins) > 1]
        if not long:
            return {}
        post_spans = [sorted(set().union(*parts[i][1]), key=_by_position) for i in long]
        blocks = self.featurizer.blocks([texts[i] for i in long], post_spans)
        probs = self.subject_probabilities(blocks)
        assert probs is not None
        return {i: probs[k] for k, i in enumerate(long)}


@dataclass(frozen=True)
class LevelIndices:
    risk: list[int]
    urgent: list[int]
    calm: list[int]


def level_indices(classes: Sequence[str]) -> LevelIndices:
    index = list(classes).index
    return LevelIndices(
        [index(c) for c in AT_RISK],
        [index("intent"), index("imminent")],
        [index(c) for c in ("none", "discussion", "distress")],
    )


def decide_level(
    probs: np.ndarray,
    score: float,
    at_risk: float,
    intent: float,
    classes: Sequence[str],
    idx: LevelIndices,
) -> RiskLevel:
    """The level of one window: at risk when the calibrated score reaches `at_risk`; then
    intent-or-above when P(intent or imminent | at risk) reaches `intent` (imminent when it is
    the likelier of the two); otherwise the likeliest of the three calm levels."""
    if score >= at_risk:
        risk = probs[idx.risk].sum()
        urgent = probs[idx.urgent]
        if risk > 0 and urgent.sum() / risk >= intent:
            return RiskLevel.IMMINENT if urgent[1] >= urgent[0] else RiskLevel.INTENT
        return RiskLevel.IDEATION
    return RiskLevel(classes[idx.calm[int(np.argmax(probs[idx.calm]))]])


def _risk_score(probability: float, threshold: float, level: RiskLevel) -> float:
    """The reported score: the calibrated P(at risk) with the odds of the language's at-risk
    threshold taken as even, so a post is at risk exactly when its score is 0.5 or more and a
    level and its score never disagree (the threshold is where a miss and a false alarm weigh
    the same for the SMC; the order of posts is unchanged). A threat at others (level `none`
    by the threat rule) is held below 0.5."""
    p = min(max(probability, 1e-6), 1 - 1e-6)
    t = min(max(threshold, 1e-6), 1 - 1e-6)
    score = 1.0 / (1.0 + (p / (1 - p)) ** -1 * (t / (1 - t)))
    return min(score, 0.49) if not level.at_risk else max(score, 0.5)


def _cues(spans: list[Span]) -> tuple[Cue, ...]:
    return tuple(Cue(s.tag, s.text, s.start, s.end) for s in visible(spans))


def _by_position(span: Span) -> tuple[int, int, str]:
    return (span.start, span.end, span.tag)

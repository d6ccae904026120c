"""The shipped triage model: a skops file holding scikit-learn objects only, loaded with an
explicit list of trusted types (skops refuses anything else; nothing is unpickled).

Scoring: each window of the text gets multinomial logistic-regression probabilities for the six
levels; `score` is P(ideation or above) after Platt calibration fitted on out-of-fold
predictions; the riskiest window decides. A window is at risk when its score reaches the
`at_risk` threshold, and then intent-or-above when P(intent or imminent | at risk) reaches the
`intent` threshold; both thresholds were chosen by grouped cross-validation on the training data.
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

from lifeline.adapters.classifier.cues import CueDetector, Span, visible
from lifeline.adapters.classifier.features import Featurizer
from lifeline.adapters.classifier.language import detect_language
from lifeline.adapters.classifier.lexicon import LEXICON
from lifeline.services.triage import Cue, RiskLevel, RiskResult

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


class ModelError(Exception):
    """The model file is missing, of another format, or holds untrusted types."""


class UnscorableText(ValueError):
    """Text that cannot be scored: empty, or longer than MAX_TEXT_CHARS."""


def lexicon_digest() -> str:
    return hashlib.sha256(repr(sorted(LEXICON.items())).encode()).hexdigest()[:12]


def default_model_path() -> Path:
    return Path(str(resources.files("lifeline").joinpath(MODEL_FILE)))


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
        self.bundle = bundle
        self._version = str(bundle["version"])
        self.classes = [str(c) for c in bundle["classes"]]
        self.model = bundle["model"]
        self.calibrator = bundle["calibrator"]
        self.at_risk_threshold = float(bundle["thresholds"]["at_risk"])
        self.intent_threshold = float(bundle["thresholds"]["intent"])
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
        self._cal_a = float(self.calibrator.coef_[0][0])
        self._cal_b = float(self.calibrator.intercept_[0])
        self._risk = [self.classes.index(c) for c in AT_RISK]
        self._urgent = [self.classes.index("intent"), self.classes.index("imminent")]
        self._calm = [self.classes.index(c) for c in ("none", "discussion", "distress")]

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
        logits = rows @ self._coef.T + self._intercept
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        raw = np.clip(probs[:, self._risk].sum(axis=1), 1e-6, 1 - 1e-6)
        logit = np.log(raw / (1 - raw))
        score = 1.0 / (1.0 + np.exp(-(self._cal_a * logit + self._cal_b)))
        return probs, score

    def decide(self, probs: np.ndarray, score: float) -> RiskLevel:
        if score >= self.at_risk_threshold:
            risk = probs[self._risk].sum()
            urgent = probs[self._urgent]
            if risk > 0 and urgent.sum() / risk >= self.intent_threshold:
                return RiskLevel.IMMINENT if urgent[1] >= urgent[0] else RiskLevel.INTENT
            return RiskLevel.IDEATION
        calm = probs[self._calm]
        return RiskLevel(self.classes[self._calm[int(np.argmax(calm))]])

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
        for text in texts:
            self._check(text)
        parts = [self.featurizer.text_windows(t) for t in texts]
        if not parts:
            return []
        window_texts = [
            t[w.start : w.end] for t, (wins, _) in zip(texts, parts, strict=True) for w in wins
        ]
        window_spans = [spans for _, per_window in parts for spans in per_window]
        probs, scores = self.probabilities(self.featurizer.rows(window_texts, window_spans))
        results: list[RiskResult] = []
        offset = 0
        for text, (wins, spans) in zip(texts, parts, strict=True):
            n = len(wins)
            best = offset + int(np.argmax(scores[offset : offset + n]))
            level = self.decide(probs[best], float(scores[best]))
            cues = _cues(spans[best - offset])
            language = detect_language(text[:20_000])
            results.append(RiskResult(level, float(scores[best]), language, cues, self.version))
            offset += n
        return results


def _cues(spans: list[Span]) -> tuple[Cue, ...]:
    return tuple(Cue(s.tag, s.text, s.start, s.end) for s in visible(spans))

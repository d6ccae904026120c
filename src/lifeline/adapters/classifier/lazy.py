"""The triage model, loaded on first use and shared by the process.

Loading reads the ~10 MB skops file; commands that never triage (`lifeline users create`)
should not pay for it, and every application in one process (the API, the worker, tests) can
share the same read-only model. The model module itself (numpy, scikit-learn, skops: about 2 s
of imports) is imported on first use too, so importing this one costs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lifeline.domain.risk import RiskResult

if TYPE_CHECKING:
    from lifeline.adapters.classifier.model import SklearnRiskClassifier, WindowEvidence

_LOCK = threading.Lock()
_SHARED: dict[Path, SklearnRiskClassifier] = {}


def shared_classifier(path: Path | None = None) -> SklearnRiskClassifier:
    # heavy (numpy, scikit-learn, skops): imported when a text is first scored, not at start-up
    from lifeline.adapters.classifier.model import (  # noqa: PLC0415
        SklearnRiskClassifier,
        default_model_path,
    )

    path = (path or default_model_path()).resolve()
    model = _SHARED.get(path)
    if model is None:
        with _LOCK:
            model = _SHARED.get(path)
            if model is None:
                model = SklearnRiskClassifier.load(path)
                _SHARED[path] = model
    return model


class LazyRiskClassifier:
    """A `RiskClassifier` that loads the model file when first asked anything."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path

    @property
    def model(self) -> SklearnRiskClassifier:
        return shared_classifier(self.path)

    @property
    def version(self) -> str:
        return self.model.version

    def classify(self, text: str) -> RiskResult:
        return self.model.classify(text)

    def classify_many(self, texts: Sequence[str]) -> list[RiskResult]:
        return self.model.classify_many(texts)

    def classify_with_evidence(
        self, texts: Sequence[str]
    ) -> list[tuple[RiskResult, WindowEvidence]]:
        return self.model.classify_with_evidence(texts)

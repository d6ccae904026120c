"""The C-SSRS user-level cross-validation (person_evaluation.py) with a fake model: each
held-out user is scored as a person from their post list, and never trained on in that fold."""

from __future__ import annotations

from collections.abc import Sequence

from lifeline.adapters.classifier.datasets import CssrsUser, Example
from lifeline.adapters.classifier.person_evaluation import cssrs_person_cross_validation
from lifeline.domain.risk import RiskLevel, RiskResult


class PostByPostModel:
    """Scores a post 0.9 when it says "die", else 0.1; remembers every text it was asked."""

    version = "fake-cv"

    def __init__(self, trained_on: list[Example]) -> None:
        self.trained_on = {e.group for e in trained_on}
        self.asked: list[str] = []

    def classify_many(self, texts: Sequence[str]) -> list[RiskResult]:
        self.asked.extend(texts)
        return [
            RiskResult(
                RiskLevel.IDEATION if "die" in t else RiskLevel.NONE,
                0.9 if "die" in t else 0.1,
                "en",
                (),
                self.version,
            )
            for t in texts
        ]


def test_each_held_out_user_is_scored_as_a_person_by_a_model_that_never_saw_them() -> None:
    users = [
        CssrsUser(f"u{i}", level, tuple(f"{post} ({i})" for post in posts))
        for i, (level, posts) in enumerate(
            [
                ("ideation", ["I want to die", "my day was long", "work again"]),
                ("discussion", ["please talk to someone", "it gets better"]),
            ]
            * 10
        )
    ]
    models: list[PostByPostModel] = []

    def train(examples: list[Example]) -> PostByPostModel:
        models.append(PostByPostModel(examples))
        return models[-1]

    figures = cssrs_person_cross_validation(users, [], train, folds=5)
    assert len(models) == 5 and figures["n"] == 20
    for model in models:
        assert all("\n\n" not in text for text in model.asked)  # posts, not a joined history
        scored = {u.user for u in users if set(u.posts) & set(model.asked)}
        assert not {f"cssrs:{name}" for name in scored} & model.trained_on
    assert figures["ranking"]["roc_auc"] == 1.0
    assert figures["mean_score_by_level"] == {"discussion": 0.1, "ideation": 0.9}
    assert figures["level_at_risk_recall"] == 1.0

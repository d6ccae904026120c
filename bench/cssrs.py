"""C-SSRS at the user level: five-fold cross-validation over the 248 users of the training half
(../shared/data/cssrs/train.csv), each held-out user scored as a PERSON (their post list,
adapters/classifier/person.py), not as one long text. Prints figures and writes
bench/results/cssrs.json; never passes or fails.

    nice -n 10 .venv/bin/python bench/cssrs.py [--data-dir ../shared/data] [--resamples 1000]

Each fold's model is trained on the corpus's training split plus the other folds' users (how a
C-SSRS user enters training: datasets.cssrs_examples), with the shipped model's calibration and
thresholds (training.train(reuse=...): no inner cross-validation, about a minute a fold on
two shared cores). At risk = Ideation, Behavior or Attempt. Figures: ROC AUC of the person
score and at-risk precision at recall 0.95, with seeded bootstrap 95% intervals; the person
level's at-risk precision and recall; the mean person score per label.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from lifeline.adapters.classifier import datasets, training
from lifeline.adapters.classifier.model import SklearnRiskClassifier, default_model_path
from lifeline.adapters.classifier.person_evaluation import cssrs_person_cross_validation

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "cssrs.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=datasets.default_data_dir())
    parser.add_argument("--model", type=Path, default=default_model_path())
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    started = time.perf_counter()
    shipped = SklearnRiskClassifier.load(args.model)
    users = datasets.load_cssrs(args.data_dir)
    base = [e for e in datasets.load_corpus() if e.split == "train"]

    def fit(examples: list[datasets.Example]) -> SklearnRiskClassifier:
        bundle, _ = training.train(examples, reuse=shipped.bundle)
        return training.classifier_from(bundle)

    figures = cssrs_person_cross_validation(
        users, base, fit, weight=training.CSSRS_WEIGHT, progress=print
    )
    r = figures["ranking"]
    out = {
        "python": platform.python_version(),
        "model_version_reused": shipped.version,
        "users": len(users),
        "seconds": round(time.perf_counter() - started, 1),
        "load_average_1min": os.getloadavg()[0],
        **figures,
    }
    print(
        f"C-SSRS, {len(users)} users, 5-fold user-level cross-validation, each user a person:\n"
        f"  ROC AUC {r['roc_auc']:.3f} (95% CI {r['roc_auc_ci95'][0]:.3f}-"
        f"{r['roc_auc_ci95'][1]:.3f})\n"
        f"  at-risk precision at recall {r['recall']:.2f}: {r['precision_at_recall']:.3f} "
        f"(95% CI {r['precision_at_recall_ci95'][0]:.3f}-{r['precision_at_recall_ci95'][1]:.3f})\n"
        f"  level at risk: precision {figures['level_at_risk_precision']:.3f}, recall "
        f"{figures['level_at_risk_recall']:.3f}\n"
        f"  mean person score by label: {figures['mean_score_by_level']}\n"
        f"  {out['seconds']:.0f} s"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

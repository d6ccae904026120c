"""Per-post evidence of the C-SSRS user folds, cached for comparing person rules offline.

The same five stratified user folds as bench/cssrs.py (training half only), each fold's model
trained on the corpus's training split plus the other folds' users with the shipped model's
calibration and thresholds; for every held-out user's post: each window's calibrated P(at risk)
and P(self), the post's level, score, subject and cue kinds, and the same for each sentence of
the post scored on its own. Writes a JSON file (default /tmp/cssrs_evidence.json); never
passes or fails.

    nice -n 10 .venv/bin/python bench/cssrs_evidence.py [--data-dir ../shared/data] [--output F]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sklearn.model_selection import StratifiedKFold

from lifeline.adapters.classifier import datasets, training
from lifeline.adapters.classifier.cues import CueDetector
from lifeline.adapters.classifier.model import SklearnRiskClassifier, default_model_path

SENTENCE = re.compile(r"(?<=[.!?।])\s+|\n+")


def sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in SENTENCE.split(text)) if len(s) >= 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=datasets.default_data_dir())
    parser.add_argument("--model", type=Path, default=default_model_path())
    parser.add_argument("--output", type=Path, default=Path("/tmp/cssrs_evidence.json"))
    args = parser.parse_args()
    started = time.perf_counter()
    shipped = SklearnRiskClassifier.load(args.model)
    users = datasets.load_cssrs(args.data_dir)
    base = [e for e in datasets.load_corpus() if e.split == "train"]
    detector = CueDetector()
    labels = [u.level for u in users]
    out: list[dict[str, Any]] = []
    splits = StratifiedKFold(5, shuffle=True, random_state=4).split(users, labels)
    for k, (fit, held) in enumerate(splits):
        print(f"fold {k + 1}/5", flush=True)
        extra = [
            replace(e, weight=e.weight * training.CSSRS_WEIGHT)
            for e in datasets.cssrs_examples([users[i] for i in fit], detector)
        ]
        bundle, _ = training.train([*base, *extra], reuse=shipped.bundle)
        model = training.classifier_from(bundle)
        for i in held:
            posts = [p for p in users[i].posts if p.strip()] or ["."]
            rows = []
            scored = model.classify_with_evidence(posts)
            for text, (result, seen) in zip(posts, scored, strict=True):
                sents = sentences(text) or [text]
                sent = model.classify_with_evidence(sents)
                rows.append(
                    {
                        "text": text,
                        "level": result.level.value,
                        "score": result.score,
                        "subject": result.subject.value if result.subject else None,
                        "cues": sorted({c.tag for c in result.cues}),
                        "p": list(seen.probability),
                        "self": list(seen.self_probability or ()),
                        "sentences": [
                            {
                                "text": s,
                                "level": r.level.value,
                                "subject": r.subject.value if r.subject else None,
                                "p": max(e.probability),
                                "self": (e.self_probability or (1.0,))[
                                    max(range(len(e.probability)), key=e.probability.__getitem__)
                                ],
                            }
                            for s, (r, e) in zip(sents, sent, strict=True)
                        ],
                    }
                )
            out.append({"user": users[i].user, "level": users[i].level, "fold": k, "posts": rows})
    args.output.write_text(json.dumps(out, ensure_ascii=False))
    print(f"wrote {args.output} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

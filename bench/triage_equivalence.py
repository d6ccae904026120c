"""Equivalence check for the triage model's speed work: every result the same as before.

Scores the whole corpus (src/lifeline/data/triage/corpus.jsonl) and the fresh sets
(tests/data/triage_unseen*.jsonl) with `classify_many` in batches of 256, and also runs the cue
detector alone (all spans, internal tags included), then compares each post with a stored
reference: level, language, visible cues (tag, text, start, end) and detector spans must be
identical, and the score equal to 1e-9.

    .venv/bin/python bench/triage_equivalence.py                   # compare with the reference
    .venv/bin/python bench/triage_equivalence.py --write FILE      # write results of this code
    .venv/bin/python bench/triage_equivalence.py --reference-from main
        # make the reference from another revision's code and model (git archive into a
        # temporary directory, run there), then compare

The stored reference (bench/results/triage-reference.jsonl.gz, 14,941 posts) was made from
main's code before the speed work (at 5907f35, which added fresh set 6). A change to the
lexicon or the model changes results by design: then make the reference again from the
revision before the change being checked (`--reference-from REV`). Posts on one side only
(another revision's fresh sets) are counted, not compared; `--root DIR` reads the posts under
DIR instead (a `git archive` of another revision). Exit status 1 when anything differs;
prints the first differences.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import lifeline
from lifeline.adapters.classifier.cues import CueDetector
from lifeline.adapters.classifier.model import SklearnRiskClassifier

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "bench" / "results" / "triage-reference.jsonl.gz"
SCORE_TOLERANCE = 1e-9
BATCH = 256


def inputs(root: Path) -> list[tuple[str, str]]:
    """(key, text) of every post: the corpus, then each fresh set, in file order."""
    files = [root / "src" / "lifeline" / "data" / "triage" / "corpus.jsonl"]
    files += sorted((root / "tests" / "data").glob("triage_unseen*.jsonl"))
    posts = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if line.strip():
                posts.append((f"{path.name}:{n + 1}", json.loads(line)["text"]))
    return posts


def results(posts: list[tuple[str, str]]) -> Iterator[dict[str, object]]:
    model = SklearnRiskClassifier.load()
    detector = CueDetector()
    for i in range(0, len(posts), BATCH):
        batch = posts[i : i + BATCH]
        scored = model.classify_many([t for _, t in batch])
        for (key, text), r in zip(batch, scored, strict=True):
            yield {
                "key": key,
                "level": str(r.level.value),
                "score": r.score,
                "language": r.language,
                "cues": [[c.tag, c.text, c.start, c.end] for c in r.cues],
                "spans": [[s.tag, s.start, s.end] for s in detector.find(text)],
                "model_version": r.model_version,
            }


def write(path: Path, root: Path) -> None:
    print(f"scoring with {Path(lifeline.__file__).parent}")
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for row in results(inputs(root)):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {path} in {time.perf_counter() - started:.1f} s")


def read(path: Path) -> dict[str, dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {row["key"]: row for row in map(json.loads, f)}


def differences(reference: dict[str, dict[str, object]], root: Path) -> tuple[int, list[str]]:
    """(posts compared, differences). Posts on one side only are counted, not differences: the
    reference may come from a revision with more or fewer fresh sets."""
    diffs: list[str] = []
    compared = unmatched = 0
    for row in results(inputs(root)):
        key = str(row["key"])
        ref = reference.get(key)
        if ref is None:
            unmatched += 1
            continue
        compared += 1
        for field in ("level", "language", "cues", "spans"):
            if row[field] != ref[field]:
                diffs.append(f"{key}: {field} {ref[field]!r} -> {row[field]!r}")
        delta = abs(float(row["score"]) - float(ref["score"]))  # type: ignore[arg-type]
        if delta > SCORE_TOLERANCE:
            diffs.append(f"{key}: score {ref['score']} -> {row['score']} (by {delta:.3g})")
    if unmatched or compared < len(reference):
        print(
            f"not compared: {unmatched} posts without a reference, "
            f"{len(reference) - compared} reference posts not in these files"
        )
    return compared, diffs


def reference_from(rev: str, path: Path) -> None:
    """Run `--write path` with the code, model and data of revision `rev`."""
    with tempfile.TemporaryDirectory(prefix="triage-ref-") as tmp:
        archive = subprocess.run(
            ["git", "archive", rev, "src", "tests/data"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        env = {"PYTHONPATH": str(Path(tmp) / "src"), "PATH": "/usr/bin:/bin"}
        subprocess.run(
            [sys.executable, __file__, "--write", str(path), "--root", tmp], env=env, check=True
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write this code's results to FILE and stop")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="read the corpus and fresh sets under ROOT"
    )
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--reference-from", metavar="REV", help="make the reference from REV")
    parser.add_argument("--show", type=int, default=20, help="differences to print")
    args = parser.parse_args()
    if args.write:
        write(args.write, args.root)
        return 0
    if args.reference_from:
        args.reference = Path(tempfile.mkdtemp(prefix="triage-ref-")) / "reference.jsonl.gz"
        reference_from(args.reference_from, args.reference)
    reference = read(args.reference)
    started = time.perf_counter()
    seen, diffs = differences(reference, args.root)
    if not seen:
        diffs.append("no post in common with the reference")
    print(
        f"{seen} posts compared in {time.perf_counter() - started:.1f} s against "
        f"{len(reference)} in {args.reference}: {len(diffs)} differences"
    )
    for line in diffs[: args.show]:
        print("  " + line)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())

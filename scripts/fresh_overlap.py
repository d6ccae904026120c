"""Check a fresh evaluation set against the whole training corpus before it is used.

    .venv/bin/python scripts/fresh_overlap.py FRESH.jsonl [--write OUT.jsonl] [--mark OUT.jsonl]

A fresh set is written by other hands after the corpus, so a few of its posts can paraphrase
corpus seeds by chance (the same trigram measure, JOIN_SIMILARITY_MORE, that the corpus builder
uses to keep paraphrases out of training: scripts/build_triage_corpus.py). Such a post measures
memory, not generalisation. This prints every fresh post that paraphrases a seed of the
committed corpus (src/lifeline/data/triage/corpus.jsonl, every batch and both splits), with the
seed; --write keeps only the clean posts, --mark keeps them all and gives each paraphrase a
`corpus_overlap` field naming the seed (so the clean posts can be measured apart, as set 7 is).
The training corpus is never changed by a fresh set written later (the builder's guards name
the sets that existed when each batch was written).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import build_triage_corpus as build

CORPUS = build.ROOT / "src" / "lifeline" / "data" / "triage" / "corpus.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fresh", type=Path)
    parser.add_argument("--write", type=Path, help="write the posts that overlap nothing here")
    parser.add_argument("--mark", type=Path, help="write every post, paraphrases marked")
    args = parser.parse_args()
    rows = [
        json.loads(line)
        for line in args.fresh.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    grams = [build._trigrams(r["text"]) for r in rows]
    seeds = [
        json.loads(line)
        for line in CORPUS.read_text(encoding="utf-8").splitlines()
        if '"source": "seed"' in line
    ]
    overlapping: dict[str, str] = {}
    for seed in seeds:
        seed_grams = build._trigrams(seed["text"])
        for row, g in zip(rows, grams, strict=True):
            if (
                row["id"] not in overlapping
                and build._kin(seed["language"], row["language"])
                and build._similar(seed_grams, g)
            ):
                overlapping[row["id"]] = seed["id"]
    for row in rows:
        if row["id"] in overlapping:
            print(f"{row['id']}\tparaphrases {overlapping[row['id']]}\t{row['text'][:80]}")
    print(
        f"{len(overlapping)} of {len(rows)} fresh posts paraphrase a corpus seed "
        f"({len(seeds)} seeds checked)",
        file=sys.stderr,
    )
    if args.write:
        kept = [r for r in rows if r["id"] not in overlapping]
        args.write.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8"
        )
        print(f"wrote {len(kept)} posts to {args.write}", file=sys.stderr)
    if args.mark:
        marked = [
            {**r, "corpus_overlap": overlapping[r["id"]]} if r["id"] in overlapping else r
            for r in rows
        ]
        args.mark.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in marked), encoding="utf-8"
        )
        print(f"wrote {len(marked)} posts to {args.mark}", file=sys.stderr)


if __name__ == "__main__":
    main()

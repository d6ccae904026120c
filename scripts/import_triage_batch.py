"""Bring a batch of posts written by other hands into the triage seeds.

    .venv/bin/python scripts/import_triage_batch.py eighth /work/writing/batch8 \
        [--fresh /work/writing/fresh6]
    .venv/bin/python scripts/import_triage_batch.py ninth /work/writing/batch9/hard-hi \
        /work/writing/batch9/voices-en

reads DIR/{hi,hi-Latn,en}.jsonl of each folder given (one post a line: `text`, `language`,
`level`, `subject`, `voice`; docs/triage-guide.md; a folder may hold only some of the three
languages, but every language needs a file in one of them), checks every line, and writes
the posts under `[HEADING LEVEL]` headings with a `{SUBJECT}` mark each
(scripts/build_triage_corpus.py) to scripts/triage_corpus/HEADING/{hi,hi-Latn,en}.txt, which
the builder reads after the seed files.
A post is struck out (and counted, never written) when it repeats an earlier post, or
paraphrases a post of the fresh evaluation sets: tests/data/triage_unseen*.jsonl and the
JSON-lines files in each --fresh folder (a fresh set not yet committed; the builder's own guard
covers the committed ones again at every build). The voice is kept as a comment line before the
post. Posts are written as one line (newlines become " / ").
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

# the corpus builder, beside this script (a script's own folder is on sys.path when it runs)
import build_triage_corpus as build

from lifeline.adapters.classifier.datasets import jsonl_records


def read_posts(
    path: Path, language: str, levels: tuple[str, ...], subjects: tuple[str, ...]
) -> list[dict[str, str]]:
    posts = []
    try:
        records = list(jsonl_records(path))
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    for n, post in records:
        if not isinstance(post, dict):
            raise SystemExit(f"{path}:{n}: not an object")
        text = post.get("text")
        if not isinstance(text, str) or not text.strip():
            raise SystemExit(f"{path}:{n}: no 'text'")
        if post.get("level") not in levels:
            raise SystemExit(f"{path}:{n}: 'level' {post.get('level')!r} is not one of {levels}")
        if post.get("subject") not in subjects:
            raise SystemExit(
                f"{path}:{n}: 'subject' {post.get('subject')!r} is not one of {subjects}"
            )
        if post.get("language", language) != language:
            raise SystemExit(
                f"{path}:{n}: 'language' {post.get('language')!r} in the {language} file"
            )
        one_line = " / ".join(part.strip() for part in text.strip().splitlines() if part.strip())
        posts.append({**post, "text": one_line, "line": str(n)})
    return posts


def fresh_from(folders: list[Path]) -> dict[str, tuple[str, set[str]]]:
    fresh: dict[str, tuple[str, set[str]]] = build.fresh_posts("triage_unseen*.jsonl")
    for folder in folders:
        for path in sorted(folder.glob("*.jsonl")):
            for n, r in jsonl_records(path):
                language = r.get("language") or path.stem
                fresh[f"{folder.name}/{path.name}:{n}"] = (language, build._trigrams(r["text"]))
    return fresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("heading", help="the batch's heading word, e.g. eighth")
    parser.add_argument("folder", type=Path, nargs="+", help="one or more batch folders")
    parser.add_argument("--fresh", type=Path, action="append", default=[])
    args = parser.parse_args()
    if args.heading not in {b[0] for b in build.LATE_BATCHES}:
        raise SystemExit(f"add {args.heading!r} to LATE_BATCHES in build_triage_corpus.py first")
    fresh = fresh_from(args.fresh)
    out_dir = build.SOURCES / args.heading
    out_dir.mkdir(exist_ok=True)
    seen: set[str] = set()
    for language in build.LANGUAGES:
        files = [
            f / f"{language}.jsonl" for f in args.folder if (f / f"{language}.jsonl").is_file()
        ]
        if not files:
            raise SystemExit(f"no {language}.jsonl in {', '.join(str(f) for f in args.folder)}")
        posts = [
            post
            for path in files
            for post in read_posts(path, language, build.LEVELS, build.SUBJECTS)
        ]
        struck: Counter[str] = Counter()
        lines = [
            f"# {args.heading} batch, {language}: written by other hands from docs/triage-guide.md "
            f"(scripts/import_triage_batch.py)"
        ]
        for level in build.LEVELS:
            lines += ["", f"[{args.heading} {level}]"]
            for post in (p for p in posts if p["level"] == level):
                key = post["text"].casefold()
                if key in seen:
                    struck["repeated"] += 1
                    continue
                seen.add(key)
                if build.fresh_paraphrased(language, post["text"], fresh):
                    struck["paraphrases a fresh post"] += 1
                    continue
                if post.get("voice"):
                    lines.append(f"# voice: {' '.join(str(post['voice']).split())}")
                text = post["text"]
                if text.startswith("# "):
                    text = "#" + text[2:]  # a post, not a comment line
                lines.append(f"{text} {{{post['subject']}}}")
        (out_dir / f"{language}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        kept = sum(1 for line in lines if line.endswith("}"))
        print(f"{language}: {kept} posts kept, struck out {dict(struck)}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Labelled examples for training and evaluation: the project's corpus, the Reddit C-SSRS posts,
RTP-LX Hindi (false-alarm control), and JSON-lines files given to `lifeline model evaluate`.

Nothing here is shipped data except the corpus: C-SSRS and RTP-LX are read from where they
lie (by default ../shared/data next to the repository) when the model is built or evaluated.
"""

from __future__ import annotations

import ast
import csv
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lifeline.adapters.classifier.cues import CueDetector
from lifeline.adapters.classifier.features import windows
from lifeline.adapters.classifier.language import ENGLISH, detect_language
from lifeline.domain.risk import RiskLevel, RiskSubject

CORPUS = "data/triage/corpus.jsonl"
#: the domain's levels in order, as plain strings: the model's classes (a model file holds
#: only trusted built-in types)
LEVELS = tuple(level.value for level in RiskLevel)
#: the subjects in the order of the subject head's classes
SUBJECTS = tuple(subject.value for subject in RiskSubject)

#: C-SSRS user labels → Lifeline levels (README of the data set)
CSSRS_LEVELS = {
    "Supportive": "discussion",
    "Indicator": "distress",
    "Ideation": "ideation",
    "Behavior": "intent",
    "Attempt": "intent",
}
#: the data set's authors replaced some everyday words with medical concepts; undo the
#: commonest so the model does not learn "Tired" or "Asthenia" as risk words
CSSRS_UNDO = [
    ("Ventricular Dysfunction, Left", "left"),
    ("Hyperactive behavior", "like"),
    ("Irritable Mood", "mean"),
    ("Chest Pain", "hurt"),
    ("Abnormal dreams", "strange"),
    ("Abnormal behavior", "weird"),
    ("Phobia, Social", "social"),
    ("Asthenia", "week"),
    ("Tired", "very"),
    ("Pain", "hurt"),
    ("Ache", "pain"),
    ("Exhaustion", "exhausted"),
    ("Hypersomnia", "sleep"),
]
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
#: per C-SSRS user, at most this many windows are used for training
CSSRS_WINDOWS_PER_USER = 4
_RISK_TAGS = {
    "discussion": ("suicide", "support", "third_party", "ideation"),
    "distress": ("hopelessness", "ideation", "negation"),
    "ideation": ("ideation", "suicide", "hopelessness"),
    "intent": ("intent", "attempt", "method", "suicide", "farewell"),
}


@dataclass(frozen=True)
class Example:
    text: str
    level: str
    language: str
    group: str
    split: str = "train"
    source: str = "corpus"
    weight: float = 1.0
    #: whose risk `level` describes (self, other, general); None when the data does not say
    subject: str | None = None


def default_data_dir() -> Path:
    """../shared/data beside the repository (where the project's build data lies)."""
    return Path(__file__).resolve().parents[4].parent / "shared" / "data"


def load_corpus(path: Path | None = None) -> list[Example]:
    if path is None:
        text = resources.files("lifeline").joinpath(CORPUS).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        if line.strip():
            r = json.loads(line)
            out.append(
                Example(
                    r["text"],
                    r["level"],
                    r["language"],
                    r["family"],
                    r["split"],
                    "corpus",
                    subject=r.get("subject"),
                )
            )
    return out


def corpus_groups(path: Path | None = None) -> dict[str, str]:
    """Text -> seed group id (`language:level:NNN`, or `mNNN`/`pNNN`/`vNNN` for later batches)."""
    if path is None:
        text = resources.files("lifeline").joinpath(CORPUS).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line.strip():
            r = json.loads(line)
            out[r["text"]] = r["group"]
    return out


def jsonl_records(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) of each non-blank line of a JSON-lines file; a ValueError
    names the line that is not JSON."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None


def load_jsonl(path: Path, *, split: str | None = None) -> list[Example]:
    """A labelled JSON-lines file: {"text", "level"} and optionally "language", "group",
    "subject" and "split" (only lines of `split` are kept when it is given)."""
    out = []
    for n, r in jsonl_records(path):
        if split is not None and r.get("split") != split:
            continue
        if r.get("level") not in LEVELS or not isinstance(r.get("text"), str):
            raise ValueError(f"{path}:{n}: needs a 'text' and a 'level' in {', '.join(LEVELS)}")
        subject = r.get("subject")
        if subject is not None and subject not in SUBJECTS:
            raise ValueError(f"{path}:{n}: 'subject' must be one of {', '.join(SUBJECTS)}")
        language = r.get("language") or detect_language(r["text"])
        group = str(r.get("family") or r.get("group") or n)
        out.append(
            Example(r["text"], r["level"], language, group, "test", path.name, subject=subject)
        )
    return out


def _cssrs_posts(cell: str) -> list[str]:
    try:
        value = ast.literal_eval(cell)
        return [str(p) for p in value]
    except (ValueError, SyntaxError):  # a few rows are cut off mid-string
        return [a or b for a, b in _QUOTED.findall(cell)]


def clean_cssrs(text: str) -> str:
    for concept, word in CSSRS_UNDO:
        text = text.replace(concept, word)
    return text


@dataclass(frozen=True)
class CssrsUser:
    user: str
    level: str
    posts: tuple[str, ...]


def load_cssrs(data_dir: Path) -> list[CssrsUser]:
    path = data_dir / "cssrs" / "train.csv"
    csv.field_size_limit(10**8)
    users = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            posts = tuple(clean_cssrs(p) for p in _cssrs_posts(row["Post"]) if p.strip())
            users.append(CssrsUser(row["User"], CSSRS_LEVELS[row["Label"]], posts))
    return users


def cssrs_examples(users: list[CssrsUser], detector: CueDetector) -> list[Example]:
    """Training windows from C-SSRS users. The label is per user, not per post, so each user
    gives the few windows that carry most of the cues their label implies (the rest of an
    at-risk user's posts are often off-topic), labelled with the user's level."""
    out: list[Example] = []
    rng = random.Random(7)
    for user in users:
        tags = _RISK_TAGS[user.level]
        scored = []
        for post in user.posts:
            spans = detector.find(post)
            for w in windows(post):
                inside = [s for s in spans if s.start >= w.start and s.end <= w.end]
                hits = sum(1 for s in inside if s.tag in tags)
                scored.append((hits, rng.random(), post[w.start : w.end]))
        scored.sort(reverse=True)
        chosen = [t for hits, _, t in scored if hits > 0 or user.level == "discussion"]
        weight = 1.0 / max(1, min(len(chosen), CSSRS_WINDOWS_PER_USER)) ** 0.5
        for text in chosen[:CSSRS_WINDOWS_PER_USER]:
            out.append(
                Example(
                    text,
                    user.level,
                    ENGLISH,
                    f"cssrs:{user.user}",
                    "train",
                    "cssrs",
                    weight,
                    # Supportive users write to others; the rest about themselves
                    "general" if user.level == "discussion" else "self",
                )
            )
    return out


def load_rtp_lx(data_dir: Path) -> Iterator[str]:
    path = data_dir / "rtp-lx-hindi" / "RTP_LX_HI.json"
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                prompt = json.loads(line).get("Prompt", "")
                if prompt.strip():
                    yield prompt

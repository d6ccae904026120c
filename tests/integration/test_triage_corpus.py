"""The committed triage corpus is what scripts/build_triage_corpus.py builds, and its split
does not leak (a family — a seed, its variants, translations and rewrites — is in one split)."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "src" / "lifeline" / "data" / "triage" / "corpus.jsonl"


def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_triage_corpus", ROOT / "scripts" / "build_triage_corpus.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def records() -> list[dict[str, str]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def test_the_committed_corpus_is_what_the_script_builds(records: list[dict[str, str]]) -> None:
    assert builder().build() == records


def test_a_family_and_its_text_stay_in_one_split(records: list[dict[str, str]]) -> None:
    splits: dict[str, set[str]] = {}
    for r in records:
        splits.setdefault(r["family"], set()).add(r["split"])
        splits.setdefault("group:" + r["group"], set()).add(r["split"])
    for r in records:  # a text written twice (say once in capitals) also stays in one split
        splits.setdefault("text:" + r["text"].casefold(), set()).add(r["split"])
    assert all(len(s) == 1 for s in splits.values())
    assert len({r["text"] for r in records}) == len(records)


def test_the_corpus_is_large_and_balanced(records: list[dict[str, str]]) -> None:
    cells = Counter((r["language"], r["level"]) for r in records)
    assert len(records) >= 4000
    # 0.4: the threats, everyday, ninth and tenth batches are mostly hard negatives by design
    # (threats, abuse and curses at others, results day, ordinary first-person chatter), so
    # `none` is the largest cell (about twice the smallest in hi and hi-Latn)
    assert len(cells) == 18 and min(cells.values()) >= 0.4 * max(cells.values())
    assert 0.15 <= sum(r["split"] == "test" for r in records) / len(records) <= 0.25


FRESH_SETS = [
    "triage_unseen.jsonl",
    "triage_unseen_2.jsonl",
    "triage_unseen_3.jsonl",
    "triage_unseen_4.jsonl",
    "triage_unseen_5.jsonl",
]


@pytest.mark.parametrize("name", FRESH_SETS)
def test_the_fresh_posts_are_labelled_balanced_and_never_trained_on(
    records: list[dict[str, str]], name: str
) -> None:
    path = ROOT / "tests" / "data" / name
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    cells = Counter((r["language"], r["level"]) for r in rows)
    assert len(cells) == 18 and len(set(cells.values())) == 1
    corpus = {r["text"].casefold() for r in records}
    assert not any(r["text"].casefold() in corpus for r in rows)


@pytest.mark.parametrize(
    "name",
    [
        "triage_unseen_6.jsonl",
        "triage_unseen_7.jsonl",
        "triage_unseen_8.jsonl",
        "triage_unseen_9.jsonl",
    ],
)
def test_the_sets_with_subjects_cover_every_language_level_and_subject_and_are_never_trained_on(
    records: list[dict[str, str]], name: str
) -> None:
    """Sets 6 to 9 (other hands, with subjects) weigh the voices around suicide, so they are
    not balanced by level: every language has every level, and all three subjects."""
    path = ROOT / "tests" / "data" / name
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len({(r["language"], r["level"]) for r in rows}) == 18
    assert {(r["language"], r["subject"]) for r in rows} == {
        (lang, subject)
        for lang in ("hi", "hi-Latn", "en")
        for subject in ("self", "other", "general")
    }
    corpus = {r["text"].casefold() for r in records}
    assert not any(r["text"].casefold() in corpus for r in rows)


def test_no_seed_of_the_fifth_batch_on_paraphrases_a_fresh_post_it_was_guarded_by(
    records: list[dict[str, str]],
) -> None:
    """Each guarded batch is checked against the fresh sets that existed when it was written
    (its guard in LATE_BATCHES): the fifth to seventh against sets 1-5, the threats and eighth
    against sets 1-6, the everyday and ninth against sets 1-7, the tenth against sets 1-8. A
    fresh set written later is not allowed to change an older batch; its posts that paraphrase
    older seeds are counted in the model card instead."""
    build = builder()
    guards = {b[1]: b[3] for b in build.LATE_BATCHES if b[3]}
    assert list(guards) == ["f", "s", "e", "t", "h", "y", "n", "x"]
    fresh = {letter: build.fresh_posts(*patterns) for letter, patterns in guards.items()}
    assert len(fresh["h"]) >= sum(
        len((ROOT / "tests" / "data" / n).read_text(encoding="utf-8").splitlines())
        for n in [*FRESH_SETS, "triage_unseen_6.jsonl"]
    )
    assert len(fresh["n"]) == len(fresh["h"]) + len(
        (ROOT / "tests" / "data" / "triage_unseen_7.jsonl").read_text(encoding="utf-8").splitlines()
    )
    assert len(fresh["x"]) == len(fresh["n"]) + len(
        (ROOT / "tests" / "data" / "triage_unseen_8.jsonl").read_text(encoding="utf-8").splitlines()
    )
    seeds = [
        r for r in records if r["source"] == "seed" and r["group"].rsplit(":", 1)[1][0] in guards
    ]
    assert len(seeds) > 1000
    for r in seeds:
        guard = fresh[r["group"].rsplit(":", 1)[1][0]]
        post = build.fresh_paraphrased(r["language"], r["text"], guard)
        assert post is None, f"{r['id']} paraphrases {post}"


def test_every_post_has_a_subject_that_goes_with_its_level(
    records: list[dict[str, str]],
) -> None:
    pairs = Counter((r["subject"], r["level"]) for r in records)
    assert {s for s, _ in pairs} == {"self", "other", "general"}
    # none is nobody's; other is a person at some risk; discussion is general or a recovery
    assert not [p for p in pairs if p[1] == "none" and p[0] != "general"]
    assert not [p for p in pairs if p[0] == "other" and p[1] in ("none", "discussion")]
    assert not [p for p in pairs if p[0] == "general" and p[1] not in ("none", "discussion")]
    assert pairs[("other", "imminent")] >= 50 and pairs[("self", "discussion")] >= 50


def test_a_mark_relabels_a_seed_without_moving_its_family(tmp_path: Path) -> None:
    build = builder()
    seeds = tmp_path / "en.txt"
    seeds.write_text(
        "[level discussion]\n"
        "RIP bro, gone too soon\n"
        "my brother posted goodbye and isn't answering {other imminent}\n"
        "[eighth discussion self]\n"
        "two years ago I was suicidal, today I'm a nurse\n",
        encoding="utf-8",
    )
    marks = build.parse_marks(seeds)
    assert build.parse_sources(seeds)["level:discussion"][1] == (
        "my brother posted goodbye and isn't answering"
    )
    labels = build.seed_labels({"en": marks})
    assert labels["en:discussion:000"] == ("discussion", "general")
    assert labels["en:discussion:001"] == ("imminent", "other")
    assert labels["en:discussion:h000"] == ("discussion", "self")
    seeds.write_text("[level intent]\nsomething {someone intent}\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="a mark is"):
        build.parse_marks(seeds)

"""`lifeline triage --jsonl` with person lines `{"id", "posts": [{"text", "posted_at"}]}` (the
shipped model, no database), and `lifeline model evaluate --persons` / ranking figures."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lifeline.cli import app

RUNNER = CliRunner()


def run(*lines: object) -> list[dict[str, object]]:
    data = b"".join(
        (line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in lines
    )
    result = RUNNER.invoke(app, ["triage", "--jsonl"], input=data)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_persons_posts_are_scored_together_in_time_order() -> None:
    person = {
        "id": "u1",
        "posts": [
            {"text": "aaj raat pankhe se latak jaunga", "posted_at": "2026-12-05T22:00:00Z"},
            {"text": "aaj ka match bahut accha tha", "posted_at": "2026-12-01T10:00:00+05:30"},
            {"text": "sab khatam ho gaya, koi nahi samajhta", "posted_at": "2026-12-03T10:00:00Z"},
        ],
    }
    [row] = run(person)
    assert row["id"] == "u1" and row["level"] == "imminent"
    assert row["riskiest_post"] == 0  # the index as given, not in time order
    assert row["latest_at"] == "2026-12-05T22:00:00+00:00"
    assert row["riskiest_at"] == "2026-12-05T22:00:00+00:00"
    assert row["trend"] == "rising"  # the newest post is the riskiest
    assert row["posts"] == 3 and row["first_person_at_risk"] == 1
    assert any(c["tag"] == "time" and c["text"] == "aaj raat" for c in row["cues"])
    assert 0.0 < row["score"] < 1.0 and row["model_version"]
    assert {"subject", "riskiest_score", "third_party"} <= set(row)


def test_person_and_post_lines_mix_and_keep_their_order() -> None:
    rows = run(
        {"id": "a", "text": "I want to die"},
        {"id": "b", "posts": [{"text": "mar gaya hasi se 😂"}, {"text": "[video]"}]},
        {"id": "c", "text": "this exam is killing me lol"},
    )
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert "language" in rows[0] and "trend" in rows[1] and "language" in rows[2]
    assert rows[1]["level"] not in {"ideation", "intent", "imminent"}
    assert rows[1]["readable_posts"] == 1


def test_a_bad_post_names_its_index_and_the_batch_goes_on() -> None:
    rows = run(
        {"id": "p", "posts": [{"text": "ok"}, {"text": "   "}]},
        {"id": "q", "posts": [{"text": "ok"}, {"text": "hi", "posted_at": "yesterday"}]},
        {"id": "r", "posts": [{"text": "ok", "posted_at": "2026-12-01T10:00:00"}]},
        {"id": "s", "posts": []},
        {"id": "t", "posts": ["just a string"]},
        {"id": "u", "text": "x", "posts": [{"text": "y"}]},
        {"id": "v", "posts": [{"text": "I want to die"}]},
    )
    assert rows[0]["error"]["code"] == "invalid_post" and rows[0]["post"] == 1
    assert "post 1: text is empty" in rows[0]["error"]["message"]
    assert rows[1]["post"] == 1 and "not ISO 8601" in rows[1]["error"]["message"]
    assert rows[2]["post"] == 0 and "no UTC offset" in rows[2]["error"]["message"]
    assert rows[3]["error"]["code"] == "invalid_posts"
    assert rows[4]["post"] == 0 and rows[4]["error"]["code"] == "invalid_post"
    assert rows[5]["error"]["code"] == "text_and_posts"
    assert rows[6]["id"] == "v" and rows[6]["level"] == "ideation"
    assert all(r["line"] == n for n, r in enumerate(rows[:6], 1))


def test_model_evaluate_reports_ranking_per_language_and_people(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        "\n".join(
            json.dumps({"text": t, "level": lv}, ensure_ascii=False)
            for t, lv in [
                ("I want to die", "ideation"),
                ("aaj raat pankhe se latak jaunga", "imminent"),
                ("dying to see the new Marvel movie", "none"),
                ("mar gaya hasi se 😂", "none"),
                ("मन करता है मर जाऊं", "ideation"),
                ("ये गर्मी मेरी जान ले लेगी यार", "none"),
            ]
        ),
        encoding="utf-8",
    )
    people = tmp_path / "people.jsonl"
    people.write_text(
        "\n".join(
            json.dumps(p, ensure_ascii=False)
            for p in [
                {
                    "id": "1",
                    "language": "en",
                    "level": "ideation",
                    "at_risk": True,
                    "posts": ["nice weather today", {"text": "I want to die"}],
                },
                {
                    "id": "2",
                    "language": "en",
                    "level": "none",
                    "at_risk": False,
                    "posts": ["dying to see the new Marvel movie", "pizza tonight"],
                },
            ]
        ),
        encoding="utf-8",
    )
    result = RUNNER.invoke(
        app, ["model", "evaluate", "--data", str(posts), "--persons", str(people), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    en = data["ranking"]["en"]
    assert en["n"] == 2 and en["roc_auc"] == 1.0 and en["precision_at_recall"] == 1.0
    assert len(en["roc_auc_ci95"]) == 2 and en["resamples"] == 1000
    assert set(data["ranking"]) == {"hi", "hi-Latn", "en", "all"}
    persons = data["persons"]
    assert persons["n"] == 2 and persons["all"]["ranking"]["roc_auc"] == 1.0
    assert persons["all"]["level_at_risk_recall"] == 1.0
    text = RUNNER.invoke(app, ["model", "evaluate", "--persons", str(people)])
    assert text.exit_code == 0 and "precision at recall 0.95" in text.stdout


def test_model_evaluate_names_a_bad_persons_line(tmp_path: Path) -> None:
    people = tmp_path / "people.jsonl"
    people.write_text('{"id": "1", "level": "ideation", "posts": []}\n', encoding="utf-8")
    result = RUNNER.invoke(app, ["model", "evaluate", "--persons", str(people), "--json"])
    assert result.exit_code == 1
    assert "people.jsonl:1: needs 'posts'" in json.loads(result.stdout)["error"]["message"]
    nothing = RUNNER.invoke(app, ["model", "evaluate", "--json"])
    assert nothing.exit_code == 1 and "--persons" in json.loads(nothing.stdout)["error"]["message"]

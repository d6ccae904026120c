"""`lifeline triage --json / --jsonl` and `lifeline model evaluate` (no database needed)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lifeline.cli import app

RUNNER = CliRunner()


def test_triage_json_prints_one_result() -> None:
    result = RUNNER.invoke(app, ["triage", "--json", "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["level"] == "imminent" and data["language"] == "hi"
    assert set(data) == {
        "level",
        "score",
        "language",
        "cues",
        "model_version",
        "readable",
        "unreadable",
        "subject",
        "subject_cues",
    }
    assert data["readable"] is True and data["unreadable"] is None
    assert data["subject"] == "self" and data["score"] >= 0.5
    assert 0.0 <= data["score"] <= 1.0


def test_triage_json_refuses_empty_text() -> None:
    result = RUNNER.invoke(app, ["triage", "--json", "  "])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["message"] == "text is empty"


def test_triage_jsonl_scores_good_lines_and_reports_bad_ones() -> None:
    lines = [
        json.dumps({"id": "a", "text": "mar gaya hasi se 😂"}).encode(),
        b"this is not json",
        json.dumps({"id": "b", "text": "abhi zeher kha liya hai alvida"}).encode(),
        b'{"id": "c", "text": "\xff\xfe broken"}',
        json.dumps({"id": "d"}).encode(),
        json.dumps({"id": "e", "text": ""}).encode(),
        json.dumps({"id": 6, "text": "I want to die"}, ensure_ascii=False).encode(),
    ]
    result = RUNNER.invoke(app, ["triage", "--jsonl"], input=b"\n".join(lines) + b"\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(lines)
    assert rows[0]["id"] == "a" and rows[0]["level"] not in {"ideation", "intent", "imminent"}
    assert rows[1]["error"]["code"] == "invalid_json" and rows[1]["line"] == 2
    assert rows[2]["id"] == "b" and rows[2]["level"] == "imminent"
    assert rows[3]["error"]["code"] == "invalid_utf8"
    assert rows[4] == {"id": "d", "line": 5, "error": rows[4]["error"]}
    assert rows[4]["error"]["code"] == "missing_text"
    assert rows[5]["error"]["code"] == "empty_text"
    assert rows[6]["id"] == 6 and "level" in rows[6]
    assert rows[2]["subject"] == "self" and rows[0]["subject"] == "general"


def test_a_post_the_model_cannot_read_is_unreadable_not_none() -> None:
    result = RUNNER.invoke(app, ["triage", "--json", "[वीडियो]"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["readable"] is False and data["unreadable"] == "video"
    assert data["level"] is None and data["score"] is None
    lines = [
        json.dumps({"id": "a", "text": "I am so tired of everything"}).encode(),
        json.dumps({"id": "b", "text": "[live video]"}).encode(),
        json.dumps({"id": "c", "text": "😭😭 https://fb.watch/x"}).encode(),
        json.dumps({"id": "d", "text": "bas ab aur nahi"}).encode(),
    ]
    result = RUNNER.invoke(app, ["triage", "--jsonl"], input=b"\n".join(lines) + b"\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", "d"]  # input order kept
    assert [o["unreadable"] for o in out] == [None, "live video", "link only", None]
    assert out[0]["level"] is not None and out[1]["level"] is None


def test_model_evaluate_prints_metrics_for_a_labelled_file(tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    rows = [
        {"text": "aaj raat pankhe se latak jaunga", "level": "imminent"},
        {"text": "this exam is killing me lol", "level": "none"},
        {"text": "मन करता है मर जाऊं", "level": "ideation"},
    ]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    result = RUNNER.invoke(app, ["model", "evaluate", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 3
    assert set(report["languages"]) == {"hi", "hi-Latn", "en"}
    assert len(report["confusion"]["rows_truth_columns_predicted"]) == 6
    assert 0.0 <= report["calibration"]["ece"] <= 1.0


def test_model_evaluate_reports_subjects_when_the_file_has_them(tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    rows = [
        {"text": "aaj raat pankhe se latak jaunga", "level": "imminent", "subject": "self"},
        {
            "text": "my brother posted goodbye on his story and isn't answering, please help",
            "level": "imminent",
            "subject": "other",
        },
        {"text": "RIP bhai, tumne aisa kyun kiya 🙏", "level": "discussion", "subject": "general"},
    ]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    result = RUNNER.invoke(app, ["model", "evaluate", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    subject = json.loads(result.stdout)["subject"]
    assert subject["n"] == 3 and subject["confusion"]["labels"] == ["self", "other", "general"]
    assert sum(map(sum, subject["confusion"]["matrix"])) == 3
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "x", "level": "none", "subject": "me"}) + "\n")
    result = RUNNER.invoke(app, ["model", "evaluate", "--data", str(bad), "--json"])
    assert result.exit_code == 1
    assert "'subject' must be one of self, other, general" in result.stdout

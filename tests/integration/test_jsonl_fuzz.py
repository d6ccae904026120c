"""Fuzzing the JSON-lines readers of the CLI (`lifeline locate --jsonl`, `lifeline triage
--jsonl`): whatever lines arrive, each non-blank line gets exactly one output line, in order;
a line that holds a JSON object keeps its `id` in the answer; a bad line gets an error object
naming the problem; the command never ends in a traceback.

Crashes this found, kept below as a named regression test: a line that is not UTF-8 stopped
`locate --jsonl` with UnicodeDecodeError (every later line lost); deep nesting stopped
`triage --jsonl` with RecursionError, and a number too long for Python (5,000 digits) with
ValueError; NaN and Infinity coordinates reached the resolver.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from lifeline.cli import app

RUNNER = CliRunner()
IDS = (
    st.none()
    | st.integers(-(10**20), 10**20)
    | st.text(max_size=20)
    | st.sampled_from(["\ud800", "a\x00b", "आईडी-1", ""])
    | st.lists(st.integers(), max_size=3)
)
TEXTS = st.text(max_size=120) | st.sampled_from(
    ["Madeyganj, Lucknow", "आज मैं आत्महत्या कर रहा हूं", "\x00", "\ud800\udfff", " "]
)
NUMBERS = (
    st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(-(10**30), 10**30)
    | st.sampled_from(["north", "26.85", "", True, None, [1]])
)


@st.composite
def object_lines(draw: st.DrawFn) -> bytes:
    data: dict[str, Any] = {"id": draw(IDS)} if draw(st.booleans()) or True else {}
    for key, values in (
        ("text", TEXTS | NUMBERS),
        ("lat", NUMBERS),
        ("lon", NUMBERS),
        ("pin", TEXTS | NUMBERS),
        ("phone", TEXTS),
        ("ip_city", TEXTS),
    ):
        if draw(st.booleans()):
            data[key] = draw(values)
    if draw(st.booleans()):
        data[draw(st.text(max_size=5))] = draw(TEXTS)
    ascii_only = draw(st.booleans())
    try:
        return json.dumps(data, ensure_ascii=ascii_only).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: only escaped JSON can carry it
        return json.dumps(data).encode("utf-8")


OTHER_LINES = st.one_of(
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" ")),
    st.integers(900, 3000).map(lambda n: b"[" * n),
    st.just(b'{"id": 7, "lat": ' + b"9" * 5000 + b"}"),
    st.sampled_from([b"[1, 2]", b'"text"', b"null", b"{", b"\xff\xfe", b"NaN", b"{}"]),
)
LINES = st.lists(st.one_of(object_lines(), OTHER_LINES), min_size=1, max_size=10)


def non_blank(lines: list[bytes]) -> list[bytes]:
    return [line for line in lines if line.rstrip(b"\r").strip()]


def parsed_object(line: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(line.rstrip(b"\r").decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def check(command: list[str], lines: list[bytes]) -> list[dict[str, Any]]:
    result = RUNNER.invoke(app, command, input=b"\n".join(lines) + b"\n")
    assert result.exception is None, (result.exception, lines)
    assert result.exit_code == 0, result.output
    # split on "\n" only: str.splitlines also splits on U+2028, \x1c... kept raw in JSON text
    out = [json.loads(line) for line in result.stdout.split("\n") if line]
    sent = non_blank(lines)
    assert len(out) == len(sent), (lines, result.stdout)
    for line, answer in zip(sent, out, strict=True):
        assert isinstance(answer, dict)
        data = parsed_object(line)
        if data is not None and "id" in data:
            # never a lost id (compared as JSON: an id may be a list, or -0.0)
            assert json.dumps(answer["id"]) == json.dumps(data["id"]), (line, answer)
        if data is None:
            assert answer["error"]["code"] and answer["error"]["message"], answer
        if "error" in answer:
            assert isinstance(answer["error"]["message"], str) and answer["error"]["message"]
    return out


@pytest.fixture
def locate_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No database: locate answers from the shipped registry (as before `db upgrade`)."""
    monkeypatch.setenv("LIFELINE_DATABASE_URL", f"sqlite:///{tmp_path / 'none' / 'x.db'}")
    monkeypatch.setenv("LIFELINE_DATA_KEY_FILE", str(tmp_path / "key.json"))
    monkeypatch.setenv("LIFELINE_LOG_JSON", "false")
    monkeypatch.chdir(tmp_path)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=LINES)
def test_triage_jsonl_answers_every_line_whatever_it_holds(lines: list[bytes]) -> None:
    check(["triage", "--jsonl"], lines)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=LINES)
def test_locate_jsonl_answers_every_line_whatever_it_holds(
    locate_env: None, lines: list[bytes]
) -> None:
    check(["locate", "--jsonl"], lines)


# -- what the fuzzing found ----------------------------------------------------------------------
FOUND = [
    b'{"id": "a", "text": "Madeyganj, Lucknow"}',
    b"\xff\xfe not UTF-8",
    b"[" * 3000,
    b'{"id": "big", "lat": ' + b"9" * 5000 + b"}",
    b'{"id": "\\ud800", "text": "\\ud800 Lucknow"}',
    b'{"id": "n", "lat": NaN, "lon": Infinity}',
    b'{"id": "z", "text": "Kanpur"}',
]


@pytest.mark.parametrize("command", [["locate", "--jsonl"], ["triage", "--jsonl"]])
def test_a_line_not_utf8_too_deep_too_long_or_with_a_lone_surrogate_is_one_error_not_a_crash(
    locate_env: None, command: list[str]
) -> None:
    out = check(command, FOUND)
    assert [o.get("id") for o in out] == ["a", None, None, "big", "\ud800", "n", "z"]
    assert "UTF-8" in out[1]["error"]["message"]
    assert "nested too deeply" in out[2]["error"]["message"]
    assert "error" not in out[0] and "error" not in out[6]  # the lines around are answered
    assert "error" in out[3] and "error" in out[5]
    if command[0] == "locate":
        assert "finite" in out[3]["error"]["message"]
        assert "finite" in out[5]["error"]["message"]

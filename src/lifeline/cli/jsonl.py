"""Reading and writing JSON lines for the `--jsonl` commands (`locate`, `triage`): every input
line gets exactly one output line, an error object naming the problem for a bad one, and
nothing a line holds (bytes that are not UTF-8, nesting too deep for the parser, numbers too
long to read, lone surrogates) stops the batch with a traceback."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO, Any


def error(code: str, message: str, **where: Any) -> dict[str, Any]:
    return {**where, "error": {"code": code, "message": message}}


def lines(stream: IO[bytes] | None = None) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes without the line break) of each non-blank line, counted from 1
    over all lines (blank ones included), so a number points at the input line."""
    for number, raw in enumerate(stream if stream is not None else sys.stdin.buffer, 1):
        stripped = raw.rstrip(b"\r\n")
        if stripped.strip():
            yield number, stripped


def parse(raw: bytes, number: int) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(object, None) for a line holding a JSON object, else (None, error object)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, _bad("invalid_utf8", f"line is not UTF-8 ({exc.reason})", number)
    try:
        data = json.loads(text, parse_int=_number)
    except json.JSONDecodeError as exc:
        return None, _bad("invalid_json", f"line is not JSON: {exc.msg}", number)
    except RecursionError:
        return None, _bad("invalid_json", "line is JSON nested too deeply", number)
    if not isinstance(data, dict):
        return None, _bad("invalid_json", "line is not a JSON object", number)
    return data, None


def _number(digits: str) -> int | float:
    """An integer, or a float (inf) past the digits Python converts (sys.get_int_max_str_digits:
    int() raised ValueError): the line is still read, its id kept, and the value refused where
    a number is used."""
    return int(digits) if len(digits) <= 4000 else float(digits)


def _bad(code: str, message: str, number: int) -> dict[str, Any]:
    return error(code, message, id=None, line=number)


def write(data: dict[str, Any]) -> None:
    """One JSON line on stdout: UTF-8 as is, or with \\u escapes if the line holds a lone
    surrogate (from a "\\ud800" escape in the input: echoed back as it came)."""
    text = json.dumps(data, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data)
    sys.stdout.write(text + "\n")

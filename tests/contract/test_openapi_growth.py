"""The OpenAPI document only grows: every path, operation, parameter, request body and
response of the document as it was before the typed read models (saved from main with
`scripts/openapi_document.py` in tests/data/openapi_before_read_models.json) is still there
and unchanged, except that responses which described nothing now have a schema; and every
read that answers JSON has one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lifeline.bootstrap import Lifeline
from lifeline.web.app import create_app

BEFORE = Path(__file__).parents[1] / "data" / "openapi_before_read_models.json"
#: reads that answer with something other than JSON (Prometheus text, a CSV file)
NOT_JSON = {("/metrics", "get"), ("/api/v1/reports/state-export", "get")}
COSMETIC = {"title", "description"}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the document does not depend on the database."""
    return f"sqlite:///{tmp_path / 'lifeline.db'}"


def _resolved(doc: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """`node` with every `$ref` replaced by what it names, and titles and descriptions left
    out (a renamed component or a reworded description is not a change a client sees)."""
    assert depth < 50, "a recursive schema"
    if isinstance(node, list):
        return [_resolved(doc, item, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        return _resolved(doc, doc["components"][kind][name], depth + 1)
    return {k: _resolved(doc, v, depth + 1) for k, v in node.items() if k not in COSMETIC}


def _describes_nothing(schema: Any) -> bool:
    """`{}`, any object, or a list of those: what an untyped `dict[str, Any]` documented."""
    if not isinstance(schema, dict):
        return False
    if schema.get("type") == "array":
        return _describes_nothing(schema.get("items", {}))
    return set(schema) <= {"type", "additionalProperties"} and schema.get("type") in (
        None,
        "object",
    )


def _lost_operation(where: str, old: dict[str, Any], new: dict[str, Any], docs: Any) -> list[str]:
    before, after = docs
    lost = []
    params = {(p["name"], p["in"]): p for p in new.get("parameters", [])}
    for param in old.get("parameters", []):
        found = params.get((param["name"], param["in"]))
        if found is None:
            lost.append(f"{where}: parameter {param['name']} ({param['in']}) is gone")
        elif _resolved(before, param) != _resolved(after, found):
            lost.append(f"{where}: parameter {param['name']} changed")
    if _resolved(before, old.get("requestBody")) != _resolved(after, new.get("requestBody")):
        lost.append(f"{where}: request body changed")
    for status, response in old["responses"].items():
        now = new["responses"].get(status)
        if now is None:
            lost.append(f"{where}: response {status} is gone")
            continue
        for media, content in response.get("content", {}).items():
            if media not in now.get("content", {}):
                lost.append(f"{where}: response {status} no longer offers {media}")
                continue
            was = _resolved(before, content.get("schema", {}))
            if not _describes_nothing(was) and was != _resolved(
                after, now["content"][media].get("schema", {})
            ):
                lost.append(f"{where}: response {status} {media} changed its schema")
    return lost


def lost_from(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What `before` documents that `after` lost or changed (empty: `after` only grew)."""
    lost = []
    for path, operations in before["paths"].items():
        for method, old in operations.items():
            new = after["paths"].get(path, {}).get(method)
            if new is None:
                lost.append(f"{method.upper()} {path} is gone")
                continue
            lost += _lost_operation(f"{method.upper()} {path}", old, new, (before, after))
    return lost


def untyped_json_reads(doc: dict[str, Any]) -> list[str]:
    found = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if method != "get" or (path, method) in NOT_JSON:
                continue
            content = operation["responses"]["200"].get("content", {})
            for media, body in content.items():
                if "json" in media and _describes_nothing(_resolved(doc, body.get("schema", {}))):
                    found.append(f"GET {path} ({media})")
    return found


@pytest.fixture
def document(lifeline: Lifeline) -> dict[str, Any]:
    return create_app(lifeline, embedded_worker=False).openapi()


def test_the_document_lost_nothing_it_had_before_the_read_models(document: dict[str, Any]) -> None:
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    assert lost_from(before, document) == []


def test_every_read_answering_json_documents_its_fields(document: dict[str, Any]) -> None:
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    assert len(untyped_json_reads(before)) >= 6  # what the read models replaced
    assert untyped_json_reads(document) == []


def test_what_a_partner_or_an_officer_may_not_see_is_not_in_their_models(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    partner, officer = schemas["PartnerCaseRead"], schemas["OfficerCaseRead"]
    assert partner["additionalProperties"] is False and officer["additionalProperties"] is False
    assert not {"subject", "alerts_raw", "location", "timeline", "dispatches"} & set(
        partner["properties"]
    )
    assert not {"email", "id", "platform"} & set(schemas["OfficerSubjectRead"]["properties"])
    assert not {"raw_payload", "partner_id", "extra", "caller", "subject"} & set(
        schemas["OfficerAlertRead"]["properties"]
    )
    assert "detail" not in schemas["OfficerNotificationRead"]["properties"]
    assert "history" not in officer["properties"] and "history" in schemas["CaseRead"]["properties"]


def test_the_checker_sees_a_lost_parameter_and_a_changed_response() -> None:
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    after = json.loads(BEFORE.read_text(encoding="utf-8"))
    listing = after["paths"]["/api/v1/cases"]["get"]
    listing["parameters"] = [p for p in listing["parameters"] if p["name"] != "limit"]
    del after["paths"]["/metrics"]
    after["components"]["schemas"]["ErrorOut"]["properties"] = {}
    lost = lost_from(before, after)
    assert "GET /api/v1/cases: parameter limit (query) is gone" in lost
    assert "GET /metrics is gone" in lost
    assert any("response 404 application/json changed its schema" in line for line in lost)

"""`lifeline locate` (--json, --jsonl) and `lifeline registry import|export|validate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lifeline.cli import app

KEYS = {
    "state",
    "district",
    "district_lgd",
    "commissionerate",
    "zone",
    "police_station",
    "confidence",
    "needs_review",
    "candidates",
    "evidence",
}


@pytest.fixture
def run(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LIFELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("LIFELINE_DATA_KEY_FILE", str(tmp_path / "key.json"))
    monkeypatch.setenv("LIFELINE_LOG_JSON", "false")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, stdin: str | None = None) -> str:
        result = runner.invoke(app, list(args), input=stdin)
        assert result.exit_code == code, result.output
        return result.stdout

    invoke("db", "upgrade")
    return invoke


def test_locate_json_prints_the_design_shape(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("locate", "Madeyganj, Lucknow", "--pin", "226020", "--json"))
    assert set(data) == KEYS
    assert data["police_station"] == "Madeyganj" and data["zone"] == "Central Zone"
    assert data["needs_review"] is False
    human = run("locate", "मदेयगंज, लखनऊ")
    assert "Madeyganj" in human and "Lucknow" in human


def test_locate_jsonl_answers_each_line_with_its_id_and_a_bad_line_alone_fails(run) -> None:  # type: ignore[no-untyped-def]
    lines = "\n".join(
        [
            json.dumps({"id": "a", "text": "Allahabad"}),
            "this is not json",
            json.dumps({"id": "c", "lat": 26.85, "lon": 80.95}),
            json.dumps({"id": "d", "lat": "north"}),
            json.dumps({"id": "e", "pin": "999999"}),
        ]
    )
    out = [json.loads(line) for line in run("locate", "--jsonl", stdin=lines).splitlines()]
    assert [o["id"] for o in out] == ["a", None, "c", "d", "e"]
    assert out[0]["district"] == "Prayagraj" and set(out[0]) == KEYS | {"id"}
    assert out[1]["error"]["code"] == "bad_line" and "line 2" in out[1]["error"]["message"]
    assert out[2]["district"] == "Lucknow"
    assert out[3]["error"]["code"] == "bad_line"
    assert out[4]["district"] is None and out[4]["needs_review"] is True


def test_registry_validate_catches_a_broken_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "schema: lifeline-registry/1\nunits:\n"
        "- {id: up-lko-ps-new, kind: police_station, name: New, parent: up-lko-circle-nowhere,"
        " district_lgd: '157', valid_from: 2026-01-01}\n"
        "- {id: bad, kind: thana, name: Bad, valid_from: someday}\n"
    )
    report = json.loads(run("registry", "validate", str(broken), "--json", code=1))
    assert report["valid"] is False
    assert report["problems"] == [
        'broken.yaml: unit "bad": field "kind": unknown kind \'thana\' (known: state, '
        "adg_zone, range, district, commissionerate, dcp_zone, circle, police_station, cell, "
        "control_room, agency, nodal_unit, helpline)",
        'broken.yaml: unit "bad": field "valid_from": \'someday\' is not a date (YYYY-MM-DD)',
    ]
    good = tmp_path / "good.yaml"
    good.write_text(
        "schema: lifeline-registry/1\nunits:\n"
        "- {id: up-lko-ps-new, kind: police_station, name: New, parent: up-lko-circle-mahanagar,"
        " district_lgd: '157', valid_from: 2026-01-01}\n"
    )
    assert json.loads(run("registry", "validate", str(good), "--json"))["valid"] is True
    orphan = tmp_path / "orphan.yaml"
    orphan.write_text(good.read_text().replace("mahanagar", "nowhere"))
    report = json.loads(run("registry", "validate", str(orphan), "--json", code=1))
    assert report["problems"] == [
        'unit "up-lko-ps-new": field "parent": \'up-lko-circle-nowhere\' does not exist'
    ]
    assert json.loads(run("registry", "validate", "--json"))["valid"] is True


def test_registry_import_then_export_round_trips_and_a_bad_import_changes_nothing(
    run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    exported = tmp_path / "registry.yaml"
    run("registry", "export", "--output", str(exported))
    text = exported.read_text()
    assert "up-lko-ps-madeyganj" in text
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "id,kind,name,parent,district_lgd,valid_from,status,localities\n"
        "up-lko-ps-test,police_station,Testganj,up-lko-circle-mahanagar,157,2026-01-01,"
        "official,Testganj|Foo Colony\n"
    )
    imported = json.loads(run("registry", "import", str(extra), "--json"))
    assert imported["units"] > 300
    located = json.loads(run("locate", "Foo Colony, Lucknow", "--json"))
    assert located["police_station"] == "Testganj"
    broken = tmp_path / "broken.csv"
    broken.write_text("id,kind,name,valid_from\nx,district,X,2026-01-01\n")
    error = json.loads(run("registry", "import", str(broken), "--json", code=1))
    assert error["error"]["code"] == "invalid_registry"
    units = json.loads(run("registry", "export", "--json"))
    assert any(u["id"] == "up-lko-ps-test" for u in units)
    assert not any(u["id"] == "x" for u in units)


def test_locate_takes_the_post_and_an_approximate_place_as_their_own_evidence(run) -> None:  # type: ignore[no-untyped-def]
    alone = json.loads(
        run("locate", "--post", "kisi ko fark nahi padta, main ja raha hu", "--json")
    )
    assert alone["district"] is None and alone["candidates"] == []
    near = json.loads(run("locate", "--approximate", "Hazratganj, Lucknow", "--json"))
    assert near["district"] == "Lucknow" and near["needs_review"] is True
    assert {e["source"] for e in near["evidence"]} >= {"approximate"}
    line = json.dumps({"id": "x", "approximate": "Lucknow", "lat": 26.8806, "lon": 80.9137})
    answer = json.loads(run("locate", "--jsonl", stdin=line + "\n"))
    assert answer["id"] == "x" and answer["district"] == "Lucknow" and not answer["needs_review"]

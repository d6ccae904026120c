"""Backup and restore (issue #18) on SQLite and PostgreSQL: a database populated through the
services (alerts, cases, dispatches to a real HTTP endpoint, timeline, audit) is backed up,
restored into a new empty database and compared case by case; the audit log verifies with the
restore checkpoint, and a truncation without one is still reported. Bad archives, wrong keys
and non-empty targets are refused, naming why."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from dispatch_support import AT_RISK, drain, take_alert, unit_endpoints
from lifeline.adapters.backup.archive import CHUNK, BackupError, BackupKey, Member, read_archive
from lifeline.adapters.backup.archive import write_archive as seal
from lifeline.adapters.db import migrate
from lifeline.adapters.db.engine import normalise_url
from lifeline.backup import create_backup, restore_backup, verify_backup
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.cli import app as cli_app
from lifeline.domain.audit import Checkpoint
from lifeline.domain.model import Actor
from lifeline.services.access.audit import verify_audit, write_checkpoint
from lifeline.services.cases import service as cases
from lifeline.services.cases.read_models import CaseRead
from lifeline.settings import Settings
from support import FakeClock

CLI = Actor("cli", "test", "admin")
OP = Actor("user", "op", "smc_operator")


def send(app: Lifeline, handle: str, text: str = AT_RISK) -> int:
    return take_alert(app, handle, text=text)


@pytest.fixture
def populated(lifeline: Lifeline, clock: FakeClock) -> Iterator[Lifeline]:
    """Cases with alerts, a dispatch sent to a station on 127.0.0.1, timeline, reads audited,
    a checkpoint in the anchor file."""
    with unit_endpoints(lifeline) as (station, _smc, _others):
        first = send(lifeline, "a")
        send(lifeline, "b", "Beautiful evening by the river with friends")
        clock.advance(seconds=5)
        drain(lifeline)
        assert station.received, "the at-risk case was dispatched to the station"
        cases.show_case(lifeline.ctx, OP, first)
        write_checkpoint(lifeline.ctx, force=True)
        yield lifeline


@pytest.fixture
def target_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'lifeline.db'}"
        return
    name = f"{url.database}_restored"
    admin = create_engine(normalise_url(os.environ["LIFELINE_TEST_DATABASE_URL"]))
    admin = admin.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_on(settings: Settings, url: str, clock: FakeClock, **changes: Any) -> Lifeline:
    """The same deployment (keys, anchor file) on another database."""
    return bootstrap(replace_settings(settings, database_url=url, **changes), clock=clock)


def replace_settings(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update=changes)


def every_case(app: Lifeline) -> dict[int, Any]:
    listed = cases.list_cases(app.ctx, CLI, limit=1000)
    return {
        c.id: CaseRead.of(cases.show_case(app.ctx, CLI, c.id, purpose="test")).plain()
        for c in listed
    }


def test_a_restored_backup_has_every_case_and_its_audit_log_verifies_with_the_restore(
    populated: Lifeline, settings: Settings, target_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    archive = tmp_path / "backups" / "lifeline.backup"
    made = create_backup(populated, archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.backup_key_path.stat().st_mode) == 0o600
    manifest = made.manifest
    assert manifest["row_counts"]["cases"] == 2 and manifest["row_counts"]["dispatches"] >= 1
    assert "registry.yaml" in manifest["members"]
    # the keys are not in the archive, not even as bytes in the sealed file
    raw = archive.read_bytes()
    assert populated.keyring.keys[populated.keyring.primary] not in raw
    before = every_case(populated)
    backed_up_rows = manifest["audit"]["rows"]

    # the deployment goes on after the backup: rows and a checkpoint the restore gives up
    cases.show_case(populated.ctx, OP, min(before))
    clock.advance(seconds=30)
    write_checkpoint(populated.ctx, force=True)

    restored_app = app_on(settings, target_url, clock)
    try:
        done = restore_backup(restored_app, archive, CLI)
        assert done.counts["cases"] == 2
        assert done.checkpoint.rows == backed_up_rows
        assert done.checkpoint.restored_from is not None
        assert made.sha256[:16] in done.checkpoint.restored_from
        assert done.data_values_checked > 0
        report = verify_audit(restored_app.ctx)
        assert report.ok, report.problems
        assert [cp.rows for _, cp in report.log.restores] == [backed_up_rows]
        assert any("given up by the restore" in w for w in report.warnings)
        with restored_app.engine.connect() as conn:
            action = conn.execute(
                text("SELECT action FROM audit_log WHERE seq = :s"), {"s": backed_up_rows + 1}
            ).scalar_one()
        assert action == "backup.restored"
        # every case reads the same (the reads themselves are audited after the restore)
        assert every_case(restored_app) == before
    finally:
        restored_app.dispose()


def test_rows_cut_from_the_end_without_a_restore_checkpoint_are_still_reported(
    populated: Lifeline, clock: FakeClock
) -> None:
    rows = verify_audit(populated.ctx).log.rows
    with populated.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq > :n"), {"n": rows - 2})
    report = verify_audit(populated.ctx)
    assert not report.ok
    assert any("deleted from the end" in p for p in report.problems)
    # nor does a restore line forged without the audit key excuse it
    trust = populated.ctx.audit
    assert trust is not None
    forged = Checkpoint.sign(
        replace(trust.key, secret=b"x" * 32),
        clock.now(),
        rows - 2,
        verify_audit(populated.ctx).log.head,
        restored_from="backup forged",
    )
    trust.anchor.append(forged.line())
    report = verify_audit(populated.ctx)
    assert any("deleted from the end" in p for p in report.problems)
    assert any("wrong MAC" in p for p in report.problems)


def test_a_restore_into_a_database_that_is_not_empty_is_refused_naming_what_is_there(
    populated: Lifeline, tmp_path: Path
) -> None:
    archive = tmp_path / "b.backup"
    create_backup(populated, archive)
    counts = verify_audit(populated.ctx).log.rows
    with pytest.raises(BackupError, match=r"not empty: .*cases \(2 rows\)"):
        restore_backup(populated, archive, CLI)
    assert verify_audit(populated.ctx).log.rows == counts  # nothing written


def test_a_backup_from_another_deployment_is_refused_before_anything_is_written(
    populated: Lifeline, settings: Settings, target_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    archive = tmp_path / "b.backup"
    create_backup(populated, archive)
    other = app_on(
        settings,
        target_url,
        clock,
        data_key_file=tmp_path / "other" / "lifeline.key",
        audit_key_file=settings.audit_key_path,
        backup_key_file=settings.backup_key_path,
    )
    try:
        with pytest.raises(BackupError, match="another deployment"):
            restore_backup(other, archive, CLI)
        with other.engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        other.dispose()


def test_verify_refuses_a_flipped_byte_a_cut_file_and_a_wrong_key(
    populated: Lifeline, settings: Settings, tmp_path: Path
) -> None:
    archive = tmp_path / "b.backup"
    create_backup(populated, archive)
    assert verify_backup(populated.settings, archive).manifest["database"] in (
        "sqlite",
        "postgresql",
    )
    good = archive.read_bytes()

    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0x01
    archive.write_bytes(bytes(flipped))
    with pytest.raises(BackupError, match="fails authentication"):
        verify_backup(populated.settings, archive)

    archive.write_bytes(good[: len(good) - 100])
    with pytest.raises(BackupError, match="cut short"):
        verify_backup(populated.settings, archive)

    archive.write_bytes(good)
    other = tmp_path / "other.key"
    other.write_text(json.dumps({"key": "A" * 43 + "="}))
    wrong = replace_settings(populated.settings, backup_key_file=other)
    with pytest.raises(BackupError, match="not made with this backup key"):
        verify_backup(wrong, archive)


def test_an_archive_cut_at_a_chunk_boundary_is_not_valid(tmp_path: Path) -> None:
    """A disk that filled up between two chunks: every chunk present is authentic, the end is
    missing."""
    key = BackupKey(b"k" * 32)
    member = tmp_path / "big"
    member.write_bytes(os.urandom(3 * CHUNK))
    archive = tmp_path / "a.backup"
    seal(archive, key, {"format": 1}, [Member("big", member)])
    opened = read_archive(archive, key)
    assert opened.manifest["members"]["big"]["size"] == 3 * CHUNK
    whole = archive.read_bytes()
    archive.write_bytes(whole[: 48 + 2 * (4 + CHUNK + 16)])
    with pytest.raises(BackupError, match="cut short"):
        read_archive(archive, key)


def test_the_cli_verify_exits_1_naming_a_tampered_backup(
    populated: Lifeline, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "b.backup"
    create_backup(populated, archive)
    monkeypatch.setenv("LIFELINE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LIFELINE_DATA_KEY_FILE", str(settings.data_key_file))
    monkeypatch.setenv("LIFELINE_LOG_JSON", "false")
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["backup", "verify", str(archive), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["manifest"]["row_counts"]["cases"] == 2
    data = bytearray(archive.read_bytes())
    data[-40] ^= 0x80
    archive.write_bytes(bytes(data))
    bad = runner.invoke(cli_app, ["backup", "verify", str(archive), "--json"])
    assert bad.exit_code == 1
    assert "fails authentication" in json.loads(bad.stdout)["error"]["message"]


def test_a_backup_of_an_older_schema_is_migrated_on_restore(
    populated: Lifeline, settings: Settings, target_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    before = every_case(populated)
    populated.engine.dispose()
    migrate.downgrade(populated.engine, "0012")  # as a backup made by the previous version
    archive = tmp_path / "old.backup"
    assert create_backup(populated, archive).manifest["alembic_revision"] == "0012"
    restored_app = app_on(settings, target_url, clock)
    try:
        done = restore_backup(restored_app, archive, CLI)
        head = ScriptDirectory(str(migrate.MIGRATIONS)).get_current_head()
        assert (done.migrated_from, done.revision) == ("0012", head)
        assert verify_audit(restored_app.ctx).ok
        # what the older schema had no column for (the model's subject, migration 0025) is
        # not in its backup: everything else is
        assert without_subjects(every_case(restored_app)) == without_subjects(before)
    finally:
        restored_app.dispose()


def without_subjects(value: object) -> object:
    """A case read without the model's subject readings (`subject` as a string, `subject_cues`);
    the person the case is about (`subject` as an object) stays."""
    if isinstance(value, dict):
        return {
            k: without_subjects(v)
            for k, v in value.items()
            if k != "subject_cues" and not (k == "subject" and (v is None or isinstance(v, str)))
        }
    if isinstance(value, list):
        return [without_subjects(v) for v in value]
    return value

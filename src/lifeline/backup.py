"""Backup and restore (issue #18): `lifeline backup create | verify | restore`.

An archive (adapters/backup/archive.py) holds the database dump, the registry in force (as
`registry export` writes it) and a manifest, sealed under the backup key. The data key and the
audit key are NOT in it: the dump's personal data is still encrypted under the data key, and
the chain under the audit key, so a restore needs both, from where they are kept (offline,
not beside the backups: docs/operations.md).

A restore goes only into an empty database; it checks the keys before it writes anything,
then appends a signed restore checkpoint to the anchor file, so `audit verify` tells the rows
given up by the restore (newer than the backup) from rows cut by hand.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lifeline import __version__
from lifeline.adapters.backup.archive import (
    FORMAT_VERSION,
    BackupError,
    BackupKey,
    Member,
    OpenedArchive,
    load_or_create_backup_key,
    read_archive,
    read_backup_key,
    write_archive,
)
from lifeline.adapters.db import backup as db_backup
from lifeline.adapters.db.backup import DatabaseBackupError
from lifeline.bootstrap import Lifeline
from lifeline.domain.audit import Checkpoint
from lifeline.domain.audit_verification import verify_log
from lifeline.domain.model import Actor
from lifeline.services.access.audit import AuditReport, verify_audit, write_checkpoint
from lifeline.services.location import registry
from lifeline.services.retention import purge
from lifeline.settings import Settings

DATABASE_MEMBER = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
REGISTRY_MEMBER = "registry.yaml"
#: a known value encrypted under the data key: a restore tries it before writing anything
KEY_CHECK_CONTEXT = "backup.key_check"
KEY_CHECK_PLAIN = "lifeline backup key check"

__all__ = ["BackupError", "DatabaseBackupError", "create_backup", "restore_backup"]


def _other_keys(app: Lifeline) -> list[Path]:
    s = app.settings
    return ([] if s.data_key is not None else [s.data_key_file]) + [s.audit_key_path]


def backup_key(app: Lifeline, *, create: bool) -> tuple[BackupKey, bool]:
    path = app.settings.backup_key_path
    if create:
        return load_or_create_backup_key(path, _other_keys(app))
    return read_backup_key(path), False


@dataclass(frozen=True)
class Created:
    path: Path
    sha256: str
    manifest: dict[str, Any]
    key_created: bool


def create_backup(app: Lifeline, target: Path) -> Created:
    if target.exists():
        raise BackupError(f"{target} exists: name a new file")
    key, key_created = backup_key(app, create=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    # beside the archive: the dump needs that much room anyway, and /tmp may be small
    with tempfile.TemporaryDirectory(prefix=".lifeline-backup-", dir=target.parent) as work:
        dump = Path(work) / "database"
        snap = db_backup.dump_database(app.engine, dump)
        if snap.revision is None:
            raise BackupError("the database has no schema (run `lifeline db upgrade` first)")
        units, version = registry.current_registry(app.ctx)
        rules = registry.current_dispatch_rules(app.ctx)
        reg = Path(work) / "registry.yaml"
        reg.write_text(registry.write_registry(app.ctx, units, "yaml", rules), encoding="utf-8")
        reg.chmod(0o600)
        trust = app.ctx.audit
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": app.clock.now().isoformat(timespec="seconds"),
            "app_version": __version__,
            "database": snap.kind,
            "alembic_revision": snap.revision,
            "row_counts": snap.counts,
            "audit": {
                "rows": snap.audit_rows,
                "head": snap.audit_head,
                "key_id": None if trust is None else trust.key.key_id,
            },
            "registry": {"version": version, "units": len(units)},
            "backup_key_id": key.key_id,
            "data_key_check": app.keyring.encrypt(KEY_CHECK_PLAIN, KEY_CHECK_CONTEXT),
            "keys_not_included": (
                "the data key, the audit key and the backup key are not in this archive: "
                "a restore needs all three"
            ),
        }
        members = [
            Member(DATABASE_MEMBER[snap.kind], dump),
            Member(REGISTRY_MEMBER, reg),
        ]
        digest = write_archive(target, key, manifest, members)
    opened = read_archive(target, key)  # what was written reads back whole
    return Created(target, digest, opened.manifest, key_created)


def verify_backup(settings: Settings, source: Path) -> OpenedArchive:
    """Needs only the backup key: no database, no data key (a backup can be checked on a
    machine that holds nothing else)."""
    return read_archive(source, read_backup_key(settings.backup_key_path))


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    sha256: str
    counts: dict[str, int]
    migrated_from: str | None
    revision: str | None
    checkpoint: Checkpoint
    audit: AuditReport
    data_values_checked: int


def backup_name(manifest: dict[str, Any], sha256: str) -> str:
    return f"backup {manifest.get('created_at')} sha256 {sha256[:16]}"


def restore_backup(app: Lifeline, source: Path, actor: Actor) -> Restored:
    key, _ = backup_key(app, create=False)
    with tempfile.TemporaryDirectory(prefix="lifeline-restore-") as work:
        opened = read_archive(source, key, extract_to=Path(work))
        manifest = opened.manifest
        kind = str(manifest.get("database"))
        dump = opened.files.get(DATABASE_MEMBER.get(kind, ""))
        if dump is None:
            raise BackupError(f"the backup holds no database dump for {kind!r}")
        _check_keys(app, manifest)
        _check_revision(manifest)
        _check_empty(app)
        db_backup.restore_database(app.engine, kind, dump)
    revision_before = str(manifest["alembic_revision"])
    app.upgrade_db()  # a backup from an older version: brought to this version's schema
    revision = app.db_revision()
    tried, failure = db_backup.check_data_key(app.engine, app.keyring)
    if failure is not None:
        raise BackupError(f"restored, but the data key cannot read it: {failure}")
    snap = db_backup.snapshot(app.engine)
    audit_info = manifest.get("audit", {})
    if (snap.audit_rows, snap.audit_head) != (audit_info.get("rows"), audit_info.get("head")):
        raise BackupError(
            f"restored, but the audit log has {snap.audit_rows} rows (head "
            f"{snap.audit_head[:12]}), the manifest recorded {audit_info.get('rows')}"
        )
    trust = app.ctx.audit
    with app.ctx.uow(readonly=True) as uow:
        chain = verify_log(uow.audit.records(), None if trust is None else trust.key, [])
    if chain.broken is not None:
        raise BackupError(
            f"restored, but its audit chain is broken at record {chain.broken.seq}: "
            f"{chain.broken.problem} (no restore checkpoint written)"
        )
    checkpoint = _mark_restore(app, actor, manifest, opened.sha256, snap.audit_rows)
    restored = Restored(
        manifest=manifest,
        sha256=opened.sha256,
        counts=db_backup.snapshot(app.engine).counts,
        migrated_from=None if revision_before == revision else revision_before,
        revision=revision,
        checkpoint=checkpoint,
        audit=verify_audit(app.ctx),
        data_values_checked=tried,
    )
    # A backup is older than the purges since: what they erased must not come back with it
    # (docs/data-protection.md). After the counts above, which prove the restore complete.
    purge.run(app.ctx, app.clock.now(), actor=actor)
    return restored


def _check_keys(app: Lifeline, manifest: dict[str, Any]) -> None:
    try:
        plain = app.keyring.decrypt(manifest.get("data_key_check"), KEY_CHECK_CONTEXT)
    except Exception:
        plain = None
    if plain != KEY_CHECK_PLAIN:
        raise BackupError(
            "the data key loaded here cannot decrypt this backup's data (a backup from "
            "another deployment, or the wrong LIFELINE_DATA_KEY / key file): nothing restored"
        )
    trust = app.ctx.audit
    wanted = manifest.get("audit", {}).get("key_id")
    if trust is not None and wanted is not None and trust.key.key_id != wanted:
        raise BackupError(
            f"the backup's audit log is keyed with audit key {wanted}, the loaded audit key is "
            f"{trust.key.key_id} (LIFELINE_AUDIT_KEY_FILE): nothing restored"
        )


def _check_revision(manifest: dict[str, Any]) -> None:
    from alembic.script import ScriptDirectory  # noqa: PLC0415 (alembic: only here)

    from lifeline.adapters.db.migrate import MIGRATIONS  # noqa: PLC0415

    revision = manifest.get("alembic_revision")
    scripts = ScriptDirectory(str(MIGRATIONS))
    known = {s.revision for s in scripts.walk_revisions()}
    if revision not in known:
        raise BackupError(
            f"the backup's schema revision {revision!r} is unknown to this version of Lifeline "
            f"({manifest.get('app_version')} made it): restore it with that version or newer"
        )


def _check_empty(app: Lifeline) -> None:
    tables = db_backup.occupied_tables(app.engine)
    if not tables:
        return
    full = {n: c for n, c in tables.items() if c}
    what = (
        ", ".join(f"{n} ({c} rows)" for n, c in sorted(full.items()))
        if full
        else f"{len(tables)} empty tables (the schema of `db upgrade`)"
    )
    raise BackupError(
        f"the database is not empty: {what}. A restore goes only into a new, empty database "
        "(a new SQLite file, or `createdb`): nothing restored"
    )


def _mark_restore(
    app: Lifeline, actor: Actor, manifest: dict[str, Any], sha256: str, rows: int
) -> Checkpoint:
    """The signed restore checkpoint to the anchor file, an audit row saying so, then an
    ordinary checkpoint covering that row."""
    trust = app.ctx.audit
    name = backup_name(manifest, sha256)
    now = app.clock.now()
    with app.ctx.uow(readonly=True) as uow:
        seq, head = uow.audit.head()
    if trust is None:
        raise BackupError("no audit key is configured")
    checkpoint = Checkpoint.sign(trust.key, now, seq, head, restored_from=name)
    trust.anchor.append(checkpoint.line())
    with app.ctx.uow() as uow:
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="backup.restored",
            case_id=None,
            details={
                "backup_created_at": manifest.get("created_at"),
                "backup_sha256": sha256,
                "restored_rows": rows,
                "alembic_revision": manifest.get("alembic_revision"),
            },
        )
        uow.commit()
    write_checkpoint(app.ctx, force=True)
    return checkpoint

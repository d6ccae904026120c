"""`lifeline backup create | verify | restore FILE`: encrypted backups of the database and the
registry (issue #18; lifeline/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lifeline.cli.common import JsonOpt, app, cli_actor, emit, err, fail, load_app, out

if TYPE_CHECKING:
    from lifeline.backup import Restored

backup_app = typer.Typer(help="Encrypted backups: create, verify, restore.", no_args_is_help=True)
app.add_typer(backup_app, name="backup")

FileArg = Annotated[Path, typer.Argument(help="The backup file.")]


def _errors() -> tuple[type[Exception], ...]:
    from lifeline.backup import BackupError, DatabaseBackupError  # noqa: PLC0415 (see load_app)

    return (BackupError, DatabaseBackupError, OSError)


@backup_app.command("create")
def backup_create(file: FileArg, as_json: JsonOpt = False) -> None:
    """Write one encrypted archive: the database, the registry and a manifest (0600). The
    data, audit and backup keys are not in it: keep them offline, apart from the backups."""
    from lifeline.backup import create_backup  # noqa: PLC0415 (imports the application)

    lifeline = load_app()
    try:
        made = create_backup(lifeline, file)
    except _errors() as exc:
        raise fail(exc, as_json) from None
    if made.key_created:
        err.print(
            f"[yellow]Created a new backup key at {lifeline.settings.backup_key_path}; copy it "
            "offline, NOT beside the backups: without it no backup can be read.[/yellow]"
        )
    m = made.manifest
    if as_json:
        emit({"file": str(made.path), "sha256": made.sha256, "manifest": m})
        return
    out.print(
        f"backup written to {made.path} (sha256 {made.sha256[:16]}…): {m['database']} at "
        f"revision {m['alembic_revision']}, {m['row_counts'].get('cases', 0)} cases, "
        f"{m['audit']['rows']} audit rows"
    )


@backup_app.command("verify")
def backup_verify(file: FileArg, as_json: JsonOpt = False) -> None:
    """Decrypt the archive and check every member against its manifest; print the manifest.
    Exit 1 on a wrong key or a cut short or altered file."""
    from lifeline.backup import verify_backup  # noqa: PLC0415 (imports the application)
    from lifeline.settings import load_settings  # noqa: PLC0415

    try:
        opened = verify_backup(load_settings(), file)
    except _errors() as exc:
        raise fail(exc, as_json) from None
    m = opened.manifest
    if as_json:
        emit({"ok": True, "sha256": opened.sha256, "manifest": m})
        return
    out.print(f"backup intact: {file} (sha256 {opened.sha256[:16]}…)")
    _print_manifest(m)


def _print_manifest(m: dict[str, Any]) -> None:
    out.print(
        f"  made {m['created_at']} by Lifeline {m['app_version']}; {m['database']} at "
        f"revision {m['alembic_revision']}"
    )
    out.print(f"  audit log: {m['audit']['rows']} rows, head {m['audit']['head'][:16]}…")
    out.print(f"  registry: {m['registry']['version']} ({m['registry']['units']} units)")
    counts = ", ".join(f"{t} {n}" for t, n in sorted(m["row_counts"].items()) if n)
    out.print(f"  rows: {counts}")
    for name, info in sorted(m["members"].items()):
        out.print(f"  {name}: {info['size']} bytes, sha256 {info['sha256'][:16]}…")


@backup_app.command("restore")
def backup_restore(
    file: FileArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Restore into an EMPTY database (refused otherwise), migrate it to this version, check
    the keys and the audit chain, and append a signed restore checkpoint."""
    from lifeline.backup import restore_backup  # noqa: PLC0415 (imports the application)

    lifeline = load_app()
    if not yes and not typer.confirm(
        f"Restore {file} into {lifeline.engine.url.render_as_string(hide_password=True)}?"
    ):
        raise typer.Exit(1)
    try:
        done = restore_backup(lifeline, file, cli_actor())
    except _errors() as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit(_restored_json(done))
    else:
        _print_restored(done)
    if not done.audit.ok:
        raise typer.Exit(1)


def _restored_json(done: Restored) -> dict[str, Any]:
    cp = done.checkpoint
    return {
        "backup": {"created_at": done.manifest["created_at"], "sha256": done.sha256},
        "revision": done.revision,
        "migrated_from": done.migrated_from,
        "row_counts": done.counts,
        "cases": done.counts.get("cases", 0),
        "audit_rows": cp.rows,
        "data_values_checked": done.data_values_checked,
        "checkpoint": {
            "at": cp.at,
            "rows": cp.rows,
            "head": cp.head,
            "restored_from": cp.restored_from,
        },
        "audit": {
            "ok": done.audit.ok,
            "verified": done.audit.verified,
            "problems": done.audit.problems,
            "warnings": done.audit.warnings,
        },
    }


def _print_restored(done: Restored) -> None:
    cp = done.checkpoint
    out.print(f"restored {cp.restored_from} at revision {done.revision}")
    if done.migrated_from:
        out.print(f"  migrated from revision {done.migrated_from}")
    out.print(f"  cases: {done.counts.get('cases', 0)}; audit rows restored: {cp.rows}")
    counts = ", ".join(f"{t} {n}" for t, n in sorted(done.counts.items()) if n)
    out.print(f"  rows: {counts}")
    out.print(f"  data key: {done.data_values_checked} stored values decrypted")
    out.print(f"  restore checkpoint: at {cp.at}, row {cp.rows}, head {cp.head[:16]}…")
    if done.audit.ok:
        out.print(f"  audit log intact: {done.audit.verified} records verified")
    for problem in done.audit.problems:
        err.print(f"[red]{problem}[/red]", soft_wrap=True)
    for note in done.audit.warnings:
        err.print(f"[yellow]note:[/yellow] {note}", soft_wrap=True)

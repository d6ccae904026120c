"""Shared pieces of the `lifeline` command line: the Typer app, output, and errors.

The command modules import only what `lifeline --help` needs; the application (bootstrap: the
database, keys, settings) and heavy libraries are imported by the commands that use them, so
the CLI starts fast (bench/startup.py; tests/integration/test_startup.py keeps it so).
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from lifeline.domain.access import Role
from lifeline.domain.model import Actor

if TYPE_CHECKING:
    from lifeline.bootstrap import Lifeline

app = typer.Typer(
    help="Lifeline: alert response for a police social media centre.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
partners_app = typer.Typer(help="Platform partners that send signed alerts.", no_args_is_help=True)
users_app = typer.Typer(help="People who sign in.", no_args_is_help=True)
cases_app = typer.Typer(help="Cases.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Data encryption keys.", no_args_is_help=True)
jobs_app = typer.Typer(help="The durable job queue.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
alerts_app = typer.Typer(help="Send alerts as a partner would.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (partners_app, "partners"),
    (users_app, "users"),
    (cases_app, "cases"),
    (audit_app, "audit"),
    (keys_app, "keys"),
    (jobs_app, "jobs"),
    (demo_app, "demo"),
    (alerts_app, "alerts"),
):
    app.add_typer(sub, name=name)

#: India Standard Time (no daylight saving): every time the CLI prints for a person
IST = timezone(timedelta(hours=5, minutes=30), "IST")


def ist(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A moment as a person at the SMC reads it: in IST, the zone shown ("-" for none). JSON
    output keeps ISO 8601 with its offset (`domain.timestamps.iso`)."""
    if value is None:
        return "-"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # a driver's naive value is UTC, as everything is stored
        value = value.replace(tzinfo=UTC)
    return f"{value.astimezone(IST).strftime(fmt)} IST"


out = Console()
err = Console(stderr=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def load_app() -> Lifeline:
    # imported here, not at the top: SQLAlchemy, pydantic-settings, structlog and the adapters
    # cost more than `lifeline --help` itself
    from lifeline.bootstrap import AuditKeyError, bootstrap  # noqa: PLC0415
    from lifeline.observability import configure_logging  # noqa: PLC0415
    from lifeline.settings import load_settings  # noqa: PLC0415

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_json)
    try:
        lifeline = bootstrap(settings)
    except AuditKeyError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if lifeline.key_created:
        err.print(
            f"[yellow]Created a new data key at {settings.data_key_file}; back it up: "
            "without it the stored personal data cannot be read.[/yellow]"
        )
    if lifeline.audit_key_created:
        err.print(
            f"[yellow]Created a new audit key at {settings.audit_key_path}; back it up apart "
            "from the data key: without it the audit log cannot be verified.[/yellow]"
        )
    return lifeline


def cli_actor() -> Actor:
    return Actor("cli", getpass.getuser(), Role.ADMIN)


def emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(exc: Exception, as_json: bool) -> typer.Exit:
    code = getattr(exc, "code", "error")
    if as_json:
        emit({"error": {"code": code, "message": str(exc)}})
    else:
        err.print(f"[red]error:[/red] {exc}")
    return typer.Exit(1)

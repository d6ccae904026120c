"""The `lifeline` command line (Typer). Every command a script would call has --json.

Each feature module registers its commands on the shared app when imported here.
"""

from lifeline.cli import (
    aftercare,
    backup,
    contacts,
    core,
    dispatch,
    doctor,
    locate,
    mail,
    monitor,
    monitor_consume,
    report,
    retention,
    simulate,
    triage,
    users,
)
from lifeline.cli.common import app

__all__ = [
    "aftercare",
    "app",
    "backup",
    "contacts",
    "core",
    "dispatch",
    "doctor",
    "locate",
    "mail",
    "monitor",
    "monitor_consume",
    "report",
    "retention",
    "simulate",
    "triage",
    "users",
]

"""The staff lifecycle on the command line: `lifeline users list|deactivate|reactivate|unlock|
reset-2fa|set-role`, each with --json and each audited as the operator's login (`cli:<login>`).
(`users create` is in core.py.)"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from lifeline.cli.common import JsonOpt, cli_actor, emit, fail, ist, load_app, out, users_app
from lifeline.domain.access import Role
from lifeline.domain.errors import DomainError
from lifeline.services.access import staff
from lifeline.services.access.staff import StaffMember


def _done(member: StaffMember, as_json: bool, what: str) -> None:
    if as_json:
        emit(member.as_dict())
    else:
        state = "active" if member.active else "deactivated"
        out.print(f"user {member.username} {what} ({member.role}, {state})")


@users_app.command("list")
def users_list(as_json: JsonOpt = False) -> None:
    """Everyone who can sign in: role, jurisdiction, active, pending enrolment, throttling."""
    try:
        members = staff.list_staff(load_app().ctx, cli_actor())
    except DomainError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit([m.as_dict() for m in members])
        return
    table = Table("username", "role", "jurisdiction", "active", "enrolment until", "wait (s)")
    for m in members:
        table.add_row(
            m.username,
            m.role,
            m.jurisdiction or "-",
            "yes" if m.active else "no",
            ist(m.enrolment_pending_until, "%Y-%m-%d %H:%M") if m.enrolment_pending_until else "-",
            str(m.throttled_for),
        )
    out.print(table)


@users_app.command("deactivate")
def users_deactivate(username: str, as_json: JsonOpt = False) -> None:
    """Stop a person signing in; their tokens and console sessions end at once."""
    try:
        member = staff.deactivate(load_app().ctx, cli_actor(), username)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    _done(member, as_json, "deactivated; tokens and sessions revoked")


@users_app.command("reactivate")
def users_reactivate(username: str, as_json: JsonOpt = False) -> None:
    """Let a deactivated person sign in again."""
    try:
        member = staff.reactivate(load_app().ctx, cli_actor(), username)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    _done(member, as_json, "reactivated")


@users_app.command("unlock")
def users_unlock(username: str, as_json: JsonOpt = False) -> None:
    """Lift the growing wait between sign-in attempts after failures."""
    try:
        member = staff.unlock(load_app().ctx, cli_actor(), username)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    _done(member, as_json, "unlocked")


@users_app.command("reset-2fa")
def users_reset_2fa(username: str, as_json: JsonOpt = False) -> None:
    """A new two-factor secret and one-time enrolment code; the old authenticator stops
    working and the person's tokens and sessions end."""
    try:
        new = staff.reset_two_factor(load_app().ctx, cli_actor(), username)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit(
            {
                "username": new.username,
                "totp_secret": new.totp_secret,
                "enrolment_code": new.enrolment_code,
            }
        )
    else:
        out.print(
            f"two-factor reset for {new.username}\n  TOTP secret: {new.totp_secret}\n"
            f"  enrolment code: {new.enrolment_code} (with the password, shows the QR code at "
            "/console/enrol once; expires in 72 h)"
        )


@users_app.command("set-role")
def users_set_role(
    username: str,
    role: Annotated[str, typer.Argument(help="One of: " + ", ".join(Role))],
    jurisdiction: Annotated[str | None, typer.Option(help="District name or LGD code.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a person's role (and jurisdiction); tokens and sessions under the old one end."""
    try:
        member = staff.set_role(load_app().ctx, cli_actor(), username, role, jurisdiction)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    _done(member, as_json, f"now {member.role}")

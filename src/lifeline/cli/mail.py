"""Email intake commands: the SMTP server alone, IMAP polling, the quarantine, partner senders."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Annotated, Any

import typer
from rich.table import Table

from lifeline.cli.common import (
    JsonOpt,
    app,
    cli_actor,
    emit,
    fail,
    load_app,
    out,
    partners_app,
)
from lifeline.domain.errors import DomainError
from lifeline.services import access, email_intake

quarantine_app = typer.Typer(
    help="Mail held for review: list, show, release, discard.", no_args_is_help=True
)
imap_app = typer.Typer(help="Polling an IMAP mailbox for alert mail.", no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(imap_app, name="imap")


def _wait_for_signal() -> threading.Event:
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stop


@app.command("smtp")
def smtp(
    port: Annotated[int | None, typer.Option(help="Port (LIFELINE_SMTP_PORT).")] = None,
) -> None:
    """Run the SMTP intake alone (without the HTTP API) until SIGTERM."""
    lifeline = load_app()
    if port is not None:
        lifeline.settings.smtp_port = port
    server = lifeline.smtp_server()
    stop = _wait_for_signal()
    server.start()
    stop.wait()
    server.stop()


@imap_app.command("poll")
def imap_poll(
    once: Annotated[bool, typer.Option(help="Poll once and exit.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Take in new messages from LIFELINE_IMAP_FOLDER, once or every poll interval."""
    lifeline = load_app()
    poller = lifeline.imap_poller()
    if poller is None:
        raise fail(DomainError("LIFELINE_IMAP_HOST is not set"), as_json)
    if once:
        taken = poller.poll_once()
        emit({"taken": taken}) if as_json else out.print(f"{taken} message(s) taken in")
        return
    poller.run(_wait_for_signal(), lifeline.settings.imap_poll_seconds)


@quarantine_app.command("list")
def quarantine_list(
    status: Annotated[str | None, typer.Option(help="pending, released, discarded")] = "pending",
    limit: int = 100,
    as_json: JsonOpt = False,
) -> None:
    """Messages held for review, newest first."""
    rows = email_intake.list_quarantine(load_app().ctx, status, limit)
    if as_json:
        emit(
            [
                {
                    "id": m.id,
                    "received_at": m.received_at.isoformat(),
                    "channel": m.channel,
                    "mail_from": m.mail_from,
                    "reason": m.reason,
                    "size": m.size,
                    "status": m.status,
                    "alert_id": m.alert_id,
                }
                for m in rows
            ]
        )
        return
    table = Table("id", "received (UTC)", "from", "reason", "size", "status")
    for m in rows:
        table.add_row(
            str(m.id),
            m.received_at.strftime("%Y-%m-%d %H:%M"),
            m.mail_from,
            m.reason[:60],
            str(m.size),
            m.status,
        )
    out.print(table)


@quarantine_app.command("show")
def quarantine_show(message_id: int, as_json: JsonOpt = False) -> None:
    """The raw message (the read is audited)."""
    try:
        message = email_intake.show_quarantined(load_app().ctx, cli_actor(), message_id)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    raw = (message.raw or b"").decode("utf-8", errors="replace")
    if as_json:
        emit(
            {
                "id": message.id,
                "reason": message.reason,
                "mail_from": message.mail_from,
                "status": message.status,
                "raw": raw,
            }
        )
    else:
        out.print(f"Q{message.id} from {message.mail_from}: {message.reason}")
        sys.stdout.write(raw + "\n")


@quarantine_app.command("release")
def quarantine_release(message_id: int, as_json: JsonOpt = False) -> None:
    """Take a held message in as an alert."""
    try:
        outcome = load_app().release_quarantined(cli_actor(), message_id)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    data = {
        "quarantine_id": message_id,
        "alert_id": outcome.alert_id,
        "case_id": outcome.case_id,
        "missing": list(outcome.missing),
    }
    emit(data) if as_json else out.print(
        f"Q{message_id} is now alert {outcome.alert_id} on case {outcome.case_id}"
    )


@quarantine_app.command("discard")
def quarantine_discard(
    message_id: int,
    reason: Annotated[str, typer.Option(help="Why this is not an alert.")],
    as_json: JsonOpt = False,
) -> None:
    """Mark a held message as reviewed and not an alert (it is kept, not deleted)."""
    try:
        email_intake.discard(load_app().ctx, cli_actor(), message_id, reason)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    emit({"id": message_id, "status": "discarded"}) if as_json else out.print(
        f"Q{message_id} discarded"
    )


@partners_app.command("add-sender")
def partners_add_sender(key_id: str, pattern: str, as_json: JsonOpt = False) -> None:
    """Take mail from PATTERN (an address or a domain) as this partner's alerts."""
    try:
        partner = access.add_partner_sender(load_app().ctx, key_id, pattern)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    emit({"partner": partner.name, "sender": pattern}) if as_json else out.print(
        f"mail from {pattern} is now taken in as {partner.name}'s alerts"
    )

"""Email intake commands: the SMTP server alone, IMAP polling, the quarantine, partner senders."""

from __future__ import annotations

import re
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from lifeline.cli.common import (
    JsonOpt,
    app,
    cli_actor,
    emit,
    fail,
    ist,
    load_app,
    out,
    partners_app,
)
from lifeline.domain.errors import DomainError
from lifeline.domain.mail import QuarantineStatus
from lifeline.services.intake import held_mail
from lifeline.services.intake import mail as email_intake
from lifeline.services.intake.held_mail import HeldMail

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


#: control characters (but tab and newline) and bidirectional overrides: a held message's
#: words must not drive the terminal (escape sequences) or reorder what is shown
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _plain(text: str) -> str:
    return _TERMINAL_UNSAFE.sub("", text)


def _status(value: str | None) -> QuarantineStatus | None:
    if not value:
        return None
    try:
        return QuarantineStatus(value)
    except ValueError:
        choices = ", ".join(s.value for s in QuarantineStatus)
        raise DomainError(f"unknown status {value!r}; one of: {choices}") from None


def _waited(held: HeldMail) -> str:
    return f"{int(held.waited.total_seconds() // 60)} min"


def _held_json(held: HeldMail) -> dict[str, Any]:
    return {
        "id": held.id,
        "received_at": held.received_at.isoformat(),
        "waited_seconds": int(held.waited.total_seconds()),
        "channel": held.channel,
        "mail_from": held.mail_from,
        "reason": held.reason,
        "size": held.size,
        "status": held.status,
        "alert_id": held.alert_id,
        "from": held.mail.from_header,
        "subject": held.mail.subject,
    }


@quarantine_app.command("list")
def quarantine_list(
    status: Annotated[str | None, typer.Option(help="pending, released, discarded")] = "pending",
    limit: int = 100,
    as_json: JsonOpt = False,
) -> None:
    """Messages held for review, with their decoded subjects: pending ones the longest waiting
    first, others newest first (the read is audited)."""
    lifeline = load_app()
    try:
        rows = held_mail.held_mail(
            lifeline.ctx, cli_actor(), lifeline.mail_reader(), _status(status), limit
        )
    except DomainError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit([_held_json(m) for m in rows])
        return
    table = Table("id", "received", "waited", "from", "subject", "reason", "status")
    for m in rows:
        table.add_row(
            str(m.id),
            ist(m.received_at, "%Y-%m-%d %H:%M"),
            _waited(m),
            escape(_plain(m.mail_from)),  # the sender's words: never Rich markup
            escape(_plain(m.mail.subject[:60])),
            escape(_plain(m.reason[:60])),
            m.status,
        )
    out.print(table)


@quarantine_app.command("show")
def quarantine_show(
    message_id: int,
    raw: Annotated[bool, typer.Option("--raw", help="Print the message as received.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The message decoded: headers, subject, text (HTML as text), attachments, why it was
    held. --raw prints it as received instead (with --json: adds "raw"). The read is audited."""
    lifeline = load_app()
    try:
        if raw and not as_json:
            message = email_intake.show_quarantined(lifeline.ctx, cli_actor(), message_id)
            sys.stdout.write((message.raw or b"").decode("utf-8", errors="replace") + "\n")
            return
        held = held_mail.show_held(lifeline.ctx, cli_actor(), lifeline.mail_reader(), message_id)
        as_received = (
            email_intake.show_quarantined(lifeline.ctx, cli_actor(), message_id).raw
            if raw
            else None
        )
    except DomainError as exc:
        raise fail(exc, as_json) from None
    mail = held.mail
    if as_json:
        emit(
            {
                **_held_json(held),
                **({"raw": (as_received or b"").decode("utf-8", "replace")} if raw else {}),
                "to": mail.to_header,
                "date": mail.date_header,
                "body": mail.body,
                "html_source": mail.html_source,
                "attachments": [
                    {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                    for a in mail.attachments
                ],
                "claimed_checks": list(mail.claimed_checks),
                "problems": list(mail.problems),
            }
        )
        return
    lines = [
        f"Q{held.id} ({held.status}, waited {_waited(held)}): {held.reason}",
        f"From:     {mail.from_header}",
        f"Envelope: {held.mail_from}",
        f"To:       {mail.to_header}",
        f"Date:     {mail.date_header}",
        f"Subject:  {mail.subject}",
        *(f"Claimed (not checked): {c}" for c in mail.claimed_checks),
        "",
        mail.body or "(no readable text)",
        *(f"Attachment: {a.filename} ({a.content_type}, {a.size} bytes)" for a in mail.attachments),
        *(f"Problem: {p}" for p in mail.problems),
    ]
    # plain text, not Rich markup: the message's words are the sender's
    sys.stdout.write(_plain("\n".join(lines)) + "\n")


@quarantine_app.command("release")
def quarantine_release(
    message_id: int,
    reason: Annotated[
        str | None, typer.Option(help="Why it is genuine (kept in the audit).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Take a held message in as an alert."""
    try:
        outcome = load_app().release_quarantined(cli_actor(), message_id, reason)
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
def partners_add_sender(
    key_id: str,
    domain: Annotated[str, typer.Argument(help="The partner's sending domain (or an address).")],
    dkim_selector: Annotated[
        str | None, typer.Option(help="DKIM selector whose key is pinned (with the key file).")
    ] = None,
    dkim_public_key: Annotated[
        Path | None,
        typer.Option(help="File with the selector's public key: PEM, or the DNS record's p=."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Take mail from DOMAIN as this partner's alerts; its DKIM signatures must be by that
    domain. With --dkim-selector and --dkim-public-key, pin the key (used instead of DNS).
    Repeat for the same domain to add selectors."""
    try:
        key_text = None
        if dkim_public_key is not None:
            try:
                key_text = dkim_public_key.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise DomainError(f"cannot read {dkim_public_key}: {exc}") from None
        added = load_app().add_partner_sender(key_id, domain, dkim_selector, key_text)
    except DomainError as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit(
            {
                "partner": added.partner.name,
                "key_id": added.partner.key_id,
                "sender": added.sender,
                "dkim_selectors": list(added.selectors),
            }
        )
        return
    pinned = f"; pinned DKIM selectors: {', '.join(added.selectors)}" if added.selectors else ""
    out.print(f"mail from {added.sender} is now taken in as {added.partner.name}'s alerts{pinned}")

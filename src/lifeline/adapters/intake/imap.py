"""Polling an IMAP folder for alert mail (for SMCs whose alerts land in an existing mailbox).

Each message is taken in exactly once: its UID is recorded in the same transaction as the
alert (or quarantine entry) it became, and it is flagged \\Seen or moved only after that commit.
A crash between commit and flagging is harmless: the UID is already recorded, so the message is
only flagged on the next poll. A new UIDVALIDITY re-reads the folder; the Message-ID receipt
keeps already-taken messages from becoming alerts twice.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import getaddresses

import structlog
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from lifeline.domain.mail import EmailOutcome
from lifeline.services.ports import UnitOfWork, UnitOfWorkFactory

log = structlog.get_logger("lifeline.imap")

Receive = Callable[..., EmailOutcome]


@dataclass(frozen=True)
class ImapOptions:
    host: str
    port: int = 993
    ssl: bool = True
    user: str = ""
    password: str = ""
    folder: str = "INBOX"
    move_to: str | None = None
    batch: int = 50


def envelope_sender(raw: bytes) -> str:
    """The From address of a message (IMAP has no SMTP envelope)."""
    try:
        headers = email.message_from_bytes(raw, policy=email.policy.compat32)
        found = getaddresses([str(headers.get("From") or "")])
    except Exception:  # a malformed header: the quarantine takes it with an empty sender
        return ""
    return found[0][1].strip().lower() if found and found[0][1] else ""


class ImapPoller:
    def __init__(self, options: ImapOptions, uow: UnitOfWorkFactory, receive: Receive) -> None:
        self.options, self.uow, self.receive = options, uow, receive

    def connect(self) -> IMAPClient:
        client = IMAPClient(
            self.options.host, port=self.options.port, ssl=self.options.ssl, timeout=30
        )
        client.login(self.options.user, self.options.password)
        return client

    def poll_once(self) -> int:
        """Take in every new message in the folder; returns how many were taken."""
        opts = self.options
        client = self.connect()
        try:
            info = client.select_folder(opts.folder)
            validity = int(info[b"UIDVALIDITY"])
            with self.uow(readonly=True) as uow:
                last = uow.imap.last_uid(opts.folder, validity)
            uids = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)
            taken = 0
            for start in range(0, len(uids), opts.batch):
                chunk = uids[start : start + opts.batch]
                fetched = client.fetch(chunk, ["BODY.PEEK[]"])
                for uid in chunk:
                    raw = fetched.get(uid, {}).get(b"BODY[]")
                    if raw is None:
                        log.warning("imap.vanished", uid=uid)
                        continue
                    self._take(validity, uid, raw)
                    self._done(client, uid)
                    taken += 1
            return taken
        finally:
            with contextlib.suppress(IMAPClientError, OSError):
                client.logout()

    def _take(self, validity: int, uid: int, raw: bytes) -> None:
        folder = self.options.folder
        with self.uow(readonly=True) as uow:
            if uow.imap.seen(folder, validity, uid):
                return

        def record(uow: UnitOfWork, outcome: EmailOutcome) -> None:
            uow.imap.mark(
                folder,
                validity,
                uid,
                alert_id=outcome.alert_id,
                quarantine_id=outcome.quarantine_id,
                at=datetime.now(UTC),
            )

        outcome = self.receive(raw, envelope_sender(raw), None, None, "imap", record)
        log.info(
            "imap.received",
            uid=uid,
            status=outcome.status.value,
            alert_id=outcome.alert_id,
            case_id=outcome.case_id,
            quarantine_id=outcome.quarantine_id,
        )

    def _done(self, client: IMAPClient, uid: int) -> None:
        if self.options.move_to:
            client.move([uid], self.options.move_to)
        else:
            client.add_flags([uid], [b"\\Seen"])

    def run(self, stop: threading.Event, interval: float) -> None:
        log.info("imap.started", host=self.options.host, folder=self.options.folder)
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception:  # server away or login refused: log and try again next round
                log.exception("imap.poll_failed", host=self.options.host)
            stop.wait(interval)
        log.info("imap.stopped")

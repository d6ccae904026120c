"""Repositories for alerts and the people they are about: translate rows to domain entities,
encrypting personal data on the way in and decrypting it on the way out (cases:
repositories.py).

Statements run for every alert are built once, next to the class that runs them, and executed
with parameters: SQLAlchemy then reuses their cache key instead of recomputing it each time."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, exists, func, insert, select

from lifeline.adapters.db.tables import (
    aad,
    alert_attachments,
    alerts,
    new_id,
    subjects,
)
from lifeline.domain.alert import (
    Alert,
    AlertSource,
    Attachment,
    Caller,
    LocationHint,
    Post,
    PostKind,
    Subject,
    phone_digits,
)
from lifeline.domain.errors import NotFound
from lifeline.domain.timestamps import iso
from lifeline.services.ports import Cipher


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


#: executed with the subject's column values
_ADD_SUBJECT = insert(subjects).values(created_at=func.now())
_SUBJECT = select(subjects).where(subjects.c.id == bindparam("subject_id"))


class SqlSubjectRepository:
    FIELDS = ("name", "handle", "profile_url", "phone", "email")

    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys

    def add(self, subject: Subject) -> Subject:
        values: dict[str, Any] = {"platform": subject.platform or "other"}
        for name in self.FIELDS:
            col = f"{name}_enc"
            values[col] = self.keys.encrypt(getattr(subject, name), aad(subjects, col))
        for key in subject.account_keys():
            column = "handle_hash" if key.startswith("account:") else "profile_hash"
            values[column] = self.keys.blind_index(key)
        if subject.phone:
            digits = phone_digits(subject.phone)
            values["phone_hash"] = self.keys.blind_index(f"phone:{digits}")
        if subject.email:
            values["email_hash"] = self.keys.blind_index(
                f"email:{subject.email.strip().casefold()}"
            )
        subject.id = new_id(self.conn.execute(_ADD_SUBJECT, values))
        return subject

    def get(self, subject_id: int) -> Subject:
        row = self.conn.execute(_SUBJECT, {"subject_id": subject_id}).one_or_none()
        if row is None:
            raise NotFound(f"subject {subject_id} not found")
        plain = {
            n: self.keys.decrypt(getattr(row, f"{n}_enc"), aad(subjects, f"{n}_enc"))
            for n in self.FIELDS
        }
        return Subject(platform=row.platform, id=row.id, **plain)


_ADD_ALERT = insert(alerts)
_ADD_ATTACHMENT = insert(alert_attachments)
_ATTACHMENT = select(alert_attachments).where(alert_attachments.c.id == bindparam("attachment_id"))
#: with whether each alert has attachments, so most reads need no second query
_ALERTS_OF_CASE = (
    select(
        alerts,
        exists().where(alert_attachments.c.alert_id == alerts.c.id).label("has_attachments"),
    )
    .where(alerts.c.case_id == bindparam("case_id"))
    .order_by(alerts.c.received_at)
)
_ATTACHMENTS_LISTED = (
    select(
        alert_attachments.c.id,
        alert_attachments.c.alert_id,
        alert_attachments.c.filename_enc,
        alert_attachments.c.content_type,
    )
    .where(alert_attachments.c.alert_id.in_(bindparam("alert_ids", expanding=True)))
    .order_by(alert_attachments.c.id)
)


class SqlAlertRepository:
    """Alerts, stored encrypted. A case's alerts are read once per transaction (the steps of
    one alert's job each need them); alerts are written only here, which forgets them."""

    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys
        self._of_case: dict[int, list[Alert]] = {}

    def forget(self) -> None:
        self._of_case.clear()

    def add(self, alert: Alert) -> Alert:
        extracted = {
            "subject": {n: getattr(alert.subject, n) for n in SqlSubjectRepository.FIELDS},
            "post": {"text": alert.post.text, "url": alert.post.url},
            "location": {
                "text": alert.location.text,
                "lat": alert.location.lat,
                "lon": alert.location.lon,
                "pin": alert.location.pin,
                "ip_city": alert.location.ip_city,
                "approximate": alert.location.approximate,
            },
            "caller": None
            if alert.caller is None
            else {
                "name": alert.caller.name,
                "organisation": alert.caller.organisation,
                "callback_number": alert.caller.callback_number,
                "call_received_at": iso(alert.caller.call_received_at),
                "notes": alert.caller.notes,
            },
            "extra": alert.extra,
            "thread_keys": alert.thread_keys,
        }
        values = {
            "case_id": alert.case_id,
            "subject_id": alert.subject.id,
            "partner_id": alert.partner_id,
            "source": alert.source.value,
            "platform": alert.platform,
            "reference": alert.reference,
            "received_via": alert.received_via,
            "received_at": alert.received_at,
            "post_kind": alert.post.kind.value,
            "posted_at": alert.post.posted_at,
            "raw_content_type": alert.raw_content_type,
            "raw_sha256": hashlib.sha256(alert.raw_payload).hexdigest(),
            "raw_payload_enc": self.keys.encrypt(alert.raw_payload, aad(alerts, "raw_payload_enc")),
            "extracted_enc": self.keys.encrypt(
                json.dumps(extracted, ensure_ascii=False), aad(alerts, "extracted_enc")
            ),
            "sender_verified": bool(alert.sender_verified),
            "sender_verification": alert.sender_verification[:300],
        }
        self._of_case.pop(alert.case_id or 0, None)
        alert.id = new_id(self.conn.execute(_ADD_ALERT, values))
        for attachment in alert.attachments:
            row = {
                "alert_id": alert.id,
                "content_type": attachment.content_type[:120],
                "size": len(attachment.content),
                "sha256": hashlib.sha256(attachment.content).hexdigest(),
                "filename_enc": self.keys.encrypt(
                    attachment.filename, aad(alert_attachments, "filename_enc")
                ),
                "content_enc": self.keys.encrypt(
                    attachment.content, aad(alert_attachments, "content_enc")
                ),
            }
            attachment.id = new_id(self.conn.execute(_ADD_ATTACHMENT, row))
        return alert

    def attachment(self, attachment_id: int) -> tuple[int, Attachment]:
        row = self.conn.execute(_ATTACHMENT, {"attachment_id": attachment_id}).one_or_none()
        if row is None:
            raise NotFound(f"attachment {attachment_id} not found")
        return row.alert_id, Attachment(
            self.keys.decrypt(row.filename_enc, aad(alert_attachments, "filename_enc")) or "",
            row.content_type,
            self.keys.decrypt_bytes(row.content_enc, aad(alert_attachments, "content_enc")) or b"",
            row.id,
        )

    def for_case(self, case_id: int) -> list[Alert]:
        if case_id not in self._of_case:
            self._of_case[case_id] = self._read_case(case_id)
        return list(self._of_case[case_id])

    def _read_case(self, case_id: int) -> list[Alert]:
        rows = self.conn.execute(_ALERTS_OF_CASE, {"case_id": case_id}).all()
        found = [self._alert(row) for row in rows]
        by_id = {row.id: a for row, a in zip(rows, found, strict=True) if row.has_attachments}
        if by_id:
            listed = self.conn.execute(_ATTACHMENTS_LISTED, {"alert_ids": list(by_id)})
            for r in listed:
                name = self.keys.decrypt(r.filename_enc, aad(alert_attachments, "filename_enc"))
                by_id[r.alert_id].attachments.append(
                    Attachment(name or "", r.content_type, b"", r.id)
                )
        return found

    def _alert(self, row: Row[Any]) -> Alert:
        raw = self.keys.decrypt_bytes(row.raw_payload_enc, aad(alerts, "raw_payload_enc")) or b""
        data = json.loads(
            self.keys.decrypt(row.extracted_enc, aad(alerts, "extracted_enc")) or "{}"
        )
        caller = data.get("caller")
        alert = Alert.__new__(Alert)  # rows were valid when stored: skip intake validation
        alert.__dict__.update(
            source=AlertSource(row.source),
            received_at=row.received_at,
            raw_payload=raw,
            raw_content_type=row.raw_content_type,
            platform=row.platform,
            reference=row.reference,
            subject=Subject(platform=row.platform, id=row.subject_id, **data["subject"]),
            post=Post(
                data["post"]["text"], data["post"]["url"], row.posted_at, PostKind(row.post_kind)
            ),
            location=LocationHint(**data["location"]),
            caller=None
            if caller is None
            else Caller(
                caller["name"],
                caller["organisation"],
                caller["callback_number"],
                _dt(caller["call_received_at"]),
                caller["notes"],
            ),
            partner_id=row.partner_id,
            received_via=row.received_via,
            extra=data.get("extra") or {},
            thread_keys=data.get("thread_keys") or [],
            attachments=[],
            sender_verified=bool(row.sender_verified),
            sender_verification=row.sender_verification,
            id=row.id,
            case_id=row.case_id,
        )
        return alert

"""Migration 0009 on both databases: alerts taken in before it keep an honest sender verdict
(emails were never checked; signed API calls and operators' alerts were verified)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from lifeline.adapters.db import migrate
from lifeline.bootstrap import Lifeline

AT = datetime(2026, 12, 1, tzinfo=UTC)


def test_alerts_from_before_0009_are_marked_by_how_they_came(lifeline: Lifeline) -> None:
    migrate.downgrade(lifeline.engine, "0008")
    with lifeline.engine.begin() as conn:
        case_id = conn.execute(
            text(
                "INSERT INTO cases (status, platform, opened_at, last_alert_at, alert_count, "
                "version) VALUES ('received', 'facebook', :at, :at, 3, 1) RETURNING id"
            ),
            {"at": AT},
        ).scalar_one()
        for source in ("platform_email", "platform_api", "phone_call"):
            conn.execute(
                text(
                    "INSERT INTO alerts (case_id, source, platform, received_at, post_kind, "
                    "raw_content_type, raw_sha256, raw_payload_enc, extracted_enc) VALUES "
                    "(:case_id, :source, 'facebook', :at, 'text', 'x', 'x', 'x', 'x')"
                ),
                {"case_id": case_id, "source": source, "at": AT},
            )
    migrate.upgrade(lifeline.engine)
    with lifeline.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT source, sender_verified, sender_verification FROM alerts ORDER BY id")
        ).all()
    assert [(s, bool(ok), how) for s, ok, how in rows] == [
        ("platform_email", False, "not checked (received before sender verification)"),
        ("platform_api", True, "signed-api"),
        ("phone_call", True, "operator"),
    ]

"""The audit chain in the database: tampering with rows directly is detected."""

from __future__ import annotations

from sqlalchemy import text
from test_storage import make_alert

from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.access.audit import verify_audit
from lifeline.services.cases import service as cases
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from support import FakeClock

OP = Actor("cli", "tester", "admin")


def fill(app: Lifeline, clock: FakeClock) -> int:
    case_id = receive_alert(app.ctx, ReceiveAlert(make_alert(clock), OP)).case_id
    for _ in range(3):
        clock.advance(seconds=1)
        cases.show_case(app.ctx, OP, case_id)
    return case_id


def test_every_change_and_every_read_is_on_the_chain(lifeline: Lifeline, clock: FakeClock) -> None:
    fill(lifeline, clock)
    report = verify_audit(lifeline.ctx)
    assert report.ok and report.verified == 4
    with lifeline.engine.connect() as conn:
        actions = conn.execute(text("SELECT action FROM audit_log ORDER BY seq")).scalars().all()
    assert actions == ["alert.received", "case.read", "case.read", "case.read"]


def test_an_edited_row_is_reported_as_the_first_broken_link(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    fill(lifeline, clock)
    with lifeline.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'user:nobody' WHERE seq = 3"))
    report = verify_audit(lifeline.ctx)
    assert not report.ok and report.broken is not None
    assert report.broken.seq == 3 and report.verified == 2


def test_a_deleted_row_is_detected(lifeline: Lifeline, clock: FakeClock) -> None:
    fill(lifeline, clock)
    with lifeline.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    report = verify_audit(lifeline.ctx)
    assert report.broken is not None and report.broken.seq == 2
    assert "missing" in report.broken.problem

"""Console use cases with in-memory fakes: scoping fails closed, refusals are audited, the queue
is ordered and highlighted, and sign-in locks out."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from fakes import make_context

from lifeline.domain.access import ROLE_PERMISSIONS, ROLE_SCOPES, Permission, Role, Scope
from lifeline.domain.alert import Alert, AlertSource, Post, Subject
from lifeline.domain.errors import NotFound, PermissionDenied
from lifeline.domain.model import Actor
from lifeline.domain.risk import Cue
from lifeline.services.access import accounts as access
from lifeline.services.access import sessions
from lifeline.services.access.authorisation import check_case
from lifeline.services.console import desk as console
from lifeline.services.console.ports import QueueItem
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from support import FakeClock

OP = Actor("user", "op", "smc_operator")


def _case(ctx: object, handle: str, text: str = "sab khatam") -> int:
    alert = Alert(
        source=AlertSource.PLATFORM_API,
        received_at=ctx.clock.now(),  # type: ignore[attr-defined]
        raw_payload=b"{}",
        raw_content_type="application/json",
        subject=Subject(handle=handle),
        post=Post(text),
    )
    return receive_alert(ctx, ReceiveAlert(alert, OP)).case_id  # type: ignore[arg-type]


def test_every_role_has_permissions_and_a_scope_in_the_table() -> None:
    assert set(ROLE_PERMISSIONS) == set(ROLE_SCOPES) == set(Role)
    assert ROLE_PERMISSIONS[Role.COUNSELLOR] == {Permission.FOLLOWUP_WORK}
    assert ROLE_SCOPES[Role.COUNSELLOR] is Scope.NO_CASE
    assert Permission.CASE_READ in ROLE_PERMISSIONS[Role.STF_ANALYST]


def test_a_district_officer_sees_only_cases_placed_in_their_district() -> None:
    ctx, factory, _ = make_context()
    access.create_user(ctx, "dsp", "district_officer", jurisdiction="Lucknow")
    officer = Actor("user", "dsp", "district_officer")
    mine, unplaced, elsewhere = _case(ctx, "a"), _case(ctx, "b"), _case(ctx, "c")
    factory.store.districts.update({mine: "157", elsewhere: "146"})
    rows = console.queue(ctx, officer, ack_sla=timedelta(minutes=10))
    assert [r.case_id for r in rows] == [mine]
    check_case(ctx, officer, mine, Permission.CASE_ACT)
    for case_id in (unplaced, elsewhere):  # "not found", as a case that does not exist
        with pytest.raises(NotFound, match=f"^case {case_id} not found$"):
            check_case(ctx, officer, case_id, Permission.CASE_READ)
    denied = [r for r in factory.store.audit if r.action == "access.denied"]
    assert [(r.case_id, r.details["reason"]) for r in denied] == [
        (unplaced, "jurisdiction"),
        (elsewhere, "jurisdiction"),
    ]


def test_a_district_officer_may_not_dispatch_even_in_their_district() -> None:
    ctx, factory, _ = make_context()
    access.create_user(ctx, "dsp", "district_officer", jurisdiction="157")
    case_id = _case(ctx, "a")
    factory.store.districts[case_id] = "157"
    with pytest.raises(PermissionDenied):
        check_case(ctx, Actor("user", "dsp", "district_officer"), case_id, Permission.CASE_MANAGE)
    assert factory.store.audit[-1].details["reason"] == "role"


def test_cues_are_highlighted_by_offset_or_by_their_words() -> None:
    text = "aaj raat sab khatam kar dunga"
    cues = (Cue("time", "aaj raat", 0, 8), Cue("finality", "KHATAM", 99, 105))
    segments = console.highlight(text, cues)
    assert [(s.text, s.cue) for s in segments] == [
        ("aaj raat", "time"),
        (" sab ", None),
        ("khatam", "finality"),
        (" kar dunga", None),
    ]


def test_the_acknowledgement_sla_turns_red_after_its_minutes() -> None:
    clock = FakeClock()
    item = QueueItem(1, "received", "facebook", "platform_api", None, clock.now(), None, 1,
                     None, None, None, None, "text", None)  # fmt: skip
    sla = timedelta(minutes=10)
    assert console.sla_state(item, clock.now() + timedelta(minutes=4), sla) == "ok"
    assert console.sla_state(item, clock.now() + timedelta(minutes=6), sla) == "due"
    assert console.sla_state(item, clock.now() + timedelta(minutes=10), sla) == "breached"


def test_the_queue_puts_higher_risk_first_then_older() -> None:
    ctx, factory, _ = make_context()
    low, unassessed, high = _case(ctx, "a"), _case(ctx, "b"), _case(ctx, "c")
    factory.store.cases[low].risk_level = "distress"
    factory.store.cases[high].risk_level = "imminent"
    factory.store.cases[unassessed].risk_level = None  # platform alerts start at the floor
    rows = console.queue(ctx, OP, ack_sla=timedelta(minutes=10))
    assert [r.case_id for r in rows] == [unassessed, high, low]


def test_wrong_codes_space_out_the_accounts_attempts_then_the_right_code_gets_in() -> None:
    clock = FakeClock()
    ctx, factory, _ = make_context(clock)
    user = access.create_user(ctx, "op", "smc_operator", password="x" * 12)
    policy = sessions.SessionPolicy()
    for _ in range(5):
        with pytest.raises(sessions.SignInRefused):
            sessions.sign_in(ctx, policy, "op", "x" * 12, "000000")
    code = pyotp.TOTP(user.totp_secret).at(clock.now())
    with pytest.raises(sessions.SignInThrottled) as throttled:
        sessions.sign_in(ctx, policy, "op", "x" * 12, code)
    assert throttled.value.retry_after == 8  # three failures counted, then 2^3 s
    clock.advance(seconds=8)
    code = pyotp.TOTP(user.totp_secret).at(clock.now())
    done = sessions.sign_in(ctx, policy, "op", "x" * 12, code)
    assert done.console.actor == Actor("user", "op", "smc_operator")
    actions = [r.action for r in factory.store.audit if r.actor == "user:op"]
    # one audit record for the whole throttled burst (three refused attempts)
    assert actions == ["user.sign_in_failed"] * 3 + ["user.sign_in_throttled", "user.sign_in"]
    assert factory.store.audit[-1].details["refused_before"] == 3

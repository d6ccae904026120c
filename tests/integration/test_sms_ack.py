"""SMS acknowledgements cannot be guessed or spoofed (issue 14, break 5): a code counts only
from a number of the unit's contacts, wrong codes are throttled per number and overall in the
database, and no timeline summary or audit detail keeps the acknowledger's name or number.
The messages are really sent to HTTP endpoints on 127.0.0.1; the gateway's webhook is called
over the ASGI app, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from dispatch_entry_support import (
    OP,
    PERSON,
    SMS_SECRET,
    STATION,
    Endpoints,
    ack_code,
    configure,
    drain,
    endpoints,
    new_case,
)
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text

from console_support import client
from lifeline.adapters.crypto.ack_tokens import ack_secret
from lifeline.adapters.db import migrate
from lifeline.bootstrap import Lifeline
from lifeline.domain.lifecycle import CaseStatus
from lifeline.services.cases import service as cases
from lifeline.services.dispatch import sms_ack
from lifeline.services.dispatch.escalations import confirm_dispatch
from lifeline.settings import Settings
from support import FakeClock

STATION_PHONE = "+919811111111"  # the station's duty officer (tests/dispatch_support.py)
SMC_PHONE_CONTACT = "+919822222222"  # a contact, but of the SMC, not of the station
STRANGER = "+919899999999"
CLEAR = ("9811111111", "9899999999", "Duty officer", *PERSON)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return configure(settings)


@pytest.fixture
def sent(lifeline: Lifeline) -> Iterator[Endpoints]:
    with endpoints(lifeline) as found:
        yield found


def dispatched(app: Lifeline, sent: Endpoints, handle: str = "a") -> tuple[int, str]:
    """A case sent to the Madeyganj police station, and the code in the station's message."""
    case_id = new_case(app, handle)
    confirm_dispatch(app.ctx, OP, case_id, [STATION])
    drain(app)
    return case_id, ack_code(sent.station.received[-1]["message"])


def sms(web: TestClient, sender: str, text: str) -> Any:
    return web.post(
        "/api/v1/inbound/sms",
        headers={"X-Lifeline-Token": SMS_SECRET},
        json={"from": sender, "text": text},
    )


def wrong(code: str, n: int) -> str:
    """The code with its secret digits changed (the same message id)."""
    return code[:-10] + f"{(int(code[-10:]) + 1 + n) % 10**10:010d}"


def status(app: Lifeline, case_id: int) -> CaseStatus:
    return cases.show_case(app.ctx, OP, case_id).case.status


def audit(app: Lifeline) -> list[Any]:
    with app.ctx.uow(readonly=True) as uow:
        return list(uow.audit.records())


def test_a_thousand_wrong_codes_are_throttled_after_five_then_the_right_one_waits(
    lifeline: Lifeline, sent: Endpoints, clock: FakeClock
) -> None:
    case_id, code = dispatched(lifeline, sent)
    web = client(lifeline)
    answers = [sms(web, STATION_PHONE, f"ACK {wrong(code, n)}") for n in range(1000)]
    assert [a.status_code for a in answers[:5]] == [404] * 5
    assert {a.status_code for a in answers[5:]} == {429}
    throttled = answers[-1]
    assert throttled.json()["error"]["code"] == "too_many_attempts"
    assert 0 < int(throttled.headers["Retry-After"]) <= 15 * 60
    assert "Use the link" in throttled.json()["reply"] and "SMC" in throttled.json()["reply"]
    assert "मिनट" in throttled.json()["reply"]
    # the right code from the throttled number is not even read until the window has room
    right = sms(web, STATION_PHONE, f"ACK {code}")
    assert right.status_code == 429 and status(lifeline, case_id) is CaseStatus.DISPATCHED
    # bursts are audited once, not per attempt, and never with the number
    actions = [r.action for r in audit(lifeline)]
    assert actions.count("case.acknowledge_refused") == 5
    assert actions.count("sms_ack.throttled") == 1
    clock.advance(minutes=15, seconds=1)
    taken = sms(web, STATION_PHONE, f"ACK {code}")
    assert taken.status_code == 200, taken.text
    assert status(lifeline, case_id) is CaseStatus.ACKNOWLEDGED


def test_the_right_code_from_an_unrelated_number_does_not_acknowledge(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    case_id, code = dispatched(lifeline, sent)
    web = client(lifeline)
    right, guess = sms(web, STRANGER, f"ACK {code}"), sms(web, STRANGER, f"ACK {wrong(code, 0)}")
    # the same answer whether the code was right or not
    assert right.status_code == guess.status_code == 403
    assert right.json() == guess.json()
    assert right.json()["error"]["code"] == "sender_not_allowed"
    assert "not registered" in right.json()["reply"] and "पंजीकृत" in right.json()["reply"]
    assert status(lifeline, case_id) is CaseStatus.DISPATCHED
    # a contact of another unit (the SMC) with the right code: the answer to a wrong code
    other = sms(web, SMC_PHONE_CONTACT, f"ACK {code}")
    miss = sms(web, SMC_PHONE_CONTACT, f"ACK {wrong(code, 1)}")
    assert other.status_code == miss.status_code == 404 and other.json() == miss.json()
    assert status(lifeline, case_id) is CaseStatus.DISPATCHED
    # the desk is told the code reached someone else, without the number
    timeline = cases.show_case(lifeline.ctx, OP, case_id).timeline
    leaked = [t for t in timeline if t.kind == "acknowledge_refused"]
    assert leaked and "not a contact of the unit" in leaked[0].summary
    refused = [r for r in audit(lifeline) if r.action == "case.acknowledge_refused"]
    assert len(refused) == 4 and all(len(r.details["sender_hash"]) == 64 for r in refused)
    assert STRANGER[3:] not in json.dumps([r.details for r in refused])


def test_the_right_code_from_the_contacts_number_acknowledges_and_names_no_one(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    case_id, code = dispatched(lifeline, sent)
    grouped = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    assert f"ACK {grouped}" in sent.station.received[-1]["message"]
    # the gateway reports the number without +; the officer types the groups and goes on
    taken = sms(client(lifeline), STATION_PHONE[1:], f"ack {grouped} 10 min mein pahunch rahe")
    assert taken.status_code == 200, taken.text
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert detail.case.status is CaseStatus.ACKNOWLEDGED
    said = [t for t in detail.timeline if t.kind == "acknowledged"]
    assert said[0].summary.startswith("Acknowledged by a contact of Madeyganj (SMS)")
    # who it was is kept only in the entry's details (stored encrypted)
    assert said[0].details["given_as"] == STATION_PHONE[1:]
    assert said[0].details["contact"] == "Duty officer"
    with lifeline.ctx.uow(readonly=True) as uow:
        dispatches = uow.dispatches.for_case(case_id)
        rows = uow.conn.exec_driver_sql(  # type: ignore[attr-defined]
            "SELECT actor, summary FROM timeline WHERE case_id = ?"
            if uow.conn.dialect.name == "sqlite"  # type: ignore[attr-defined]
            else "SELECT actor, summary FROM timeline WHERE case_id = %s",
            (case_id,),
        ).all()
    in_clear = json.dumps(
        {
            "timeline": [list(r) for r in rows],
            "audit": [(r.actor, r.details) for r in audit(lifeline)],
            "acknowledged_by": [d.acknowledged_by for d in dispatches],
        },
        ensure_ascii=False,
    )
    for personal in CLEAR:
        assert personal not in in_clear, personal
    assert "a contact of Madeyganj (SMS)" in in_clear


def test_strangers_cannot_lock_the_contacts_out(lifeline: Lifeline, sent: Endpoints) -> None:
    case_id, code = dispatched(lifeline, sent)
    web = client(lifeline)
    for n in range(40):
        stranger = f"+9198990{n:05d}"
        for _ in range(6):
            sms(web, stranger, f"ACK {wrong(code, n)}")
    assert sms(web, "+919899000000", f"ACK {code}").status_code == 429  # that number, yes
    assert sms(web, STATION_PHONE, f"ACK {code}").status_code == 200
    assert status(lifeline, case_id) is CaseStatus.ACKNOWLEDGED


def test_wrong_codes_from_all_contacts_together_are_capped(
    lifeline: Lifeline, sent: Endpoints, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sms_ack, "OVERALL_LIMIT", 8)  # the test registry has three contacts
    case_id, code = dispatched(lifeline, sent)
    web = client(lifeline)
    for n in range(5):
        assert sms(web, STATION_PHONE, f"ACK {wrong(code, n)}").status_code == 404
    for n in range(3):
        assert sms(web, SMC_PHONE_CONTACT, f"ACK {wrong(code, n)}").status_code == 404
    capped = sms(web, "+919844444444", f"ACK {code}")  # the STF duty officer
    assert capped.status_code == 429 and "Retry-After" in capped.headers
    assert sms(web, STRANGER, f"ACK {code}").status_code == 403  # strangers: their own count
    assert status(lifeline, case_id) is CaseStatus.DISPATCHED
    assert [r.details["scope"] for r in audit(lifeline) if r.action == "sms_ack.throttled"] == [
        "number",
        "all",
    ]


def test_a_code_older_than_a_day_is_refused(
    lifeline: Lifeline, sent: Endpoints, clock: FakeClock
) -> None:
    case_id, code = dispatched(lifeline, sent)
    clock.advance(hours=24, seconds=1)
    late = sms(client(lifeline), STATION_PHONE, f"ACK {code}")
    assert late.status_code == 409 and "expired" in late.json()["error"]["message"]
    assert status(lifeline, case_id) is CaseStatus.DISPATCHED


def test_an_acknowledgement_link_is_signed_for_that_purpose_only(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    """The link checked, not rebuilt: its key is derived for acknowledgement links alone, a
    GET changes nothing (test_ack_entrypoints), and it expires."""
    case_id, _ = dispatched(lifeline, sent)
    notification_id = dispatch_repo_ids(lifeline, case_id)[0]
    web = client(lifeline)
    for secret, salt in (
        (lifeline.keyring.index_key, "lifeline-ack"),  # the lookup key itself
        (ack_secret(lifeline.keyring.index_key), "lifeline-api-token"),  # another purpose
    ):
        token = URLSafeTimedSerializer(secret, salt=salt).dumps(notification_id)
        assert web.post(f"/ack/{token}", data={}).status_code == 403
    assert status(lifeline, case_id) is CaseStatus.DISPATCHED


def dispatch_repo_ids(app: Lifeline, case_id: int) -> list[int]:
    with app.ctx.uow(readonly=True) as uow:
        return [n.id for n in uow.dispatches.notifications_for_case(case_id) if n.id]


def test_the_upgrade_takes_names_and_numbers_out_of_what_was_written_before(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    case_id, _ = dispatched(lifeline, sent)
    scripts = ScriptDirectory.from_config(migrate.alembic_config(lifeline.engine))
    before = scripts.get_revision("0011").down_revision
    assert isinstance(before, str)
    migrate.downgrade(lifeline.engine, before)
    old = {  # what earlier versions wrote
        "notification_delivered": (
            "contact:SI Verma@up-lko-ps-madeyganj",
            "Delivered to SI Verma (up-lko-ps-madeyganj) via json://127.0.0.1 / संदेश पहुँचा",
        ),
        "escalation_step": (
            "system",
            "Escalation step 1/3 (round 1) for Madeyganj: SI Verma (up-lko-ps-madeyganj), "
            "SHO R. K. Singh (up-lko-circle-mahanagar)",
        ),
    }
    with lifeline.engine.begin() as conn:
        for kind, (actor, summary) in old.items():
            conn.execute(
                text(
                    "UPDATE timeline SET actor = :a, summary = :s WHERE case_id = :c AND kind = :k"
                ),
                {"a": actor, "s": summary, "c": case_id, "k": kind},
            )
        conn.execute(
            text("UPDATE dispatches SET acknowledged_by = :v WHERE case_id = :c"),
            {"v": "+919811111111 (sms)", "c": case_id},
        )
    migrate.upgrade(lifeline.engine)
    with lifeline.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT kind, actor, summary FROM timeline WHERE case_id = :c"), {"c": case_id}
        ).all()
        by = conn.execute(
            text("SELECT acknowledged_by FROM dispatches WHERE case_id = :c"), {"c": case_id}
        ).scalar_one()
    found = {r.kind: (r.actor, r.summary) for r in rows}
    assert found["notification_delivered"][0] == "contact:contact@up-lko-ps-madeyganj"
    assert found["notification_delivered"][1].startswith(
        "Delivered to a contact (up-lko-ps-madeyganj) via json://127.0.0.1"
    )
    assert found["escalation_step"][1].endswith(
        "for Madeyganj: a contact (up-lko-ps-madeyganj), a contact (up-lko-circle-mahanagar)"
    )
    assert by == "a contact of Madeyganj (SMS)"
    assert "Verma" not in json.dumps([list(r) for r in rows]) and "Singh" not in json.dumps(
        [list(r) for r in rows]
    )

"""Officers acknowledge from their messages: the link's page (GET changes nothing and shows no
personal data, POST acknowledges once) and the SMS gateway's reply webhook. The messages are
really sent, to HTTP endpoints on 127.0.0.1; the web side runs in-process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dispatch_entry_support import (
    OP,
    PERSON,
    POST,
    SMC_PHONE,
    SMS_SECRET,
    STATION,
    Endpoints,
    ack_code,
    ack_link,
    configure,
    drain,
    endpoints,
    new_case,
)
from fastapi.testclient import TestClient

from console_support import client
from lifeline.bootstrap import Lifeline
from lifeline.domain.dispatch import DispatchState
from lifeline.domain.lifecycle import CaseStatus
from lifeline.services.cases import service as cases
from lifeline.services.dispatch.escalations import confirm_dispatch
from lifeline.settings import Settings
from lifeline.web.api.inbound import reply_code
from support import FakeClock


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return configure(settings)


@pytest.fixture
def sent(lifeline: Lifeline) -> Iterator[Endpoints]:
    with endpoints(lifeline) as found:
        yield found


def dispatched(app: Lifeline, sent: Endpoints, handle: str = "a") -> tuple[int, str]:
    """A case confirmed to the Madeyganj police station; the message the station received."""
    case_id = new_case(app, handle)
    confirm_dispatch(app.ctx, OP, case_id, [STATION])
    drain(app)
    assert sent.station.received, "the station got no message"
    return case_id, sent.station.received[-1]["message"]


def state(app: Lifeline, case_id: int) -> tuple[Any, ...]:
    """Everything a GET must leave alone: the case, its dispatches, audit log and timeline."""
    with app.ctx.uow(readonly=True) as uow:
        return (
            uow.cases.get(case_id).status,
            [(d.state, d.acknowledged_at) for d in uow.dispatches.for_case(case_id)],
            len(list(uow.audit.records())),
            len(uow.cases.timeline(case_id)),
        )


# -- the acknowledgement page ---------------------------------------------------------------


def test_opening_the_link_changes_nothing_and_shows_no_personal_data(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    case_id, message = dispatched(lifeline, sent)
    before = state(lifeline, case_id)
    page = client(lifeline).get(f"/ack/{ack_link(message)}")
    assert page.status_code == 200
    assert f"#{case_id}" in page.text and "Madeyganj" in page.text
    assert "Confirm that your unit is taking this case" in page.text and "पुष्टि करें" in page.text
    assert 'method="post"' in page.text and 'name="name"' in page.text
    assert "<script" not in page.text and SMC_PHONE in page.text
    for personal in (*PERSON, "ravi", POST[:10]):
        assert personal not in page.text, personal
    assert page.headers["cache-control"] == "no-store"
    assert state(lifeline, case_id) == before  # nothing acknowledged, nothing even audited


def test_confirming_acknowledges_once_then_says_it_was_already_done(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    case_id, message = dispatched(lifeline, sent)
    web, url = client(lifeline), f"/ack/{ack_link(message)}"
    done = web.post(url, data={"name": "SI Verma"})
    assert done.status_code == 200, done.text
    assert "Thank you" in done.text and "धन्यवाद" in done.text
    detail = cases.show_case(lifeline.ctx, OP, case_id)
    assert detail.case.status is CaseStatus.ACKNOWLEDGED
    assert [d.state for d in detail.dispatches] == [DispatchState.ACKNOWLEDGED]
    again = web.post(url, data={"name": "SI Verma"})
    assert again.status_code == 409
    assert "already been acknowledged" in again.text and "पहले ही" in again.text
    assert SMC_PHONE in again.text
    shown = web.get(url)  # the link now leads to the unit's next step, not to the button
    assert "Acknowledged" in shown.text and f'action="{url}/on-scene"' in shown.text
    assert f'action="{url}"' not in shown.text


def test_a_forged_link_is_refused_and_recorded(lifeline: Lifeline, sent: Endpoints) -> None:
    case_id, message = dispatched(lifeline, sent)
    forged = ack_link(message)[:-4] + "AAAA"
    web = client(lifeline)
    assert web.get(f"/ack/{forged}").status_code == 403
    refused = web.post(f"/ack/{forged}", data={})
    assert refused.status_code == 403 and "not valid" in refused.text and "मान्य" in refused.text
    assert web.post(f"/ack/{'x' * 5000}").status_code == 403
    with lifeline.ctx.uow(readonly=True) as uow:
        assert any(r.action == "case.acknowledge_refused" for r in uow.audit.records())
        assert uow.cases.get(case_id).status is CaseStatus.DISPATCHED


def test_an_expired_link_is_refused_with_the_smc_phone(
    lifeline: Lifeline, sent: Endpoints, clock: FakeClock
) -> None:
    case_id, message = dispatched(lifeline, sent)
    clock.advance(hours=25)  # links last LIFELINE_ACK_LINK_HOURS (24)
    web, url = client(lifeline), f"/ack/{ack_link(message)}"
    assert web.get(url).status_code == 410
    refused = web.post(url, data={})
    assert refused.status_code == 410 and "expired" in refused.text and SMC_PHONE in refused.text
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.DISPATCHED


def test_a_closed_case_cannot_be_acknowledged(lifeline: Lifeline, sent: Endpoints) -> None:
    case_id, message = dispatched(lifeline, sent)
    cases.mark_on_scene(lifeline.ctx, OP, case_id)
    refused = client(lifeline).post(f"/ack/{ack_link(message)}", data={})
    assert refused.status_code == 409 and "no longer needs" in refused.text


def test_a_confirmation_from_another_site_is_refused(lifeline: Lifeline, sent: Endpoints) -> None:
    case_id, message = dispatched(lifeline, sent)
    url = f"/ack/{ack_link(message)}"
    web = client(lifeline)
    assert web.post(url, headers={"Origin": "https://evil.example"}).status_code == 403
    assert web.post(url, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.DISPATCHED
    same = web.post(url, headers={"Origin": "https://testserver", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200


# -- SMS replies ----------------------------------------------------------------------------


def sms(web: TestClient, token: str | None = SMS_SECRET, **kwargs: Any) -> Any:
    headers = {"X-Lifeline-Token": token} if token is not None else {}
    return web.post("/api/v1/inbound/sms", headers=headers, **kwargs)


def test_an_sms_reply_with_the_code_acknowledges(lifeline: Lifeline, sent: Endpoints) -> None:
    case_id, message = dispatched(lifeline, sent)
    web = client(lifeline)
    answer = sms(web, json={"from": "+919811111111", "text": f"ACK {ack_code(message)}"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "acknowledged": True,
        "case_id": case_id,
        "status": "acknowledged",
        "reply": f"Acknowledged: case {case_id}. Thank you. / केस {case_id} स्वीकार किया गया। "
        "धन्यवाद।",
    }
    again = sms(web, json={"from": "+919811111111", "text": f"ack{ack_code(message)}"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "acknowledgement_refused"


def test_a_gateway_form_with_its_own_field_names_and_a_hindi_reply(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    case_id, message = dispatched(lifeline, sent)
    code = ack_code(message).translate(str.maketrans("0123456789", "०१२३४५६७८९"))
    answer = client(lifeline).post(
        f"/api/v1/inbound/sms?token={SMS_SECRET}",
        data={"From": "+919811111111", "Body": f"स्वीकार {code} पहुँच रहे हैं"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["case_id"] == case_id


def test_sms_replies_need_the_shared_secret(lifeline: Lifeline, sent: Endpoints) -> None:
    case_id, message = dispatched(lifeline, sent)
    web, body = client(lifeline), {"from": "+91", "text": f"ACK {ack_code(message)}"}
    assert sms(web, token=None, json=body).status_code == 401
    wrong = sms(web, token="guess", json=body)
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "authentication_failed"
    lifeline.settings.sms_inbound_token = None
    off = sms(web, json=body)
    assert off.status_code == 503 and off.json()["error"]["code"] == "not_configured"
    assert cases.show_case(lifeline.ctx, OP, case_id).case.status is CaseStatus.DISPATCHED


def test_unknown_codes_and_malformed_replies_are_refused_clearly(
    lifeline: Lifeline, sent: Endpoints
) -> None:
    _, message = dispatched(lifeline, sent)
    web, good = client(lifeline), ack_code(message)
    wrong_check = good[:-1] + str((int(good[-1]) + 1) % 10)
    unknown = sms(web, json={"from": "+919811111111", "text": f"ACK {wrong_check}"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert "check it" in unknown.json()["reply"] and "कोड जाँचकर" in unknown.json()["reply"]
    chatter = sms(web, json={"from": "+91", "text": "reached, all fine"})
    assert chatter.status_code == 422 and chatter.json()["error"]["code"] == "unrecognised_reply"
    assert "ACK" in chatter.json()["reply"]
    assert sms(web, json={"from": "+91"}).status_code == 422
    assert sms(web, json=["ACK", good]).status_code == 422
    assert sms(web, content=b"\xff\xfe not text").status_code == 422


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ACK 1738 4100 9257", "1738 4100 9257"),
        ("ACK 173841009257", "173841009257"),
        ("ack173841009257", "173841009257"),
        ("  1738-4100-9257 ", "1738 4100 9257"),
        ("Ack: 1738 4100 9257 on the way", "1738 4100 9257"),
        ("ACK 1738 4100 9257 10 min", "1738 4100 9257 10"),
        ("स्वीकार 1738 4100 9257", "1738 4100 9257"),
        ("स्वीकार १७३८ ४१०० ९२५७", "1738 4100 9257"),
        ("पावती 173841009257", "173841009257"),
        ("ACK", None),
        ("reached in 10 min", None),
        ("ACK 12345678", None),  # a code of before: too short to be one now
        ("ACK 1738  4100 9257", None),  # two spaces end the code: what is left is too short
    ],
)
def test_reply_codes_are_read_from_what_officers_type(text: str, code: str | None) -> None:
    assert reply_code(text) == code

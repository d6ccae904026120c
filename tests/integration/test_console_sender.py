"""The console says when a case's sender is not verified, and why, on the queue row and the
case page, in English and Hindi; verified cases carry no warning."""

from __future__ import annotations

from console_support import make_person, new_case, signed_in
from dkim_support import FakeDns, other_key, sign
from lifeline.bootstrap import Lifeline
from lifeline.services.access import accounts as access
from lifeline.simulate import Scenario, make_email
from support import FakeClock


def test_an_unverified_email_case_is_flagged_with_its_reason_in_both_languages(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    partner = access.create_partner(lifeline.ctx, "Meta")
    access.add_partner_sender(lifeline.ctx, partner.key_id, "facebook.com")
    dns = FakeDns()
    dns.publish("evil.example", other_key())
    lifeline.dkim_dns_lookup = dns
    person, _, _ = Scenario(seed=41).next()
    raw = make_email(person, "plain_en", clock.now(), sender="alerts@facebook.com")
    forged = lifeline.receive_email(
        sign(raw, domain="evil.example", key=other_key()), "alerts@facebook.com"
    )
    assert forged.case_id is not None and forged.sender_verified is False
    genuine = new_case(lifeline, handle="other")  # a signed API call
    web, csrf = signed_in(lifeline, make_person(lifeline, "op", "smc_operator"), clock)
    reason = "dkim: d=evil.example does not align with From facebook.com"
    assert forged.sender_verification == reason
    rows = web.get("/console/queue/rows").text
    forged_row = rows.split(f'data-case="{forged.case_id}"')[1].split("</tr>")[0]
    genuine_row = rows.split(f'data-case="{genuine}"')[1].split("</tr>")[0]
    assert "Sender not verified" in forged_row and reason in forged_row
    assert "Sender not verified" not in genuine_row
    page = web.get(f"/console/cases/{forged.case_id}").text
    assert 'id="sender-unverified"' in page and reason in page
    assert "not dispatched until an operator confirms" in page
    assert 'id="sender-unverified"' not in web.get(f"/console/cases/{genuine}").text
    web.post("/console/language", data={"csrf": csrf, "lang": "hi", "back": "/console/queue"})
    assert "प्रेषक सत्यापित नहीं" in web.get("/console/queue/rows").text
    assert "ऑपरेटर की पुष्टि तक" in web.get(f"/console/cases/{forged.case_id}").text

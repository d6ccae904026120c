"""Held mail in the console (`/console/quarantine`) and the CLI: a message from a sender nobody
registered, sent in a real SMTP conversation, is shown decoded (quoted-printable Hindi, an
RFC 2047 subject, HTML as text), released or discarded only with a reason by a role that may,
audited; the header badge counts it and turns into an alarm when it waits too long."""

from __future__ import annotations

import json
import re
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

from console_support import audit_actions, make_person, signed_in
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.cli import app as cli_app
from lifeline.domain.model import Actor
from lifeline.services.cases import service as cases
from lifeline.settings import load_settings
from support import FakeClock, free_port

ADMIN = Actor("cli", "tester", "admin")
SUBJECT = "तत्काल: फ़ेसबुक उपयोगकर्ता ख़तरे में"
POST = "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी"


def held_message(script: str = "<script>alert('xss')</script>") -> bytes:
    """A realistic platform-looking alert from an address no partner registered: the text part
    quoted-printable Hindi, the subject and sender name RFC 2047 words, an HTML alternative in
    base64 carrying a script."""
    msg = EmailMessage()
    msg["From"] = "मेटा सुरक्षा <safety-alerts@meta-escalations.example>"
    msg["To"] = "smc@uppolice.example"
    msg["Subject"] = SUBJECT
    msg["Message-ID"] = "<held-1@meta-escalations.example>"
    msg["Authentication-Results"] = "mx.example; dkim=pass header.d=facebook.com"
    text = (
        f"नाम: रवि कुमार\nपोस्ट: {POST}\nस्थान: मड़ियांव, लखनऊ 226020\n"
        "Profile: https://facebook.com/ravi.k.1990\n"
    )
    msg.set_content(text, charset="utf-8", cte="quoted-printable")
    html = f"<table><tr><td>नाम</td><td>रवि कुमार</td></tr></table>{script}"
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    return msg.as_bytes()


@pytest.fixture
def held(lifeline: Lifeline) -> Iterator[tuple[Lifeline, int]]:
    """The intake's SMTP server on 127.0.0.1 and one message held by it (its id)."""
    lifeline.settings.smtp_port = free_port()
    lifeline.settings.smtp_rate_per_minute = 0
    server = lifeline.smtp_server()
    server.start()
    try:
        raw = held_message().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        with smtplib.SMTP("127.0.0.1", lifeline.settings.smtp_port, timeout=10) as conn:
            conn.ehlo()
            conn.mail("bounce@meta-escalations.example")
            conn.rcpt("smc@uppolice.example")
            code, reply = conn.data(raw)
        assert code == 250 and "Held for review as Q" in reply.decode(), reply
        qid = re.search(r"Held for review as Q(\d+)", reply.decode())
        assert qid is not None
        yield lifeline, int(qid.group(1))
    finally:
        server.stop()


def test_the_page_shows_the_held_mail_decoded_and_its_html_only_as_text(
    held: tuple[Lifeline, int], clock: FakeClock
) -> None:
    app, qid = held
    web, _ = signed_in(app, make_person(app, "op", "smc_operator"), clock)
    page = web.get("/console/quarantine")
    assert page.status_code == 200
    text = page.text
    assert f'id="held-{qid}"' in text
    assert SUBJECT in text and POST in text and "मेटा सुरक्षा" in text  # decoded, readable
    assert "=E0=A4" not in text and "=?utf-8?" not in text  # no quoted-printable left
    assert "bounce@meta-escalations.example" in text  # the envelope sender
    assert "The sender is not on the allow-list" in text  # why it was held
    assert "dkim=pass header.d=facebook.com" in text  # a claim, under "not checked"
    assert "not checked by Lifeline" in text
    # the sender's HTML is text: the script is visible, escaped, and never markup
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in text
    assert "<script>alert" not in text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    # the reading is audited, by whom and which messages
    assert ("user:op", "email.quarantine_read", None, {"quarantine_ids": [qid]}) in audit_actions(
        app
    )


def test_the_header_badge_counts_held_mail_and_turns_into_an_alarm_after_two_minutes(
    held: tuple[Lifeline, int], clock: FakeClock
) -> None:
    app, _ = held
    web, csrf = signed_in(app, make_person(app, "op", "smc_operator"), clock)
    queue = web.get("/console/queue").text
    assert 'id="held-mail"' in queue and 'data-count="1"' in queue
    assert 'data-alarm="no"' in queue and "held-alarm" not in queue
    clock.advance(seconds=121)  # signing in took 30 s of the fake clock too
    badge = web.get("/console/quarantine/badge", headers={"X-Lifeline-Poll": "1"})
    assert badge.status_code == 200 and 'data-alarm="yes"' in badge.text
    assert "SMC alarm: held mail waiting 2 min" in badge.text
    web.post("/console/language", data={"csrf": csrf, "lang": "hi"})
    hindi = web.get("/console/queue").text
    assert "रोकी गई मेल प्रतीक्षा में 2 मिनट" in hindi and 'data-alarm="yes"' in hindi


def test_release_needs_a_reason_and_takes_the_alert_in_as_the_operator_audited(
    held: tuple[Lifeline, int], clock: FakeClock
) -> None:
    app, qid = held
    web, csrf = signed_in(app, make_person(app, "op", "smc_operator"), clock)
    url = f"/console/quarantine/{qid}/release"
    assert web.post(url, data={"csrf": csrf, "reason": "  "}).status_code == 422
    assert web.post(url, data={"csrf": "forged", "reason": "called Meta"}).status_code == 403
    assert 'id="held-' in web.get("/console/quarantine").text  # still waiting
    done = web.post(url, data={"csrf": csrf, "reason": "called Meta's escalation line"})
    assert done.status_code == 303
    case_id = int(done.headers["location"].rsplit("case=", 1)[1])
    detail = cases.show_case(app.ctx, ADMIN, case_id)
    (alert,) = detail.alerts
    assert alert.post.text and POST in alert.post.text
    assert alert.sender_verified and alert.sender_verification == "operator"
    released = [a for a in audit_actions(app) if a[1] == "email.released"]
    assert released == [
        (
            "user:op",
            "email.released",
            case_id,
            {"quarantine_id": qid, "alert_id": alert.id, "reason": "called Meta's escalation line"},
        )
    ]
    page = web.get(done.headers["location"]).text
    assert f'id="held-{qid}"' not in page and f'href="/console/cases/{case_id}"' in page
    assert 'data-count="0"' in page
    again = web.post(url, data={"csrf": csrf, "reason": "twice"})
    assert again.status_code in (409, 422)  # already released: nothing taken in twice


def test_discard_needs_a_reason_and_keeps_the_message_marked_reviewed(
    held: tuple[Lifeline, int], clock: FakeClock
) -> None:
    app, qid = held
    web, csrf = signed_in(app, make_person(app, "sup", "supervisor"), clock)
    url = f"/console/quarantine/{qid}/discard"
    refused = web.post(url, data={"csrf": csrf, "reason": ""})
    assert refused.status_code == 422 and "Reason" in refused.text
    assert web.post(url, data={"csrf": csrf, "reason": "test mail from IT"}).status_code == 303
    assert f'id="held-{qid}"' not in web.get("/console/quarantine").text
    with app.ctx.uow(readonly=True) as uow:
        kept = uow.quarantine.get(qid)
    assert kept.status == "discarded" and kept.reviewed_by == "user:sup" and kept.raw
    assert (
        "user:sup",
        "email.discarded",
        None,
        {"quarantine_id": qid, "reason": "test mail from IT"},
    ) in audit_actions(app)


@pytest.mark.parametrize("role", ["district_officer", "stf_analyst", "counsellor"])
def test_roles_without_the_permission_neither_see_nor_release_held_mail(
    held: tuple[Lifeline, int], clock: FakeClock, role: str
) -> None:
    app, qid = held
    jurisdiction = "157" if role == "district_officer" else None
    person = make_person(app, "someone", role, jurisdiction)
    web, csrf = signed_in(app, person, clock)
    page = web.get("/console/quarantine")
    assert page.status_code == 403 and SUBJECT not in page.text
    assert web.get("/console/quarantine/badge").status_code == 403
    assert 'id="held-mail"' not in page.text  # no badge in their header either
    for action in ("release", "discard"):
        posted = web.post(f"/console/quarantine/{qid}/{action}", data={"csrf": csrf, "reason": "x"})
        assert posted.status_code == 403
    with app.ctx.uow(readonly=True) as uow:
        assert uow.quarantine.get(qid).status == "pending"
    denied = [a for a in audit_actions(app) if a[1] == "access.denied"]
    assert {a[3]["permission"] for a in denied} >= {"quarantine.read", "quarantine.review"}


def test_an_unknown_message_is_not_found(held: tuple[Lifeline, int], clock: FakeClock) -> None:
    app, qid = held
    web, csrf = signed_in(app, make_person(app, "op", "smc_operator"), clock)
    missing = web.post(f"/console/quarantine/{qid + 1000}/discard", data={"csrf": csrf,
                       "reason": "spam"})  # fmt: skip
    assert missing.status_code == 404


def test_the_cli_shows_and_lists_held_mail_decoded(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIFELINE_DATABASE_URL", database_url)
    monkeypatch.setenv("LIFELINE_DATA_KEY_FILE", str(tmp_path / "key.json"))
    monkeypatch.setenv("LIFELINE_LOG_JSON", "false")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    app = bootstrap(load_settings())
    try:
        outcome = app.receive_email(held_message(), "bounce@meta-escalations.example")
    finally:
        app.dispose()
    qid = outcome.quarantine_id
    assert qid is not None
    shown = runner.invoke(cli_app, ["quarantine", "show", str(qid)])
    assert shown.exit_code == 0, shown.output
    assert f"Subject:  {SUBJECT}" in shown.stdout and POST in shown.stdout
    assert "=E0=A4" not in shown.stdout and "=?utf-8?" not in shown.stdout
    assert "sender domain not on the allow-list" in shown.stdout
    data = json.loads(runner.invoke(cli_app, ["quarantine", "show", str(qid), "--json"]).stdout)
    assert data["subject"] == SUBJECT and POST in data["body"]
    assert "<script>alert('xss')</script>" in data["html_source"]
    raw = runner.invoke(cli_app, ["quarantine", "show", str(qid), "--raw"]).stdout
    assert "=E0=A4" in raw  # as received, on request
    listed = json.loads(runner.invoke(cli_app, ["quarantine", "list", "--json"]).stdout)
    assert [(m["id"], m["subject"]) for m in listed] == [(qid, SUBJECT)]
    table = runner.invoke(cli_app, ["quarantine", "list"]).stdout
    assert "तत्काल" in table

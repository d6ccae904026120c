"""The email intake use case with in-memory fakes: trust, quarantine, release, discard."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from fakes import make_context

from lifeline.domain.errors import Conflict, DomainError
from lifeline.domain.model import Actor, Alert, AlertSource, Post
from lifeline.services import email_intake
from lifeline.services.email_intake import ParsedMessage, sender_allowed
from support import FakeClock

OP = Actor("user", "op", "smc_operator")


def parser(raw: bytes, *, received_at: datetime, mail_from: str) -> ParsedMessage:
    """A parser for these tests: the body is the post text; empty bodies cannot be read."""
    if not raw.strip():
        return ParsedMessage(None, reason="nothing could be extracted")
    alert = Alert(
        source=AlertSource.PLATFORM_EMAIL,
        received_at=received_at,
        raw_payload=raw,
        raw_content_type="message/rfc822",
        post=Post(raw.decode()),
    )
    return ParsedMessage(alert, message_id=raw.decode()[:20])


@pytest.mark.parametrize(
    ("allowed", "address", "ok"),
    [
        (("facebook.com",), "records@support.facebook.com", True),
        (("facebook.com",), "x@notfacebook.com", False),
        (("@meta.com",), "a@meta.com", True),
        (("alerts@x.com",), "alerts@x.com", True),
        (("alerts@x.com",), "other@x.com", False),
        ((), "a@b.c", False),
    ],
)
def test_sender_allow_list_matches_addresses_domains_and_subdomains(
    allowed: tuple[str, ...], address: str, ok: bool
) -> None:
    assert sender_allowed(allowed, address) is ok


def test_an_allowed_sender_makes_an_alert_and_a_partner_sender_marks_its_partner() -> None:
    ctx, factory, _ = make_context(FakeClock())
    with ctx.uow() as uow:
        partner = uow.partners.add("Meta", "pk_1", "s", ctx.clock.now())
        uow.senders.add(partner.id, "facebook.com", ctx.clock.now())
        uow.commit()
    outcome = email_intake.receive_email(ctx, parser, b"help me", mail_from="a@facebook.com")
    assert outcome.status == "alert"
    assert factory.store.alerts[outcome.alert_id or 0].partner_id == partner.id


def test_the_same_message_twice_is_one_alert() -> None:
    ctx, factory, _ = make_context(FakeClock())
    ctx = replace(ctx, config=replace(ctx.config, allowed_senders=("ngo.example",)))
    first = email_intake.receive_email(ctx, parser, b"jump tonight", mail_from="a@ngo.example")
    again = email_intake.receive_email(ctx, parser, b"jump tonight", mail_from="a@ngo.example")
    assert again.status == "duplicate" and again.alert_id == first.alert_id
    assert len(factory.store.alerts) == 1


def test_unknown_senders_and_unreadable_mail_are_held_with_the_reason() -> None:
    ctx, factory, _ = make_context(FakeClock())
    held = email_intake.receive_email(ctx, parser, b"hi", mail_from="x@unknown.example")
    assert held.status == "quarantined" and "not on the allow-list" in (held.reason or "")
    assert factory.store.alerts == {}
    assert [a.action for a in factory.store.audit] == ["email.quarantined"]


def test_released_mail_becomes_an_alert_once() -> None:
    ctx, factory, _ = make_context(FakeClock())
    held = email_intake.receive_email(ctx, parser, b"pills ready", mail_from="x@unknown.example")
    qid = held.quarantine_id or 0
    released = email_intake.release(ctx, parser, OP, qid)
    assert released.alert_id in factory.store.alerts
    assert factory.store.quarantine[qid].status == "released"
    with pytest.raises(Conflict, match="already released"):
        email_intake.release(ctx, parser, OP, qid)


def test_mail_that_still_cannot_be_read_is_not_released() -> None:
    ctx, factory, _ = make_context(FakeClock())
    held = email_intake.receive_email(ctx, parser, b"   ", mail_from="x@unknown.example")
    with pytest.raises(DomainError, match="still cannot become an alert"):
        email_intake.release(ctx, parser, OP, held.quarantine_id or 0)
    assert factory.store.quarantine[held.quarantine_id or 0].status == "pending"


def test_discarding_needs_a_reason_and_keeps_the_message() -> None:
    ctx, factory, _ = make_context(FakeClock())
    held = email_intake.receive_email(ctx, parser, b"spam", mail_from="x@unknown.example")
    qid = held.quarantine_id or 0
    with pytest.raises(DomainError, match="say why"):
        email_intake.discard(ctx, OP, qid, " ")
    email_intake.discard(ctx, OP, qid, "newsletter")
    assert factory.store.quarantine[qid].status == "discarded"
    assert factory.store.quarantine[qid].raw == b"spam"


def test_a_message_the_parser_chokes_on_is_quarantined_whole_not_refused_for_ever() -> None:
    ctx, _, _ = make_context(FakeClock())
    with ctx.uow() as uow:
        partner = uow.partners.add("Meta", "pk_1", "s", ctx.clock.now())
        uow.senders.add(partner.id, "facebook.com", ctx.clock.now())
        uow.commit()

    def broken(raw: bytes, *, received_at: datetime, mail_from: str) -> ParsedMessage:
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    outcome = email_intake.receive_email(ctx, broken, b"help me", mail_from="a@facebook.com")
    assert outcome.status == "quarantined" and outcome.quarantine_id is not None
    assert "could not be read (UnicodeEncodeError)" in (outcome.reason or "")
    (held,) = email_intake.list_quarantine(ctx)
    assert held.id == outcome.quarantine_id

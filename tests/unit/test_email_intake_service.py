"""The email intake use case with in-memory fakes: trust, quarantine, release, discard."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from fakes import make_context

from lifeline.domain.alert import Alert, AlertSource, Post
from lifeline.domain.email_trust import AuthPass, MailEvidence
from lifeline.domain.errors import Conflict, DomainError, PermissionDenied
from lifeline.domain.mail import EmailOutcome, ParsedMessage
from lifeline.domain.model import Actor
from lifeline.services.context import Context
from lifeline.services.intake import mail as email_intake
from lifeline.services.intake.mail import Delivery, sender_allowed
from lifeline.services.intake.ports import PinnedKeys
from support import FakeClock

OP = Actor("user", "op", "smc_operator")


class FakeAuthenticator:
    """Says the From header is `author` and that the signatures prove `passes` (none: the
    message is unsigned); records the checks asked for."""

    def __init__(self, author: str | None = None, passes: tuple[AuthPass, ...] = ()) -> None:
        self.from_address, self.passes = author, passes
        self.checked: list[tuple[str | None, str]] = []

    def author(self, raw: bytes) -> str | None:
        return self.from_address

    def verify(
        self, raw: bytes, *, peer: str | None, channel: str, pinned: PinnedKeys
    ) -> MailEvidence:
        self.checked.append((peer, channel))
        domain = (self.from_address or "").rpartition("@")[2] or None
        return MailEvidence(domain, self.passes)


UNSIGNED = FakeAuthenticator()


def receive(
    ctx: Context,
    raw: bytes,
    mail_from: str,
    auth: FakeAuthenticator = UNSIGNED,
    **delivery: Any,
) -> EmailOutcome:
    return email_intake.receive_email(ctx, parser, auth, raw, Delivery(mail_from, **delivery))


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
    outcome = receive(ctx, b"help me", "a@facebook.com")
    assert outcome.status == "alert"
    assert factory.store.alerts[outcome.alert_id or 0].partner_id == partner.id


def test_the_same_message_twice_is_one_alert() -> None:
    ctx, factory, _ = make_context(FakeClock())
    ctx = replace(ctx, config=replace(ctx.config, allowed_senders=("ngo.example",)))
    first = receive(ctx, b"jump tonight", "a@ngo.example")
    again = receive(ctx, b"jump tonight", "a@ngo.example")
    assert again.status == "duplicate" and again.alert_id == first.alert_id
    assert len(factory.store.alerts) == 1


def test_unknown_senders_and_unreadable_mail_are_held_with_the_reason() -> None:
    ctx, factory, _ = make_context(FakeClock())
    held = receive(ctx, b"hi", "x@unknown.example")
    assert held.status == "quarantined" and "not on the allow-list" in (held.reason or "")
    assert factory.store.alerts == {}
    assert [a.action for a in factory.store.audit] == ["email.quarantined"]


def test_released_mail_becomes_an_alert_once() -> None:
    ctx, factory, _ = make_context(FakeClock())
    held = receive(ctx, b"pills ready", "x@unknown.example")
    qid = held.quarantine_id or 0
    released = email_intake.release(ctx, parser, OP, qid)
    assert released.alert_id in factory.store.alerts
    assert factory.store.quarantine[qid].status == "released"
    with pytest.raises(Conflict, match="already released"):
        email_intake.release(ctx, parser, OP, qid)


def test_mail_that_still_cannot_be_read_is_not_released() -> None:
    ctx, factory, _ = make_context(FakeClock())
    held = receive(ctx, b"   ", "x@unknown.example")
    with pytest.raises(DomainError, match="still cannot become an alert"):
        email_intake.release(ctx, parser, OP, held.quarantine_id or 0)
    assert factory.store.quarantine[held.quarantine_id or 0].status == "pending"


def test_discarding_needs_a_reason_and_keeps_the_message() -> None:
    ctx, factory, _ = make_context(FakeClock())
    held = receive(ctx, b"spam", "x@unknown.example")
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

    outcome = email_intake.receive_email(
        ctx, broken, FakeAuthenticator("a@facebook.com"), b"help me", Delivery("a@facebook.com")
    )
    assert outcome.status == "quarantined" and outcome.quarantine_id is not None
    assert "could not be read (UnicodeEncodeError)" in (outcome.reason or "")
    (held,) = email_intake.list_quarantine(ctx)
    assert held.id == outcome.quarantine_id


def _meta(ctx: Context) -> int:
    with ctx.uow() as uow:
        partner = uow.partners.add("Meta", "pk_meta", "s", ctx.clock.now())
        uow.senders.add(partner.id, "facebook.com", ctx.clock.now())
        uow.commit()
    return int(partner.id)


def test_a_forged_registered_sender_becomes_an_unverified_alert_with_the_reason() -> None:
    ctx, factory, _ = make_context(FakeClock())
    _meta(ctx)
    auth = FakeAuthenticator("alerts@facebook.com")
    outcome = receive(ctx, b"aaj", "alerts@facebook.com", auth, peer="203.0.113.9")
    assert outcome.status == "alert"
    assert (outcome.sender_verified, outcome.sender_verification) == (False, "dkim: no signature")
    alert = factory.store.alerts[outcome.alert_id or 0]
    assert alert.sender_verified is False and alert.sender_verification == "dkim: no signature"
    assert auth.checked == [("203.0.113.9", "smtp")]
    timeline = factory.store.timeline[outcome.case_id or 0]
    # an unverified email is still ordered as a platform's alert (the floor); it is only held
    (note,) = [t for t in timeline if t.kind not in ("case_opened", "risk_floor")]
    assert note.kind == "sender_not_verified" and "dkim: no signature" in note.summary
    assert "email.sender_not_verified" in [a.action for a in factory.store.audit]


def test_a_signature_aligned_with_the_partner_domain_verifies_the_alert() -> None:
    ctx, factory, _ = make_context(FakeClock())
    _meta(ctx)
    auth = FakeAuthenticator("alerts@facebook.com", (AuthPass("dkim", "facebook.com"),))
    outcome = receive(ctx, b"aaj", "bounce@mail.example", auth)
    alert = factory.store.alerts[outcome.alert_id or 0]
    assert alert.sender_verified is True and alert.sender_verification == "dkim:facebook.com"


def test_smtp_auth_as_a_partner_is_verified_without_looking_at_signatures() -> None:
    ctx, _, _ = make_context(FakeClock())
    partner_id = _meta(ctx)
    auth = FakeAuthenticator("x@anything.example")
    outcome = receive(ctx, b"aaj", "x@anything.example", auth, partner_id=partner_id)
    assert (outcome.sender_verified, outcome.sender_verification) == (True, "smtp-auth:pk_meta")
    assert auth.checked == []


def test_the_quarantine_reason_does_not_name_the_sender() -> None:
    ctx, factory, _ = make_context(FakeClock())
    held = receive(ctx, b"hi", "someone.private@gmail.com")
    assert held.reason == "sender domain not on the allow-list"
    stored = factory.store.quarantine[held.quarantine_id or 0]
    assert "someone.private" not in stored.reason and "gmail" not in stored.reason
    assert all("someone.private" not in str(a.details) for a in factory.store.audit)


def test_a_released_message_counts_as_vouched_for_by_the_operator() -> None:
    ctx, factory, _ = make_context(FakeClock())
    held = receive(ctx, b"pills ready", "x@unknown.example")
    released = email_intake.release(ctx, parser, OP, held.quarantine_id or 0)
    alert = factory.store.alerts[released.alert_id or 0]
    assert alert.sender_verified is True and alert.sender_verification == "operator"


def test_held_mail_from_a_partner_keeps_the_trust_verdict_for_the_reviewer_only() -> None:
    ctx, _, _ = make_context(FakeClock())
    _meta(ctx)
    outcome = receive(ctx, b"  ", "alerts@facebook.com", FakeAuthenticator("alerts@facebook.com"))
    assert outcome.status == "quarantined"
    (held,) = email_intake.list_quarantine(ctx)
    assert held.reason.startswith("nothing could be extracted (sender not verified: ")
    assert outcome.reason == "nothing could be extracted"  # the SMTP client is told no more


@pytest.mark.parametrize(
    "actor",
    [
        Actor("user", "do", "district_officer"),
        Actor("user", "stf", "stf_analyst"),
        Actor("user", "c", "counsellor"),
        Actor("partner", "1", "partner"),
    ],
)
def test_only_the_smc_roles_read_release_or_discard_held_mail(actor: Actor) -> None:
    ctx, factory, _ = make_context(FakeClock())
    held = receive(ctx, b"help", "x@unknown.example")
    qid = held.quarantine_id or 0
    with pytest.raises(PermissionDenied):
        email_intake.show_quarantined(ctx, actor, qid)
    with pytest.raises(PermissionDenied):
        email_intake.release(ctx, parser, actor, qid, "sure")
    with pytest.raises(PermissionDenied):
        email_intake.discard(ctx, actor, qid, "spam")
    assert factory.store.quarantine[qid].status == "pending"

"""Polling a real IMAP server (dovecot on 127.0.0.1): each message taken in exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from dkim_support import partner_key, sign
from dovecot import ImapServer, dovecot, dovecot_binary
from lifeline.bootstrap import Lifeline
from lifeline.services.access import accounts as access
from lifeline.simulate import Scenario, make_email
from support import FakeClock

pytestmark = pytest.mark.skipif(
    dovecot_binary() is None, reason="dovecot is not installed (.ci/run installs dovecot-imapd)"
)


@pytest.fixture(scope="module")
def imap_server() -> Iterator[ImapServer]:
    with dovecot() as server:
        yield server


@pytest.fixture
def imap(lifeline: Lifeline, imap_server: ImapServer) -> tuple[Lifeline, ImapServer]:
    """The app polling a folder of its own on the shared server."""
    folder = f"Alerts{uuid.uuid4().hex[:8]}"
    client = imap_server.client()
    client.create_folder(folder)
    client.logout()
    s = lifeline.settings
    s.imap_host, s.imap_port, s.imap_ssl = "127.0.0.1", imap_server.port, False
    s.imap_user, s.imap_folder = imap_server.user, folder
    s.imap_password = SecretStr(imap_server.password)
    partner = access.create_partner(lifeline.ctx, "Meta")
    for domain in ("facebook.com", "instagram.com", "x.com", "youtube.com"):
        access.add_partner_sender(lifeline.ctx, partner.key_id, domain)
    return lifeline, imap_server


def alerts(app: Lifeline) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM alerts")).scalar() or 0)


def test_new_messages_become_alerts_once_and_are_flagged_seen(imap, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    app, server = imap
    scenario = Scenario(seed=21, follow_up_share=0.0)
    for fmt in ("plain_en", "plain_hi", "html_table"):
        person, _, _ = scenario.next()
        server.deliver(make_email(person, fmt, clock.now()), app.settings.imap_folder)
    poller = app.imap_poller()
    assert poller is not None
    assert poller.poll_once() == 3
    assert alerts(app) == 3
    assert poller.poll_once() == 0  # nothing new: nothing taken twice
    client = server.client()
    client.select_folder(app.settings.imap_folder)
    assert len(client.search(["SEEN"])) == 3
    client.logout()


def test_a_message_recorded_but_not_flagged_before_a_crash_is_not_taken_again(
    imap,
    clock: FakeClock,  # type: ignore[no-untyped-def]
) -> None:
    app, server = imap
    person, _, _ = Scenario(seed=22).next()
    server.deliver(make_email(person, "plain_en", clock.now()), app.settings.imap_folder)
    poller = app.imap_poller()
    assert poller is not None
    poller._done = lambda client, uid: None  # the process died between commit and flagging
    assert poller.poll_once() == 1
    fresh = app.imap_poller()
    assert fresh is not None
    fresh.poll_once()
    assert alerts(app) == 1


def test_unknown_senders_over_imap_go_to_the_quarantine(imap, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    app, server = imap
    person, _, _ = Scenario(seed=23).next()
    server.deliver(
        make_email(person, "plain_en", clock.now(), sender="who@unknown.example"),
        app.settings.imap_folder,
    )
    poller = app.imap_poller()
    assert poller is not None and poller.poll_once() == 1
    with app.ctx.uow(readonly=True) as uow:
        (held,) = uow.quarantine.recent()
    assert held.channel == "imap" and "allow-list" in held.reason
    assert alerts(app) == 0


def test_taken_messages_can_be_moved_to_another_folder(imap, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    app, server = imap
    processed = app.settings.imap_folder + "Done"
    client = server.client()
    client.create_folder(processed)
    client.logout()
    app.settings.imap_move_to = processed
    person, _, _ = Scenario(seed=24).next()
    server.deliver(make_email(person, "plain_en", clock.now()), app.settings.imap_folder)
    poller = app.imap_poller()
    assert poller is not None and poller.poll_once() == 1
    client = server.client()
    assert client.select_folder(app.settings.imap_folder)[b"EXISTS"] == 0
    assert client.select_folder(processed)[b"EXISTS"] == 1
    client.logout()


def test_imap_trusts_dkim_but_not_authentication_results_it_cannot_tie_to_a_relay(
    imap,  # type: ignore[no-untyped-def]
    clock: FakeClock,
) -> None:
    app, server = imap
    app.settings.dkim_dns = False
    app.settings.smtp_trusted_relays = "127.0.0.0/8=mx.smc.example"
    with app.ctx.uow(readonly=True) as uow:
        key_id = uow.senders.partner_key(uow.senders.owner("facebook.com") or 0)
    assert key_id is not None
    app.add_partner_sender(key_id, "facebook.com", "s1", partner_key().public_pem)
    scenario = Scenario(seed=25, follow_up_share=0.0)
    signed, relayed = scenario.next()[0], scenario.next()[0]
    signed.platform = relayed.platform = "facebook"
    sender = "alerts@facebook.com"
    server.deliver(
        sign(make_email(signed, "plain_en", clock.now(), sender=sender)), app.settings.imap_folder
    )
    server.deliver(
        b"Authentication-Results: mx.smc.example; dkim=pass header.d=facebook.com\r\n"
        + make_email(relayed, "plain_en", clock.now(), sender=sender),
        app.settings.imap_folder,
    )
    poller = app.imap_poller()
    assert poller is not None and poller.poll_once() == 2
    with app.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT sender_verified, sender_verification FROM alerts ORDER BY id")
        ).all()
    assert [(bool(ok), how) for ok, how in rows] == [
        (True, "dkim:facebook.com"),
        (False, "dkim: no signature"),
    ]

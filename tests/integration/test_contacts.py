"""Contacts without YAML, test messages and drills, on SQLite and PostgreSQL, against real
HTTP endpoints on 127.0.0.1: a CSV import replaces the named units' contacts all or nothing,
each bad row is named, a test message reaches the contact's endpoint, a drill goes through
the worker to the unit and is marked as a drill everywhere; the API cannot make one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from console_support import make_person, new_case, signed_in
from dispatch_support import Receiver, import_overlay, receiver, registry_overlay, unit_endpoints
from lifeline.bootstrap import Lifeline, bootstrap
from lifeline.domain.dispatch import DispatchError, NotificationState
from lifeline.domain.errors import PermissionDenied
from lifeline.domain.lifecycle import CaseStatus
from lifeline.domain.model import Actor, OutcomeKind
from lifeline.domain.registry import RegistryError
from lifeline.services.access.accounts import create_partner
from lifeline.services.cases import service as cases
from lifeline.services.dispatch import acknowledgement
from lifeline.services.dispatch.drill import drill_progress, send_test_message, start_drill
from lifeline.services.location import registry
from lifeline.services.location.contacts import import_contacts, list_contacts
from lifeline.settings import Settings
from lifeline.web.app import create_app
from lifeline.worker import Worker
from support import FakeClock, alert_body, dumps, signed_headers

CLI = Actor("cli", "test")
STATION = "up-lko-ps-madeyganj"
HEADER = "unit_id,name,role,channel\n"


@pytest.fixture
def endpoints(lifeline: Lifeline) -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    with unit_endpoints(lifeline) as found:
        yield found


def contacts_of(app: Lifeline, unit_id: str) -> list[tuple[str, str, tuple[str, ...]]]:
    units, _ = registry.current_registry(app.ctx)
    [unit] = [u for u in units if u.id == unit_id and u.valid_to is None]
    return [(c.name, c.role, c.channels) for c in unit.contacts]


def drain(app: Lifeline) -> None:
    worker = Worker(app)
    while worker.run_once():
        pass


def test_a_csv_replaces_the_named_units_contacts_and_leaves_the_others(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    smc_before = contacts_of(lifeline, "up-smc")
    text = (
        "\ufeff" + HEADER + f"{STATION},थानाध्यक्ष राम सिंह,SHO,{station.url('/sho-1')}\n"
        f"{STATION},थानाध्यक्ष राम सिंह,,{station.url('/sho-2')}\n"
        "\n"
        f"{STATION},Night duty,duty,{station.url('/night')}\n"
    )
    done = import_contacts(lifeline.ctx, CLI, text, source="contacts.csv")
    assert (done.units, done.contacts, done.channels) == (1, 2, 3)
    assert contacts_of(lifeline, STATION) == [
        ("थानाध्यक्ष राम सिंह", "SHO", (station.url("/sho-1"), station.url("/sho-2"))),
        ("Night duty", "duty", (station.url("/night"),)),
    ]
    assert contacts_of(lifeline, "up-smc") == smc_before  # not named: untouched
    with lifeline.ctx.uow(readonly=True) as uow:
        [row] = [r for r in uow.audit.records() if r.action == "registry.contacts_imported"]
    assert row.details["units"] == 1 and row.details["channels"] == 3
    assert str(station.port) not in str(row.details)  # counts, never the channels


GOOD = "up-smc,New SMC desk,duty,json://127.0.0.1:9/new\n"  # line 2 of every bad file
BAD_ROWS = [
    ("up-nowhere,A,duty,json://127.0.0.1:9/a\n", 'line 3, field "unit_id": unit "up-nowhere"'),
    (f"{STATION},,duty,json://127.0.0.1:9/a\n", 'line 3, field "name": must not be empty'),
    (f"{STATION},A,duty,gopher://x/y\n", 'line 3, field "channel": unsupported channel scheme'),
    (f"{STATION},A,duty,9811111111\n", "line 3, field \"channel\": '9811111111'... is not"),
    (f"{STATION},A,,json://127.0.0.1:9/a\n", 'line 3, field "role": must not be empty'),
    (f"{STATION},A,duty\n", "line 3: 3 fields; expected 4"),
    (
        f"{STATION},A,duty,json://127.0.0.1:9/a\n{STATION},a,duty,json://127.0.0.1:9/a\n",
        'line 4, field "channel": duplicate channel (already on line 3)',
    ),
    (
        f"{STATION},A,duty,json://127.0.0.1:9/a\n{STATION},A,SP,json://127.0.0.1:9/b\n",
        'line 4, field "role": "SP" differs from "duty" given for this contact on line 3',
    ),
]


@pytest.mark.parametrize(("rows", "named"), BAD_ROWS)
def test_each_bad_row_is_named_and_nothing_changes(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver], rows: str, named: str
) -> None:
    before = registry.current_registry(lifeline.ctx)
    # a good row for another unit first: the whole file is refused, not just the bad row
    with pytest.raises(RegistryError) as refused:
        import_contacts(lifeline.ctx, CLI, HEADER + GOOD + rows, source="bad.csv")
    assert any(p.startswith(named) for p in refused.value.problems), refused.value.problems
    assert registry.current_registry(lifeline.ctx) == before


def test_a_wrong_header_and_a_dry_run_change_nothing(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    before = registry.current_registry(lifeline.ctx)
    with pytest.raises(RegistryError) as refused:
        import_contacts(lifeline.ctx, CLI, "unit,name,phone\nx,y,z\n", source="x.csv")
    assert refused.value.problems[0].startswith("line 1: the header must be")
    text = HEADER + f"{STATION},A,duty,{station.url('/a')}\n"
    done = import_contacts(lifeline.ctx, CLI, text, source="x.csv", dry_run=True)
    assert (done.dry_run, done.units, done.version) == (True, 1, None)
    assert registry.current_registry(lifeline.ctx) == before


def test_an_operator_may_not_import_contacts(lifeline: Lifeline) -> None:
    with pytest.raises(PermissionDenied):
        import_contacts(lifeline.ctx, Actor("user", "op", "smc_operator"), HEADER, source="x.csv")


def test_a_test_message_tries_the_contacts_channels_in_order_and_is_audited(
    lifeline: Lifeline, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    # nothing listens on port 9: the first channel fails, the second delivers
    text = (
        HEADER + f"{STATION},SHO,sho,json://127.0.0.1:9/down\n{STATION},SHO,,{station.url('/t')}\n"
    )
    import_contacts(lifeline.ctx, CLI, text, source="x.csv")
    station.received.clear()
    result = send_test_message(lifeline.ctx, CLI, STATION, 0)
    assert result.delivered, result.detail
    assert station.paths == ["/t"]
    [got] = station.received
    assert got["title"].startswith("TEST / परीक्षण")
    assert got["case_id"] == 0 and got["notification_id"] < 0  # never a real notification
    station.status = 500
    failed = send_test_message(lifeline.ctx, CLI, STATION, 0)
    assert not failed.delivered and "HTTP 500" in failed.detail
    with lifeline.ctx.uow(readonly=True) as uow:
        tests = [r.details for r in uow.audit.records() if r.action == "registry.test_message"]
    assert [t["delivered"] for t in tests] == [True, False]
    with pytest.raises(DispatchError):
        send_test_message(lifeline.ctx, CLI, STATION, 7)


def test_the_contacts_list_hides_most_of_a_number(lifeline: Lifeline) -> None:
    text = HEADER + f"{STATION},SHO,sho,json://127.0.0.1:9/hook?:to=+919811112222\n"
    import_contacts(lifeline.ctx, CLI, text, source="x.csv")
    units, without = list_contacts(lifeline.ctx, CLI)
    [unit] = [u for u in units if u.unit_id == STATION]
    shown = " ".join(unit.contacts[0].channels)
    assert "2222" in shown and "9811112222" not in shown and without > 0


def test_a_drill_goes_through_the_worker_to_the_unit_marked_and_can_be_closed(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, smc, _ = endpoints
    started = start_drill(lifeline.ctx, CLI, STATION)
    assert drill_progress(lifeline.ctx, started).delivered_after is None
    drain(lifeline)
    [message] = station.received
    assert message["title"].startswith("DRILL / अभ्यास")
    assert "DRILL / अभ्यास" in message["message"] and message["incident"]["drill"] is True
    assert smc.received == []  # only the drilled unit
    progress = drill_progress(lifeline.ctx, started)
    assert progress.delivered_after is not None and progress.acknowledged_after is None
    with lifeline.ctx.uow(readonly=True) as uow:
        case = uow.cases.get(started.case_id)
        [note] = uow.dispatches.notifications_for_case(started.case_id)
    assert case.drill and note.state is NotificationState.DELIVERED
    clock.advance(seconds=20)
    token = message["ack_url"].rsplit("/", 1)[1]
    acknowledgement.acknowledge_link(lifeline.ctx, token, "SHO")
    assert drill_progress(lifeline.ctx, started).acknowledged_after == 20
    cases.record_outcome(lifeline.ctx, CLI, started.case_id, OutcomeKind.FALSE_ALARM, "drill")
    closed = cases.close_case(lifeline.ctx, CLI, started.case_id)
    assert closed.status is CaseStatus.CLOSED


def test_a_drill_needs_a_unit_with_someone_to_notify(lifeline: Lifeline) -> None:
    with pytest.raises(DispatchError, match="not in the registry"):
        start_drill(lifeline.ctx, CLI, "up-nowhere")


def test_the_api_cannot_make_a_drill(lifeline: Lifeline) -> None:
    partner = create_partner(lifeline.ctx, "drill test")
    web = TestClient(create_app(lifeline, embedded_worker=False))
    # the alert schema keeps unknown fields verbatim: "drill" is taken as one, and ignored
    raw = dumps(alert_body(drill=True))
    ts = int(lifeline.clock.now().timestamp())
    response = web.post(
        "/api/v1/alerts",
        content=raw,
        headers=signed_headers(partner.key_id, partner.secret, raw, timestamp=ts),
    )
    assert response.status_code == 202, response.text
    with lifeline.ctx.uow(readonly=True) as uow:
        assert not uow.cases.get(response.json()["case_id"]).drill


def test_the_demo_inbox_is_not_there_outside_demo_mode(lifeline: Lifeline) -> None:
    assert lifeline.ctx.demo_inbox is None
    web = TestClient(create_app(lifeline, embedded_worker=False), follow_redirects=False)
    assert web.get("/console/demo-inbox").status_code == 404
    # and a demo:// contact is refused, not quietly kept
    with pytest.raises(RegistryError, match="demo mode only"):
        import_contacts(
            lifeline.ctx, CLI, HEADER + f"{STATION},A,duty,demo://inbox/x\n", source="x"
        )


def test_demo_mode_is_refused_in_production() -> None:
    from lifeline.settings import Settings  # noqa: PLC0415

    with pytest.raises(ValueError, match="LIFELINE_DEMO"):
        Settings(demo=True, env="production", _env_file=None)  # type: ignore[call-arg]


def test_the_contacts_page_shows_each_bad_row_and_imports_a_good_file(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    station, _, _ = endpoints
    admin = make_person(lifeline, "admin1", "admin")
    web, csrf = signed_in(lifeline, admin, clock)
    before = registry.current_registry(lifeline.ctx)
    bad = HEADER + f"{STATION},A,duty,json://127.0.0.1:9/a\nup-nowhere,B,duty,json://h/\n"
    page = web.post(
        "/console/admin/contacts/import",
        data={"csrf": csrf},
        files={"file": ("bad.csv", bad.encode(), "text/csv")},
    )
    assert page.status_code == 422
    assert "line 3, field &#34;unit_id&#34;: unit &#34;up-nowhere&#34;" in page.text
    assert registry.current_registry(lifeline.ctx) == before
    good = "\ufeff" + HEADER + f"{STATION},थानाध्यक्ष,sho,{station.url('/page')}\n"
    page = web.post(
        "/console/admin/contacts/import",
        data={"csrf": csrf},
        files={"file": ("good.csv", good.encode(), "text/csv")},
    )
    assert page.status_code == 200 and 'id="contacts-imported"' in page.text
    assert "थानाध्यक्ष" in page.text and station.url("/page") not in page.text
    station.received.clear()
    page = web.post(f"/console/admin/contacts/{STATION}/0/test", data={"csrf": csrf})
    assert page.status_code == 200 and 'id="contacts-tested"' in page.text
    assert [p for p in station.paths] == ["/page"]
    forged = web.post(f"/console/admin/contacts/{STATION}/0/test", data={"csrf": "forged"})
    assert forged.status_code in (400, 403) and len(station.received) == 1


def test_an_operator_gets_no_contacts_page(lifeline: Lifeline, clock: FakeClock) -> None:
    operator = make_person(lifeline, "op1", "smc_operator")
    web, _ = signed_in(lifeline, operator, clock)
    assert web.get("/console/admin/contacts").status_code == 403


def test_a_drill_case_wears_its_badge_in_the_queue_and_on_its_page(
    lifeline: Lifeline, clock: FakeClock, endpoints: tuple[Receiver, Receiver, Receiver]
) -> None:
    started = start_drill(lifeline.ctx, CLI, STATION)
    real = new_case(lifeline)
    admin = make_person(lifeline, "admin1", "admin")
    web, _ = signed_in(lifeline, admin, clock)
    rows = web.get("/console/queue").text
    drill_row = rows.split(f'data-case="{started.case_id}"')[1].split("</tr>")[0]
    real_row = rows.split(f'data-case="{real}"')[1].split("</tr>")[0]
    assert 'class="badge drill"' in drill_row and "badge drill" not in real_row
    page = web.get(f"/console/cases/{started.case_id}").text
    assert 'id="drill-badge"' in page and 'id="drill-note"' in page
    assert 'id="drill-badge"' not in web.get(f"/console/cases/{real}").text


def test_outside_demo_mode_a_demo_contact_fails_at_once_and_alarms_the_smc(
    lifeline: Lifeline,
) -> None:
    # a YAML registry checks only that a channel is a URL: the message itself must fail loudly
    with receiver() as smc:
        import_overlay(lifeline, registry_overlay("demo://inbox/up-lko-ps-madeyganj", smc.url()))
        case_id = new_case(lifeline)
        drain(lifeline)
        with lifeline.ctx.uow(readonly=True) as uow:
            sent = uow.dispatches.notifications_for_case(case_id)
            alarms = uow.dispatches.open_alarms({case_id})
        [station] = [n for n in sent if n.unit_id == STATION]
        assert station.state is NotificationState.FAILED and "demo mode only" in station.detail
        assert (alarms and any("/smc" not in p for p in smc.paths)) or smc.received


def test_in_demo_mode_the_demo_inbox_gets_the_stations_message_with_its_link(
    settings: Settings, clock: FakeClock, migrated_database_url: str
) -> None:
    app = bootstrap(settings.model_copy(update={"demo": True}), clock=clock)
    try:
        import_contacts(
            app.ctx, CLI, HEADER + f"{STATION},SHO (demo),sho,demo://inbox/{STATION}\n", source="x"
        )
        case_id = new_case(app)
        drain(app)
        assert app.ctx.demo_inbox is not None
        [message] = [m for m in app.ctx.demo_inbox.messages() if m.case_id == case_id]
        assert message.recipient == STATION and message.ack_url and "/ack/" in message.ack_url
        admin = make_person(app, "admin1", "admin")
        web, _ = signed_in(app, admin, clock)
        page = web.get("/console/demo-inbox")
        assert page.status_code == 200 and message.ack_url in page.text
        acknowledgement.acknowledge_link(app.ctx, message.ack_url.rsplit("/", 1)[1], "SHO")
        with app.ctx.uow(readonly=True) as uow:
            assert uow.cases.get(case_id).status is CaseStatus.ACKNOWLEDGED
    finally:
        app.dispose()

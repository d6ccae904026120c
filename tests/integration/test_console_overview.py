"""The map and the dashboard, server-side, on a real database: what they show, to whom, and
that they read without JavaScript (districts drawn as SVG, every chart's figures in a table).
Who may open them at all is in test_console_authorisation.py (the matrix)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from console_support import (
    LUCKNOW,
    OPERATOR,
    VARANASI,
    make_person,
    new_case,
    place_in,
    signed_in,
)
from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.services.cases import service as cases
from lifeline.services.console import desk as console
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.reports import dashboard
from lifeline.services.triage import assessment as triage
from support import FakeClock

UP_DISTRICTS = 75


def case_at(app: Lifeline, lat: float, lon: float, handle: str) -> int:
    """A case whose alert gave coordinates (and no district anyone has confirmed)."""
    alert = Alert(
        source=AlertSource.PLATFORM_API,
        received_at=app.clock.now(),
        raw_payload=b"{}",
        raw_content_type="application/json",
        platform="instagram",
        reference=f"IG-{handle}",
        subject=Subject(handle=handle),
        post=Post("sab khatam"),
        location=LocationHint(None, lat, lon, None, None),
    )
    return receive_alert(app.ctx, ReceiveAlert(alert, OPERATOR)).case_id


def svg_of(html: str) -> str:
    return html[html.index("<svg") : html.index("</svg>")]


def table_of(html: str) -> str:
    return html[html.index('<table class="cases map-cases">') :]


def test_the_map_draws_the_districts_and_places_open_cases_and_todays_outcomes(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    app = lifeline
    now = clock.now()
    clock.current = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)  # two days ago: not on the map
    old = new_case(app, handle="old")
    console.record_place(app.ctx, OPERATOR, old, "", LUCKNOW)
    cases.dispatch_case(app.ctx, OPERATOR, old, ["Madeyganj PS"])
    cases.record_outcome(app.ctx, OPERATOR, old, "reached_safe")
    clock.current = now
    placed = new_case(app, handle="placed")
    place_in(app, placed, LUCKNOW)
    triage.record_operator_assessment(app.ctx, OPERATOR, placed, "imminent")
    pinned = case_at(app, 25.3176, 82.9739, "pinned")  # Varanasi
    nowhere = new_case(app, handle="nowhere")
    done = new_case(app, handle="done")
    console.record_place(app.ctx, OPERATOR, done, "", LUCKNOW)
    cases.dispatch_case(app.ctx, OPERATOR, done, ["Madeyganj PS"])
    clock.advance(minutes=20)
    cases.record_outcome(app.ctx, OPERATOR, done, "reached_safe")

    web, _ = signed_in(app, make_person(app, "op", "smc_operator"), clock)
    page = web.get("/console/map")
    assert page.status_code == 200
    svg, table = svg_of(page.text), table_of(page.text)
    assert len(re.findall(r'<path id="d-\d+" class="district"', svg)) == UP_DISTRICTS
    # Lucknow is shaded by its riskiest open case; the open case is a circle linking to it
    assert '<use href="#d-157" class="shade level-imminent"' in svg
    marker = re.search(rf'<a href="/console/cases/{placed}" class="marker ([^"]+)"', svg)
    assert marker and marker.group(1) == "level-imminent is-open"
    assert re.search(rf'data-case="{placed}"[^>]*>.*?<circle ', svg, re.S)
    # today's outcome is a square; the outcome of two days ago is not on the map
    assert re.search(rf'href="/console/cases/{done}" class="marker [^"]*is-outcome"', svg)
    assert f'href="/console/cases/{old}"' not in page.text
    # coordinates place a case exactly; a case with no district is listed but not drawn
    assert f'href="/console/cases/{pinned}"' in svg
    assert f'href="/console/cases/{nowhere}"' not in svg
    rows = dict(re.findall(r'<tr class="row [^"]+" data-case="(\d+)">(.*?)</tr>', table, re.S))
    assert "at the alert&#39;s coordinates" in rows[str(pinned)]
    assert "around the district centre" in rows[str(placed)]
    assert "not on the map" in rows[str(nowhere)]
    assert "Reached, safe" in rows[str(done)] and "Lucknow" in rows[str(done)]
    # open cases first, most urgent first, as on the queue: the imminent one, then the platform
    # alerts not yet read by the model, which count as intent (the platform's flag is the floor)
    assert list(rows) == [str(placed), str(pinned), str(nowhere), str(done)]


def test_the_map_reads_in_hindi_and_keeps_to_the_content_security_policy(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    case_id = new_case(lifeline)
    place_in(lifeline, case_id, LUCKNOW)
    web, csrf = signed_in(lifeline, make_person(lifeline, "op", "smc_operator"), clock)
    web.post("/console/language", data={"csrf": csrf, "lang": "hi", "back": "/console/map"})
    page = web.get("/console/map").text
    assert '<h1 id="map-title">मानचित्र</h1>' in page
    assert "<title>लखनऊ</title>" in page and "ज़िले का रंग" in page
    assert "style=" not in page and "<style" not in page  # CSP: no inline styles
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []  # nor inline scripts
    assert "default-src 'self'" in web.get("/console/map").headers["content-security-policy"]


def test_the_live_map_sends_the_cases_not_the_boundaries(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    web, _ = signed_in(lifeline, make_person(lifeline, "op", "smc_operator"), clock)
    full = web.get("/console/map")
    frame = re.search(r'data-frame="([0-9a-f]+)"', full.text)
    case_id = new_case(lifeline)
    place_in(lifeline, case_id, LUCKNOW)
    live = web.get("/console/map/live", headers={"X-Lifeline-Poll": "1"})
    assert live.status_code == 200
    assert frame and f'data-frame="{frame.group(1)}"' in live.text  # same districts drawn
    assert 'id="map-overlay"' in live.text and f'href="/console/cases/{case_id}"' in live.text
    assert 'class="district"' not in live.text
    assert len(live.text) < len(full.text) / 10


def test_a_district_officer_sees_only_their_districts_cases_on_the_map_and_dashboard(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    theirs = new_case(lifeline, handle="in.varanasi")
    place_in(lifeline, theirs, VARANASI)
    other = new_case(lifeline, handle="in.lucknow")
    place_in(lifeline, other, LUCKNOW)
    unplaced = new_case(lifeline, handle="nowhere")
    officer = make_person(lifeline, "dsp.varanasi", "district_officer", VARANASI)
    web, _ = signed_in(lifeline, officer, clock)

    assert 'href="/console/map"' in web.get("/console/queue").text  # in the navigation
    page = web.get("/console/map").text
    assert f'href="/console/cases/{theirs}"' in page
    assert f'href="/console/cases/{other}"' not in page
    assert f'href="/console/cases/{unplaced}"' not in page
    assert "Only your jurisdiction" in page
    assert len(re.findall(r'class="district"', page)) == UP_DISTRICTS  # the state still drawn

    board = web.get("/console/dashboard").text
    assert re.search(r'<tr data-key="cases"><th scope="row">[^<]+</th>\s*<td>1</td>', board)
    assert 'data-district="197"' in board and 'data-district="157"' not in board
    assert "Lucknow" not in board


def test_staff_without_the_dashboard_see_no_link_to_it(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    web, _ = signed_in(lifeline, make_person(lifeline, "stf", "stf_analyst"), clock)
    queue = web.get("/console/queue").text
    assert 'href="/console/map"' not in queue and 'href="/console/dashboard"' not in queue
    assert web.get("/console/map").status_code == 403
    assert web.get("/console/dashboard/live").status_code == 403


def timed_case(
    app: Lifeline, clock: FakeClock, district: str, minutes: dict[str, float], handle: str
) -> int:
    """A case opened now and taken through its steps at the given minutes after the alert
    (located: placed in `district`)."""
    start = clock.now()
    case_id = new_case(app, handle=handle)
    for step, at in sorted(minutes.items(), key=lambda kv: kv[1]):
        clock.current = start + timedelta(minutes=at)
        if step == "located":
            console.record_place(app.ctx, OPERATOR, case_id, "near the tank", district)
        elif step == "dispatched":
            cases.dispatch_case(app.ctx, OPERATOR, case_id, ["PS"])
        elif step == "acknowledged":
            cases.acknowledge(app.ctx, OPERATOR, case_id, "PS")
        elif step == "on_scene":
            cases.mark_on_scene(app.ctx, OPERATOR, case_id)
        elif step == "outcome":
            cases.record_outcome(app.ctx, OPERATOR, case_id, "reached_safe")
    return case_id


def test_the_dashboard_counts_today_and_this_month_and_times_each_step_by_district(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    app, today = lifeline, clock.now()  # 28 Nov 2026, 08:30 IST
    clock.current = datetime(2026, 10, 30, 6, 0, tzinfo=UTC)  # last month: not counted
    timed_case(app, clock, LUCKNOW, {"located": 0, "dispatched": 1}, "october")
    clock.current = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)
    steps = {"located": 1, "dispatched": 4, "acknowledged": 6, "on_scene": 20, "outcome": 40}
    earlier = timed_case(app, clock, LUCKNOW, steps, "november")
    clock.current = today
    fast = timed_case(
        app, clock, LUCKNOW, {"located": 2, "dispatched": 3, "acknowledged": 5, "on_scene": 12},
        "today.lucknow",
    )  # fmt: skip
    clock.current = today + timedelta(minutes=30)
    slow = timed_case(app, clock, VARANASI, {"located": 70, "dispatched": 75}, "today.varanasi")

    dash = dashboard.dashboard(app.ctx, OPERATOR)
    assert dash.today.figure("cases") == 2 and dash.month.figure("cases") == 3
    assert dash.month.outcome_counts()["reached_safe"] == 1
    assert dash.today.outcome_counts()["reached_safe"] == 0
    month = {d.district.lgd: d for d in dash.month.districts}
    to_dispatch = month[LUCKNOW].steps[1]
    assert to_dispatch.key == "alert_to_dispatched"
    assert (to_dispatch.n, to_dispatch.p50, to_dispatch.p90) == (2, 3.0, 4.0)
    assert (to_dispatch.p50_case, to_dispatch.p90_case) == (fast, earlier)
    assert month[VARANASI].steps[1].p50 == 75.0 and month[VARANASI].steps[1].p50_case == slow
    acknowledged = {s.key: s for s in dash.today.steps}["alert_to_acknowledged"]
    assert (acknowledged.n, acknowledged.p50) == (1, 5.0)
    located = {s.key: s for s in dash.today.steps}["alert_to_located"]
    assert (located.n, located.p50, located.p90) == (2, 2.0, 70.0)
    # bands: <= 5, 5-10, 10-15, 15-30, 30-60, > 60 minutes
    assert {s.key: s for s in dash.today.steps}["alert_to_dispatched"].bands == (1, 0, 0, 0, 0, 1)

    web, _ = signed_in(app, make_person(app, "op", "smc_operator"), clock)
    page = web.get("/console/dashboard?period=month")
    assert page.status_code == 200
    html = page.text
    row = re.search(r'<tr data-district="157">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    # cases, then n / p50 / p90 for located, dispatched, acknowledged, on scene
    assert cells[0] == "2" and cells[4] == "2"
    assert f'href="/console/cases/{fast}" title="Case #{fast}">3.0</a>' in cells[5]
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    chart = charts["step-alert_to_dispatched"]
    assert chart["labels"] == ["Lucknow", "Varanasi"]
    assert chart["datasets"][0]["data"] == [3.0, 75.0]  # the table's p50s
    assert charts["outcomes"]["datasets"][1]["data"][0] == 1  # this month: reached safe
    assert '<canvas id="chart-alert_to_on_scene"' in html
    assert '<script src="/console/vendor/chart.js/chart.umd.min.js"' in html

    today_page = web.get("/console/dashboard").text
    assert re.search(r'<tr data-key="cases"><th scope="row">Cases opened</th>\s*<td>2</td>\s*'
                     r"<td>3</td>", today_page)  # fmt: skip
    live = web.get("/console/dashboard/live", headers={"X-Lifeline-Poll": "1"})
    assert live.status_code == 200 and 'id="chart-data"' in live.text
    assert "<html" not in live.text


def test_the_dashboard_in_hindi(lifeline: Lifeline, clock: FakeClock) -> None:
    timed_case(lifeline, clock, LUCKNOW, {"located": 1, "dispatched": 3}, "hindi")
    web, csrf = signed_in(lifeline, make_person(lifeline, "op", "smc_operator"), clock)
    web.post("/console/language", data={"csrf": csrf, "lang": "hi", "back": "/console/queue"})
    html = web.get("/console/dashboard").text
    assert "<h1>डैशबोर्ड</h1>" in html and "खोले गए मामले" in html and "लखनऊ" in html
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert charts["step-alert_to_dispatched"]["labels"] == ["लखनऊ"]
    assert charts["bands"]["datasets"][1]["label"] == "अलर्ट → भेजने का निर्णय"
    assert charts["bands"]["datasets"][2]["label"] == "अलर्ट → पुलिस को सूचना पहुँची"

"""The live queue's order on a real database, through the real console (issue #16): what needs a
person now first (a breached clock), then risk level, then age; the model's score only breaks
ties within a level and is shown as a band, not as 0.99 vs 1.00."""

from __future__ import annotations

import re

from console_support import OPERATOR, make_person, new_case, signed_in
from lifeline.bootstrap import Lifeline
from lifeline.domain.risk import AssessmentSource, RiskAssessment, RiskLevel
from lifeline.services.cases import service as cases
from lifeline.services.triage import assessment as triage
from support import FakeClock


def assessed(app: Lifeline, case_id: int, level: str, score: float) -> None:
    """The model's assessment (as the triage job stores it), then an operator's level."""
    with app.ctx.uow() as uow:
        uow.assessments.add(
            RiskAssessment(
                case_id=case_id,
                level=RiskLevel(level),
                assessed_by="model:test",
                at=app.clock.now(),
                source=AssessmentSource.MODEL,
                score=score,
                model_version="test",
            )
        )
        uow.commit()
    triage.record_operator_assessment(app.ctx, OPERATOR, case_id, level)


def rows_of(html: str) -> dict[str, str]:
    """Case id -> the row's HTML, in the order of the page."""
    return dict(re.findall(r'<tr class="row [^"]*" data-case="(\d+)"[^>]*>(.*?)</tr>', html, re.S))


def test_a_case_overdue_with_nobody_reached_is_listed_above_a_newer_imminent_one(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    app = lifeline
    web, _ = signed_in(app, make_person(app, "op1", "smc_operator"), clock)
    # case 1: intent, dispatched by phone (no message delivered: nobody reached)
    overdue = new_case(app, handle="first")
    assessed(app, overdue, "intent", 0.99)
    cases.record_location(app.ctx, OPERATOR, overdue, "Madeyganj, Lucknow")
    cases.dispatch_case(app.ctx, OPERATOR, overdue, ["Madeyganj police station"])
    clock.advance(minutes=5)  # intent's unreached alarm delay is 120 s: 3 minutes overdue
    newer = new_case(app, handle="second")
    assessed(app, newer, "imminent", 1.0)
    page = web.get("/console/queue")
    assert page.status_code == 200
    rows = rows_of(page.text)
    # by level and score the newer imminent case would come first
    assert list(rows)[:2] == [str(overdue), str(newer)]
    assert re.search(r"Nobody reached: Overdue by 3 min", rows[str(overdue)])
    assert "Overdue by" not in rows[str(newer)]
    assert "row-overdue" in page.text.split(f'data-case="{overdue}"')[0].rsplit("<tr", 1)[1]
    # the order is said on the page, and the live refresh keeps it
    assert "cases with an overdue clock first, then the highest risk level" in page.text
    polled = web.get("/console/queue/rows", headers={"X-Lifeline-Poll": "1"})
    assert list(rows_of(polled.text))[:2] == [str(overdue), str(newer)]


def test_a_case_not_dispatched_past_its_levels_deadline_goes_to_the_top(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    app = lifeline
    web, _ = signed_in(app, make_person(app, "op1", "smc_operator"), clock)
    waiting = new_case(app, handle="waiting")
    assessed(app, waiting, "distress", 0.9)
    clock.advance(minutes=4)  # distress: the default deadline, 300 s: not yet
    imminent = new_case(app, handle="imminent")
    assessed(app, imminent, "imminent", 1.0)
    assert list(rows_of(web.get("/console/queue").text)) == [str(imminent), str(waiting)]
    clock.advance(minutes=2)  # 360 s after the alert: a minute past the deadline
    rows = rows_of(web.get("/console/queue").text)
    assert list(rows) == [str(waiting), str(imminent)]
    assert "Not dispatched: Overdue by 1 min" in rows[str(waiting)]
    # the imminent case's 120 s deadline ran out too: both overdue, then level decides
    clock.advance(minutes=1)
    rows = rows_of(web.get("/console/queue").text)
    assert list(rows) == [str(imminent), str(waiting)]
    assert "Not dispatched: Overdue by 1 min" in rows[str(imminent)]


def test_the_score_is_a_band_and_only_breaks_ties_within_a_level(
    lifeline: Lifeline, clock: FakeClock
) -> None:
    app = lifeline
    web, csrf = signed_in(app, make_person(app, "op1", "smc_operator"), clock)
    older_intent = new_case(app, handle="a")
    assessed(app, older_intent, "intent", 1.0)
    clock.advance(seconds=30)
    # two imminent alerts in the same second: the score decides between them
    unsure, sure = new_case(app, handle="b"), new_case(app, handle="c")
    assessed(app, unsure, "imminent", 0.55)  # elevated: 0.5 to 0.75
    assessed(app, sure, "imminent", 0.99)
    page = web.get("/console/queue").text
    rows = rows_of(page)
    assert list(rows) == [str(sure), str(unsure), str(older_intent)]
    assert "Model: high" in rows[str(sure)] and "Model: elevated" in rows[str(unsure)]
    assert "0.99" not in page and "0.55" not in page
    # in Hindi too
    web.post("/console/language", data={"csrf": csrf, "lang": "hi", "back": "/console/queue"})
    page = web.get("/console/queue").text
    assert "मॉडल: ऊँचा" in rows_of(page)[str(sure)]
    assert "मॉडल: बढ़ा हुआ" in rows_of(page)[str(unsure)]
    assert "मॉडल का स्कोर केवल एक ही स्तर के केसों में क्रम तय करता है" in page

"""The case's one location and the brief composed from the whole case (issue #15), driven with
in-memory fakes: a flagged answer never reaches the officers, a confident place is never
replaced by a doubtful one, disagreeing alerts raise a flag, an operator's or the STF's word
wins, and a brief carries the first alert's method in whole words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from aftercare_fakes import FAKE_DISTRICTS
from fakes import make_context
from test_location_service import LUCKNOW, VARANASI, FakeLocator, resolution

from lifeline.domain.alert import Alert, AlertSource, LocationHint, Post, Subject
from lifeline.domain.dispatch import Notification
from lifeline.domain.model import Actor
from lifeline.domain.place import Candidate, Resolution, StoredResolution
from lifeline.domain.risk import AssessmentSource, Cue, RiskAssessment, RiskLevel
from lifeline.services.cases import service as cases
from lifeline.services.cases.read_models import CaseRead
from lifeline.services.context import Context
from lifeline.services.dispatch import message as messages
from lifeline.services.dispatch import relocation
from lifeline.services.dispatch.briefs import CaseBrief, case_brief, whole_words
from lifeline.services.intake.alerts import ReceiveAlert, receive_alert
from lifeline.services.location.case_place import HumanAnswer, case_place, choose_place
from lifeline.services.ports import Job

PARTNER = Actor("partner", "1")
OP = Actor("user", "op", "smc_operator")
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
HAMIRPUR = Candidate("Uttar Pradesh", "Hamirpur", "172", 0.95)


def answer(minutes: int, res: Resolution, alert_id: int = 1) -> StoredResolution:
    return StoredResolution(alert_id, 1, T0 + timedelta(minutes=minutes), res)


def send(ctx: Context, text: str = "", hint: LocationHint | None = None, **subject: Any) -> int:
    """An alert about the same person (handle ravi): it merges into one case."""
    alert = Alert(
        AlertSource.PLATFORM_API,
        ctx.clock.now(),
        b"{}",
        "application/json",
        platform="facebook",
        subject=Subject(handle="ravi", **subject),
        post=Post(text or None),
        location=hint or LocationHint(text="Madeyganj, Lucknow", pin="226020"),
    )
    receipt = receive_alert(ctx, ReceiveAlert(alert, PARTNER))
    return receipt.alert_id


def locate_with(ctx: Context, locator: FakeLocator, alert_id: int, case_id: int) -> None:
    """Run the resolve_location job for one alert with the locator's current answer."""
    job = Job(1, "resolve_location", {"alert_id": alert_id, "case_id": case_id}, case_id,
              1, 8, "t", ctx.clock.now(), ctx.clock.now())  # fmt: skip
    with ctx.uow() as uow:
        relocation.resolve_location.run(replace(ctx, locator=locator), uow, job)
        uow.commit()
    ctx.clock.advance(seconds=5)  # type: ignore[attr-defined]


def two_alerts(first: Resolution, second: Resolution) -> tuple[Context, Any, int]:
    ctx, factory, _ = make_context(webhooks=())
    locator = FakeLocator(first)
    a1 = send(ctx, phone="+919812345678")
    case_id = next(iter(factory.store.cases))
    locate_with(ctx, locator, a1, case_id)
    a2 = send(ctx, "kisi ko fark nahi padta, main ja raha hu", LocationHint(text=None))
    locator.answer = second
    locate_with(ctx, locator, a2, case_id)
    return ctx, factory, case_id


# -- the one place -----------------------------------------------------------------------------


def test_the_brief_and_the_api_view_keep_the_confident_place_not_a_later_flagged_answer() -> None:
    ctx, _, case_id = two_alerts(resolution(LUCKNOW), resolution(VARANASI, LUCKNOW, review=True))
    with ctx.uow() as uow:
        brief = case_brief(uow, uow.cases.get(case_id), ctx.config.home_state)
    assert "Lucknow" in brief.place and "Varanasi" not in brief.place
    assert brief.district_lgd == "157" and brief.police_station == "Madeyganj"
    assert brief.place_confirmed
    shown = CaseRead.of(cases.show_case(ctx, OP, case_id)).plain()["location"]
    assert shown["district"] == "Lucknow" and shown["needs_review"] is False
    assert shown["confident"] is True and shown["conflict"] is False


def test_a_confident_answer_is_never_replaced_by_one_that_needs_review() -> None:
    doubtful = resolution(VARANASI, review=True)
    doubtful = replace(doubtful, confidence=0.99)
    place = choose_place([answer(0, resolution(LUCKNOW)), answer(5, doubtful, 2)])
    assert place.confident and place.district_lgd == "157" and place.source == "resolver"
    assert not place.conflict


def test_confident_answers_that_disagree_keep_the_first_and_flag_the_case() -> None:
    ctx, factory, case_id = two_alerts(resolution(LUCKNOW), resolution(VARANASI))
    timeline = factory.store.timeline[case_id]
    assert [t.kind for t in timeline].count("location_conflict") == 1
    assert not any(t.kind == "located" and "Varanasi" in t.summary for t in timeline)
    with ctx.uow() as uow:
        place = case_place(uow, case_id, ctx.config.home_state)
        brief = case_brief(uow, uow.cases.get(case_id), ctx.config.home_state)
    assert place.district_lgd == "157" and place.conflict == (("197", "Varanasi"),)
    assert "Lucknow" in brief.place and not brief.place_confirmed
    shown = CaseRead.of(cases.show_case(ctx, OP, case_id)).plain()["location"]
    assert shown["district"] == "Lucknow" and shown["conflict"] is True
    assert shown["needs_review"] is True
    assert shown["conflicting_districts"] == [{"district_lgd": "197", "district": "Varanasi"}]


def test_later_confident_answers_in_the_same_district_refine_the_place() -> None:
    district_only = replace(LUCKNOW, police_station=None)
    place = choose_place([answer(0, resolution(district_only)), answer(5, resolution(LUCKNOW), 2)])
    assert place.police_station == "Madeyganj" and place.alert_id == 2 and not place.conflict


def test_an_operators_district_wins_and_settles_a_conflict() -> None:
    found = [answer(0, resolution(LUCKNOW)), answer(5, resolution(VARANASI), 2)]
    chosen = replace(resolution(VARANASI), resolver_version="operator")
    place = choose_place(found, operator=HumanAnswer("operator", T0 + timedelta(minutes=9), chosen))
    assert place.district_lgd == "197" and place.source == "operator" and not place.conflict


def test_the_stf_answer_wins_over_the_resolver_and_the_latest_person_decides() -> None:
    found = [answer(0, resolution(LUCKNOW)), answer(5, resolution(HAMIRPUR))]
    place = choose_place(found, stf_at={T0 + timedelta(minutes=5)})
    assert place.source == "stf" and place.district_lgd == "172"
    earlier_operator = HumanAnswer("operator", T0 + timedelta(minutes=2), resolution(VARANASI))
    place = choose_place(found, stf_at={T0 + timedelta(minutes=5)}, operator=earlier_operator)
    assert place.source == "stf"


def test_with_nothing_confident_the_best_candidate_is_shown_as_needing_review() -> None:
    weak = replace(resolution(VARANASI, review=True), confidence=0.4)
    strong = resolution(replace(LUCKNOW, confidence=0.8), review=True)
    place = choose_place([answer(0, strong), answer(5, weak, 2)])
    assert not place.confident and place.district_lgd is None and place.candidate == "Lucknow"
    assert "unconfirmed" in place.describe() and "Lucknow" in place.describe()
    assert choose_place([]).describe().startswith("unknown")


def test_an_operators_district_is_in_the_configured_home_state() -> None:
    ctx, factory, _ = make_context(webhooks=())
    send(ctx, hint=LocationHint(text=None))
    case_id = next(iter(factory.store.cases))
    lucknow = FAKE_DISTRICTS[0][0]
    with ctx.uow() as uow:
        uow.jurisdictions.assign(case_id, lucknow, str(OP), ctx.clock.now())
        uow.commit()
    with ctx.uow() as uow:
        place = case_place(uow, case_id, "Uttarakhand")
    assert place.source == "operator" and place.confident
    assert place.resolution is not None and place.resolution.state == "Uttarakhand"
    assert place.describe() == "Lucknow, Uttarakhand"


# -- the brief from the whole case ------------------------------------------------------------

METHOD_POST = "ab bas, aaj raat पंखे से लटक जाऊंगा, sorry maa"
LIVE_POST = "Live aaj raat 11 baje, sab dekhna"


def assess(
    ctx: Context, case_id: int, alert_id: int, level: RiskLevel, score: float, *cues: Cue
) -> None:
    model = AssessmentSource.MODEL
    found = RiskAssessment(
        case_id, level, "model", ctx.clock.now(), model, alert_id, score, "hi", cues, "m1"
    )
    with ctx.uow() as uow:
        uow.assessments.add(found)  # type: ignore[attr-defined]
        uow.commit()


def test_the_brief_names_the_first_alerts_method_and_the_latest_post_in_whole_words() -> None:
    ctx, factory, _ = make_context(webhooks=())
    first = send(ctx, METHOD_POST, phone="+91 98123 45678")
    case_id = next(iter(factory.store.cases))
    second = send(ctx, LIVE_POST, phone="9898989898")
    start = METHOD_POST.index("पंखे")
    method = Cue("method", METHOD_POST[start : start + 10], start, start + 10)  # cut mid-word
    assess(ctx, case_id, first, RiskLevel.INTENT, 0.8, method)
    live = Cue("live", "Live aa", 0, 7)  # the snippet the issue saw, cut inside "aaj"
    assess(ctx, case_id, second, RiskLevel.IMMINENT, 0.9, live)
    with ctx.uow() as uow:
        brief = case_brief(uow, uow.cases.get(case_id), ctx.config.home_state)
    assert brief.excerpt == LIVE_POST
    assert brief.cues[0] == "method: पंखे से लटक"
    assert "live: Live aaj" in brief.cues
    assert brief.person_phone == "+91 98123 45678" and brief.other_phones == ("9898989898",)


def test_snippets_are_widened_to_whole_words_in_every_script() -> None:
    assert whole_words("Live aaj raat", 0, 7) == "Live aaj"
    text = "मैं आत्महत्या करूंगा"
    assert whole_words(text, text.index("आत्म"), text.index("आत्म") + 4) == "आत्महत्या"
    assert whole_words("kal subah", 2, 7) == "kal subah"


def test_a_message_says_when_the_place_is_not_confirmed_and_gives_every_phone() -> None:
    ctx, _, _ = make_context(webhooks=())
    brief = CaseBrief(
        case_id=7,
        level="imminent",
        place="unknown / अज्ञात (possibly Lucknow? unconfirmed / अपुष्ट)",
        person_phone="+919812345678",
        hint_text="near Madiyaon thana",
        other_phones=("9898989898",),
        place_confirmed=False,
    )
    sent = Notification(7, 1, "up-lko-ps-madeyganj", "Duty officer", "duty", ("json://x",), T0)
    sent.id = 11
    message = messages.render(ctx, brief, sent)
    assert "not confirmed" in message.body and "near Madiyaon thana" in message.body
    assert "+919812345678, 9898989898" in message.body
    assert message.incident["location"]["confirmed"] is False

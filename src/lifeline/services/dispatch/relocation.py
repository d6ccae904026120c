"""When a case's place is set or changes: the `resolve_location` job every stored alert gets,
and what a change of the case's one place means (docs/location.md, "The case's one place").

A new answer never silently moves a case: a confident answer naming another district than the
case's raises a conflict flag for an operator; a change after dispatch (an operator's correction,
a police station named later) is a timeline event and a message to every unit already told.
"""

from __future__ import annotations

from datetime import datetime

from lifeline.domain.dispatch import Contact, Notification, Purpose
from lifeline.domain.errors import NotFound
from lifeline.domain.lifecycle import CaseStatus, Milestone
from lifeline.domain.model import SYSTEM, Actor, TimelineEntry
from lifeline.services.context import Context
from lifeline.services.dispatch.briefs import case_brief
from lifeline.services.dispatch.escalations import (
    SETTLED,
    note,
    queue_notification,
    send_queued,
)
from lifeline.services.job_spec import job
from lifeline.services.job_types import AlertJob, JobKind
from lifeline.services.location.case_place import CasePlace, best_district, case_place, is_confident
from lifeline.services.location.resolution import query_for, store_resolution, sync_registry
from lifeline.services.ports import UnitOfWork


@job(JobKind.RESOLVE_LOCATION, payload=AlertJob)
def resolve_location(ctx: Context, uow: UnitOfWork, job: AlertJob) -> None:
    """Job handler: resolve the alert's location, store the resolution, and update the case's
    one place: located when it becomes confident, a review note when it is doubtful, a conflict
    flag when confident answers disagree."""
    alert_id, case_id = job.alert_id, job.case_id
    alert = next((a for a in uow.alerts.for_case(case_id) if a.id == alert_id), None)
    if alert is None:
        raise NotFound(f"alert {alert_id} of case {case_id} not found")
    locator = sync_registry(ctx, uow)
    now = ctx.clock.now()
    before = case_place(uow, case_id, ctx.config.home_state)
    resolution = locator.resolve(query_for(alert), on=now.date())
    store_resolution(uow, alert_id, case_id, now, resolution)
    details = {
        "alert_id": alert_id,
        "district_lgd": resolution.district_lgd,
        "confidence": resolution.confidence,
        "needs_review": resolution.needs_review,
        "candidates": len(resolution.candidates),
    }
    after = track_place(ctx, uow, case_id, before)
    if is_confident(resolution):
        chosen = after.alert_id == alert_id and after.at == now
        # not chosen: it disagrees with the case's place (flagged) or a person decided
        action = "case.located" if chosen else "case.location_kept"
    else:
        name, lgd, _ = best_district(after.resolution)
        details |= {"best_district": name, "best_district_lgd": lgd}
        names = ", ".join(
            f"{c.district or c.state or '?'} ({c.confidence:.2f})" for c in resolution.candidates
        )
        uow.cases.note(
            case_id,
            TimelineEntry(
                now,
                "location_review",
                f"Location needs review: {names or 'no candidate'} / स्थान की जाँच आवश्यक",
                details=details,
            ),
        )
        action = "case.location_review"
    uow.audit.append(at=now, actor=str(SYSTEM), action=action, case_id=case_id, details=details)


def track_place(
    ctx: Context, uow: UnitOfWork, case_id: int, before: CasePlace, actor: Actor = SYSTEM
) -> CasePlace:
    """After a new answer (stored in this transaction): mark the case located when its place
    became confident or moved, flag a new conflict, and tell the units already notified when
    the place changed. Returns the case's place now."""
    after = case_place(uow, case_id, ctx.config.home_state)
    now = ctx.clock.now()
    if after.conflict and set(after.conflict) != set(before.conflict):
        listed = ", ".join(name for _, name in after.conflict)
        uow.cases.note(
            case_id,
            TimelineEntry(
                now,
                "location_conflict",
                f"Alerts disagree on the place: {after.describe()} or {listed}? The place is "
                f"kept until an operator chooses / अलर्ट में स्थान अलग-अलग: ऑपरेटर चुनें",
                details={
                    "kept": after.district_lgd,
                    "conflicting": [lgd for lgd, _ in after.conflict],
                },
            ),
        )
        uow.audit.append(
            at=now,
            actor=str(SYSTEM),
            action="case.location_conflict",
            case_id=case_id,
            details={"kept": after.district_lgd, "conflicting": [c[0] for c in after.conflict]},
        )
    if not after.confident or after.key() == before.key():
        return after
    case = uow.cases.get(case_id, for_update=True)
    if case.status is CaseStatus.CLOSED:
        return after
    if after.source == "resolver" or Milestone.LOCATED not in case.milestones:
        # an operator's own change is marked located by the console use case that made it
        case.mark_located(now, after.describe(), actor)
        uow.cases.save(case)
    if after.moved_from(before):
        _announce_change(uow, case_id, before, after, actor, now, ctx.config.home_state)
    return after


def _announce_change(
    uow: UnitOfWork,
    case_id: int,
    before: CasePlace,
    after: CasePlace,
    actor: Actor,
    now: datetime,
    home_state: str,
) -> None:
    """A change of place after dispatch: a timeline event, and a message to each contact of
    every unit already sent the case (once each), unless nobody needs to go any more."""
    case = uow.cases.get(case_id)
    repo = uow.dispatches
    sent = (Purpose.RESPOND, Purpose.TRACE)
    told = [n for n in repo.notifications_for_case(case_id) if n.purpose in sent]
    if not told:
        return
    note(
        uow,
        case_id,
        now,
        "location_changed",
        f"Place changed after dispatch: {before.describe()} → {after.describe()} / "
        "भेजे जाने के बाद स्थान बदला",
        actor,
        previous_district_lgd=before.district_lgd,
        previous_police_station=before.police_station,
        district_lgd=after.district_lgd,
        police_station=after.police_station,
        source=after.source,
    )
    if case.status in SETTLED:
        return
    brief = case_brief(uow, case, home_state)
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    sends: list[Notification] = []
    for n in told:
        key = (n.unit_id, n.contact_name, n.channels)
        if key in seen:
            continue
        seen.add(key)
        contact = Contact(n.contact_name, n.contact_role, n.channels)
        queue_notification(
            uow, None, n.unit_id, contact, 0, now, brief, purpose=Purpose.RELOCATED, sends=sends
        )
    send_queued(uow, case_id, sends, now)

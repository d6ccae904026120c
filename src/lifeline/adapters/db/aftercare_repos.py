"""Follow-up plans and check-ins, links between cases about the same person (matched on keyed
hashes, never plain values), and the read-only facts reports are computed from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    union_all,
    update,
)

from lifeline.adapters.db.repositories import READS_CASES_EXCEPT
from lifeline.adapters.db.tables import (
    MILESTONE_COLUMNS,
    aad,
    alerts,
    case_keys,
    case_links,
    cases,
    follow_up_check_ins,
    follow_up_plans,
    insert_or_skip,
    new_id,
    risk_assessments,
    subjects,
)
from lifeline.domain.aftercare import (
    CheckIn,
    CheckInResult,
    FollowUpPlan,
    PlanStatus,
    Referral,
    ReferralKind,
)
from lifeline.domain.errors import NotFound
from lifeline.domain.model import OutcomeKind
from lifeline.domain.risk import AssessmentSource
from lifeline.services.aftercare.ports import EarlierCase
from lifeline.services.ports import Cipher, ConcurrentWrite
from lifeline.services.reports.ports import AlertFacts, CaseFacts, CheckInFacts, ReadingFacts

#: which subject column holds the keyed hash of each kind of identity key
SUBJECT_HASH_COLUMNS = {
    "account": "handle_hash",
    "profile": "profile_hash",
    "phone": "phone_hash",
    "email": "email_hash",
}

P, C = follow_up_plans, follow_up_check_ins
R = risk_assessments

# Built once and executed with parameters (the repeat-risk look-up runs for every alert).
_ADD_PLAN = insert(P)
_ADD_CHECK_IN = insert(C)
_PLAN = select(P).where(P.c.id == bindparam("plan_id"))
_PLAN_FOR_UPDATE = _PLAN.with_for_update()
_PLAN_OF_CHECK_IN = select(C.c.plan_id).where(C.c.id == bindparam("check_in_id"))
#: executed with the plan's (check-in's) column values: they become the SET clause
_SAVE_PLAN = update(P).where(
    P.c.id == bindparam("plan_id"), P.c.version == bindparam("seen_version")
)
_SAVE_CHECK_IN = update(C).where(C.c.id == bindparam("check_in_id"))
_PLANS_OF_CASE = (
    select(P).where(P.c.case_id == bindparam("case_id")).order_by(P.c.proposed_at, P.c.id)
)
_CHECK_INS_OF_PLANS = (
    select(C)
    .where(C.c.plan_id.in_(bindparam("plan_ids", expanding=True)))
    .order_by(C.c.due_at, C.c.id)
)
#: opened before the case, or stored before it though timed later (a released quarantine mail
#: is timed from its arrival, maybe before a case about the same person that came meanwhile)
_earlier = and_(
    cases.c.id != bindparam("exclude"),
    or_(cases.c.opened_at < bindparam("before"), cases.c.id < bindparam("exclude")),
)
#: earlier cases about a person, in one statement: per kind of identity key, the cases whose
#: subject has one of its hashes (`kind` names it), and the cases whose case keys hold one of
#: the account and profile hashes (accounts named by later alerts merged into a case; `kind` is
#: "case_key" and `key_hash` says which); a kind with no hashes matches nothing
_EARLIER_CASES = union_all(
    *(
        select(
            cases.c.id.label("case_id"),
            literal_column(f"'{kind}'").label("kind"),  # a fixed name
            null().label("key_hash"),
        )
        .join(subjects, subjects.c.id == cases.c.subject_id)
        .where(_earlier, subjects.c[column].in_(bindparam(f"h_{kind}", expanding=True)))
        for kind, column in SUBJECT_HASH_COLUMNS.items()
    ),
    select(
        case_keys.c.case_id.label("case_id"),
        literal_column("'case_key'").label("kind"),
        case_keys.c.key_hash.label("key_hash"),
    )
    .join(cases, cases.c.id == case_keys.c.case_id)
    .where(_earlier, case_keys.c.key_hash.in_(bindparam("h_case_key", expanding=True))),
).execution_options(**{READS_CASES_EXCEPT: "exclude"})  # `_earlier` leaves that case out
_LINKED = select(case_links.c.earlier_case_id).where(case_links.c.case_id == bindparam("case_id"))
_HISTORY = (
    select(case_links.c.matched_on, cases)
    .join(cases, cases.c.id == case_links.c.earlier_case_id)
    .where(case_links.c.case_id == bindparam("case_id"))
    .order_by(cases.c.opened_at.desc())
)
_PLAN_STATUSES = (
    select(P.c.case_id, P.c.status)
    .where(P.c.case_id.in_(bindparam("case_ids", expanding=True)))
    .order_by(P.c.id)
)


class SqlAftercareRepository:
    """Follow-up plans and case links; the plans it handed out or stored are `seen`, for the
    unit of work to collect their events. Earlier cases about a person are looked up once per
    transaction (an alert's repeat links and its dispatch plan ask the same question; no
    transaction that asks adds cases, subjects or case keys)."""

    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys
        self.seen: list[FollowUpPlan] = []
        self._earlier: dict[tuple[frozenset[str], datetime, int], dict[int, set[str]]] = {}

    def forget(self) -> None:
        """The transaction was rolled back: what it saw goes with it."""
        self.seen.clear()
        self._earlier.clear()

    def _see(self, plans: list[FollowUpPlan]) -> list[FollowUpPlan]:
        self.seen.extend(p for p in plans if not any(p is s for s in self.seen))
        return plans

    # -- plans ---------------------------------------------------------------------------
    def add_plan(self, plan: FollowUpPlan) -> FollowUpPlan:
        plan.id = new_id(self.conn.execute(_ADD_PLAN, {**self._plan_values(plan), "version": 1}))
        plan.version = 1
        for check_in in plan.check_ins:
            values = {**self._check_in_values(check_in), "plan_id": plan.id}
            values.update(case_id=plan.case_id, label=check_in.label, due_at=check_in.due_at)
            check_in.id = new_id(self.conn.execute(_ADD_CHECK_IN, values))
        return self._see([plan])[0]

    def get_plan(self, plan_id: int, *, for_update: bool = False) -> FollowUpPlan:
        query = _PLAN_FOR_UPDATE if for_update else _PLAN
        row = self.conn.execute(query, {"plan_id": plan_id}).one_or_none()
        if row is None:
            raise NotFound(f"follow-up plan {plan_id} not found")
        return self._plans([row])[0]

    def plan_of_check_in(self, check_in_id: int, *, for_update: bool = False) -> FollowUpPlan:
        plan_id = self.conn.execute(_PLAN_OF_CHECK_IN, {"check_in_id": check_in_id}).scalar()
        if plan_id is None:
            raise NotFound(f"follow-up check-in {check_in_id} not found")
        return self.get_plan(int(plan_id), for_update=for_update)

    def save_plan(self, plan: FollowUpPlan) -> None:
        assert plan.id is not None
        values = {**self._plan_values(plan), "version": plan.version + 1}
        result = self.conn.execute(
            _SAVE_PLAN, {**values, "plan_id": plan.id, "seen_version": plan.version}
        )
        if result.rowcount != 1:
            raise ConcurrentWrite(f"follow-up plan {plan.id} was changed by someone else")
        plan.version += 1
        for check_in in plan.check_ins:
            self.conn.execute(
                _SAVE_CHECK_IN, {**self._check_in_values(check_in), "check_in_id": check_in.id}
            )
        self._see([plan])

    def plans_for_case(self, case_id: int) -> list[FollowUpPlan]:
        rows = self.conn.execute(_PLANS_OF_CASE, {"case_id": case_id}).all()
        return self._plans(rows)

    def plans(
        self,
        *,
        statuses: list[str] | None = None,
        counsellor: str | None = None,
        with_unassigned: bool = False,
        due_before: datetime | None = None,
        limit: int = 100,
    ) -> list[FollowUpPlan]:
        open_check_in = and_(C.c.result.is_(None), C.c.cancelled_at.is_(None))
        next_due = (
            select(func.min(C.c.due_at))
            .where(C.c.plan_id == P.c.id, open_check_in)
            .correlate(P)
            .scalar_subquery()
        )
        query = select(P).order_by(next_due.is_(None), next_due, P.c.id).limit(limit)
        if statuses:
            query = query.where(P.c.status.in_(statuses))
        if counsellor is not None:
            mine = P.c.counsellor == counsellor
            query = query.where(or_(mine, P.c.counsellor.is_(None)) if with_unassigned else mine)
        if due_before is not None:
            query = query.where(next_due <= due_before)
        return self._plans(self.conn.execute(query).all())

    # -- repeat risk ---------------------------------------------------------------------
    def find_earlier_cases(
        self, identity_keys: list[str], *, before: datetime, exclude: int
    ) -> dict[int, set[str]]:
        asked = (frozenset(identity_keys), before, exclude)
        if asked not in self._earlier:
            self._earlier[asked] = self._find_earlier_cases(identity_keys, before, exclude)
        return {case_id: set(kinds) for case_id, kinds in self._earlier[asked].items()}

    def _find_earlier_cases(
        self, identity_keys: list[str], before: datetime, exclude: int
    ) -> dict[int, set[str]]:
        kind_of = {self.keys.blind_index(k): k.split(":", 1)[0] for k in identity_keys}
        found: dict[int, set[str]] = {}
        if not kind_of:
            return found
        params: dict[str, Any] = {"exclude": exclude, "before": before}
        for kind in SUBJECT_HASH_COLUMNS:
            params[f"h_{kind}"] = [h for h, k in kind_of.items() if k == kind]
        # Accounts and profiles named by later alerts merged into a case are in its case keys.
        params["h_case_key"] = [h for h, k in kind_of.items() if k in ("account", "profile")]
        for row in self.conn.execute(_EARLIER_CASES, params):
            kind = kind_of[row.key_hash] if row.kind == "case_key" else row.kind
            found.setdefault(int(row.case_id), set()).add(kind)
        return found

    def link_cases(self, case_id: int, earlier: dict[int, set[str]], at: datetime) -> list[int]:
        known = set(self.conn.execute(_LINKED, {"case_id": case_id}).scalars())
        fresh = sorted(set(earlier) - known)
        if fresh:
            rows = [
                {
                    "case_id": case_id,
                    "earlier_case_id": other,
                    "matched_on": ",".join(sorted(earlier[other]))[:60],
                    "linked_at": at,
                }
                for other in fresh
            ]
            stmt = insert_or_skip(self.conn, case_links)
            self.conn.execute(stmt.values(rows).on_conflict_do_nothing())
        return fresh

    def history(self, case_id: int) -> list[EarlierCase]:
        rows = self.conn.execute(_HISTORY, {"case_id": case_id}).all()
        ids = [int(r.id) for r in rows]
        latest: dict[int, str] = {}
        if ids:
            for plan in self.conn.execute(_PLAN_STATUSES, {"case_ids": ids}):
                latest[int(plan.case_id)] = str(plan.status)
        return [
            EarlierCase(
                int(r.id),
                r.opened_at,
                r.status,
                r.outcome,
                r.outcome_at,
                tuple(r.matched_on.split(",")),
                latest.get(int(r.id)),
            )
            for r in rows
        ]

    # -- mapping -------------------------------------------------------------------------
    def _plan_values(self, plan: FollowUpPlan) -> dict[str, Any]:
        return {
            "case_id": plan.case_id,
            "status": plan.status.value,
            "outcome": plan.outcome.value,
            "outcome_at": plan.outcome_at,
            "proposed_at": plan.proposed_at,
            "proposed_by": plan.proposed_by[:120],
            "referral_kind": plan.referral.kind.value,
            "referral_name": plan.referral.name[:200],
            "referral_contact": plan.referral.contact,
            "referral_unit": plan.referral.unit_id,
            "counsellor": plan.counsellor,
            "ended_at": plan.ended_at,
            "end_reason_enc": self.keys.encrypt(plan.end_reason, aad(P, "end_reason_enc")),
        }

    def _check_in_values(self, check_in: CheckIn) -> dict[str, Any]:
        return {
            "notified_at": check_in.notified_at,
            "result": check_in.result.value if check_in.result else None,
            "recorded_at": check_in.recorded_at,
            "recorded_by": check_in.recorded_by,
            "note_enc": self.keys.encrypt(check_in.note, aad(C, "note_enc")),
            "cancelled_at": check_in.cancelled_at,
        }

    def _plans(self, rows: Sequence[Row[Any]]) -> list[FollowUpPlan]:
        ids = [int(r.id) for r in rows]
        by_plan: dict[int, list[CheckIn]] = {i: [] for i in ids}
        if ids:
            for r in self.conn.execute(_CHECK_INS_OF_PLANS, {"plan_ids": ids}):
                by_plan[int(r.plan_id)].append(
                    CheckIn(
                        r.due_at,
                        r.label,
                        r.notified_at,
                        CheckInResult(r.result) if r.result else None,
                        r.recorded_at,
                        r.recorded_by,
                        self.keys.decrypt(r.note_enc, aad(C, "note_enc")),
                        r.cancelled_at,
                        int(r.id),
                    )
                )
        plans = [
            FollowUpPlan(
                case_id=int(r.case_id),
                outcome=OutcomeKind(r.outcome),
                outcome_at=r.outcome_at,
                proposed_at=r.proposed_at,
                proposed_by=r.proposed_by,
                referral=Referral(
                    ReferralKind(r.referral_kind),
                    r.referral_name,
                    r.referral_contact,
                    r.referral_unit,
                ),
                check_ins=by_plan[int(r.id)],
                counsellor=r.counsellor,
                status=PlanStatus(r.status),
                ended_at=r.ended_at,
                end_reason=self.keys.decrypt(r.end_reason_enc, aad(P, "end_reason_enc")),
                version=r.version,
                id=int(r.id),
            )
            for r in rows
        ]
        return self._see(plans)


class SqlReportSource:
    """Facts for reports: ids, kinds and timestamps only (nothing here needs decrypting)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def cases_opened(self, start: datetime, end: datetime) -> list[CaseFacts]:
        """Cases opened in [start, end), drills and dismissed monitoring finds left out."""
        columns = [cases.c[name] for name in MILESTONE_COLUMNS]
        rows = self.conn.execute(
            select(cases.c.id, cases.c.platform, cases.c.status, cases.c.opened_at, cases.c.outcome)
            .add_columns(*columns)
            # drills (`lifeline drill`) go through the real path but are no one's emergency:
            # this is the one query reports, the dashboard and the state export count from
            # and a monitoring find an operator dismissed at review was never sent to anyone: it
            # is neither a case handled nor a false alarm of the police response
            .where(
                cases.c.opened_at >= start,
                cases.c.opened_at < end,
                cases.c.drill.is_(False),
                or_(cases.c.review_state.is_(None), cases.c.review_state != "dismissed"),
            )
            .order_by(cases.c.opened_at, cases.c.id)
        )
        return [
            CaseFacts(
                int(r.id),
                r.platform,
                r.status,
                r.opened_at,
                r.outcome,
                {
                    name.removesuffix("_at"): r._mapping[name]
                    for name in MILESTONE_COLUMNS
                    if r._mapping[name] is not None
                },
            )
            for r in rows
        ]

    def alerts_of(self, case_ids: list[int]) -> list[AlertFacts]:
        found: list[AlertFacts] = []
        for start in range(0, len(case_ids), 500):  # bounded IN lists
            chunk = case_ids[start : start + 500]
            rows = self.conn.execute(
                select(
                    alerts.c.id,
                    alerts.c.case_id,
                    alerts.c.source,
                    alerts.c.platform,
                    alerts.c.received_at,
                )
                .where(alerts.c.case_id.in_(chunk))
                .order_by(alerts.c.id)
            )
            found += [
                AlertFacts(int(r.id), int(r.case_id), r.source, r.platform, r.received_at)
                for r in rows
            ]
        return found

    def model_readings(self, case_ids: list[int]) -> list[ReadingFacts]:
        found: list[ReadingFacts] = []
        for start in range(0, len(case_ids), 500):  # bounded IN lists
            chunk = case_ids[start : start + 500]
            rows = self.conn.execute(
                select(R.c.case_id, R.c.alert_id, R.c.level, R.c.unreadable)
                .where(R.c.case_id.in_(chunk), R.c.source == AssessmentSource.MODEL.value)
                .order_by(R.c.id)
            )
            found += [
                ReadingFacts(
                    int(r.case_id),
                    None if r.alert_id is None else int(r.alert_id),
                    r.level,
                    r.unreadable,
                )
                for r in rows
            ]
        return found

    def check_ins_due(self, start: datetime, end: datetime) -> list[CheckInFacts]:
        rows = self.conn.execute(
            select(C).where(C.c.due_at >= start, C.c.due_at < end).order_by(C.c.due_at, C.c.id)
        )
        return [
            CheckInFacts(
                int(r.id),
                int(r.plan_id),
                int(r.case_id),
                r.label,
                r.due_at,
                r.result,
                r.cancelled_at is not None,
            )
            for r in rows
        ]

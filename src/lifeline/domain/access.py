"""Who may do what: the staff roles, the permissions, and the one table between them.

This is the only place a role is given a permission or a scope. The use cases enforce it
(`services/access/authorisation.py`: role, then scope, every refusal audited) and every HTTP
route declares the permission it needs (`web/access.py`, checked for every route by
`tests/unit/test_route_permissions.py`), so the console, the JSON API and the CLI cannot
disagree. A role's value is what the `users` table stores.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A person's role (the `users.role` column)."""

    ADMIN = "admin"
    SMC_OPERATOR = "smc_operator"
    SUPERVISOR = "supervisor"
    DISTRICT_OFFICER = "district_officer"
    STF_ANALYST = "stf_analyst"
    COUNSELLOR = "counsellor"


class Permission(StrEnum):
    QUEUE_READ = "queue.read"
    CASE_READ = "case.read"
    #: the field steps: acknowledge, on scene, outcome
    CASE_ACT = "case.act"
    #: the SMC's steps: locate, assign district, trace, dispatch, dismiss, hand over, close,
    #: confirm or correct the risk level
    CASE_MANAGE = "case.manage"
    CASE_NOTE = "case.note"
    ALERT_ENTER = "alert.enter"
    DASHBOARD_READ = "dashboard.read"
    #: the STF's answer to a trace request (where the person is)
    TRACE_ANSWER = "trace.answer"
    #: district boundaries, and resolving a place on demand (no case data)
    PLACE_LOOKUP = "place.lookup"
    #: follow-up plans: list, take, read, record check-ins, refer, cancel (a counsellor: the
    #: plans assigned to them, and taking unassigned ones)
    FOLLOWUP_WORK = "followup.work"
    #: every follow-up plan, and assigning any counsellor
    FOLLOWUP_MANAGE = "followup.manage"
    #: quiet a case's SMC alarms ("seen, on it"): they stay open until the case moves on
    ALARM_ACKNOWLEDGE = "alarm.acknowledge"
    #: reports and the state export
    REPORT_READ = "report.read"
    #: the staff lifecycle (create, deactivate, unlock, reset two-factor, change role)
    STAFF_MANAGE = "staff.manage"
    #: held mail (the quarantine): who sent it, what it says (personal data), why it was held
    QUARANTINE_READ = "quarantine.read"
    #: release held mail (it becomes an alert the operator vouches for, and may dispatch
    #: police: the same power as entering a phone alert) or discard it, with a reason
    QUARANTINE_REVIEW = "quarantine.review"
    #: the registry's contacts (import, list, test messages), drills, the demo inbox
    REGISTRY_MANAGE = "registry.manage"
    #: put a case under legal hold, or lift it: the purge and erasure on request skip a held
    #: case, so this overrides the retention periods (a supervisor's decision, not a desk step)
    CASE_HOLD = "case.hold"


class Scope(StrEnum):
    """Which cases a role's case permissions reach."""

    EVERY_CASE = "every_case"
    #: cases placed in the person's jurisdiction (fails closed: an unplaced case is nobody's)
    DISTRICT = "district"
    #: cases with a trace request (all of them until trace assignment exists)
    TRACE_REQUESTS = "trace_requests"
    NO_CASE = "no_case"


P = Permission
_SMC = frozenset(set(Permission) - {P.REPORT_READ, P.STAFF_MANAGE, P.REGISTRY_MANAGE, P.CASE_HOLD})

#: the permission table
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SMC_OPERATOR: _SMC,
    Role.SUPERVISOR: _SMC | {P.REPORT_READ, P.CASE_HOLD},
    # the map, dashboard and report too, over their district's cases (as their queue)
    Role.DISTRICT_OFFICER: frozenset(
        {
            P.QUEUE_READ,
            P.CASE_READ,
            P.CASE_ACT,
            P.CASE_NOTE,
            P.DASHBOARD_READ,
            P.PLACE_LOOKUP,
            P.REPORT_READ,
        }
    ),
    # trace requests: read and note, answer; no steps
    Role.STF_ANALYST: frozenset({P.QUEUE_READ, P.CASE_READ, P.CASE_NOTE, P.TRACE_ANSWER}),
    # follow-ups assigned to them (aftercare): no case access
    Role.COUNSELLOR: frozenset({P.FOLLOWUP_WORK}),
}
#: which cases each role's case permissions reach
ROLE_SCOPES: dict[Role, Scope] = {
    Role.ADMIN: Scope.EVERY_CASE,
    Role.SMC_OPERATOR: Scope.EVERY_CASE,
    Role.SUPERVISOR: Scope.EVERY_CASE,
    Role.DISTRICT_OFFICER: Scope.DISTRICT,
    Role.STF_ANALYST: Scope.TRACE_REQUESTS,
    Role.COUNSELLOR: Scope.NO_CASE,
}


def parse_role(value: str) -> Role | None:
    """The role a stored or typed value names (None: no role, e.g. a partner's)."""
    try:
        return Role(value)
    except ValueError:
        return None


def allowed(role: str, permission: Permission) -> bool:
    """Whether `role` holds `permission` (an unknown role holds none)."""
    parsed = parse_role(role)
    return parsed is not None and permission in ROLE_PERMISSIONS[parsed]


def scope_of(role: str) -> Scope:
    """The cases `role` reaches (an unknown role: none)."""
    parsed = parse_role(role)
    return Scope.NO_CASE if parsed is None else ROLE_SCOPES[parsed]


def minimal_view(role: str) -> bool:
    """Whether `role` is shown only the fields needed to act (no raw payloads, e-mail or
    profile links): every role that does not see every case."""
    return scope_of(role) is not Scope.EVERY_CASE

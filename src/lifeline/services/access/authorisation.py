"""Who may do what to which case: roles, permissions and jurisdiction scoping.

Every use case that reads or changes a case calls `enforce_case` in its own transaction, so the
rule holds for the console, the API and the CLI alike (hiding a button is not a control). A
refusal is audited (committed before the error is raised) and scoping fails closed: a district
officer sees a case only when the case is known to be in their district.
"""

from __future__ import annotations

from enum import StrEnum

from lifeline.domain.errors import PermissionDenied
from lifeline.domain.model import Actor
from lifeline.services.access.ports import UserRecord
from lifeline.services.context import Context
from lifeline.services.ports import UnitOfWork


class Permission(StrEnum):
    QUEUE_READ = "queue.read"
    CASE_READ = "case.read"
    #: the field steps: acknowledge, on scene, outcome
    CASE_ACT = "case.act"
    #: the SMC's steps: locate, assign district, trace, dispatch, dismiss, hand over, close
    CASE_MANAGE = "case.manage"
    CASE_NOTE = "case.note"
    ALERT_ENTER = "alert.enter"
    DASHBOARD_READ = "dashboard.read"
    #: the STF's answer to a trace request (where the person is)
    TRACE_ANSWER = "trace.answer"


P = Permission
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "smc_operator": frozenset(Permission),
    "supervisor": frozenset(Permission),
    # the map and dashboard too, over their district's cases (as their queue)
    "district_officer": frozenset(
        {P.QUEUE_READ, P.CASE_READ, P.CASE_ACT, P.CASE_NOTE, P.DASHBOARD_READ}
    ),
    # trace requests (all of them until trace assignment exists): read and note, no steps
    "stf_analyst": frozenset({P.QUEUE_READ, P.CASE_READ, P.CASE_NOTE, P.TRACE_ANSWER}),
    # follow-ups assigned to them (aftercare): no case access from the console yet
    "counsellor": frozenset(),
}
#: roles that see only some cases (district officers: their district; STF: trace requests)
SCOPED_ROLES = frozenset({"district_officer", "stf_analyst"})
#: actors that are not people signing in: the CLI (an administrator at the server) and the system
TRUSTED_KINDS = frozenset({"cli", "system"})

#: what a use-case action needs (actions as named in the audit log: case.<action>)
ACTION_PERMISSIONS: dict[str, Permission] = {
    "acknowledge": P.CASE_ACT,
    "on_scene": P.CASE_ACT,
    "outcome": P.CASE_ACT,
    "locate": P.CASE_MANAGE,
    "assign_district": P.CASE_MANAGE,
    "request_trace": P.CASE_MANAGE,
    "dispatch": P.CASE_MANAGE,
    "dismiss": P.CASE_MANAGE,
    "hand_over": P.CASE_MANAGE,
    "close": P.CASE_MANAGE,
    "note": P.CASE_NOTE,
    "assess": P.CASE_MANAGE,
    "trace_answered": P.TRACE_ANSWER,
}


def allowed(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def require(actor: Actor, permission: Permission) -> None:
    """Refuse an actor whose role lacks `permission` (jurisdiction is checked per case)."""
    if actor.kind in TRUSTED_KINDS:
        return
    if actor.kind != "user" or not allowed(actor.role, permission):
        raise PermissionDenied(f"role {actor.role or actor.kind!r} may not {permission.value}")


def case_jurisdictions(uow: UnitOfWork, case_id: int) -> set[str]:
    """The districts (LGD codes) a case belongs to; empty while nobody knows."""
    return uow.jurisdictions.for_case(case_id)


def user_districts(uow: UnitOfWork, user: UserRecord | None) -> set[str]:
    """The districts a person's jurisdiction covers (an LGD code or a district name); empty
    (sees nothing) when it names no known district."""
    if user is None or not user.active or not user.jurisdiction:
        return set()
    code = uow.jurisdictions.district_code(user.jurisdiction)
    return {code} if code else set()


def visible_case_ids(uow: UnitOfWork, actor: Actor) -> set[int] | None:
    """For a scoped role, the ids of the cases it may see (None: every case)."""
    if actor.kind in TRUSTED_KINDS or actor.role not in SCOPED_ROLES:
        return None
    if actor.role == "district_officer":
        return uow.jurisdictions.cases_in(user_districts(uow, uow.users.by_username(actor.id)))
    return None  # stf_analyst: filtered to trace requests by the caller


def _in_scope(uow: UnitOfWork, actor: Actor, case_id: int) -> bool:
    if actor.role == "district_officer":
        mine = user_districts(uow, uow.users.by_username(actor.id))
        return bool(mine & case_jurisdictions(uow, case_id))
    if actor.role == "stf_analyst":
        return uow.cases.get(case_id).trace_requested_at is not None
    return True


def enforce_case(
    ctx: Context, uow: UnitOfWork, actor: Actor, case_id: int, permission: Permission
) -> None:
    """Allow `actor` to use `permission` on case `case_id`, or audit the refusal, commit that
    record, and raise PermissionDenied. Partners are checked by their own rule (their alerts)."""
    if actor.kind in TRUSTED_KINDS or actor.kind == "partner":
        return
    uow.cases.get(case_id)  # an unknown case is "not found" for everyone
    reason = ""
    if actor.kind != "user" or not allowed(actor.role, permission):
        reason = "role"
    elif actor.role in SCOPED_ROLES and not _in_scope(uow, actor, case_id):
        reason = "jurisdiction"
    if not reason:
        return
    uow.rollback()
    with ctx.uow() as audit_uow:
        audit_uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="access.denied",
            case_id=case_id,
            details={"permission": permission.value, "role": actor.role, "reason": reason},
        )
        audit_uow.commit()
    if reason == "role":
        raise PermissionDenied(f"role {actor.role!r} may not {permission.value} case {case_id}")
    raise PermissionDenied(f"case {case_id} is outside your jurisdiction")


def check_case(ctx: Context, actor: Actor, case_id: int, permission: Permission) -> None:
    """`enforce_case` in a transaction of its own (for callers that read elsewhere)."""
    with ctx.uow(readonly=True) as uow:
        enforce_case(ctx, uow, actor, case_id, permission)

"""Who may do what to which case: the permission table (`domain/access.py`) enforced, with
jurisdiction scoping.

Every use case that reads or changes a case calls `enforce_case` in its own transaction, so the
rule holds for the console, the API and the CLI alike (hiding a button is not a control); every
HTTP route also declares the permission it needs (`web/access.py`), checked with `demand` before
the use case runs. A refusal is audited (committed before the error is raised). A role without
the permission is refused (PermissionDenied, 403); a case outside the person's scope is "not
found" (NotFound, 404), exactly as a case that does not exist, so a refusal never reveals that a
case exists. Scoping fails closed: a district officer sees a case only when the case is known to
be in their district.
"""

from __future__ import annotations

from lifeline.domain.access import Permission, Scope, allowed, scope_of
from lifeline.domain.errors import NotFound, PermissionDenied
from lifeline.domain.model import Actor
from lifeline.services.access.ports import UserRecord
from lifeline.services.context import Context
from lifeline.services.ports import UnitOfWork

P = Permission
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


def may(actor: Actor, permission: Permission) -> bool:
    """Whether `actor` holds `permission` at all (jurisdiction is checked per case): the CLI
    and the system do; a person by their role in the table; partners and contacts do not."""
    if actor.kind in TRUSTED_KINDS:
        return True
    return actor.kind == "user" and allowed(actor.role, permission)


def _refusal(actor: Actor, permission: Permission) -> PermissionDenied:
    return PermissionDenied(f"role {actor.role or actor.kind!r} may not {permission.value}")


def require(actor: Actor, permission: Permission) -> None:
    """Refuse an actor whose role lacks `permission` (jurisdiction is checked per case)."""
    if not may(actor, permission):
        raise _refusal(actor, permission)


def _audit_refusal(
    ctx: Context, actor: Actor, permission: Permission, reason: str, case_id: int | None
) -> None:
    with ctx.uow() as audit_uow:
        audit_uow.audit.append(
            at=ctx.clock.now(),
            actor=str(actor),
            action="access.denied",
            case_id=case_id,
            details={"permission": permission.value, "role": actor.role, "reason": reason},
        )
        audit_uow.commit()


def demand(
    ctx: Context, actor: Actor, permission: Permission, *, case_id: int | None = None
) -> None:
    """`require`, with a refusal audited (reason `role`): what a route checks before its use
    case runs. Partners are not refused here: their rule is the use case's (their alerts)."""
    if actor.kind == "partner" or may(actor, permission):
        return
    _audit_refusal(ctx, actor, permission, "role", case_id)
    raise _refusal(actor, permission)


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
    """The ids of the cases `actor` may see (None: every case, or, for the STF, every case
    with a trace request: see `traces_only`)."""
    if actor.kind in TRUSTED_KINDS:
        return None
    scope = scope_of(actor.role)
    if scope is Scope.DISTRICT:
        return uow.jurisdictions.cases_in(user_districts(uow, uow.users.by_username(actor.id)))
    if scope is Scope.NO_CASE:
        return set()
    return None


def traces_only(actor: Actor) -> bool:
    """Whether `actor` sees only cases with a trace request (the STF)."""
    return actor.kind not in TRUSTED_KINDS and scope_of(actor.role) is Scope.TRACE_REQUESTS


def _in_scope(uow: UnitOfWork, actor: Actor, case_id: int) -> bool:
    scope = scope_of(actor.role)
    if scope is Scope.DISTRICT:
        mine = user_districts(uow, uow.users.by_username(actor.id))
        return bool(mine & case_jurisdictions(uow, case_id))
    if scope is Scope.TRACE_REQUESTS:
        return uow.cases.get(case_id).trace_requested_at is not None
    return scope is Scope.EVERY_CASE


def enforce_case(
    ctx: Context, uow: UnitOfWork, actor: Actor, case_id: int, permission: Permission
) -> None:
    """Allow `actor` to use `permission` on case `case_id`, or audit the refusal, commit that
    record, and raise PermissionDenied (the role lacks the permission) or NotFound (the case
    is outside the person's scope: said as for a case that does not exist). Partners are
    checked by their own rule (their alerts)."""
    if actor.kind in TRUSTED_KINDS or actor.kind == "partner":
        return
    uow.cases.get(case_id)  # an unknown case is "not found" for everyone
    # scope first: a case outside it is "not found" whatever the permission asked for (a 403
    # for a role's missing permission would tell that the case exists)
    reason = ""
    if not _in_scope(uow, actor, case_id):
        reason = "jurisdiction"
    elif not may(actor, permission):
        reason = "role"
    if not reason:
        return
    uow.rollback()
    _audit_refusal(ctx, actor, permission, reason, case_id)
    if reason == "role":
        raise PermissionDenied(f"role {actor.role!r} may not {permission.value} case {case_id}")
    raise NotFound(f"case {case_id} not found")


def check_case(ctx: Context, actor: Actor, case_id: int, permission: Permission) -> None:
    """`enforce_case` in a transaction of its own (for callers that read elsewhere)."""
    with ctx.uow(readonly=True) as uow:
        enforce_case(ctx, uow, actor, case_id, permission)

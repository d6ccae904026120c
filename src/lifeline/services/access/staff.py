"""The staff lifecycle: list, deactivate, reactivate, unlock, reset two-factor, change role.

Each change is audited with who made it, and every change that alters what a person may do
(deactivation, a role change, a new two-factor secret) revokes their bearer tokens and ends
their console sessions in the same transaction, so it takes effect on their next request.
The CLI acts as `cli:<login>`; the console's admin page as the signed-in admin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from lifeline.domain.access import Permission, allowed
from lifeline.domain.errors import DomainError, NotFound, PermissionDenied
from lifeline.domain.model import Actor
from lifeline.domain.signin import SignInPolicy
from lifeline.domain.timestamps import iso
from lifeline.services.access.accounts import (
    ENROLMENT_TTL,
    check_jurisdiction,
    new_two_factor,
    staff_role,
)
from lifeline.services.access.authorisation import may
from lifeline.services.access.ports import UserRecord
from lifeline.services.access.signin import code_hash, normalise
from lifeline.services.context import Context
from lifeline.services.ports import UnitOfWork


@dataclass(frozen=True)
class StaffMember:
    """A person as the staff list shows them: no secret, no hash."""

    username: str
    role: str
    jurisdiction: str | None
    active: bool
    #: when two-factor enrolment is pending, until when the code works
    enrolment_pending_until: datetime | None
    #: seconds before the account accepts another sign-in attempt (0: now)
    throttled_for: int

    def as_dict(self) -> dict[str, object]:
        return {
            "username": self.username,
            "role": self.role,
            "jurisdiction": self.jurisdiction,
            "active": self.active,
            "enrolment_pending_until": iso(self.enrolment_pending_until),
            "throttled_for": self.throttled_for,
        }


@dataclass(frozen=True)
class NewTwoFactor:
    username: str
    totp_secret: str
    enrolment_code: str


def _member(uow: UnitOfWork, policy: SignInPolicy, user: UserRecord, now: datetime) -> StaffMember:
    # the wait at an address that has not failed (the owner's, usually)
    opens = policy.account_opens(
        uow.sign_ins.streak(user.username, now - policy.streak_window), None
    )
    wait = max(0, math.ceil((opens - now).total_seconds())) if opens else 0
    pending = user.enrolment_expires_at if user.enrolment_code_hash else None
    return StaffMember(
        user.username, user.role, user.jurisdiction, user.active,
        pending if pending and pending > now else None, wait,
    )  # fmt: skip


def _require_admin(actor: Actor) -> None:
    if not may(actor, Permission.STAFF_MANAGE):
        raise PermissionDenied("only an admin may manage staff")


def list_staff(ctx: Context, actor: Actor) -> list[StaffMember]:
    _require_admin(actor)
    policy = ctx.config.signin
    now = ctx.clock.now()
    with ctx.uow(readonly=True) as uow:
        return [_member(uow, policy, u, now) for u in uow.users.all()]


def _load(uow: UnitOfWork, username: str) -> UserRecord:
    user = uow.users.by_username(normalise(username))
    if user is None:
        raise NotFound(f"no user {username!r} (lifeline users list shows them)")
    return user


def _revoke(ctx: Context, uow: UnitOfWork, user: UserRecord) -> int:
    """Revoke every token and end every session of `user`; how many sessions were open."""
    uow.users.revoke_tokens(user.id)
    return uow.sessions.revoke_all(user.id, ctx.clock.now())


def _audit(
    ctx: Context, uow: UnitOfWork, actor: Actor, action: str, user: UserRecord, **details: object
) -> None:
    uow.audit.append(
        at=ctx.clock.now(),
        actor=str(actor),
        action=action,
        case_id=None,
        details={"username": user.username, **details},
    )


def _admin(role: str) -> bool:
    """Whether `role` may manage staff: the last active such person cannot be removed."""
    return allowed(role, Permission.STAFF_MANAGE)


def _other_active_admins(uow: UnitOfWork, user: UserRecord) -> bool:
    return any(u.active and _admin(u.role) and u.id != user.id for u in uow.users.all())


def deactivate(ctx: Context, actor: Actor, username: str) -> StaffMember:
    """The person can no longer sign in; their tokens and sessions stop working at once."""
    _require_admin(actor)
    with ctx.uow() as uow:
        user = _load(uow, username)
        if _admin(user.role) and user.active and not _other_active_admins(uow, user):
            raise DomainError(f"{user.username!r} is the last active admin; make another first")
        uow.users.set_active(user.id, False)
        ended = _revoke(ctx, uow, user)
        _audit(ctx, uow, actor, "user.deactivated", user, sessions_ended=ended)
        uow.commit()
    return _get(ctx, username)


def reactivate(ctx: Context, actor: Actor, username: str) -> StaffMember:
    _require_admin(actor)
    with ctx.uow() as uow:
        user = _load(uow, username)
        uow.users.set_active(user.id, True)
        _audit(ctx, uow, actor, "user.reactivated", user)
        uow.commit()
    return _get(ctx, username)


def unlock(ctx: Context, actor: Actor, username: str) -> StaffMember:
    """Lift the growing delay on the account's sign-in attempts; its failures so far stop
    counting towards any address's limit too."""
    _require_admin(actor)
    with ctx.uow() as uow:
        user = _load(uow, username)
        uow.sign_ins.forgive(user.username, None)
        uow.sign_ins.record(
            username=user.username, at=ctx.clock.now(), ok=True, reason="unlocked", address=None
        )
        _audit(ctx, uow, actor, "user.unlocked", user)
        uow.commit()
    return _get(ctx, username)


def reset_two_factor(ctx: Context, actor: Actor, username: str) -> NewTwoFactor:
    """A new TOTP secret and one-time enrolment code; the old authenticator stops working and
    the person's tokens and sessions end."""
    _require_admin(actor)
    secret, code = new_two_factor()
    with ctx.uow() as uow:
        user = _load(uow, username)
        uow.users.set_two_factor(user.id, secret, code_hash(code), ctx.clock.now() + ENROLMENT_TTL)
        ended = _revoke(ctx, uow, user)
        _audit(ctx, uow, actor, "user.two_factor_reset", user, sessions_ended=ended)
        uow.commit()
    return NewTwoFactor(user.username, secret, code)


def set_role(
    ctx: Context, actor: Actor, username: str, role: str, jurisdiction: str | None = None
) -> StaffMember:
    """A new role (and jurisdiction); tokens and sessions issued under the old one end."""
    _require_admin(actor)
    jurisdiction = (jurisdiction or "").strip() or None
    new_role = staff_role(role, jurisdiction).value
    with ctx.uow() as uow:
        user = _load(uow, username)
        check_jurisdiction(uow, jurisdiction)
        if _admin(user.role) and not _admin(new_role) and not _other_active_admins(uow, user):
            raise DomainError(f"{user.username!r} is the last active admin; make another first")
        uow.users.set_role(user.id, new_role, jurisdiction)
        ended = _revoke(ctx, uow, user)
        _audit(
            ctx, uow, actor, "user.role_changed", user,
            old_role=user.role, role=new_role, jurisdiction=jurisdiction, sessions_ended=ended,
        )  # fmt: skip
        uow.commit()
    return _get(ctx, username)


def _get(ctx: Context, username: str) -> StaffMember:
    with ctx.uow(readonly=True) as uow:
        return _member(uow, ctx.config.signin, _load(uow, username), ctx.clock.now())

"""Legal holds, and erasure of one person's data on request (`lifeline subjects erase`).

A person is found by keyed hash only (the same normalisation intake uses: the last ten digits of
a phone, a handle without @ and case), never by decrypting and scanning. Erasure refuses a case
under legal hold, always (lift the hold first: a hold is a decision by someone else), and a case
that has not ended (the person may be in danger now) unless forced with a reason, which goes in
the audit entry. Each erased case gets every stage (post, case fields, linking hashes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lifeline.domain.access import Permission
from lifeline.domain.alert import Subject, phone_digits
from lifeline.domain.errors import Conflict, DomainError
from lifeline.domain.model import Actor
from lifeline.domain.monitoring import author_key
from lifeline.domain.retention import CASE_POLICIES, ENDED, LegalHold, Policy, PurgeCounts
from lifeline.services.access.authorisation import enforce_case
from lifeline.services.context import Context
from lifeline.services.retention.ports import CaseRetention
from lifeline.services.retention.purge import erase_case


class ErasureRefused(DomainError):
    """Erasure on request stopped before changing anything; the message says why."""


def hold_case(ctx: Context, case_id: int, reason: str, actor: Actor) -> LegalHold:
    """Put a case under legal hold: no purge touches it until `unhold_case`. The CLI, the
    console and the API all come here: `case.hold` permission (supervisors, admins) and the
    case in the person's scope, else refused and audited; already held, or nothing left to
    keep, is a Conflict naming the state."""
    reason = reason.strip()
    if not reason:
        raise DomainError("a legal hold needs a reason, e.g. the order's or inquiry's reference")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_HOLD)
        case = uow.retention.get(case_id)
        if case.hold is not None:
            raise Conflict(
                f"case {case_id} is already under legal hold since {case.hold.at.isoformat()} "
                f"by {case.hold.by} ({case.hold.reason})"
            )
        if Policy.LINK in case.erased:
            raise Conflict(
                f"case {case_id}'s personal data was erased at "
                f"{case.erased[Policy.LINK].isoformat()}: a hold would keep nothing"
            )
        hold = LegalHold(reason=reason[:500], by=str(actor), at=now)
        if not uow.retention.set_hold(case_id, hold):
            raise Conflict(f"case {case_id} was put under legal hold a moment ago")
        uow.audit.append(
            at=now,
            actor=str(actor),
            action="case.hold",
            case_id=case_id,
            details={"reason": hold.reason},
        )
        uow.commit()
    return hold


def unhold_case(ctx: Context, case_id: int, actor: Actor, reason: str | None = None) -> LegalHold:
    """Lift a case's legal hold (the next purge applies the periods as usual); the reason, when
    given (the console and the API ask for one), goes in the audit entry. The same checks as
    `hold_case`; a case not under hold is a Conflict."""
    reason = (reason or "").strip()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        enforce_case(ctx, uow, actor, case_id, Permission.CASE_HOLD)
        case = uow.retention.get(case_id)
        if case.hold is None:
            raise Conflict(f"case {case_id} is not under legal hold")
        if not uow.retention.set_hold(case_id, None):
            raise Conflict(f"case {case_id}'s legal hold was lifted a moment ago")
        details = {"held_since": case.hold.at.isoformat()}
        if reason:
            details["reason"] = reason[:500]
        uow.audit.append(
            at=now, actor=str(actor), action="case.unhold", case_id=case_id, details=details
        )
        uow.commit()
    return case.hold


@dataclass
class ErasureResult:
    case_ids: list[int]
    counts: PurgeCounts
    forced: list[int] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "case_ids": sorted(self.case_ids),
            "forced": sorted(self.forced),
            **self.counts.as_dict(),
        }


def person_keys(platforms: list[str], *, phone: str | None, handle: str | None) -> list[str]:
    """The identity keys intake would have hashed for this phone or handle (a handle on every
    platform seen, since it is hashed with its platform), and the monitoring author keys."""
    keys: list[str] = []
    if phone is not None:
        if len(phone_digits(phone)) < 10:
            raise DomainError(f"--phone {phone!r} has fewer than 10 digits: give the full number")
        keys += Subject(phone=phone).identity_keys()
    if handle is not None:
        if not handle.strip().lstrip("@"):
            raise DomainError("--handle is empty: give the handle as it appears, e.g. @name")
        for platform in platforms:
            keys += Subject(platform=platform, handle=handle).account_keys()
            keys.append(author_key(platform, handle))
    return sorted(set(keys))


def erase_person(
    ctx: Context,
    *,
    phone: str | None = None,
    handle: str | None = None,
    actor: Actor,
    dry_run: bool = False,
    force_reason: str | None = None,
    now: datetime | None = None,
) -> ErasureResult:
    """Erase every case about the person with this phone or handle, and their monitoring
    window. ErasureRefused (nothing changed) if a case is held, or still open without
    `force_reason`."""
    if (phone is None) == (handle is None):
        raise DomainError("give exactly one of --phone or --handle")
    now = now or ctx.clock.now()
    with ctx.uow(readonly=True) as uow:
        keys = person_keys(uow.retention.platforms(), phone=phone, handle=handle)
        case_ids = uow.retention.cases_of_person(keys)
        cases = [uow.retention.get(c) for c in case_ids]
    held = [c.id for c in cases if c.hold is not None]
    if held:
        raise ErasureRefused(
            f"case(s) {', '.join(map(str, held))} under legal hold: nothing erased "
            "(lift the hold with `lifeline cases unhold ID` first)"
        )
    open_ = [c.id for c in cases if c.status not in ENDED]
    if open_ and not (force_reason and force_reason.strip()):
        raise ErasureRefused(
            f"case(s) {', '.join(map(str, open_))} still open: nothing erased (close them, or "
            "give --force --reason TEXT to erase an open case)"
        )
    result = ErasureResult(case_ids=case_ids, counts=PurgeCounts(), forced=open_, dry_run=dry_run)
    for case_id in case_ids:
        for policy in CASE_POLICIES:
            erase_case(ctx, result.counts, case_id, policy, now, dry_run=dry_run, ended_only=False)
    with ctx.uow() as uow:
        result.counts.merge(uow.retention.erase_by_keys(keys, dry_run=dry_run))
        if not dry_run:
            details = result.as_dict()
            details["by"] = "phone" if phone is not None else "handle"
            if open_:
                details["force_reason"] = (force_reason or "").strip()[:500]
            uow.audit.append(
                at=now, actor=str(actor), action="subject.erase", case_id=None, details=details
            )
            uow.commit()
    return result


def case_retention(ctx: Context, case_id: int) -> CaseRetention:
    """A case's hold and which stages of the purge it has been through (`cases show`)."""
    with ctx.uow(readonly=True) as uow:
        return uow.retention.get(case_id)

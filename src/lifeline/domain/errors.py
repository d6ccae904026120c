"""Domain errors. Each says what was wrong in words an operator or a partner can act on."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule the domain refuses to break."""

    code = "domain_error"


class IllegalTransition(DomainError):
    """A case was asked to take a step its current state does not allow."""

    code = "illegal_transition"

    def __init__(self, case_id: int | None, current: str, attempted: str, why: str = "") -> None:
        self.case_id = case_id
        self.current = current
        self.attempted = attempted
        self.why = why
        where = f"case {case_id}" if case_id is not None else "case"
        text = f"cannot {attempted} {where}: it is {current}"
        if why:
            text += f" ({why})"
        super().__init__(text)


class InvalidAlert(DomainError):
    """An alert lacks what is needed to act on it."""

    code = "invalid_alert"


class InvalidOutcome(DomainError):
    """An outcome is unknown, lacks a required reason, or is dated in the future."""

    code = "invalid_outcome"


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the asker)."""

    code = "not_found"


class Conflict(DomainError):
    """The request conflicts with what is already stored (e.g. idempotency key reused)."""

    code = "conflict"


class PermissionDenied(DomainError):
    """The actor's role or jurisdiction does not allow this."""

    code = "permission_denied"

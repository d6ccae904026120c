"""SMS acknowledgement codes: how long they are and how a message prints them, and the refusal
when too many wrong ones came (docs/dispatch.md, "Acknowledging by SMS")."""

from __future__ import annotations

from lifeline.domain.errors import DomainError


class AcknowledgementThrottled(DomainError):
    """Too many refused SMS acknowledgements (from this number, or from all contacts): none is
    even looked at until `retry_after` seconds have passed."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


#: secret digits in an SMS acknowledgement code, after the notification id
#: (docs/dispatch.md: why ten is enough)
ACK_CODE_SECRET_DIGITS = 10


def group_code(code: str) -> str:
    """A code as printed in a message: groups of four digits from the left, so it can be read
    and typed on a phone keypad ("1738 4100 9257")."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))

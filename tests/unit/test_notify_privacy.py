"""Timeline summaries of deliveries name no recipient: providers' errors may quote them."""

from __future__ import annotations

import pytest

from lifeline.services.dispatch.escalations import contact_label
from lifeline.services.dispatch.message import without_recipients


@pytest.mark.parametrize(
    ("detail", "shown"),
    [
        (
            "550 5.1.1 <ps.madeyganj@up.police.example>: Recipient address rejected",
            "550 5.1.1 <<address>>: Recipient address rejected",
        ),
        (
            "HTTP 400: +91 98111-11111 is not a valid number",
            "HTTP 400: <number> is not a valid number",
        ),
        ("HTTP 500 from json://10.0.0.5:8080", "HTTP 500 from json://10.0.0.5:8080"),
        (
            "circuit open for tgram://… until 14:05:09 IST",
            "circuit open for tgram://… until 14:05:09 IST",
        ),
    ],
)
def test_delivery_errors_lose_addresses_and_numbers(detail: str, shown: str) -> None:
    assert without_recipients(detail) == shown


def test_contacts_are_named_by_role() -> None:
    assert contact_label("duty") == "the duty contact"
    assert contact_label("  ") == "a contact"

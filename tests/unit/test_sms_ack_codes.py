"""SMS acknowledgement codes: long enough that guessing one within its life is hopeless, still
typeable in groups, and the numbers that may send them read from the registry's contacts."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from lifeline.adapters.channels.phone_numbers import PhonenumbersE164
from lifeline.adapters.db.stored_config import stored_contacts
from lifeline.adapters.geo.registry import parse_registry
from lifeline.domain.ack_codes import ACK_CODE_SECRET_DIGITS, group_code
from lifeline.domain.registry import RegistryError
from lifeline.services.dispatch.sms_ack import (
    CODE_MAX_AGE,
    OVERALL_LIMIT,
    PER_NUMBER_LIMIT,
    READINGS,
    WINDOW,
    code_readings,
    guessing_bound,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_guessing_any_live_code_within_its_life_is_below_one_in_a_million() -> None:
    # every contact's phone in the attacker's hands: the overall cap bounds the guesses
    assert guessing_bound() < 1e-6
    assert guessing_bound(per_number=True) < 1e-7
    # the arithmetic, spelled out: 30 refusals per 15 min, 97 windows touch a day, 2 readings
    assert guessing_bound() == pytest.approx(30 * 97 * 2 / 1e10)
    assert (
        5,
        30,
        timedelta(minutes=15),
        timedelta(hours=24),
        2,
    ) == (PER_NUMBER_LIMIT, OVERALL_LIMIT, WINDOW, CODE_MAX_AGE, READINGS)


def test_the_documented_bound_is_the_computed_one() -> None:
    text = (DOCS / "dispatch.md").read_text(encoding="utf-8")
    assert f"{guessing_bound():.2e}" in text and f"{guessing_bound(per_number=True):.2e}" in text
    assert f"{PER_NUMBER_LIMIT} wrong codes" in text and f"{OVERALL_LIMIT} wrong codes" in text


def test_codes_are_printed_in_groups_of_four() -> None:
    assert group_code("173841009257") == "1738 4100 9257"
    assert group_code("1" + "0" * ACK_CODE_SECRET_DIGITS) == "1000 0000 000"


@pytest.mark.parametrize(
    ("typed", "readings"),
    [
        ("1738 4100 9257", ["173841009257"]),
        ("173841009257", ["173841009257"]),
        ("1738 4100 9257 10", ["17384100925710", "173841009257"]),
        ("1738 4100 9257 10 20 30", ["173841009257102030", "1738410092571020"]),
        ("1234567890 12", ["123456789012"]),  # without the last group too short to be a code
    ],
)
def test_a_typed_code_is_read_at_most_two_ways(typed: str, readings: list[str]) -> None:
    assert code_readings(typed) == readings
    assert len(code_readings(typed)) <= READINGS


@pytest.mark.parametrize(
    ("url", "numbers"),
    [
        ("smseagle://TOKEN@10.0.0.5/+919811111111", ("+919811111111",)),
        (
            "twilio://SID:TOKEN@+15551234567/9811111111/09822222222",
            ("+919811111111", "+919822222222"),
        ),
        ("form://10.0.0.5/send?:to=+919833333333&token=x", ("+919833333333",)),
        ("whatsapp://TOKEN@123/919844444444", ("+919844444444",)),
        ("tgram://123456:bot/9811111111", ()),  # a chat id, not a phone
        ("json://duty:9811111111@127.0.0.1:8080/station", ()),  # a password, not a phone
        ("not a url", ()),
    ],
)
def test_the_numbers_a_channel_sends_to(url: str, numbers: tuple[str, ...]) -> None:
    assert PhonenumbersE164().of_channel(url) == numbers


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+919811111111", "+919811111111"),
        ("919811111111", "+919811111111"),
        ("09811111111", "+919811111111"),
        ("98111 11111", "+919811111111"),
        ("+1 415 555 2671", "+14155552671"),
        ("unknown", None),
        ("+91", None),
        ("", None),
    ],
)
def test_senders_compare_as_e164(raw: str, e164: str | None) -> None:
    assert PhonenumbersE164().normalise(raw) == e164


UNIT = """schema: lifeline-registry/1
units:
- id: up-lko-ps-x
  kind: police_station
  name: X
  parent: up-lko-circle-mahanagar
  district_lgd: '157'
  valid_from: '2022-11-13'
  contacts:
  - name: Duty officer
    role: duty
    channels: ['json://127.0.0.1/x']
    phones: {phones}
"""


def test_a_contacts_phones_are_read_from_the_registry() -> None:
    unit = parse_registry(UNIT.format(phones="['+919811111111', '0522 2390000']"))[0]
    assert unit.contacts[0].phones == ("+919811111111", "0522 2390000")
    assert stored_contacts([unit.contacts[0].as_dict()]) == unit.contacts


def test_a_registry_phone_that_is_no_number_is_refused_by_name() -> None:
    with pytest.raises(RegistryError, match=re.escape("'call me' is not a phone number")):
        parse_registry(UNIT.format(phones="['call me']"))

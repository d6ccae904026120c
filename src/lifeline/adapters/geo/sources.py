"""Two small evidence sources: PIN codes (indian-pincode, India Post data) and landline
numbers (phonenumbers' area descriptions for STD codes)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import indian_pincode
import phonenumbers
from phonenumbers import PhoneNumberType

_PIN = re.compile(r"^[1-9][0-9]{5}$")


@dataclass(frozen=True)
class PinResult:
    pin: str
    exists: bool
    districts: tuple[str, ...]  # LGD codes
    states: tuple[str, ...]
    unmapped: tuple[str, ...] = ()  # India Post district names with no LGD match


class PinDirectory:
    def __init__(self, crosswalk: dict[tuple[str, str], str]) -> None:
        self.crosswalk = crosswalk
        indian_pincode.preload()

    @staticmethod
    def normalise(raw: str) -> str:
        return re.sub(r"[\s-]", "", raw)

    def lookup(self, raw: str) -> PinResult | None:
        """None when `raw` is not shaped like a PIN (six digits, not starting with 0)."""
        pin = self.normalise(raw)
        if not _PIN.match(pin):
            return None
        details = indian_pincode.get_details(pin)
        if details is None:
            return PinResult(pin, False, (), ())
        states = tuple(details["states"] or ([details["state"]] if details["state"] else []))
        codes: list[str] = []
        unmapped: list[str] = []
        for district in details["districts"]:
            code = next(
                (self.crosswalk[(s, district)] for s in states if (s, district) in self.crosswalk),
                None,
            )
            if code is None:
                unmapped.append(district)
            elif code not in codes:
                codes.append(code)
        return PinResult(pin, True, tuple(codes), states, tuple(unmapped))


@dataclass(frozen=True)
class PhoneResult:
    number: str
    valid: bool
    mobile: bool
    area: str | None  # "Lucknow, Uttar Pradesh" for a landline


class PhoneAreas:
    """Landlines carry their STD area; mobile numbers are portable and say nothing. Areas come
    from std_areas.csv, libphonenumber's geocoding data for India (see build_std_areas.py)."""

    def __init__(self, areas: dict[str, str]) -> None:
        self.areas = areas
        self.longest = max((len(p) for p in areas), default=0)

    def area(self, number: phonenumbers.PhoneNumber) -> str | None:
        digits = f"{number.country_code}{number.national_number}"
        for size in range(min(self.longest, len(digits)), 2, -1):
            found = self.areas.get(digits[:size])
            if found:
                return found
        return None

    def lookup(self, raw: str) -> PhoneResult:
        try:
            number = phonenumbers.parse(raw, "IN")
        except phonenumbers.NumberParseException:
            return PhoneResult(raw, False, False, None)
        formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if not phonenumbers.is_valid_number(number):
            return PhoneResult(formatted, False, False, None)
        kind = phonenumbers.number_type(number)
        if number.country_code != 91 or kind != PhoneNumberType.FIXED_LINE:
            mobile = kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
            return PhoneResult(formatted, True, mobile, None)
        return PhoneResult(formatted, True, False, self.area(number))

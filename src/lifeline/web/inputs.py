"""Pydantic types for text and times from outside, used by every JSON body and console form.

They apply the domain's rules (`domain/inputs.py`), so a NUL byte, another control character,
an unpaired surrogate or a date outside 1970-2100 is refused with 422 naming the field, before
anything reaches the database."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

from lifeline.domain.inputs import DATE_OUT_OF_RANGE, UNSAFE_TEXT, moment_problem, text_problem


def _line(value: str) -> str:
    problem = text_problem(value, multiline=False)
    if problem:
        raise PydanticCustomError(UNSAFE_TEXT, "{problem}", {"problem": problem})
    return value


def _text(value: str) -> str:
    problem = text_problem(value, multiline=True)
    if problem:
        raise PydanticCustomError(UNSAFE_TEXT, "{problem}", {"problem": problem})
    return value


def _moment(value: datetime) -> datetime:
    problem = moment_problem(value)
    if problem:
        raise PydanticCustomError(DATE_OUT_OF_RANGE, "{problem}", {"problem": problem})
    return value


#: one line: names, references, identifiers (tab allowed, no other control character)
SafeLine = Annotated[str, AfterValidator(_line)]
#: free text: posts, notes, reasons, addresses (tab, newline and carriage return allowed)
SafeText = Annotated[str, AfterValidator(_text)]
#: a time with a timezone, between 1970 and 2100
SafeDatetime = Annotated[AwareDatetime, AfterValidator(_moment)]

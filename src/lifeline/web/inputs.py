"""Pydantic types for text and times from outside, used by every JSON body and console form.

They apply the domain's rules (`domain/inputs.py`), so a NUL byte, another control character,
an unpaired surrogate or a date outside 1970-2100 is refused with 422 naming the field, before
anything reaches the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

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


@dataclass(frozen=True)
class _Documented:
    """Puts the rule in the OpenAPI schema as a `pattern`, so partners (and Schemathesis) see
    it; the check itself is the validator's (its message says what is wrong, and where)."""

    pattern: str

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found["pattern"] = self.pattern
        return found


#: one line: names, references, identifiers (tab allowed, no other control character)
SafeLine = Annotated[
    str, AfterValidator(_line), _Documented("^[^\\u0000-\\u0008\\u000A-\\u001F]*$")
]
#: free text: posts, notes, reasons, addresses (tab, newline and carriage return allowed)
SafeText = Annotated[
    str,
    AfterValidator(_text),
    _Documented("^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]*$"),
]
#: a time with a timezone, between 1970 and 2100
SafeDatetime = Annotated[AwareDatetime, AfterValidator(_moment)]

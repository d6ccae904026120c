"""The base of every read model: what an audience is shown of a record, as a Pydantic model.

Each feature builds its reads (`cases/read_models.py`, `dispatch/read_models.py`, ...) from
domain objects: a read whose fields are attributes of the same name is `Read.model_validate(obj)`
(and such a field of a read takes the domain object itself); one that computes, renames or
hides something has a classmethod `of(...)`. The API declares them as `response_model`, so
`/openapi.json` documents every field, and the CLI prints the same model (`plain()`). What an
audience may not see is not a field of its model: a partner's case has no `subject` to leave
out. A field that today's JSON sometimes omits is typed `... | MISSING` (absent, not null).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

from lifeline.domain.timestamps import iso

#: a moment, written as `iso()` writes it ("2026-11-28T03:00:01+00:00")
Timestamp = Annotated[
    datetime,
    PlainSerializer(iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class ReadModel(BaseModel):
    """Frozen, and closed: the document says `additionalProperties: false`, so a key that is
    not a field (an audience's leak) fails the model and schemathesis' response checks. Fields
    have no defaults (each is required, in the document too) but those typed `| MISSING`.
    Descriptions are `Field(description=...)` (attribute docstrings would make pydantic read
    and parse the source at import), and validators are built when a model is first used, so
    a CLI command pays only for the reads it prints.

    `from_attributes`: a model validates from any object by reading its fields' names as
    attributes (a domain dataclass, another read), and nested reads do the same, so
    `SubjectRead.model_validate(subject)` or `AlertRead(..., subject=alert.subject)` need no
    copying by hand. Only the model's fields are read: an attribute it lacks is not shown."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True, from_attributes=True)

    def plain(self) -> dict[str, Any]:
        """The JSON value the API sends (for the CLI's `--json` and file exports)."""
        return self.model_dump(mode="json", by_alias=True)

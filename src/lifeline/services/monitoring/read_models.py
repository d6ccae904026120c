"""Reads of the monitoring stream: what an ingest did (the API's answer and `monitor ingest
--json`)."""

from typing import Annotated

from pydantic import Field

from lifeline.domain.monitoring import IngestResult
from lifeline.services.read_model import ReadModel


class IngestRead(ReadModel):
    """What one request (or file) of posts did."""

    accepted: Annotated[int, Field(description="posts taken in now (duplicates excluded)", ge=0)]
    duplicates: Annotated[
        int,
        Field(description="posts already taken (earlier, or twice in this request)", ge=0),
    ]
    flagged: Annotated[
        int, Field(description="posts at or above the monitoring level: alerts for review", ge=0)
    ]
    case_ids: Annotated[
        list[int], Field(description="the cases the flagged posts opened or joined, each once")
    ]

    @classmethod
    def of(cls, result: IngestResult) -> "IngestRead":
        return cls(
            accepted=result.accepted,
            duplicates=result.duplicates,
            flagged=result.flagged,
            case_ids=list(result.case_ids),
        )

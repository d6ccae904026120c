"""Reads of where a person is: a resolver's answer (the DESIGN.md §3 shape of `lifeline
locate --json`), each stored answer of a case, and the case's one place."""

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import MISSING, Field

from lifeline.domain.place import (
    StoredResolution,
)
from lifeline.services.location.case_place import CasePlace
from lifeline.services.read_model import ReadModel, Timestamp


class CandidateRead(ReadModel):
    """One place the person may be, with the units responsible for it."""

    state: str | None
    district: str | None
    district_lgd: str | None
    confidence: float
    commissionerate: str | None
    zone: str | None
    circle: str | None
    police_station: str | None
    unit_id: str | None
    sources: list[str]


class EvidenceRead(ReadModel):
    """One finding: which input said what, and for which districts."""

    source: Annotated[
        str,
        Field(description="coordinates, pin, text, approximate, post, phone, ip_city, or review"),
    ]
    finding: str
    input: str | None
    districts: list[str]
    weight: float


class ResolutionRead(ReadModel):
    """A resolver's answer: the best candidate's fields (null where unknown), the ranked
    candidates, the evidence, and whether a person must decide."""

    state: str | None
    district: str | None
    district_lgd: str | None
    commissionerate: str | None
    zone: str | None
    police_station: str | None
    confidence: float
    needs_review: bool
    candidates: list[CandidateRead]
    evidence: list[EvidenceRead]


class CaseResolutionRead(ReadModel):
    """One stored resolution of one of the case's alerts."""

    alert_id: int
    resolved_at: Timestamp
    resolver_version: str
    state: str | None
    district: str | None
    district_lgd: str | None
    commissionerate: str | None
    zone: str | None
    police_station: str | None
    confidence: float
    needs_review: bool
    candidates: list[CandidateRead]
    evidence: list[EvidenceRead]

    @classmethod
    def of(cls, stored: StoredResolution) -> Self:
        resolution = stored.resolution
        return cls(
            alert_id=stored.alert_id,
            resolved_at=stored.resolved_at,
            resolver_version=resolution.resolver_version,
            **ResolutionRead.model_validate(resolution).model_dump(),
        )


class DistrictRead(ReadModel):
    district_lgd: str
    district: str


class CaseLocationRead(ReadModel):
    """Where the person is: the case's one place (location/case_place.py). The answer chosen
    (absent before any: the fields down to `alert_id`), whose it is, whether it is confirmed,
    any conflict between alerts, and the place recorded when the case was located."""

    state: str | MISSING | None = MISSING
    district: str | MISSING | None = MISSING
    district_lgd: str | MISSING | None = MISSING
    commissionerate: str | MISSING | None = MISSING
    zone: str | MISSING | None = MISSING
    police_station: str | MISSING | None = MISSING
    confidence: float | MISSING = MISSING
    needs_review: Annotated[
        bool | MISSING,
        Field(description="a person must decide, or confident answers of the alerts disagree"),
    ] = MISSING
    candidates: list[CandidateRead] | MISSING = MISSING
    evidence: list[EvidenceRead] | MISSING = MISSING
    resolved_at: Timestamp | MISSING | None = MISSING
    alert_id: int | MISSING | None = MISSING
    source: Annotated[str | None, Field(description="whose answer: operator, stf or resolver")]
    confident: bool
    place: Annotated[
        str | None,
        Field(description="the place recorded when located, else the chosen answer described"),
    ]
    candidate_district: Annotated[
        str | None, Field(description="the best district while the place still needs review")
    ]
    conflict: bool
    conflicting_districts: list[DistrictRead]
    recorded_by: Annotated[
        str | MISSING, Field(description="who recorded the case as located (absent until it is)")
    ] = MISSING
    located_at: Timestamp | None

    @classmethod
    def of(
        cls,
        place: CasePlace,
        located_at: datetime | None,
        located: tuple[str | None, str] | None,
    ) -> Self:
        """`located`: (place, actor) of the latest `located` timeline entry, if any."""
        chosen: dict[str, object] = {}
        if place.resolution is not None:
            chosen = ResolutionRead.model_validate(place.resolution).model_dump()
            chosen.update(
                resolved_at=place.at,
                alert_id=place.alert_id,
                needs_review=place.resolution.needs_review or bool(place.conflict),
            )
        return cls.model_validate(
            {
                **chosen,
                "source": place.source or None,
                "confident": place.confident,
                "place": place.describe() if located is None else located[0],
                "candidate_district": place.candidate,
                "conflict": bool(place.conflict),
                "conflicting_districts": [
                    {"district_lgd": lgd, "district": name} for lgd, name in place.conflict
                ],
                **({} if located is None else {"recorded_by": located[1]}),
                "located_at": located_at,
            }
        )


# -- a district's boundary, as GeoJSON (RFC 7946) ----------------------------------------------


class GeometryRead(ReadModel):
    type: Annotated[str, Field(description="Polygon or MultiPolygon")]
    coordinates: Annotated[
        list[Any], Field(description="[longitude, latitude] rings, as GeoJSON nests them")
    ]


class DistrictPropertiesRead(ReadModel):
    lgd: Annotated[str, Field(description="the district's LGD code")]
    district: str
    state: str
    name_hi: str | None


class DistrictFeatureRead(ReadModel):
    type: Literal["Feature"]
    properties: DistrictPropertiesRead
    geometry: GeometryRead


class DistrictBoundaryRead(ReadModel):
    """A district's boundary, simplified, as a GeoJSON feature collection of one feature."""

    type: Literal["FeatureCollection"]
    features: list[DistrictFeatureRead]
    attribution: str

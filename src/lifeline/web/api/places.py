"""Places: district geometry for the case map, a case's location resolutions, and resolving a
location on demand (staff only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from lifeline.domain.access import Permission
from lifeline.domain.model import Actor
from lifeline.domain.place import LocationQuery
from lifeline.services.location import resolution as location
from lifeline.services.location.read_models import (
    CaseResolutionRead,
    DistrictBoundaryRead,
    ResolutionRead,
)
from lifeline.web.access import requires
from lifeline.web.api.schemas import ErrorOut
from lifeline.web.deps import App
from lifeline.web.errors import ApiError
from lifeline.web.inputs import SafeLine, SafeText

router = APIRouter(prefix="/api/v1", tags=["places"])
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (401, 403, 404)}
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Case id")]
#: the boundary is sent as application/geo+json (RFC 7946), in the shape of its read model
GEOJSON = {"$ref": "#/components/schemas/DistrictBoundaryRead"}

#: the caller, checked against the permission table (web/access.py)
LookingUp = Annotated[Actor, requires(Permission.PLACE_LOOKUP)]


@router.get(
    "/places/districts/{lgd}.geojson",
    responses={**ERRORS, 200: {"content": {"application/geo+json": {"schema": GEOJSON}}}},
    summary="A district's boundary as GeoJSON (for showing candidates on a map)",
    response_class=JSONResponse,
    response_model=DistrictBoundaryRead,
)
def district_geojson(
    lgd: Annotated[str, Path(pattern=r"^[0-9]{1,4}$", description="LGD district code")],
    app: App,
    actor: LookingUp,
) -> JSONResponse:
    locator = app.ctx.locator
    feature = locator.district_geojson(lgd.zfill(3) if len(lgd) < 3 else lgd) if locator else None
    if feature is None:
        raise ApiError(404, "not_found", f"no district with LGD code {lgd!r}")
    return JSONResponse(
        feature,
        media_type="application/geo+json",
        headers={"Cache-Control": "private, max-age=86400"},
    )


@router.get(
    "/cases/{case_id}/location",
    responses=ERRORS,
    summary="Every location resolution of a case: candidates and evidence (audited)",
)
def case_location(
    case_id: CaseId, app: App, actor: Annotated[Actor, requires(Permission.CASE_READ)]
) -> list[CaseResolutionRead]:
    return [CaseResolutionRead.of(r) for r in location.case_resolutions(app.ctx, actor, case_id)]


class LocateIn(BaseModel):
    text: SafeText | None = Field(None, max_length=50_000, description="Address or post text")
    lat: float | None = None
    lon: float | None = None
    pin: SafeLine | None = Field(None, max_length=20)
    phone: SafeLine | None = Field(None, max_length=40)
    ip_city: SafeLine | None = Field(None, max_length=200)


@router.post(
    "/locate", responses=ERRORS, summary="Resolve a location (what `lifeline locate` does)"
)
def locate(body: LocateIn, app: App, actor: LookingUp) -> ResolutionRead:
    query = LocationQuery(body.text, body.lat, body.lon, body.pin, body.phone, body.ip_city)
    return ResolutionRead.model_validate(location.locate(app.ctx, query))

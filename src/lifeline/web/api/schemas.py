"""Request and response bodies of the JSON API (v1)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lifeline.domain.inputs import json_problems
from lifeline.web.inputs import SafeDatetime, SafeLine, SafeText

#: Unknown fields are kept and shown back with the case; deeper nesting could not be rendered
#: (the JSON serializer stops at about 255 levels), so the alert is refused at intake instead.
MAX_EXTRA_DEPTH = 32


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


PLATFORMS = (
    "facebook",
    "instagram",
    "x",
    "twitter",
    "youtube",
    "whatsapp",
    "threads",
    "telegram",
    "sharechat",
    "moj",
    "snapchat",
    "other",
)


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: SafeLine | None = Field(None, max_length=300)
    handle: SafeLine | None = Field(None, max_length=300)
    profile_url: SafeLine | None = Field(None, max_length=2000)
    phone: SafeLine | None = Field(None, max_length=40)
    email: SafeLine | None = Field(None, max_length=320)


class PostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: SafeText | None = Field(None, max_length=50_000)
    url: SafeLine | None = Field(None, max_length=2000)
    posted_at: SafeDatetime | None = Field(
        None, description="When the post was made, with timezone (e.g. 2022-09-06T21:41:09Z)."
    )
    kind: Literal["text", "image", "video", "live"] = "text"


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: SafeText | None = Field(None, max_length=2000, description="Address or place as given.")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    pin: str | None = Field(None, pattern=r"^[1-9][0-9]{5}$", description="Six-digit PIN code.")
    ip_city: SafeLine | None = Field(None, max_length=200)


class AlertIn(BaseModel):
    """A platform alert (v1). Unknown top-level fields are kept with the alert."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "example": {
                "platform": "facebook",
                "reference": "FB-77812093",
                "received_via": "platform_api",
                "subject": {
                    "name": "Ravi K",
                    "handle": "ravi.k.1999",
                    "profile_url": "https://facebook.com/ravi.k.1999",
                },
                "post": {
                    "text": "आज मैं आत्महत्या कर रहा हूं. मजबूरी है मेरी",
                    "url": "https://facebook.com/posts/1",
                    "kind": "text",
                    "posted_at": "2022-09-06T21:41:09Z",
                },
                "location": {
                    "text": "Madeyganj, Lucknow",
                    "lat": 26.88,
                    "lon": 80.91,
                    "pin": "226020",
                    "ip_city": "Lucknow",
                },
            }
        },
    )
    platform: SafeLine = Field(..., description="One of: " + ", ".join(PLATFORMS))
    reference: SafeLine | None = Field(
        None, max_length=200, description="The platform's report id."
    )
    received_via: Literal[
        "platform_api", "platform_email", "phone_call", "monitoring", "manual"
    ] = "platform_api"
    subject: SubjectIn = SubjectIn()
    post: PostIn = PostIn()
    location: LocationIn = LocationIn()

    @field_validator("platform")
    @classmethod
    def _known_platform(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in PLATFORMS:
            raise ValueError(f"unknown platform {value!r}; use one of: {', '.join(PLATFORMS)}")
        return value

    @model_validator(mode="after")
    def _extra_not_too_deep(self) -> AlertIn:
        if _depth(self.model_extra or {}) > MAX_EXTRA_DEPTH:
            raise ValueError(f"unknown fields are nested deeper than {MAX_EXTRA_DEPTH} levels")
        bad = next(json_problems(self.model_extra or {}, ""), None)
        if bad is not None:
            raise ValueError(str(bad))
        return self


class CallerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: SafeLine | None = Field(None, max_length=300, description="Who called.")
    organisation: SafeLine | None = Field(None, max_length=300, description="e.g. Meta, a district")
    callback_number: SafeLine | None = Field(None, max_length=40)
    call_received_at: SafeDatetime = Field(..., description="When the call came in.")
    notes: SafeText | None = Field(None, max_length=20_000, description="What the caller said.")


class PhoneAlertIn(AlertIn):
    """An alert taken by phone by an SMC operator."""

    received_via: Literal["phone_call"] = "phone_call"
    caller: CallerIn


class AlertAccepted(BaseModel):
    alert_id: int
    case_id: int
    merged: bool = Field(description="True if the alert joined an open case of the same subject.")
    replayed: bool = Field(description="True if this answers a repeated Idempotency-Key.")
    status: Literal["accepted"] = "accepted"


class TokenIn(BaseModel):
    username: SafeLine = Field(..., max_length=64)
    password: str = Field(..., max_length=200)
    totp: SafeLine = Field(..., max_length=10, description="Current six-digit two-factor code.")


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int


class AcknowledgeIn(BaseModel):
    unit: SafeLine = Field("", max_length=200)


class LocationSetIn(BaseModel):
    place: SafeLine = Field(..., min_length=1, max_length=500)


class DispatchIn(BaseModel):
    units: list[SafeLine] = Field(..., min_length=1, max_length=50)


class OnSceneIn(BaseModel):
    at: SafeDatetime | None = None


class OutcomeIn(BaseModel):
    outcome: SafeLine = Field(..., max_length=40)
    reason: SafeText | None = Field(None, max_length=2000)
    at: SafeDatetime | None = None


class DismissIn(BaseModel):
    outcome: Literal["false_alarm", "duplicate"]
    reason: SafeText = Field(..., min_length=1, max_length=2000)


class HandOverIn(BaseModel):
    state: SafeLine = Field(..., min_length=1, max_length=100)
    reason: SafeText = Field("", max_length=2000)


class HoldIn(BaseModel):
    """Why a legal hold is put (the order's or inquiry's reference), or why it ends."""

    reason: SafeLine = Field(..., min_length=1, max_length=500)


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody

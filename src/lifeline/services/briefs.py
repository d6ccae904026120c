"""What a message to a unit says about the case: read once when an escalation step fires and
kept (encrypted) with each of the step's notifications.

Every message of one step then describes the case the same way, the record shows what the
units were told, and sending a message reads one row instead of the case, its person, alerts,
resolutions and assessments again for every contact.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lifeline.domain.model import Case, Subject
from lifeline.services.location import resolutions_of
from lifeline.services.ports import UnitOfWork
from lifeline.services.triage import triage_uow

POST_EXCERPT = 220
UNKNOWN_PLACE = "unknown / अज्ञात"


@dataclass(frozen=True)
class CaseBrief:
    case_id: int
    level: str
    place: str
    person_name: str | None = None
    person_phone: str | None = None
    person_handle: str | None = None
    profile_url: str | None = None
    #: the platform's hint (the STF traces from the IP city when there is no place)
    hint_text: str | None = None
    lat: float | None = None
    lon: float | None = None
    ip_city: str | None = None
    district_lgd: str | None = None
    police_station: str | None = None
    excerpt: str = ""
    cues: tuple[str, ...] = ()

    @property
    def who(self) -> str:
        return self.person_name or self.person_handle or "unknown"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["cues"] = list(self.cues)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseBrief:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["cues"] = tuple(known.get("cues") or ())
        return cls(**known)


def case_brief(uow: UnitOfWork, case: Case) -> CaseBrief:
    """The case as a message describes it: risk, place, person, post excerpt and cues (in the
    caller's transaction)."""
    assert case.id is not None
    subject = uow.subjects.get(case.subject_id) if case.subject_id is not None else Subject()
    alerts = uow.alerts.for_case(case.id)
    post = next((a.post.text for a in reversed(alerts) if a.post.text), None) or ""
    excerpt = post if len(post) <= POST_EXCERPT else post[: POST_EXCERPT - 1] + "…"
    found = resolutions_of(uow, case.id)
    resolution = found[-1].resolution if found else None
    hint = next((a.location for a in reversed(alerts) if not a.location.is_empty()), None)
    assessments = triage_uow(uow).assessments.for_case(case.id)
    cues = tuple(f"{c.tag}: {c.text}" for c in (assessments[-1].cues if assessments else ()))
    return CaseBrief(
        case_id=case.id,
        level=case.risk_level or "unassessed",
        place=resolution.place() if resolution else UNKNOWN_PLACE,
        person_name=subject.name,
        person_phone=subject.phone,
        person_handle=subject.handle,
        profile_url=subject.profile_url,
        hint_text=hint.text if hint else None,
        lat=hint.lat if hint else None,
        lon=hint.lon if hint else None,
        ip_city=hint.ip_city if hint else None,
        district_lgd=resolution.district_lgd if resolution else None,
        police_station=resolution.police_station if resolution else None,
        excerpt=excerpt,
        cues=cues[:4],
    )

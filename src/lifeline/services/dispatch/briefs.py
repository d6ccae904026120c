"""What a message to a unit says about the case: read once when an escalation step fires and
kept (encrypted) with each of the step's notifications.

Every message of one step then describes the case the same way, the record shows what the
units were told, and sending a message reads one row instead of the case, its person, alerts,
resolutions and assessments again for every contact.

A brief is composed from the whole case, not its latest alert: the case's one place
(`case_place`), the strongest cues of each kind from every alert's assessment, the latest post,
every phone number known for the person, and snippets that never cut a word.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lifeline.domain.alert import Alert, Subject, phone_digits
from lifeline.domain.model import Case
from lifeline.domain.risk import Cue, RiskAssessment
from lifeline.domain.values import field_values
from lifeline.services.location.case_place import case_place
from lifeline.services.ports import UnitOfWork

POST_EXCERPT = 220
CUE_SNIPPET = 60
BRIEF_CUES = 5
#: the kinds of cue an officer needs most first: how, when, where it is happening
CUE_RANK = ("method", "attempt", "live", "time", "farewell", "intent", "suicide", "ideation")


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
    #: other phone numbers the case's alerts gave for the person
    other_phones: tuple[str, ...] = ()
    #: the place needs review or confident answers disagree: say so to the unit
    place_confirmed: bool = True
    #: a drill (`lifeline drill`): every message says so
    drill: bool = False
    #: for an SMC alarm message: what the alarm is about (domain AlarmKind value)
    alarm_kind: str | None = None

    @property
    def who(self) -> str:
        return self.person_name or self.person_handle or "unknown"

    def as_dict(self) -> dict[str, Any]:
        data = field_values(self)  # flat (a brief is kept with every message)
        data["cues"] = list(self.cues)
        data["other_phones"] = list(self.other_phones)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseBrief:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["cues"] = tuple(known.get("cues") or ())
        known["other_phones"] = tuple(known.get("other_phones") or ())
        return cls(**known)


def case_brief(uow: UnitOfWork, case: Case, home_state: str) -> CaseBrief:
    """The case as a message describes it, from all its alerts: risk, its one place, person
    and every phone known, the latest post, the strongest cues (in the caller's
    transaction; `home_state` as in `case_place`)."""
    assert case.id is not None
    subject = uow.subjects.get(case.subject_id) if case.subject_id is not None else Subject()
    alerts = uow.alerts.for_case(case.id)
    post = next((a.post.text for a in reversed(alerts) if a.post.text), None) or ""
    place = case_place(uow, case.id, home_state)
    source = next((a for a in alerts if a.id == place.alert_id), None)
    hinted = [a for a in alerts if not a.location.is_empty()]
    hint = (source if source in hinted else None) or (hinted[-1] if hinted else None)
    assessments = uow.assessments.for_case(case.id)
    phones = _phones(subject, alerts)
    resolution = place.resolution if place.confident else None
    return CaseBrief(
        case_id=case.id,
        level=case.risk_level.value if case.risk_level else "unassessed",
        place=place.describe(),
        person_name=subject.name or next((a.subject.name for a in alerts if a.subject.name), None),
        person_phone=phones[0] if phones else None,
        person_handle=subject.handle,
        profile_url=subject.profile_url,
        hint_text=hint.location.text if hint else None,
        lat=hint.location.lat if hint else None,
        lon=hint.location.lon if hint else None,
        ip_city=hint.location.ip_city if hint else None,
        district_lgd=resolution.district_lgd if resolution else None,
        police_station=resolution.police_station if resolution else None,
        excerpt=_excerpt(post, POST_EXCERPT),
        cues=strongest_cues(assessments, {a.id: a.post.text or "" for a in alerts}),
        other_phones=tuple(phones[1:]),
        place_confirmed=place.confident and not place.conflict,
        drill=case.drill,
    )


def _phones(subject: Subject, alerts: Sequence[Alert]) -> list[str]:
    """The person's numbers, the case's own first, each once (compared by its last ten
    digits)."""
    found: dict[str, str] = {}
    for phone in [subject.phone, *(a.subject.phone for a in reversed(alerts))]:
        digits = phone_digits(phone)
        if phone and digits:
            found.setdefault(digits, phone.strip())
    return list(found.values())


def strongest_cues(
    assessments: Sequence[RiskAssessment], posts: dict[int | None, str]
) -> tuple[str, ...]:
    """One cue of each kind, from the riskiest assessment that found one (ranked method,
    attempt, live, time, farewell...), each snippet widened to whole words of its post."""

    def risk(a: RiskAssessment) -> tuple[int, float]:
        return (a.level.rank, a.score or 0.0)

    best: dict[str, tuple[tuple[int, float], str]] = {}
    for assessment in assessments:
        text = posts.get(assessment.alert_id, "")
        for cue in assessment.cues:
            snippet = _cue_text(cue, text)
            if snippet and (cue.tag not in best or risk(assessment) > best[cue.tag][0]):
                best[cue.tag] = (risk(assessment), snippet)
    ranked = sorted(
        best,
        key=lambda tag: (CUE_RANK.index(tag) if tag in CUE_RANK else len(CUE_RANK), tag),
    )
    return tuple(f"{tag}: {best[tag][1]}" for tag in ranked[:BRIEF_CUES])


def _cue_text(cue: Cue, text: str) -> str:
    start, end = cue.start, cue.end
    if not (0 <= start < end <= len(text)) or text[start:end].strip() != cue.text.strip():
        found = text.find(cue.text.strip()) if cue.text.strip() else -1
        if found < 0:
            return _excerpt(cue.text.strip(), CUE_SNIPPET)
        start, end = found, found + len(cue.text.strip())
    return _excerpt(whole_words(text, start, end), CUE_SNIPPET)


def _in_word(ch: str) -> bool:
    # letters, digits and marks: a Devanagari vowel sign or virama is part of its word
    return unicodedata.category(ch)[0] in "LMN"


def whole_words(text: str, start: int, end: int) -> str:
    """text[start:end] widened so that it neither starts nor ends inside a word."""
    while start > 0 and _in_word(text[start - 1]) and _in_word(text[start]):
        start -= 1
    while end < len(text) and _in_word(text[end - 1]) and _in_word(text[end]):
        end += 1
    return text[start:end].strip()


def _excerpt(text: str, limit: int) -> str:
    """At most `limit` characters, cut between words (with an ellipsis) if it is longer."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    elif _in_word(text[limit - 1]):
        # one long word: keep it whole rather than leave a fragment of it
        stop = limit - 1
        while stop < len(text) and _in_word(text[stop]):
            stop += 1
        cut = text[:stop]
    return cut.rstrip(" ,.;:—-") + "…"

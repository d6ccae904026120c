"""What a notification says: the bilingual, care-framed message an officer, a tracing cell or
the SMC receives (`compose`, `render`), and a delivery error as a timeline may show it
(`without_recipients`). Sending and recording them is notify.py."""

from __future__ import annotations

import re

from lifeline.domain.ack_codes import group_code
from lifeline.domain.dispatch import AlarmKind, Notification, Purpose
from lifeline.services.context import Context
from lifeline.services.dispatch.briefs import CaseBrief, case_brief
from lifeline.services.dispatch.ports import OutgoingMessage
from lifeline.services.ports import UnitOfWork

#: what a provider's error may quote about the recipient: addresses and phone numbers
_ADDRESS = re.compile(r"[^\s<>()\"',;:]+@[^\s<>()\"',;:]+\.[A-Za-z]{2,}")
_NUMBER = re.compile(r"\+?\d[\d \-]{6,}\d")


#: how a drill's messages begin (`lifeline drill`)
DRILL_MARK = "DRILL / अभ्यास"
DRILL_NOTE = (
    f"{DRILL_MARK}: a test of the alert path; no one is at risk. Please acknowledge as you "
    "would a real case. / यह अभ्यास है, कोई व्यक्ति खतरे में नहीं है। कृपया असली केस की तरह "
    "स्वीकार करें।"
)


def without_recipients(detail: str) -> str:
    """A delivery error as a timeline summary may show it: a provider that quotes the
    recipient ("550 <duty@ps.example>: no such user", "+9198… is not a valid number") has the
    address or number blanked (the notification keeps the full detail)."""
    return _NUMBER.sub("<number>", _ADDRESS.sub("<address>", detail))


LEVEL_HI = {
    "none": "कोई नहीं",
    "discussion": "चर्चा",
    "distress": "संकट",
    "ideation": "आत्मघाती विचार",
    "intent": "आत्मघाती इरादा",
    "imminent": "तत्काल खतरा",
}


def compose(ctx: Context, uow: UnitOfWork, n: Notification) -> OutgoingMessage:
    """The message for a notification, from the brief kept with it when its step fired (or,
    for a notification stored without one, the case as it is now)."""
    if n.brief is not None:
        brief = CaseBrief.from_dict(n.brief)
    else:
        brief = case_brief(uow, uow.cases.get(n.case_id), ctx.config.home_state)
    return render(ctx, brief, n)


def render(ctx: Context, brief: CaseBrief, n: Notification) -> OutgoingMessage:
    """Short, bilingual, care-framed (MHCA 2017 s.115: a person who attempts suicide is
    presumed to be under severe stress and must be cared for, not prosecuted), with what the
    officer needs to act and nothing more."""
    assert n.id is not None
    level, place, who = brief.level, brief.place, brief.who
    ack_url = ack_code = None
    if n.purpose not in (Purpose.ALARM, Purpose.RELOCATED) and ctx.ack_tokens is not None:
        ack_url = f"{ctx.config.public_url.rstrip('/')}/ack/{ctx.ack_tokens.issue(n.id)}"
        ack_code = n.ack_code
    title, lines = _text(n, brief.case_id, level, who, place, brief.alarm_kind)
    if n.purpose is not Purpose.ALARM and not brief.place_confirmed:
        lines.append(
            "The place is not confirmed: the SMC is checking it. / स्थान की पुष्टि नहीं हुई है: "
            "SMC जाँच रहा है।"
        )
        if brief.hint_text:
            lines.append(f"Address given / दिया गया पता: {brief.hint_text}")
    if n.purpose is not Purpose.ALARM:
        phones = ", ".join(p for p in (brief.person_phone, *brief.other_phones) if p)
        lines.append(f"Person / व्यक्ति: {who}" + (f", {phones}" if phones else ""))
        if brief.profile_url:
            lines.append(f"Profile: {brief.profile_url}")
        if brief.ip_city and n.purpose is Purpose.TRACE:
            lines.append(f"IP city: {brief.ip_city}")
        if brief.excerpt:
            lines.append(f"Post / पोस्ट: \u201c{brief.excerpt}\u201d")
        if brief.cues:
            lines.append("Cues / संकेत: " + "; ".join(brief.cues))
    if ctx.config.smc_phone:
        lines.append(f"SMC: {ctx.config.smc_phone}")
    if ack_url:
        lines.append(f"Acknowledge / स्वीकार करें: {ack_url}")
    if ack_code:
        lines.append(f"Or reply / या उत्तर दें: ACK {group_code(ack_code)}")
    short = f"Lifeline case {brief.case_id}: {level} risk, {place}. " + (
        f"Reply ACK {group_code(ack_code)}" if ack_code else "Open the console."
    )
    if brief.drill:
        title, short = f"{DRILL_MARK}: {title}", f"{DRILL_MARK}: {short}"
        lines = [DRILL_NOTE, *lines]
    incident = {
        "type": "suicide_risk",
        "purpose": n.purpose.value,
        "case_id": brief.case_id,
        "notification_id": n.id,
        "risk_level": level,
        "person": {
            "name": brief.person_name,
            "phone": brief.person_phone,
            "other_phones": list(brief.other_phones),
            "handle": brief.person_handle,
        },
        "location": {
            "place": place,
            "text": brief.hint_text,
            "lat": brief.lat,
            "lon": brief.lon,
            "district_lgd": brief.district_lgd,
            "police_station": brief.police_station,
            "confirmed": brief.place_confirmed,
        },
        "post_excerpt": brief.excerpt or None,
        "cues": list(brief.cues),
        "callback": ctx.config.smc_phone or None,
        "ack_url": ack_url,
        "ack_code": ack_code,
        "drill": brief.drill,
    }
    return OutgoingMessage(
        n.id, n.case_id, title, "\n".join(lines), short, ack_url, ack_code, incident
    )


#: what an SMC alarm message says is wrong, by alarm kind (English / Hindi)
ALARM_TITLES = {
    AlarmKind.DESK_UNATTENDED: "nobody at the desk opened this imminent case / डेस्क पर किसी ने "
    "यह तत्काल केस नहीं खोला",
    AlarmKind.NOT_DISPATCHED: "not sent to any unit in time / समय पर किसी इकाई को नहीं भेजा गया",
    AlarmKind.NOBODY_REACHED: "no unit reached / किसी इकाई तक संदेश नहीं पहुँचा",
    AlarmKind.DELIVERY_FAILED: "messages to a unit failed / इकाई को संदेश विफल",
    AlarmKind.NO_CONTACT: "a unit has no contact / इकाई का कोई संपर्क नहीं",
}


def _text(
    n: Notification, case_id: int, level: str, who: str, place: str, alarm: str | None = None
) -> tuple[str, list[str]]:
    level_hi = LEVEL_HI.get(level, level)
    if n.purpose is Purpose.ALARM:
        about = ALARM_TITLES.get(AlarmKind(alarm)) if alarm in set(AlarmKind) else None
        title = f"SMC ALARM: case {case_id}: " + (
            about or f"not acknowledged / केस {case_id} पर कोई जवाब नहीं"
        )
        return title, [
            title,
            f"Risk / जोखिम: {level} ({level_hi}); place / स्थान: {place}",
            "Phone the units now and record it in the console. / इकाइयों को अभी फ़ोन करें।",
        ]
    if n.purpose is Purpose.TRACE:
        title = f"Trace request: case {case_id} / ट्रेस अनुरोध: केस {case_id}"
        return title, [
            title,
            f"A person may be at risk of suicide ({level} / {level_hi}); location unknown.",
            "Please trace the number or account and answer in Lifeline. / कृपया नंबर या खाता "
            "ट्रेस करें और Lifeline में उत्तर दें।",
        ]
    if n.purpose is Purpose.RELOCATED:
        title = f"Lifeline case {case_id}: the place has changed / स्थान बदल गया है"
        return title, [
            title,
            f"New place / नया स्थान: {place}. Risk / जोखिम: {level} ({level_hi})",
            "The SMC corrected where the person is: please go to the new place. / SMC ने "
            "व्यक्ति का स्थान सुधारा है: कृपया नए स्थान पर पहुँचें।",
        ]
    title = f"Lifeline case {case_id}: person at risk, please reach them / व्यक्ति खतरे में"
    return title, [
        title,
        f"Risk / जोखिम: {level} ({level_hi}). Place / स्थान: {place}",
        "Please reach the person now with care: they need help, not punishment (MHCA 2017 "
        "s.115). Tele-MANAS 14416. / कृपया तुरंत और संवेदनशीलता से पहुँचें: उन्हें मदद चाहिए, "
        "दंड नहीं। टेली-मानस 14416।",
    ]

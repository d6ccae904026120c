"""The alarm banner's content: a case line's or an alarm's text in the reader's language, and
what the banner template is given (loud lines first, a few, then "N more", then the quiet)."""

from __future__ import annotations

from typing import Any

from lifeline.domain.dispatch import Alarm
from lifeline.services.dispatch.attention import AlarmGroup
from lifeline.web.console import i18n

#: loud lines the banner shows before "N more" (it must not push a phone's queue off-screen)
FIRST = 3


def alarm_text(item: Alarm | AlarmGroup, lang: str) -> str:
    """What is wrong, in the reader's language: an alarm's kind with its figures, or a case
    line's most urgent kind."""
    many = 1
    if isinstance(item, AlarmGroup):
        named = [a for a in item.alarms if a.kind is item.kind]
        alarm, many = named[0], len({a.dispatch_id for a in named})
    else:
        alarm = item
    details: dict[str, Any] = alarm.details
    seconds = int(details.get("seconds") or 0)
    values = {
        "seconds": seconds,
        "minutes": max(1, round(seconds / 60)) if seconds else 0,
        "units": int(details.get("units") or 0),
        "unit": str(details.get("unit") or "?"),
        "reason": alarm.reason,
    }
    table = i18n.translator(lang)
    key = f"attention_kind_{alarm.kind.value}"
    if many > 1 and f"{key}_many" in table:  # one line for several units: count, not name
        key, values["units"] = f"{key}_many", many
    return table[key].format(**values)


def banner_context(groups: list[AlarmGroup]) -> dict[str, Any]:
    """The banner template's variables for these case lines (most urgent first)."""
    loud = [g for g in groups if not g.quiet]
    return {
        "alarms": groups,
        "alarm_loud": loud[:FIRST],
        "alarm_more": loud[FIRST:],
        "alarm_quiet": [g for g in groups if g.quiet],
        # the console beeps when a loud line it has not seen appears (static/attention.js)
        "alarm_keys": " ".join(f"{g.case_id}.{g.newest_id}" for g in loud),
    }

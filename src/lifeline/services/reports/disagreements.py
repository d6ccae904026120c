"""The platform's flag against the model's reading: how often a platform escalated a case the
model read below intent (or could not read at all). Each such case counted as at least intent
by the floor (domain/floor.py); the figure shows where the model and trained reviewers part,
which is what an operator's labels should teach it. A figure worth watching, not an error."""

from __future__ import annotations

from collections.abc import Sequence

from lifeline.domain.floor import FLAGGING_SOURCES, PLATFORM_FLOOR
from lifeline.domain.risk import known_level
from lifeline.services.reports.figures import Figure, Section
from lifeline.services.reports.ports import AlertFacts, ReadingFacts

_FLAGGING = frozenset(source.value for source in FLAGGING_SOURCES)


def platform_model(alerts: Sequence[AlertFacts], readings: Sequence[ReadingFacts]) -> Section:
    """`platform_model_disagreements` (cases a platform flagged that the model read below
    intent or could not read; `extra` splits them) and `unreadable_posts` (cases of any
    source with a post the model could not read)."""
    flagged = {a.case_id for a in alerts if a.source in _FLAGGING}
    by_case: dict[int, list[ReadingFacts]] = {}
    for reading in readings:
        by_case.setdefault(reading.case_id, []).append(reading)
    below: list[int] = []
    unread: list[int] = []
    for case_id in sorted(flagged & set(by_case)):
        levels = [known_level(r.level) for r in by_case[case_id] if r.unreadable is None]
        known = [level for level in levels if level is not None]
        if not known:
            unread.append(case_id)
        elif max(level.rank for level in known) < PLATFORM_FLOOR.rank:
            below.append(case_id)
    compared = sorted(flagged & set(by_case))
    unreadable = sorted({r.case_id for r in readings if r.unreadable is not None})
    disagreements = sorted(below + unread)
    return Section(
        "platform_model",
        "Platform flag and model reading",
        "प्लेटफ़ॉर्म की सूचना और मॉडल का आकलन",
        (
            Figure(
                "platform_model_disagreements",
                "Platform flagged, model read below intent or could not read",
                "प्लेटफ़ॉर्म ने सूचित किया, मॉडल ने इरादे से कम आँका या पढ़ नहीं सका",
                len(disagreements),
                "cases",
                tuple(disagreements),
                {
                    "flagged_case_ids": compared,
                    "below_intent_case_ids": below,
                    "unreadable_case_ids": unread,
                },
            ),
            Figure(
                "unreadable_posts",
                "Cases with a post the model could not read",
                "ऐसे मामले जिनकी पोस्ट मॉडल नहीं पढ़ सका",
                len(unreadable),
                "cases",
                tuple(unreadable),
            ),
        ),
    )

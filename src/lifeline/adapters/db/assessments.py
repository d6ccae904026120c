"""Risk assessments: the model's and operators'. Cue spans and notes quote the post, so they are
stored encrypted; level, score, language and model version are plain (the queue sorts on them).
"""

from __future__ import annotations

import json
from datetime import UTC
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select

from lifeline.adapters.db.tables import aad, new_id, risk_assessments
from lifeline.domain.risk import (
    AssessmentSource,
    Cue,
    RiskAssessment,
    RiskLevel,
    known_risk_subject,
)
from lifeline.services.ports import Cipher

_T = risk_assessments

_ADD = insert(_T)
_FOR_CASE = select(_T).where(_T.c.case_id == bindparam("case_id")).order_by(_T.c.at, _T.c.id)
_OPERATOR_LABELS = (
    select(_T).where(_T.c.source == AssessmentSource.OPERATOR.value).order_by(_T.c.at, _T.c.id)
)


class SqlAssessmentRepository:
    def __init__(self, conn: Connection, keys: Cipher) -> None:
        self.conn, self.keys = conn, keys
        #: a case's assessments, read once per transaction (written only here: `add` forgets)
        self._of_case: dict[int, list[RiskAssessment]] = {}

    def forget(self) -> None:
        self._of_case.clear()

    def add(self, assessment: RiskAssessment) -> RiskAssessment:
        cues = _cues_json(assessment.cues)
        row = {
            "case_id": assessment.case_id,
            "alert_id": assessment.alert_id,
            "source": assessment.source.value,
            "level": assessment.level.value,
            "score": assessment.score,
            "language": assessment.language,
            "model_version": (assessment.model_version or None) and assessment.model_version[:40],
            "cues_enc": self.keys.encrypt(cues, aad(_T, "cues_enc")),
            "note_enc": self.keys.encrypt(assessment.note, aad(_T, "note_enc")),
            "assessed_by": assessment.assessed_by[:120],
            "at": assessment.at,
            "unreadable": (assessment.unreadable or None) and assessment.unreadable[:24],
            "subject": assessment.subject.value if assessment.subject else None,
            "subject_cues_enc": self.keys.encrypt(
                _cues_json(assessment.subject_cues) if assessment.subject_cues else None,
                aad(_T, "subject_cues_enc"),
            ),
        }
        assessment.id = new_id(self.conn.execute(_ADD, row))
        known = self._of_case.get(assessment.case_id)
        if known is not None:  # kept as a read gives it, in the read's order (time, id)
            row["id"], row["at"] = assessment.id, assessment.at.astimezone(UTC)
            known.append(self._assessment(SimpleNamespace(**row)))
            known.sort(key=lambda a: (a.at, a.id or 0))
        return assessment

    def for_case(self, case_id: int) -> list[RiskAssessment]:
        if case_id not in self._of_case:
            rows = self.conn.execute(_FOR_CASE, {"case_id": case_id}).all()
            self._of_case[case_id] = [self._assessment(r) for r in rows]
        return list(self._of_case[case_id])

    def operator_labels(self) -> list[RiskAssessment]:
        rows = self.conn.execute(_OPERATOR_LABELS).all()
        latest: dict[tuple[int, int | None], RiskAssessment] = {}
        for row in rows:
            assessment = self._assessment(row)
            latest[(assessment.case_id, assessment.alert_id)] = assessment
        return sorted(latest.values(), key=lambda a: (a.at, a.id or 0))

    def _assessment(self, row: Row[Any] | SimpleNamespace) -> RiskAssessment:
        cues = json.loads(self.keys.decrypt(row.cues_enc, aad(_T, "cues_enc")) or "[]")
        subject_cues = json.loads(
            self.keys.decrypt(row.subject_cues_enc, aad(_T, "subject_cues_enc")) or "[]"
        )
        return RiskAssessment(
            case_id=row.case_id,
            level=RiskLevel(row.level),
            assessed_by=row.assessed_by,
            at=row.at,
            source=AssessmentSource(row.source),
            alert_id=row.alert_id,
            score=row.score,
            language=row.language,
            cues=tuple(Cue(c["tag"], c["text"], c["start"], c["end"]) for c in cues),
            model_version=row.model_version,
            note=self.keys.decrypt(row.note_enc, aad(_T, "note_enc")),
            id=row.id,
            unreadable=row.unreadable,
            subject=known_risk_subject(row.subject),
            subject_cues=tuple(
                Cue(c["tag"], c["text"], c["start"], c["end"]) for c in subject_cues
            ),
        )


#: a cue as the console's queue and the review queue carry it: (tag, text, start, end)
CueSpan = tuple[str, str, int, int]


def cue_spans(keys: Cipher, cues_enc: str | None) -> tuple[CueSpan, ...]:
    """The cues of a stored assessment (`risk_assessments.cues_enc`), decrypted, as spans."""
    plain = keys.decrypt(cues_enc, aad(_T, "cues_enc")) or "[]"
    return tuple(
        (str(c["tag"]), str(c["text"]), int(c["start"]), int(c["end"])) for c in json.loads(plain)
    )


def _cues_json(cues: tuple[Cue, ...]) -> str:
    return json.dumps([c.as_dict() for c in cues], ensure_ascii=False)

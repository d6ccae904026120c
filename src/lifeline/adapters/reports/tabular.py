"""The report as JSON or CSV, and the state export as CSV. Plain stdlib writers: the shapes are
small and fixed, so a library would add nothing."""

from __future__ import annotations

import csv
import io
import json

from lifeline.services.reports.read_models import ReportRead
from lifeline.services.reports.report import EXPORT_COLUMNS, Report, StateExport

#: how a suppressed count appears in the state export
SUPPRESSED = "suppressed"


class JsonReportWriter:
    media_type = "application/json"

    def write(self, report: Report) -> bytes:
        text = json.dumps(ReportRead.of(report).plain(), ensure_ascii=False, indent=2)
        return (text + "\n").encode("utf-8")


class CsvReportWriter:
    """One row per figure: where it is, what it is, its value and the case ids behind it
    (space-separated), so a spreadsheet can trace every number; `detail` holds the rest as JSON
    (alert ids, a rate's denominator, the case at a percentile's rank)."""

    media_type = "text/csv; charset=utf-8"
    columns = (
        "ref",
        "section",
        "key",
        "label",
        "label_hi",
        "value",
        "unit",
        "n_cases",
        "case_ids",
        "detail",
    )

    def write(self, report: Report) -> bytes:
        out = io.StringIO()
        rows = csv.writer(out, lineterminator="\n")
        p = report.period
        rows.writerow(self.columns)
        rows.writerow(
            [
                "",
                "period",
                "period",
                f"{p.first_day.isoformat()} to {p.last_day.isoformat()} (IST)",
                "",
                report.district.name if report.district else "all districts",
                "",
                "",
                "",
                "",
            ]
        )
        for section in report.sections:
            for f in section.figures:
                rows.writerow(
                    [
                        f.ref,
                        section.key,
                        f.key,
                        f.label,
                        f.label_hi,
                        "" if f.value is None else f.value,
                        f.unit,
                        len(f.case_ids),
                        " ".join(str(i) for i in f.case_ids),
                        json.dumps(f.extra, ensure_ascii=False) if f.extra else "",
                    ]
                )
        return out.getvalue().encode("utf-8")


def write_state_export(export: StateExport) -> bytes:
    """month, district, cases and one column per outcome group; withheld counts read
    'suppressed' (see docs/reports.md)."""
    out = io.StringIO()
    rows = csv.writer(out, lineterminator="\n")
    names = [name for name, _ in EXPORT_COLUMNS]
    rows.writerow(["month", "district_lgd", "district", "cases", *names])
    for r in export.rows:
        cells = [SUPPRESSED if r.cells[n] is None else r.cells[n] for n in names]
        cases = SUPPRESSED if r.cases is None else r.cases
        rows.writerow([r.month, r.district_lgd, r.district, cases, *cells])
    return out.getvalue().encode("utf-8")

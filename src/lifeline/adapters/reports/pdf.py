"""The report as an A4 PDF with charts (matplotlib), in English and Hindi.

Every number printed carries its figure reference ([F7]); the appendix lists, for each
reference, the ids of the cases behind it, so the DGP's office can ask for any case by id.
Pages are drawn as matplotlib figures (no pyplot state), under a lock because matplotlib's
rcParams are process-wide.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure as Page

from lifeline.adapters.reports.fonts import devanagari_font, family_of
from lifeline.services.reports.figures import Figure
from lifeline.services.reports.report import IST, Report

A4 = (8.27, 11.69)
Cell = tuple[float, str] | tuple[float, str, str]
TOP, BOTTOM = 0.93, 0.07
BLUE, ORANGE, GREY = "#1f5f99", "#e07b24", "#555555"
_LOCK = threading.Lock()


def fmt(f: Figure) -> str:
    if f.value is None:
        return "–"
    if f.unit == "%":
        return f"{f.value:.1f} %"
    if f.unit == "minutes":
        return f"{f.value:.1f} min"
    return str(f.value)


def ist(at: datetime) -> str:
    return at.astimezone(IST).strftime("%d %b %Y %H:%M IST")


class _Pages:
    """A cursor over A4 pages: text lines and charts flow down and onto the next page."""

    def __init__(self, pdf: PdfPages, footer: str) -> None:
        self.pdf, self.footer, self.number = pdf, footer, 0
        self.page: Page | None = None
        self.y = TOP

    def new(self) -> Page:
        self.finish()
        self.number += 1
        self.page = Page(figsize=A4)
        self.page.text(0.08, 0.035, self.footer, fontsize=7, color=GREY)
        self.page.text(0.92, 0.035, f"{self.number}", fontsize=7, color=GREY, ha="right")
        self.y = TOP
        return self.page

    def room(self, height: float) -> Page:
        if self.page is None or self.y - height < BOTTOM:
            return self.new()
        return self.page

    def heading(self, text: str) -> None:
        page = self.room(0.08)
        self.y -= 0.01
        page.text(0.08, self.y, text, fontsize=13, color=BLUE, va="top")
        self.y -= 0.035

    def row(self, cells: Sequence[Cell], size: float = 8.5, bold: bool = False) -> None:
        """Cells at x (figure fraction): text left-aligned there, or right-aligned to x when
        given as (x, text, "r")."""
        page = self.room(0.02)
        for cell in cells:
            x, text = cell[0], cell[1]
            align = "right" if cell[2:] == ("r",) else "left"
            page.text(
                x,
                self.y,
                text,
                fontsize=size,
                va="top",
                ha=align,
                color="black" if bold else "#222222",
            )
        self.y -= 0.0175

    def gap(self, height: float = 0.012) -> None:
        self.y -= height

    def axes(self, height: float) -> Axes:
        page = self.room(height + 0.05)
        ax = page.add_axes((0.3, self.y - height, 0.62, height - 0.03))
        self.y -= height + 0.02
        return ax

    def finish(self) -> None:
        if self.page is not None:
            self.pdf.savefig(self.page)  # type: ignore[no-untyped-call]
            self.page = None


class MatplotlibPdfWriter:
    media_type = "application/pdf"

    def __init__(self, font: Path | None = None) -> None:
        self.configured = font

    def write(self, report: Report) -> bytes:
        deva = family_of(devanagari_font(self.configured))
        buffer = io.BytesIO()
        with _LOCK, self._style(deva):
            metadata = {
                "Title": f"Lifeline report {report.period.first_day} to {report.period.last_day}",
                "Author": "Lifeline",
                "Subject": "Alert response, outcomes and follow-up",
                "CreationDate": report.generated_at,
            }
            with PdfPages(buffer, metadata=metadata) as pdf:
                pages = _Pages(pdf, self._footer(report))
                self._cover(pages, report)
                self._alerts(pages, report)
                self._times(pages, report)
                self._districts(pages, report)
                self._follow_ups(pages, report)
                self._method(pages, report)
                self._appendix(pages, report)
                pages.finish()
        return buffer.getvalue()

    @staticmethod
    @contextmanager
    def _style(deva: str) -> Iterator[None]:
        with matplotlib.rc_context(
            {
                "font.family": ["DejaVu Sans", deva],
                "pdf.fonttype": 42,  # embed TrueType: text stays selectable and searchable
                "axes.spines.top": False,
                "axes.spines.right": False,
                "axes.titlesize": 10,
                "axes.labelsize": 8,
                "xtick.labelsize": 7.5,
                "ytick.labelsize": 7.5,
            }
        ):
            yield

    @staticmethod
    def _footer(report: Report) -> str:
        p = report.period
        where = report.district.name if report.district else "all districts"
        return (
            f"Lifeline · {p.first_day} – {p.last_day} · {where} · [F#]: cases listed in the "
            "appendix / परिशिष्ट में मामले"
        )

    # -- pages -----------------------------------------------------------------------------
    def _cover(self, pages: _Pages, report: Report) -> None:
        page = pages.new()
        p = report.period
        page.text(
            0.08,
            0.95,
            "Lifeline — alert response report",
            fontsize=18,
            color=BLUE,
            va="top",
        )
        page.text(
            0.08,
            0.915,
            "लाइफ़लाइन — आत्महत्या-रोकथाम अलर्ट प्रतिक्रिया रिपोर्ट",
            fontsize=13,
            color=BLUE,
            va="top",
        )
        where = report.district.name if report.district else "All districts / सभी ज़िले"
        lines = (
            f"Period / अवधि: {p.first_day:%d %b %Y} – {p.last_day:%d %b %Y} (IST), cases opened",
            f"District / ज़िला: {where}",
            f"Generated / तैयार: {ist(report.generated_at)} by {report.generated_by}",
        )
        for i, line in enumerate(lines):
            page.text(0.08, 0.87 - i * 0.022, line, fontsize=9.5, va="top")
        pages.y = 0.79
        pages.heading("Summary / सारांश")
        summary = report.section("summary").figures
        for f in summary:
            value = fmt(f)
            if f.key == "follow_ups_done":
                value = f"{f.value} of {f.extra.get('due', 0)}"
            pages.row(
                [(0.08, f"{f.label} / {f.label_hi}"), (0.8, value, "r"), (0.83, f"[{f.ref}]")],
                size=10,
            )
        pages.gap(0.02)
        outcomes = [f for f in report.section("outcomes").figures]
        ax = pages.axes(0.36)
        self._barh(ax, outcomes, "Outcomes / परिणाम (cases)")

    def _alerts(self, pages: _Pages, report: Report) -> None:
        pages.new()
        pages.heading("Alerts / अलर्ट")
        for key in ("alerts_by_source", "alerts_by_platform"):
            section = report.section(key)
            ax = pages.axes(0.3)
            self._barh(ax, list(section.figures), f"{section.title} / {section.title_hi}")

    def _times(self, pages: _Pages, report: Report) -> None:
        pages.new()
        pages.heading("Response times / प्रतिक्रिया समय (minutes, from case timestamps)")
        figures = {f.key: f for f in report.section("response_times").figures}
        steps = list(dict.fromkeys(k.rsplit(".", 1)[0] for k in figures))
        pages.row(
            [(0.08, "Step / चरण"), (0.6, "n", "r"), (0.76, "p50", "r"), (0.92, "p90", "r")],
            bold=True,
        )
        for step in steps:
            p50, p90 = figures[f"{step}.p50"], figures[f"{step}.p90"]
            label = p50.label.removesuffix(" p50")
            pages.row(
                [
                    (0.08, f"{label} / {p50.label_hi.removesuffix(' p50')}"),
                    (0.6, str(p50.extra.get("n", 0)), "r"),
                    (0.76, f"{fmt(p50)} [{p50.ref}]", "r"),
                    (0.92, f"{fmt(p90)} [{p90.ref}]", "r"),
                ]
            )
        pages.gap(0.02)
        ax = pages.axes(0.42)
        labels = [figures[f"{s}.p50"].label.removesuffix(" p50") for s in steps]
        y = list(range(len(steps)))
        p50s = [figures[f"{s}.p50"].value or 0 for s in steps]
        p90s = [figures[f"{s}.p90"].value or 0 for s in steps]
        ax.barh([v + 0.2 for v in y], p50s, height=0.38, color=BLUE, label="p50")
        ax.barh([v - 0.2 for v in y], p90s, height=0.38, color=ORANGE, label="p90")
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel("minutes / मिनट")
        ax.legend(fontsize=7.5, frameon=False)
        ax.set_title("p50 and p90 by step / चरण अनुसार")

    def _districts(self, pages: _Pages, report: Report) -> None:
        pages.new()
        pages.heading("By district / ज़िला अनुसार")
        figures = {f.key: f for f in report.section("districts").figures}
        tags = list(dict.fromkeys(k.split(".")[1] for k in figures))
        head: list[Cell] = [
            (0.08, "District / ज़िला"),
            (0.5, "cases", "r"),
            (0.62, "reached", "r"),
            (0.78, "→notified p50/p90", "r"),
            (0.94, "→door p50/p90", "r"),
        ]
        pages.row(head, bold=True)
        for tag in tags:
            cases = figures[f"district.{tag}.cases"]
            reached = figures[f"district.{tag}.lives_reached"]
            disp = [figures[f"district.{tag}.alert_to_first_delivered.p{p}"] for p in (50, 90)]
            door = [figures[f"district.{tag}.alert_to_on_scene.p{p}"] for p in (50, 90)]
            name = cases.label.removesuffix(": cases")
            hindi = cases.label_hi.removesuffix(": मामले")
            pages.row(
                [
                    (0.08, f"{name} / {hindi}" if hindi != name else name),
                    (0.5, f"{cases.value} [{cases.ref}]", "r"),
                    (0.62, f"{reached.value} [{reached.ref}]", "r"),
                    (0.78, f"{_n(disp[0])}/{_n(disp[1])} min [{disp[0].ref},{disp[1].ref}]", "r"),
                    (0.94, f"{_n(door[0])}/{_n(door[1])} min [{door[0].ref},{door[1].ref}]", "r"),
                ],
                size=8,
            )

    def _follow_ups(self, pages: _Pages, report: Report) -> None:
        pages.gap(0.03)
        pages.heading("Follow-ups / फ़ॉलो-अप (check-ins due in the period)")
        section = report.section("follow_ups")
        for f in section.figures:
            pages.row(
                [(0.08, f"{f.label} / {f.label_hi}"), (0.8, fmt(f), "r"), (0.83, f"[{f.ref}]")]
            )
        ax = pages.axes(0.26)
        self._barh(ax, list(section.figures), "Check-ins / फ़ॉलो-अप")

    def _method(self, pages: _Pages, report: Report) -> None:
        pages.new()
        pages.heading("How the figures are computed / गणना की विधि")
        for note in report.method:
            for i, line in enumerate(textwrap.wrap(note, 105)):
                pages.row([(0.08, ("• " if i == 0 else "  ") + line)], size=8.5)
            pages.gap(0.006)

    def _appendix(self, pages: _Pages, report: Report) -> None:
        pages.new()
        pages.heading("Appendix: the cases behind each figure / परिशिष्ट: प्रत्येक आँकड़े के मामले")
        for f in report.figures():
            ids = " ".join(str(i) for i in f.case_ids) or "(none)"
            extra = ""
            if f.extra.get("at_rank_case_id") is not None:
                extra = f"; value from case {f.extra['at_rank_case_id']}"
            if "denominator_case_ids" in f.extra:
                extra = f"; out of cases {' '.join(map(str, f.extra['denominator_case_ids']))}"
            text = f"[{f.ref}] {f.label} = {fmt(f)}{extra}: {ids}"
            for i, line in enumerate(textwrap.wrap(text, 120)):
                pages.row([(0.08 if i == 0 else 0.11, line)], size=7.5)

    # -- charts ----------------------------------------------------------------------------
    @staticmethod
    def _barh(ax: Axes, figures: list[Figure], title: str) -> None:
        labels = [f"{f.label}\n{f.label_hi}" if f.label_hi != f.label else f.label for f in figures]
        values = [f.value or 0 for f in figures]
        y = list(range(len(figures)))
        bars = ax.barh(y, values, color=BLUE)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_title(title)
        ax.bar_label(
            bars,
            labels=[f"{v} [{f.ref}]" for v, f in zip(values, figures, strict=True)],
            fontsize=7,
            padding=2,
        )
        ax.margins(x=0.2)


def _n(f: Figure) -> str:
    return "–" if f.value is None else f"{f.value:.0f}"

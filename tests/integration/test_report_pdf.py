"""The report's PDF and CSV are readable (issue 16): words in English and Hindi from the one
label table, never raw keys such as `reached_safe` or `platform_api`, and the PDF builds with
the packaged Noto Sans Devanagari, whatever fonts the machine has."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pypdf

from console_support import new_case
from lifeline.adapters.reports import fonts
from lifeline.bootstrap import Lifeline
from lifeline.domain.model import Actor
from lifeline.services.cases import service as cases
from lifeline.services.reports import report as reports
from lifeline.services.reports.report import IST, Report
from lifeline.worker import Worker

CLI = Actor("cli", "test")
OP = Actor("user", "op", "smc_operator")
RAW = ("reached_safe", "platform_api", "platform_email", "false_alarm", "first_delivered")
#: (English, Hindi) that must be printed
LABELS = (
    ("Reached, safe", "पहुँचे, सुरक्षित"),
    ("Platform API", "प्लेटफ़ॉर्म API"),
    ("Alert → police notified", "अलर्ट → पुलिस को सूचना पहुँची"),
    ("Alert → dispatch decided", "अलर्ट → भेजने का निर्णय"),
)


def squeezed(text: str) -> str:
    """Text without whitespace and with immediately repeated runs (1-4 characters) once: the
    PDF's text layer repeats parts of shaped Devanagari syllables (its actual-text spans)."""
    text = re.sub(r"\s+", "", text)
    while True:
        shorter = re.sub(r"(.{1,4}?)\1+", r"\1", text)
        if shorter == text:
            return text
        text = shorter


def rescued_report(app: Lifeline) -> Report:
    case_id = new_case(app, handle="pdf")
    worker = Worker(app)
    while worker.run_once():  # located and sent (to units without contacts) at once
        pass
    cases.mark_on_scene(app.ctx, OP, case_id)
    cases.record_outcome(app.ctx, OP, case_id, "reached_safe", "safe at home")
    day = app.clock.now().astimezone(IST).date()
    return reports.build_report(app.ctx, CLI, day, day)


def test_the_pdf_prints_labels_in_both_languages_with_the_packaged_font(
    lifeline: Lifeline, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fonts, "CANDIDATES", ())  # as on a machine without system fonts
    packaged = fonts.devanagari_font(None)
    assert packaged == fonts.packaged_font() and packaged.is_file()
    assert "fontpkg_noto_sans_devanagari" in str(packaged)
    report = rescued_report(lifeline)

    pdf = pypdf.PdfReader(io.BytesIO(lifeline.report_writer("pdf").write(report)))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for raw in RAW:
        assert raw not in text, f"raw key {raw!r} in the PDF"
    flat = squeezed(text)
    for english, hindi in LABELS:
        assert squeezed(english) in flat, english
        assert squeezed(hindi) in flat, hindi
    embedded = {
        str(font.get_object()["/BaseFont"])
        for page in pdf.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("NotoSansDevanagari" in name for name in embedded), embedded


def test_the_csv_labels_are_words_and_its_keys_stay_machine_readable(lifeline: Lifeline) -> None:
    report = rescued_report(lifeline)
    rows = list(csv.DictReader(io.StringIO(lifeline.report_writer("csv").write(report).decode())))
    by_key = {row["key"]: row for row in rows}
    safe = by_key["outcome.reached_safe"]
    assert (safe["label"], safe["label_hi"], safe["value"]) == ("Reached, safe", "पहुँचे, सुरक्षित", "1")
    assert by_key["source.platform_api"]["label"] == "Platform API"
    for row in rows:
        for raw in RAW:
            assert raw not in row["label"] + row["label_hi"], row


def test_a_configured_font_that_is_not_a_file_is_refused_clearly(tmp_path: Path) -> None:
    missing = tmp_path / "none.ttf"
    try:
        fonts.devanagari_font(missing)
    except fonts.FontMissing as exc:
        assert "LIFELINE_REPORT_FONT" in str(exc) and str(missing) in str(exc)
    else:
        raise AssertionError("a missing configured font was accepted")

"""The font PDF reports use for Devanagari. Nothing is downloaded: the font comes from the
system's packages (Debian `fonts-noto-core` or `fonts-lohit-deva`, installed by .ci/run) or from
LIFELINE_REPORT_FONT. Latin text uses matplotlib's bundled DejaVu Sans; matplotlib (3.11+) falls
back to this font glyph by glyph and shapes Devanagari (conjuncts, matras) with libraqm."""

from __future__ import annotations

from pathlib import Path

from matplotlib import font_manager

from lifeline.domain.errors import DomainError

#: where Debian's font packages put a Devanagari font, best first
CANDIDATES = (
    "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansDevanagari-Regular.ttf",
    "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
    "/usr/share/fonts/truetype/fonts-deva-extra/kalimati.ttf",
)
FAMILIES = ("Noto Sans Devanagari", "Lohit Devanagari", "Mukta", "Kalimati")


class FontMissing(DomainError):
    """No font that renders Devanagari: a PDF would show empty boxes for Hindi, so none is made."""

    code = "report_font_missing"


def devanagari_font(configured: Path | None = None) -> Path:
    """The font file to use: the configured one, a known system path, or one fontconfig knows."""
    if configured is not None:
        if not configured.is_file():
            raise FontMissing(f"LIFELINE_REPORT_FONT {configured} is not a file")
        return configured
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    for family in FAMILIES:
        try:
            found = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        return Path(found)
    raise FontMissing(
        "no font with Devanagari found: install fonts-noto-core or fonts-lohit-deva "
        "(apt-get install fonts-lohit-deva), or set LIFELINE_REPORT_FONT to a .ttf file"
    )


def family_of(path: Path) -> str:
    """Register the font with matplotlib and return its family name."""
    font_manager.fontManager.addfont(str(path))
    return str(font_manager.FontProperties(fname=str(path)).get_name())

"""The Devanagari font of PDF reports and of the console. Nothing is downloaded: the font ships
as a Python package, `fontpkg-noto-sans-devanagari` (Noto Sans Devanagari, SIL Open Font
Licence 1.1), so a PDF builds on a machine without system fonts; LIFELINE_REPORT_FONT
overrides it, and a system font (Debian `fonts-noto-core`, `fonts-lohit-deva`) is used if the
package is somehow missing. Latin text uses matplotlib's bundled DejaVu Sans; matplotlib (3.11+)
falls back to this font glyph by glyph and shapes Devanagari (conjuncts, matras) with libraqm."""

from __future__ import annotations

from pathlib import Path

import fontpkg
from matplotlib import font_manager

from lifeline.domain.errors import DomainError

#: the packaged family (pip package fontpkg-noto-sans-devanagari)
PACKAGED = "Noto Sans Devanagari"
#: where Debian's font packages put a Devanagari font, best first
CANDIDATES = (
    "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansDevanagari-Regular.ttf",
    "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
    "/usr/share/fonts/truetype/fonts-deva-extra/kalimati.ttf",
)


class FontMissing(DomainError):
    """No font that renders Devanagari: a PDF would show empty boxes for Hindi, so none is made."""

    code = "report_font_missing"


def packaged_font() -> Path | None:
    """The font file of the packaged Noto Sans Devanagari (None if the package is missing)."""
    try:
        found = Path(fontpkg.path(PACKAGED))
    except fontpkg.FontpkgError:
        return None
    return found if found.is_file() else None


def devanagari_font(configured: Path | None = None) -> Path:
    """The font file to use: the configured one, the packaged one, or a known system path."""
    if configured is not None:
        if not configured.is_file():
            raise FontMissing(f"LIFELINE_REPORT_FONT {configured} is not a file")
        return configured
    packaged = packaged_font()
    if packaged is not None:
        return packaged
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "no font with Devanagari found: reinstall Lifeline (its dependency "
        "fontpkg-noto-sans-devanagari ships one), or set LIFELINE_REPORT_FONT to a .ttf file"
    )


def family_of(path: Path) -> str:
    """Register the font with matplotlib and return its family name."""
    font_manager.fontManager.addfont(str(path))
    return str(font_manager.FontProperties(fname=str(path)).get_name())

"""The TrueType fonts shipped with the package: registration with ReportLab and glyph coverage."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).parent / "fonts"


@lru_cache(maxsize=None)
def _charset(file_name: str) -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    return frozenset(TTFontFile(str(FONT_DIR / file_name)).charToGlyph)


@lru_cache(maxsize=1)
def shipped_charset() -> frozenset[int]:
    """Code points that every shipped font can draw (so bold text never falls back to a box)."""
    sets = [_charset(p.name) for p in sorted(FONT_DIR.glob("*.ttf"))]
    return frozenset.intersection(*sets)


def missing_glyphs(text: str) -> list[str]:
    """Characters of `text` that no shipped font can draw, in order, without repeats."""
    have = shipped_charset()
    # Line breaks and tabs are layout, not glyphs.
    return list(dict.fromkeys(c for c in text if ord(c) not in have and c not in "\n\r\t"))


@lru_cache(maxsize=None)
def register(regular: str, bold: str) -> tuple[str, str]:
    """Register a regular/bold pair once per process; returns their ReportLab font names."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = (Path(regular).stem, Path(bold).stem)
    for name, file_name in zip(names, (regular, bold)):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file_name)))
    # <b> inside a paragraph picks the bold face; italics map to upright (no italic body text).
    for italic in (0, 1):
        addMapping(names[0], 0, italic, names[0])
        addMapping(names[0], 1, italic, names[1])
    return names

"""What block drawings share: the kit of styles and colours, roles, keeping together, tables.

Every flowable carries its structural role (`role`, and `alt` for figures): `tagged` gives it
a `handouts.tags.Tag`, which the canvas turns into a structure element as it draws (tagged
PDF), keeping the role next to the drawing. ReportLab is imported here, and this module only
by drawings: validating and resolving never load it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from handouts.tags import Group, Tag

_TAG = re.compile(r"(<[^>]*>)")
_GAP = re.compile(r"[ \t\r\n]+")  # where ReportLab may break a line (not at U+00A0)


@dataclass(frozen=True)
class Kit:
    """What block functions need: paragraph styles, colours by name, the frame width."""

    styles: dict[str, ParagraphStyle]
    colors: dict[str, colors.Color]
    width: float
    body: float  # body text size in points; drives padding and row heights


class Kept(KeepTogether):
    """Flowables kept on one page, moved to the next when they do not fit, except from the top of a page.

    ReportLab's KeepTogether moves its content on even from the top of a page; when the next
    page has more room (page 1 carries the letterhead), that leaves a page with nothing but
    its header. From the top of a page, moving cannot be worth a blank page: the content is
    laid out here and may break.
    """

    nested = False  # set while it is part of another Kept: then it measures its true height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - ReportLab's names
        """ReportLab's KeepTogether claims to be immensely tall, to be split; inside another Kept it
        must say how tall it is, or the outer one would never fit on any page."""
        width, height = super().wrap(availWidth, availHeight)
        return (width, self._H) if self.nested else (width, height)  # type: ignore[attr-defined]

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 - ReportLab's names
        """The content to place, after a frame break when it should move to the next page."""
        for part in self._content:  # type: ignore[attr-defined]
            if isinstance(part, Kept):  # placed on its own from now on: it splits like any Kept
                part.nested = False
        frame = getattr(self, "_frame", None)
        if frame is None or not getattr(frame, "_atTop", False):
            return list(super().split(availWidth, availHeight))
        content: list[Flowable] = list(self._content)  # type: ignore[attr-defined]  # KeepTogether keeps its parts here
        for flowable in content:  # or ReportLab would group a heading with what follows it all over again
            flowable.keepWithNext = 0  # type: ignore[attr-defined]
        return content


class _Tagging:
    """What a tagged flowable adds to its class: it draws inside its structure element, and the
    parts it splits into (over a page break, or in a table row that breaks) keep its Tag, so
    the two halves of a paragraph are one P with content on two pages."""

    _tag: Tag

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802 - ReportLab's name
        """Draw, inside this flowable's element when the canvas tags."""
        tagger = getattr(canvas, "tagger", None)
        if tagger is None:
            super().drawOn(canvas, x, y, _sW)  # type: ignore[misc]
            return
        depth = tagger.enter(self._tag, bullet=bool(getattr(self, "bulletText", None)))
        try:
            super().drawOn(canvas, x, y, _sW)  # type: ignore[misc]
        finally:
            tagger.leave(self._tag, depth)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 - ReportLab's names
        """The parts, each carrying this flowable's Tag and role."""
        parts: list[Flowable] = super().split(availWidth, availHeight)  # type: ignore[misc]
        for part in parts:
            if isinstance(part, _Tagging) and part is not self:
                part._tag = self._tag
                part.role = self._tag.role  # type: ignore[attr-defined]
        return parts


_TAGGED_CLASSES: dict[type, type] = {}


def tagged(flowable: Flowable, role: str | None, alt: str | None = None, lang: str | None = None,
           group: Group | None = None) -> Flowable:
    """Give a flowable its structural role (H1, H2, H3, P, LI, Div, ...), alternative text, language,
    and the element it shares with its neighbours (`group`: the L of a list's items). Role None:
    the flowable adds only to its group."""
    flowable.role = role  # type: ignore[attr-defined]
    if alt is not None:
        flowable.alt = alt  # type: ignore[attr-defined]
    flowable._tag = Tag(role, alt, lang, group)  # type: ignore[attr-defined]
    kind = type(flowable)
    if not issubclass(kind, _Tagging):
        if kind not in _TAGGED_CLASSES:  # one subclass per class, made once: Paragraph -> TaggedParagraph
            _TAGGED_CLASSES[kind] = type(f"Tagged{kind.__name__}", (_Tagging, kind), {})
        flowable.__class__ = _TAGGED_CLASSES[kind]
    return flowable


def keep_last_words(markup: str) -> str:
    """Paragraph markup whose last two words stay on one line, so no word is left alone on the last.

    ReportLab never breaks a line at a no-break space, and draws it as a plain space: PDF
    readers copy and search the words as usual.
    """
    parts = _TAG.split(markup)  # text, tag, text, ...: spaces inside a tag are not word gaps
    if len(" ".join(parts[::2]).split()) < 3:
        return markup  # one or two words: binding them could only make a line too long
    for i in range(len(parts) - 1, -1, -2):
        for gap in reversed(list(_GAP.finditer(parts[i]))):
            if (parts[i][gap.end():] + "".join(parts[i + 2::2])).strip():
                parts[i] = parts[i][:gap.start()] + "\xa0" + parts[i][gap.end():]
                return "".join(parts)
    return markup


def para(text: str, kit: Kit, style: str = "body", role: str | None = "P", lang: str | None = None,
         group: Group | None = None) -> Flowable:
    """One paragraph in a style of the kit, tagged with its role (and language, and group)."""
    return tagged(Paragraph(text, kit.styles[style]), role, lang=lang, group=group)


def table(rows: list[list[Any]], kit: Kit, widths: list[float], style: list[Any],
           kind: Callable[..., Table] = Table) -> Table:
    """A left-aligned table in the body font (ReportLab would otherwise set Helvetica, unembedded)."""
    table = kind(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), kit.styles["body"].fontName), *style]))
    return table


def tint(color: colors.Color, strength: float) -> colors.Color:
    """`color` mixed into white: a light background that keeps dark text readable."""
    return colors.Color(*(1 - strength * (1 - c) for c in (color.red, color.green, color.blue)))


class Callout(Table):
    """A callout's table: it may continue on the next page, but never starts in a sliver at a page foot.

    Kept whole, a callout that does not fit under its heading (the first one, in large print)
    would leave the heading alone above an empty page, or not fit on any page at all.
    """

    def __init__(self, *args: Any, least: float = 0.0, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "splitInRow": 1})  # its row may break, leaving any height
        self.least = least  # points: with less room than this, the whole callout goes to the next page

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 - ReportLab's names
        """The parts above and below a page break; none if the room left is too small to start in."""
        return super().split(availWidth, availHeight) if availHeight >= self.least else []

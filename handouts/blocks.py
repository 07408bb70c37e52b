"""One function per content block type, looked up in BLOCKS; each returns ReportLab flowables.

Every flowable carries its structural role (`role`, and `alt` for figures) so that a later
step can write PDF structure tags without re-deriving them from the drawing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle


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

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 - ReportLab's names
        """The content to place, after a frame break when it should move to the next page."""
        frame = getattr(self, "_frame", None)
        if frame is None or not getattr(frame, "_atTop", False):
            return list(super().split(availWidth, availHeight))
        content: list[Flowable] = list(self._content)  # type: ignore[attr-defined]  # KeepTogether keeps its parts here
        for flowable in content:  # or ReportLab would group a heading with what follows it all over again
            flowable.keepWithNext = 0  # type: ignore[attr-defined]
        return content


def tagged(flowable: Flowable, role: str, alt: str | None = None) -> Flowable:
    """Attach a structural role (H1, H2, P, L, LI, Table, Figure, Form) to a flowable."""
    flowable.role = role  # type: ignore[attr-defined]
    if alt is not None:
        flowable.alt = alt  # type: ignore[attr-defined]
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


def _para(text: str, kit: Kit, style: str = "body", role: str = "P") -> Flowable:
    return tagged(Paragraph(text, kit.styles[style]), role)


def paragraph(data: str, kit: Kit) -> list[Flowable]:
    """A plain paragraph; one that introduces a list ("...such as:") stays on the page with it."""
    return [_para(data, kit, "lead_in" if data.rstrip().endswith(":") else "body")]


def bullets(data: tuple[str, ...], kit: Kit, style: str = "bullet") -> list[Flowable]:
    """A bulleted list: one paragraph per item, so a long list may break between items."""
    items: list[Flowable] = [tagged(Paragraph(item, kit.styles[style], bulletText="•"), "LI") for item in data]
    return [*items, Spacer(1, kit.styles[style].spaceAfter)]


def sources(data: tuple[str, ...], kit: Kit) -> list[Flowable]:
    """The sources in small print, run together in one paragraph and separated by semicolons."""
    return [_para("; ".join(item.rstrip(" ;.") for item in data) + ".", kit, "source")]


def callout(data: dict[str, Any], kit: Kit) -> list[Flowable]:
    """A tinted box with a strong left edge in the tone's colour (driving, safety, emergencies)."""
    edge = kit.colors[data["tone"]]
    inner: list[Flowable] = []
    if data["title"]:
        inner.append(_para(keep_last_words(data["title"]), kit, "callout_title", "H3"))
    inner.extend(_para(text, kit, "callout") for text in data["text"])
    pad = kit.body * 0.9
    table = _table([[inner]], kit, [kit.width], [
        ("BACKGROUND", (0, 0), (-1, -1), _tint(edge, 0.1)),
        ("LINEBEFORE", (0, 0), (0, -1), 5, edge, "butt"),  # square ends, flush with the tint (round ones stick out)
        ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.3),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.5),
    ], kind=partial(_Callout, least=kit.body * 6))
    return [tagged(table, "Div"), Spacer(1, kit.body * 0.8)]


class _Callout(Table):
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


def language_help(data: tuple[str, ...], kit: Kit) -> list[Flowable]:
    """The free-language-help notice and its taglines, one paragraph each, kept together."""
    return [Kept([_para(line, kit) for line in data])]


def faq(data: tuple[tuple[str, str], ...], kit: Kit) -> list[Flowable]:
    """Questions in bold, each kept on one page with its answer."""
    return [Kept([_para(q, kit, "question", "H3"), _para(a, kit)]) for q, a in data]


def contact(data: tuple[tuple[str, str], ...], kit: Kit) -> list[Flowable]:
    """The clinic's name in bold, then "label value" pairs, as many to a line as fit the width.

    Short pairs share a line (phone beside after-hours phone, website beside email), so the
    block takes three or four lines rather than six; a long pair wraps on its own line.
    """
    muted = kit.colors["muted"].hexval().replace("0x", "#")  # the layout's own colour, never clinic data
    style = kit.styles["body"]
    lines: list[list[tuple[str, float]]] = []
    for label, value in data:
        if not label:
            continue
        part = f'<font color="{muted}">{label}</font>\xa0{value}'
        width = stringWidth(Paragraph(part, style).getPlainText(), style.fontName, style.fontSize)
        line = lines[-1] if lines else None
        if line is not None and sum(w for _, w in line) + kit.body * 2 * len(line) + width <= kit.width:
            line.append((part, width))
        else:
            lines.append([(part, width)])
    separator = f'<font color="{muted}">\xa0\xa0·\xa0 </font>'
    flowables = [_para(value, kit, "contact_name") for label, value in data if not label]
    flowables += [_para(separator.join(part for part, _ in line), kit, "contact_line") for line in lines]
    return [Kept(flowables), Spacer(1, kit.body * 0.4)]  # each line a paragraph (role P) of its own


def box(data: dict[str, Any], kit: Kit) -> list[Flowable]:
    """An empty bordered box with a labelled line to write on for each field (e.g. the next appointment).

    When every label is short, fields go two to a row ("Date ____  Time ____"); otherwise one
    to a row, and a label too long for its column wraps rather than pushing the lines out.
    """
    label_style = kit.styles["label"]
    pad = kit.body * 0.9
    inner = kit.width - pad * 2
    widest = max(stringWidth(Paragraph(f, label_style).getPlainText(), label_style.fontName, label_style.fontSize)
                 for f in data["fields"])
    label_width = min(widest + pad, inner * 0.45)
    half = (inner - pad) / 2
    paired = label_width <= half * 0.4
    # Columns: label, line; when paired, then a gap, a label and a line again.
    widths = [label_width, half - label_width, pad, label_width, half - label_width] if paired \
        else [label_width, inner - label_width]
    blank = [""] * (len(widths) - 1)
    rows: list[list[Any]] = []
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), kit.body * 0.6),  # room to write above each line
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if data["title"]:  # optional: under a heading that says it all, the box needs none
        rows.append([_para(keep_last_words(data["title"]), kit, "callout_title", "H3"), *blank])
        style += [("SPAN", (0, 0), (-1, 0)), ("VALIGN", (0, 0), (-1, 0), "TOP"), ("TOPPADDING", (0, 0), (-1, 0), 0)]
    fields = list(data["fields"])
    step = 2 if paired else 1
    for i in range(0, len(fields), step):
        row, pair = len(rows), fields[i:i + step]
        if len(pair) == 2:
            rows.append([_para(pair[0], kit, "label"), "", "", _para(pair[1], kit, "label"), ""])
            style += [("LINEBELOW", (1, row), (1, row), 0.8, kit.colors["muted"]),
                      ("LINEBELOW", (4, row), (4, row), 0.8, kit.colors["muted"])]
        else:  # a lone field's line runs to the right edge
            rows.append([_para(pair[0], kit, "label"), *blank])
            style += [("SPAN", (1, row), (-1, row)), ("LINEBELOW", (1, row), (-1, row), 0.8, kit.colors["muted"])]
    table = _table(rows, kit, widths, style)
    frame = _table([[table]], kit, [kit.width], [
        ("BOX", (0, 0), (-1, -1), 1.2, kit.colors["primary"]),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
    ])
    return [Kept([tagged(frame, "Form")]), Spacer(1, kit.body * 0.8)]


def _table(rows: list[list[Any]], kit: Kit, widths: list[float], style: list[Any],
           kind: Callable[..., Table] = Table) -> Table:
    """A left-aligned table in the body font (ReportLab would otherwise set Helvetica, unembedded)."""
    table = kind(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), kit.styles["body"].fontName), *style]))
    return table


def _tint(color: colors.Color, strength: float) -> colors.Color:
    """`color` mixed into white: a light background that keeps dark text readable."""
    return colors.Color(*(1 - strength * (1 - c) for c in (color.red, color.green, color.blue)))


BLOCKS: dict[str, Callable[[Any, Kit], list[Flowable]]] = {
    "p": paragraph,
    "bullets": bullets,
    "callout": callout,
    "faq": faq,
    "contact": contact,
    "language_help": language_help,
    "box": box,
    "sources": sources,
}
"""The dispatch table: block kind → layout function."""

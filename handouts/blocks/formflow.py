"""Drawing form fields: lines, boxes and checkboxes that become fillable AcroForm fields.

A field is drawn here as ink on the page (a line to write on, a box) and recorded with its
place on the page; the canvas (handouts.layout) creates the AcroForm widget when the page is
finally emitted, so that each field belongs to the page it is drawn on. In the structure tree
each field is a Form element holding its widget; the ink is an artifact, the labels are P. ReportLab is imported
here, and this module only by drawings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from handouts.blocks.flow import Kit, para, table, tagged

SHORT_LINE = 1.0 * 72  # a short field's line: a date (03/02/2026) or a time fits by hand
LONG_LINE = 1.75 * 72  # the least a longer field (a name) gets
SIGN_HEIGHT = 0.45 * 72  # room above a signature line for a pen (about 11 mm)
INITIALS_BOX = (0.95 * 72, 0.45 * 72)  # width, height of the box a patient initials by hand
LABEL_GAP = 4.0
FIELD_GAP = 0.9  # between two fields on a row, in body sizes
_PLAIN = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
          ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]


@dataclass(frozen=True)
class FieldSpot:
    """A form field to create on the page being drawn: its kind, name, place and description."""

    kind: str  # "text" or "check"
    name: str
    rect: tuple[float, float, float, float]  # x, y, width, height in page coordinates
    tooltip: str  # what the field is for, shown by viewers and read by screen readers
    font_size: float


class FieldSlot(Flowable):
    """A fillable field: a line (text), a bordered box (initials) or a square (checkbox), as wide as its cell."""

    def __init__(self, name: str, tooltip: str, kit: Kit, height: float, style: str = "line",
                 width: float | None = None) -> None:
        super().__init__()
        self.name, self.tooltip, self.style = name, tooltip, style
        self.height = height
        self.fixed = width
        self.width = width or 0.0
        self.color = kit.colors["muted"]
        self.font_size = kit.body  # typed values as large as the text around them (large print too)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - ReportLab's names
        """As wide as its column (a fixed width for boxes), as high as it was made."""
        self.width = self.fixed or availWidth
        return self.width, self.height

    def draw(self) -> None:
        """The ink, and the field's place recorded for the canvas."""
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(self.color)
        canvas.setLineWidth(0.8)
        if self.style == "line":
            canvas.line(0, 0, self.width, 0)
        else:
            canvas.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canvas.restoreState()
        x, y = canvas.absolutePosition(0, 0)
        kind = "check" if self.style == "check" else "text"
        if self.style == "line":  # typed text rests just above the line, as handwriting would
            rect = (x, y + 1.5, self.width, min(self.height - 1.5, self.font_size * 1.6))
        else:
            rect = (x + 1.0, y + 1.0, self.width - 2.0, self.height - 2.0)
        add = getattr(canvas, "add_field", None)
        if add is not None:  # a plain canvas (a test drawing one block) has no form
            add(FieldSpot(kind, self.name, rect, self.tooltip, self.font_size))


def _label_width(markup: str, kit: Kit) -> float:
    style = kit.styles["label"]
    return stringWidth(Paragraph(markup, style).getPlainText(), style.fontName, style.fontSize)


def _plain(markup: str, kit: Kit) -> str:
    return Paragraph(markup, kit.styles["label"]).getPlainText().replace("\xa0", " ")


def field_height(kit: Kit) -> float:
    """How tall a line to write on is: room for handwriting at the body size."""
    return max(22.0, kit.body * 1.9)


def _widths(items: Sequence[tuple[str, str, bool]], kit: Kit) -> list[float]:
    return [min(_label_width(label, kit) + LABEL_GAP, kit.width * 0.45) for label, _, _ in items]


def pack(items: Sequence[tuple[str, str, bool]], kit: Kit) -> list[list[int]]:
    """The fields of each row, by index: as many to a row as leave each its least line."""
    gap = kit.body * FIELD_GAP
    rows: list[list[int]] = [[]]
    used = 0.0
    for i, width in enumerate(_widths(items, kit)):
        need = width + (SHORT_LINE if items[i][2] else LONG_LINE) + (gap if rows[-1] else 0)
        if rows[-1] and used + need > kit.width:
            rows.append([])
            used, need = 0.0, need - gap
        rows[-1].append(i)
        used += need
    return rows


def field_rows(items: Sequence[tuple[str, str, bool]], kit: Kit) -> Flowable:
    """Labelled lines, `(label markup, field name, short)` each, packed in rows (`pack`).

    A short field (a date, a time) gets a line SHORT_LINE long; the others share what is left
    of their row, at least LONG_LINE each, so a name has room to be written.
    """
    gap = kit.body * FIELD_GAP
    widths = _widths(items, kit)
    rows = pack(items, kit)
    lines = []
    for row in rows:
        free = kit.width - sum(widths[i] for i in row) - gap * (len(row) - 1)
        long = [i for i in row if not items[i][2]]
        rest = free - SHORT_LINE * (len(row) - len(long))
        cells: list[Any] = []
        columns: list[float] = []
        for n, i in enumerate(row):
            label, name, short = items[i]
            if n:
                cells.append("")
                columns.append(gap)
            cells += [para(label, kit, "label"), FieldSlot(name, _plain(label, kit), kit, field_height(kit))]
            columns += [widths[i], (SHORT_LINE if short else rest / len(long)) if long else free / len(row)]
        lines.append(table([cells], kit, columns, [*_PLAIN, ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    grid = table([[line] for line in lines], kit, [kit.width], [*_PLAIN, ("TOPPADDING", (0, 1), (-1, -1), 4)])
    return tagged(grid, None)  # a layout grid: no element of its own, its labels and fields go in order


def checkbox_rows(items: Sequence[tuple[str, str]], kit: Kit) -> Flowable:
    """Checkboxes with their labels, `(label markup, field name)` each, packed on as few lines as fit."""
    size = max(11.0, kit.body * 1.05)
    gap = kit.body * 1.5
    widths = [size + LABEL_GAP + min(_label_width(label, kit) + 1, kit.width - size - LABEL_GAP)
              for label, _ in items]
    rows: list[list[int]] = [[]]
    used = 0.0
    for i, width in enumerate(widths):
        if rows[-1] and used + gap + width > kit.width:
            rows.append([])
            used = 0.0
        used += width + (gap if rows[-1] else 0)
        rows[-1].append(i)
    lines = []
    for row in rows:
        cells: list[Any] = []
        columns: list[float] = []
        for n, i in enumerate(row):
            label, name = items[i]
            cells += [FieldSlot(name, _plain(label, kit), kit, size, style="check", width=size),
                      para(label, kit, "label")]
            columns += [size + LABEL_GAP, widths[i] - size - LABEL_GAP + (gap if n < len(row) - 1 else 0)]
        lines.append(table([cells], kit, columns, [*_PLAIN, ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    grid = table([[line] for line in lines], kit, [kit.width], [*_PLAIN, ("TOPPADDING", (0, 0), (-1, -1), 6)])
    return tagged(grid, None)  # a layout grid: no element of its own, its labels and fields go in order


def initials_box(label: str, name: str, kit: Kit) -> tuple[Flowable, float]:
    """A small labelled box to initial by hand (a fillable field), its label above it; and its width."""
    width, height = INITIALS_BOX
    width = max(width, _label_width(label, kit) + 2)
    slot = FieldSlot(name, _plain(label, kit), kit, max(height, kit.body * 2.2), style="box", width=width)
    box = table([[para(label, kit, "label")], [slot]], kit, [width], [*_PLAIN, ("BOTTOMPADDING", (0, 0), (0, 0), 2)])
    return tagged(box, None), width


def signature_line(label: str, kit: Kit) -> Flowable:
    """A labelled line with room above it to sign by hand (ink only: a signature is never a typed field)."""
    width = _label_width(label, kit) + LABEL_GAP
    line = table([[para(label, kit, "label"), ""]], kit, [width, kit.width - width], [
        *_PLAIN, ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (1, 0), (1, 0), 0.8, kit.colors["text"]),
        ("TOPPADDING", (0, 0), (-1, -1), max(SIGN_HEIGHT, kit.body * 3)),
    ])
    return tagged(line, None)

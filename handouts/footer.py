"""The page footer: its lines for one document, wrapped to the page width, and their drawing.

The footer grows upward from a fixed distance above the paper's edge; the body frame ends
above it, so a larger `small` size or a longer clinic name takes room from the body, never
from the paper's edge, and nothing is cut short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from handouts.fonts import register
from handouts.errors import Where
from handouts.model import Layout, ResolvedDocument
from handouts.tags import Element, content

EDGE = 0.35 * 72  # the lowest footer text stays this far above the paper's edge (printers clip less)
# In multiples of the footer's text size:
DESCENT = 0.25  # below a baseline, for the descenders of g, p, y
LEADING = 1.25  # from one footer line to the next
RULE_GAP = 1.3  # from the rule down to the first baseline
BODY_GAP = 0.75  # from the end of the body down to the rule
SEPARATOR = "  ·  "
WIDEST_PAGE = 999  # "Page X of Y" gets room for numbers this wide
QR_SIZE = 28 / 25.4 * 72  # a form's QR code, quiet zone included: 28 mm, read by phone and by a 100 dpi scan


@dataclass(frozen=True)
class Footer:
    """One document's footer: left-aligned lines, the first beside "Page X of Y" on the right."""

    lines: tuple[str, ...]
    page_of: str  # the label, with {page} and {pages}
    size: float
    qr: tuple[tuple[str, str], ...] = ()  # a form's QR code fields (page i/n is added per page); () for none
    longest: Where = Where("")  # where its widest part comes from: what to shorten when it takes the page
    clinic_lines: int = 1  # how many of the first lines hold the clinic's name and phone

    @property
    def qr_size(self) -> float:
        """The QR code's side in points, 0 without one."""
        return QR_SIZE if self.qr else 0.0

    @property
    def inset(self) -> float:
        """Room kept at the right of the text lines for the QR code."""
        return self.qr_size + self.size if self.qr else 0.0

    def baseline(self, line: int) -> float:
        """How far above the paper's edge line `line` (0 at the top) sits."""
        return EDGE + self.size * (DESCENT + LEADING * (len(self.lines) - 1 - line))

    @property
    def rule(self) -> float:
        """How far above the paper's edge the rule over the footer is drawn (above the QR code, if any)."""
        return max(self.baseline(0) + self.size * RULE_GAP, EDGE + self.qr_size + self.size * DESCENT * 2)

    @property
    def height(self) -> float:
        """How far above the paper's edge the body must end to stay clear of the footer."""
        return self.rule + self.size * BODY_GAP


def footer_for(doc: ResolvedDocument, layout: Layout, qr_mrn: str | None = None) -> Footer:
    """The footer of a document: clinic name and phone, then its title, content version and review date.

    A form's footer also names the form, the hash of the text that made it and its language,
    beside a QR code carrying the same (and the MRN only when `qr_mrn` is given).
    """
    labels = doc.labels
    size = layout.type["small"]
    regular, bold = register(layout.fonts["regular"], layout.fonts["bold"])
    qr: tuple[tuple[str, str], ...] = ()
    mark = doc.form
    if mark is not None:
        qr = (("form", mark.form_id), ("v", doc.version), ("lang", doc.job.lang), ("clinic", doc.job.clinic.id),
              ("hash", mark.content_hash))
        qr += (("mrn", qr_mrn),) if qr_mrn else ()
    width = layout.page_size[0] - layout.margins["left"] - layout.margins["right"] - (QR_SIZE + size if qr else 0)
    widest = _page_of(labels["page_of"], WIDEST_PAGE, WIDEST_PAGE)
    first = width - stringWidth(widest, bold, size) - size

    def room(line: int) -> float:
        return first if line == 0 else width

    clinic, content = doc.job.clinic, Where(str(doc.job.document.where.file))
    parts = [  # each part of the footer, and where its text comes from
        (doc.clinic_name, clinic.where_of("name")),
        (f"{labels['phone']} {doc.phone}", clinic.where_of("phone")),
        (doc.plain_title, doc.job.document.title[doc.job.lang].where),
        (f"{labels['version']} {doc.version}", content.at(f"labels.{doc.job.lang}.version")),
        (f"{labels['reviewed']} {doc.reviewed}", content.at(f"labels.{doc.job.lang}.reviewed")),
    ]
    groups = [[text for text, _ in parts[:2]], [text for text, _ in parts[2:]]]
    if mark is not None:
        groups.append([f"{labels['form']} {mark.form_id}", f"#{mark.content_hash}", mark.language])
    lines: list[str] = []
    clinic_lines = 0
    for group in groups:
        line = ""
        for part in group:
            joined = f"{line}{SEPARATOR}{part}" if line else part
            if stringWidth(joined, regular, size) <= room(len(lines)):
                line = joined
                continue
            if line:
                lines.append(line)
            # A part too wide for a whole line (a very long clinic name) wraps, each line to its own width.
            *full, line = wrap(part, regular, size, lambda n: room(len(lines) + n))
            lines.extend(full)
        lines.append(line)
        clinic_lines = clinic_lines or len(lines)
    longest = max(parts, key=lambda part: stringWidth(part[0], regular, size))[1]
    return Footer(tuple(lines), labels["page_of"], size, qr, longest, clinic_lines)


def wrap(text: str, font: str, size: float, room: Callable[[int], float]) -> list[str]:
    """`text` in lines no wider than room(n) for line n: broken at spaces, and inside a word only
    when the word alone is too wide, so that nothing is cut off or drawn past the margin."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while True:
            joined = f"{line} {word}" if line else word
            if stringWidth(joined, font, size) <= room(len(lines)):
                line = joined
                break
            if line:  # the word starts the next line
                lines.append(line)
                line = ""
                continue
            if len(word) == 1:  # not even one character fits: set it anyway rather than loop for ever
                line = word
                break
            # A word wider than a whole line: as much of it as fits, one character at least, found by
            # halving (a long pasted value costs a few dozen measurements a line, not one per character).
            low, high = 1, len(word) - 1
            while low < high:
                middle = (low + high + 1) // 2
                if stringWidth(word[:middle], font, size) <= room(len(lines)):
                    low = middle
                else:
                    high = middle - 1
            cut = low
            lines.append(word[:cut])
            word = word[cut:]
    return [*lines, line]


def draw_footer(canvas: Canvas, footer: Footer, layout: Layout, number: int, total: int,
                clinic: Element | None = None) -> None:
    """Draw the footer of page `number` of `total`; its lines with the clinic's name and phone as
    content of `clinic` when given (else all of it is an artifact)."""
    left = layout.margins["left"]
    right = layout.page_size[0] - layout.margins["right"]
    regular, bold = register(layout.fonts["regular"], layout.fonts["bold"])
    if footer.qr:
        draw_qr(canvas, qr_payload(footer.qr, number, total), right - footer.qr_size, EDGE, footer.qr_size)
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor(layout.colors["rule"]))
    canvas.setLineWidth(0.6)
    canvas.line(left, footer.rule, right, footer.rule)
    canvas.setFillColor(colors.HexColor(layout.colors["muted"]))
    canvas.setFont(bold, footer.size)
    canvas.drawRightString(right - footer.inset, footer.baseline(0), _page_of(footer.page_of, number, total))
    canvas.setFont(regular, footer.size)
    for i, line in enumerate(footer.lines):
        with content(canvas, clinic if i < footer.clinic_lines else None):
            canvas.drawString(left, footer.baseline(i), line)
    canvas.restoreState()


def _page_of(label: str, page: int, pages: int) -> str:
    return label.replace("{page}", str(page)).replace("{pages}", str(pages))


def qr_payload(fields: Sequence[tuple[str, str]], page: int, pages: int) -> str:
    """What a form page's QR code says: `key=value` pairs joined by ';', the page as i/n."""
    return ";".join(f"{key}={value}" for key, value in [*fields, ("page", f"{page}/{pages}")])


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code (error correction M, its quiet zone inside `size`) with its lower-left corner at x, y.

    Its dark modules are drawn as filled rectangles straight onto the page: ReportLab's
    drawing renderer would also name Helvetica in the page's fonts, a font nothing uses.
    """
    from reportlab.graphics.barcode.qr import QrCodeWidget

    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(size / (x1 - x0), size / (y1 - y0))
    canvas.translate(-x0, -y0)
    canvas.setFillColor(colors.black)
    for shape in widget.draw().contents:
        if getattr(shape, "fillColor", None) is not None:  # the first, unfilled one is the quiet zone
            canvas.rect(shape.x, shape.y, shape.width, shape.height, stroke=0, fill=1)
    canvas.restoreState()

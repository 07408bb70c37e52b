"""The page header: the clinic's logo and name on page 1, its name over the brand rule on later pages.

The clinic's name is never cut short. It is set smaller, down to the layout's limit, then
wrapped onto as many as MAX_NAME_LINES lines, and the header grows to hold them; a name that
needs more is refused before anything is written (`name_problems`). A logo is fitted by its
height and by its width, so a wide wordmark leaves the name its room.

In the structure tree (handouts.tags) the headers are artifacts, running headers that repeat
on every page, except the logo: a Figure whose alternative text is the clinic's `logo_alt`,
else its name. The name printed beside the logo stays an artifact, so a screen reader says
the clinic once; the contact block (a handout) or page 1's footer line with its name and phone
(a consent or aftercare sheet, handouts.layout) says it again where it is content.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from handouts.errors import Problem
from handouts.fonts import register
from handouts.footer import wrap
from handouts.model import Clinic, Layout, ResolvedDocument
from handouts.tags import figure

HEADER_NAME_GAP = 12.0  # from the logo to the name
LOGO_TO_RULE = 6.0  # from the letterhead (page 1) down to the brand rule
NAME_TO_RULE = 4.0  # from the running header's name (later pages) down to the rule
LOGO_PPI = 300  # pixels per inch a logo keeps at its printed size
LOGO_MOST = 0.4  # a logo takes at most this share of the text width: a wider one is set smaller
MAX_NAME_LINES = 3
LINE = 1.2  # from one line of the name to the next, in multiples of its size
STEP = 0.25  # points: the name is set smaller in steps this big


@dataclass(frozen=True)
class NameLines:
    """The clinic's name as set in a header: its lines and their size."""

    lines: tuple[str, ...]
    size: float

    @property
    def height(self) -> float:
        """The height the lines take."""
        return len(self.lines) * self.size * LINE


@dataclass(frozen=True)
class Letterhead:
    """Page 1's header: the logo's drawn size (0 x 0 without one) and the name beside it."""

    logo_width: float
    logo_height: float
    name: NameLines | None  # None: the name needs more than MAX_NAME_LINES lines

    def band(self, layout: Layout) -> float:
        """The height of the logo-and-name band: the layout's logo height, or more for a long name."""
        return max(layout.header["logo_height"], self.name.height if self.name else 0.0)


def set_name(text: str, font: str, size: float, width: float, smallest: float) -> NameLines | None:
    """`text` in the fewest lines (at most MAX_NAME_LINES) no wider than `width`, each at the
    largest size from `size` down to `smallest` points that needs no more; None when even
    MAX_NAME_LINES lines at `smallest` are not enough."""
    per_point = stringWidth(text, font, 1.0)  # widths scale with the size: the whole name is measured once
    for count in range(1, MAX_NAME_LINES + 1):
        fitted = size
        while fitted >= smallest - 1e-9:
            # A name wider than `count` whole lines cannot fit in them: no need to wrap it to know.
            if per_point * fitted <= count * width:
                lines = wrap(text, font, fitted, lambda _: width)
                if len(lines) <= count:
                    return NameLines(tuple(lines), fitted)
            fitted -= STEP
    return None


def letterhead(name: str, logo: Path | None, layout: Layout) -> Letterhead:
    """How page 1's header sets this clinic's logo and name in this layout."""
    text_width = layout.page_size[0] - layout.margins["left"] - layout.margins["right"]
    logo_w = logo_h = 0.0
    if logo is not None:
        logo_h = layout.header["logo_height"]
        iw, ih = _logo_image(logo, logo_h).getSize()
        logo_w = logo_h * iw / ih
        if logo_w > text_width * LOGO_MOST:
            logo_w = text_width * LOGO_MOST
            logo_h = logo_w * ih / iw
    room = text_width - (logo_w + HEADER_NAME_GAP if logo is not None else 0.0)
    size = layout.header["name_size"]
    bold = register(layout.fonts["regular"], layout.fonts["bold"])[1]
    # Set smaller to fit, but never below the layout's smallest text (14 pt in large print).
    return Letterhead(logo_w, logo_h, set_name(name, bold, size, room, max(0.75 * size, layout.type["small"])))


def running_name(name: str, layout: Layout) -> NameLines | None:
    """How later pages' header sets the clinic's name: the footer's size or a little more, the full width."""
    size = max(layout.type["small"], layout.header["name_size"] * 0.75)
    bold = register(layout.fonts["regular"], layout.fonts["bold"])[1]
    text_width = layout.page_size[0] - layout.margins["left"] - layout.margins["right"]
    return set_name(name, bold, size, text_width, layout.type["small"])


def header_height(layout: Layout, head: Letterhead | None = None) -> float:
    """From the top margin to where the body starts, under page 1's letterhead (a one-line name when `head` is None)."""
    band = head.band(layout) if head else layout.header["logo_height"]
    return band + LOGO_TO_RULE + layout.header["rule"] + layout.header["gap"]


def running_header_height(layout: Layout, name: NameLines | None = None) -> float:
    """From the top margin to where the body starts on later pages (a one-line name when `name` is None)."""
    lines = name.height if name else max(layout.type["small"], layout.header["name_size"] * 0.75) * LINE
    return lines + NAME_TO_RULE + layout.header["rule"] + layout.header["gap"]


def name_problems(clinic: Clinic, name: str, layout: Layout) -> list[Problem]:
    """Why this clinic's name cannot be printed whole in this layout's headers, if it cannot."""
    if letterhead(name, clinic.logo, layout).name is not None and running_name(name, layout) is not None:
        return []
    beside = " beside the logo" if clinic.logo is not None else ""
    return [Problem(clinic.where_of("name"),
                    f"too long to print whole in the page header of the {layout.name!r} layout: its "
                    f"{len(name)} characters need more than {MAX_NAME_LINES} lines{beside} at the smallest size "
                    f"({max(0.75 * layout.header['name_size'], layout.type['small']):g} pt); shorten it")]


def draw_letterhead(canvas: Canvas, doc: ResolvedDocument, head: Letterhead, layout: Layout, brand: colors.Color) -> None:
    """Page 1: the logo, the clinic's name beside it (both centred in their band), the brand rule under them."""
    left = layout.margins["left"]
    top = layout.page_size[1] - layout.margins["top"]
    band = head.band(layout)
    middle = top - band / 2
    x = left
    if doc.logo is not None:
        image = _logo_image(doc.logo, head.logo_height)
        bottom = middle - head.logo_height / 2
        with figure(canvas, doc.logo_alt or doc.clinic_name, (left, bottom, left + head.logo_width, bottom + head.logo_height)):
            canvas.drawImage(image, left, bottom, head.logo_width, head.logo_height, mask="auto")
        x = left + head.logo_width + HEADER_NAME_GAP
    assert head.name is not None  # name_problems refused the document before it got here
    _draw_name(canvas, head.name, layout, brand, x, middle)
    _rule(canvas, doc, layout, brand, top - band - LOGO_TO_RULE)


def draw_running_header(canvas: Canvas, doc: ResolvedDocument, name: NameLines, layout: Layout,
                        brand: colors.Color) -> None:
    """Later pages: the clinic's name over the brand rule, without the logo."""
    top = layout.page_size[1] - layout.margins["top"]
    _draw_name(canvas, name, layout, brand, layout.margins["left"], top - name.height / 2)
    _rule(canvas, doc, layout, brand, top - name.height - NAME_TO_RULE)


def _draw_name(canvas: Canvas, name: NameLines, layout: Layout, brand: colors.Color, x: float, middle: float) -> None:
    """The name's lines, the block centred on `middle`; a line's middle is about 0.35 of its size above its baseline."""
    canvas.setFillColor(brand)
    canvas.setFont(register(layout.fonts["regular"], layout.fonts["bold"])[1], name.size)
    step = name.size * LINE
    first = middle + step * (len(name.lines) - 1) / 2
    for i, line in enumerate(name.lines):
        canvas.drawString(x, first - i * step - name.size * 0.35, line)


def _rule(canvas: Canvas, doc: ResolvedDocument, layout: Layout, brand: colors.Color, y: float) -> None:
    """The brand-coloured rule under a header, with the accent colour's stub at its left end."""
    left, right = layout.margins["left"], layout.page_size[0] - layout.margins["right"]
    canvas.setStrokeColor(brand)
    canvas.setLineWidth(layout.header["rule"])
    canvas.line(left, y, right, y)
    canvas.setStrokeColor(colors.HexColor(doc.accent_color or layout.colors["accent"]))
    canvas.line(left, y, left + (right - left) * 0.12, y)


def _logo_image(path: Path, height: float) -> ImageReader:
    """The logo for printing `height` points high, decoded again only when the file has changed."""
    stat = path.stat()
    return _image(path, stat.st_mtime_ns, stat.st_size, round(height, 3))


@lru_cache(maxsize=64)
def _image(path: Path, mtime_ns: int, size: int, height: float) -> ImageReader:  # noqa: ARG001 - mtime, size: a changed logo is read again
    """A logo, decoded once for every document that shares it while the file stays the same, and
    downsampled to print resolution (LOGO_PPI at `height` points): more pixels would only make
    every PDF bigger and slower to write, not the print sharper."""
    from PIL import Image

    with Image.open(path) as opened:
        image = opened.copy()
    most = max(1, round(height / 72 * LOGO_PPI))
    if image.height > most:
        width = max(1, round(image.width * most / image.height))
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
        image = image.resize((width, most), Image.Resampling.LANCZOS)
    return ImageReader(image)

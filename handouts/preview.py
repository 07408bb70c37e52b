"""One page of one document drawn to a PNG with PDFium: a look at a page without a PDF viewer or a PDF on disk."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from handouts.api import Selection, document_pdf
from handouts.errors import HandoutsError, Problem, RunFailure, Where
from handouts.write import atomic_write, cause

DEFAULT_DPI = 110.0  # a Letter page is 935 x 1210 pixels: the whole page fits a laptop screen, the text readable
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class PagePreview:
    """A rendered page: the PNG's bytes, which page of how many, and its size in pixels."""

    png: bytes
    page: int
    pages: int
    width: int
    height: int


def preview(selection: Selection, document_id: str, page: int = 1, dpi: float = DEFAULT_DPI) -> PagePreview:
    """Page `page` (1-based) of a document for the selected clinic, treatment and language, as a PNG."""
    return render_page(document_pdf(selection, document_id), page, dpi, f"the {document_id}")


def render_page(pdf: bytes, page: int, dpi: float = DEFAULT_DPI, label: str = "the document") -> PagePreview:
    """Draw one page of a PDF (with its form fields) at `dpi`; a page it does not have is a usage error."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # PDFium ships no type hints

    document = pdfium.PdfDocument(pdf)
    try:
        pages = len(document)
        if not 1 <= page <= pages:
            raise HandoutsError([f"--page {page}: {label} has {pages} page{'s' if pages != 1 else ''} "
                                 f"(choose 1{f' to {pages}' if pages > 1 else ''})"])
        document.init_forms()  # draw the consent's fields as a viewer would
        pdf_page = document[page - 1]
        try:
            image = pdf_page.render(scale=dpi / POINTS_PER_INCH, may_draw_forms=True).to_pil()
        finally:
            pdf_page.close()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))  # the dpi, so an image viewer can show it at paper size
    return PagePreview(buffer.getvalue(), page, pages, image.width, image.height)


def write_png(path: Path, png: bytes) -> None:
    """Write the PNG atomically: a viewer that has the old one open never sees half of the new one."""
    try:
        atomic_write(path, png)
    except OSError as exc:
        raise RunFailure([Problem(Where(str(path)), f"could not be written: {cause(exc)}")]) from None

"""Finish a laid-out PDF with pypdf: PDF version, dates from the content, a stable file ID, viewer settings."""

from __future__ import annotations

import datetime
import hashlib
import io
import os

from handouts.model import ResolvedDocument

PDF_HEADER = "%PDF-1.7"  # pypdf would write 1.3; what ReportLab lays out is valid PDF 1.7 (ISO 32000-1)


def pdf_date(reviewed: str) -> str:
    """The PDF date of a build: SOURCE_DATE_EPOCH when set, else the content's review date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        when = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    else:
        when = datetime.datetime.combine(datetime.date.fromisoformat(reviewed), datetime.time(), datetime.timezone.utc)
    return when.strftime("D:%Y%m%d%H%M%SZ")


def finish(pdf: bytes, doc: ResolvedDocument) -> bytes:
    """Stamp PDF 1.7, dates and a content-derived /ID, and ask viewers to show the title, not the file name."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, BooleanObject, ByteStringObject, DictionaryObject, NameObject

    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.pdf_header = PDF_HEADER
    date = pdf_date(doc.reviewed)
    writer.add_metadata({"/CreationDate": date, "/ModDate": date, "/Producer": "handouts (ReportLab, pypdf)"})
    writer._root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)}
    )
    # The same input gives the same bytes: the file ID is a digest of what ReportLab laid out.
    digest = ByteStringObject(hashlib.sha256(pdf).digest()[:16])
    writer._ID = ArrayObject([digest, digest])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

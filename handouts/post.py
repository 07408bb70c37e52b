"""The PDF's own details, which ReportLab writes as it lays out: version, dates, viewer settings.

No second pass over the file: ReportLab sets the version, the dates (from the content's review
date, or SOURCE_DATE_EPOCH), the title shown by viewers and the language, in invariant mode, so
the same input gives the same bytes. What ReportLab cannot do itself belongs here: the file ID as
a digest of the whole file (`file_id`), filling, flattening and merging forms. `xmp` writes the
XMP metadata PDF/UA asks for (pdfuaid:part 1, dc:title), set in the catalog as the canvas saves.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import time
from html import escape
from typing import Any

PDF_VERSION = (1, 7)  # what ReportLab lays out is valid PDF 1.7 (ISO 32000-1); it would declare 1.4
PRODUCER = "handouts (ReportLab)"


def pdf_moment(reviewed: str) -> datetime.datetime:
    """When a build is dated: SOURCE_DATE_EPOCH when set, else the content's review date (midnight UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    return datetime.datetime.combine(datetime.date.fromisoformat(reviewed), datetime.time(), datetime.timezone.utc)


def pdf_date(reviewed: str) -> str:
    """The PDF date of a build, as written in the file: D:YYYYMMDDhhmmssZ."""
    return pdf_moment(reviewed).strftime("D:%Y%m%d%H%M%SZ")


def stamp(canvas: Any, reviewed: str) -> None:
    """Set a new ReportLab canvas's dates, producer and viewer settings (call before anything is drawn)."""
    from reportlab.lib.utils import TimeStamp

    moment = pdf_moment(reviewed)
    stamp_time = TimeStamp(invariant=1)  # ReportLab's own type, its fields set to the build's date in UTC
    stamp_time.t = moment.timestamp()
    stamp_time.lt = time.gmtime(stamp_time.t)
    stamp_time.YMDhms = tuple(stamp_time.lt)[:6]
    stamp_time.dhh = stamp_time.dmm = 0
    canvas._doc._timeStamp = stamp_time  # what the info dictionary's CreationDate and ModDate print
    canvas.setDateFormatter(lambda *ymdhms: "D:%04d%02d%02d%02d%02d%02dZ" % ymdhms)
    canvas.setProducer(PRODUCER)
    canvas.setViewerPreference("DisplayDocTitle", "true")  # viewers show the title, not the file name


def xmp(title: str, author: str, reviewed: str, producer: str) -> bytes:
    """The document's XMP metadata: title, author, producer and dates as its info dictionary has them,
    and the PDF/UA-1 identification (pdfuaid:part 1). Only these: it is written uncompressed in
    every PDF (the catalog's /Lang gives the language)."""
    moment = pdf_moment(reviewed).strftime("%Y-%m-%dT%H:%M:%SZ")
    title, author, producer = (escape(value) for value in (title, author, producer))
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
<pdf:Producer>{producer}</pdf:Producer>
<xmp:CreatorTool>handouts</xmp:CreatorTool>
<xmp:CreateDate>{moment}</xmp:CreateDate>
<xmp:ModifyDate>{moment}</xmp:ModifyDate>
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


_TRAILER_ID = re.compile(rb"/ID\s*\[<([0-9a-fA-F]{32})><\1>\]")


def file_id(pdf: bytes) -> bytes:
    """`pdf` (as ReportLab wrote it) with its file ID set to a digest of the whole file.

    In invariant mode ReportLab digests only the title, author and subject (and a fixed time), so
    two PDFs with other text would share an ID, which readers and archives take for one document.
    The new ID has the same length, in the trailer after the cross-reference table: no offset moves.
    """
    found = list(_TRAILER_ID.finditer(pdf))
    if not found:
        raise ValueError("ReportLab wrote no file ID where one was expected")
    start, end = found[-1].span()
    digest = hashlib.sha256(pdf).hexdigest()[:32].encode("ascii")  # the 16 bytes ReportLab's ID has
    return pdf[:start] + pdf[start:end].replace(found[-1].group(1), digest) + pdf[end:]

"""A document's fingerprint: a digest of everything that goes into its PDF, and nothing else.

A re-run skips a document whose fingerprint and file are unchanged. So the digest covers the
resolved text (not the YAML it came from: moving a paragraph or adding a comment in
content.yaml changes line numbers, not PDFs), the clinic values printed in header, footer and
metadata, the layout, the bytes of the fonts and logo, the PDF date, and the code that draws:
this package's source and ReportLab's version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from handouts import __version__
from handouts.fonts import FONT_DIR
from handouts.model import Layout, ResolvedDocument
from handouts.tags import MARKER


def fingerprint(doc: ResolvedDocument, layout: Layout, pdf_date: str) -> str:
    """The hex sha256 of what makes this document's PDF, in a stable order."""
    job = doc.job
    made_of = {
        "code": _code_versions(),
        "layout": dataclasses.asdict(layout),
        "fonts": {name: _file_digest(FONT_DIR / name) for name in sorted(set(layout.fonts.values()))},
        "logo": _file_digest(doc.logo) if doc.logo is not None else None,
        "date": pdf_date,
        "job": [job.clinic.id, job.document.id, job.lang, job.treatment, job.name],
        "document": {
            "title": doc.title, "plain_title": doc.plain_title, "subject": doc.subject,
            "clinic_name": doc.clinic_name, "phone": doc.phone, "labels": dict(doc.labels),
            "version": doc.version, "reviewed": doc.reviewed,
            "colors": [doc.primary_color, doc.accent_color],
            "sections": [[s.id, s.heading, [[b.kind, b.data] for b in s.blocks]] for s in doc.sections],
        },
    }
    text = json.dumps(made_of, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(doc: ResolvedDocument) -> str:
    """A short digest of a document's exact text for one clinic (what a form prints on every page).

    Two printed forms with the same hash say the same words; unlike the fingerprint, it
    ignores the layout, fonts and code, which change how a form looks, not what it says, and
    the structure tags' markers in the text (handouts.tags), which change how it is read out.
    """
    said = {
        "title": doc.title, "subject": doc.subject, "clinic": [doc.clinic_name, doc.phone],
        "labels": dict(doc.labels), "version": doc.version, "language": doc.job.lang,
        "sections": [[s.id, s.heading, [[b.kind, _untagged(b.data)] for b in s.blocks]] for s in doc.sections],
    }
    text = json.dumps(said, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _untagged(data: Any) -> Any:
    """A block's resolved data without the structure markers in its text."""
    if isinstance(data, str):
        return MARKER.sub("", data)
    if isinstance(data, dict):
        return {key: _untagged(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_untagged(item) for item in data]
    return data


def _plain(value: Any) -> Any:
    """What json cannot write itself: tuples become lists on their own; paths become text."""
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


@lru_cache(maxsize=1)
def _code_versions() -> dict[str, str]:
    """The code that lays out and writes the PDF: ReportLab's version, and this package's own source
    by content (a fix between releases must rebuild, not hide behind 0.1.0)."""
    package = Path(__file__).parent
    source = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        source.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    import reportlab

    # ReportLab's own version string: package metadata is missing from some bundled installs.
    return {"handouts": f"{__version__}+{source.hexdigest()[:16]}", "reportlab": reportlab.Version}


def _file_digest(path: Path) -> str:
    """A file's sha256, read once while it stays the same size and age (a chain's clinics often share a logo)."""
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _digest(path: Path, mtime_ns: int, size: int) -> str:  # noqa: ARG001 - the key: a changed file is read again
    return hashlib.sha256(path.read_bytes()).hexdigest()

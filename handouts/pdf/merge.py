"""Merge PDFs into one packet: a bookmark per part, and every part's form fields still working.

Field names are made unique by putting each part's fields under a parent named for the part
(`consent.patient_name`), and every part's default-resource fonts (/AcroForm /DR) are carried
into the packet: a field whose /DA names a font the packet lacks would be redrawn wrongly, or
not at all, by a viewer that regenerates it. Two parts' fonts of one name but different
content (two subsets of the fill font) keep both, the later one renamed in its part's /DA strings.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any, Sequence

from handouts.errors import HandoutsError, Problem, Where, stable_reason


@dataclass(frozen=True)
class Part:
    """One document of a packet: its key (the parent of its field names), its title (its bookmark), its bytes."""

    key: str
    title: str
    pdf: bytes
    source: str = ""  # the file it came from, named if it cannot be merged


def merge(parts: Sequence[Part]) -> bytes:
    """The parts in order, in one PDF."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import BooleanObject, DictionaryObject, NameObject

    writer = PdfWriter()
    fonts: dict[str, Any] = {}  # the packet's /DR fonts: name -> font object (in its reader)
    for part in parts:
        try:
            reader = PdfReader(io.BytesIO(part.pdf))
            form: Any = reader.root_object.get("/AcroForm")
            if form is not None and reader.get_fields():
                form = form.get_object()
                _carry_fonts(reader, form, part.key, fonts)
                reader.add_form_topname(part.key)
            writer.append(reader, outline_item=part.title, import_outline=True)
        except Exception as exc:  # noqa: BLE001 - an outside file's oddity, named rather than a traceback
            raise HandoutsError([Problem(Where(part.source or part.key), "could not be added to the packet "
                                         f"({type(exc).__name__}: {stable_reason(str(exc))})")]) from None
    if fonts:
        packet_form: Any = writer.root_object["/AcroForm"]
        resources = packet_form.setdefault(NameObject("/DR"), DictionaryObject())
        target = resources.setdefault(NameObject("/Font"), DictionaryObject())
        for name, font in fonts.items():
            if name not in target:
                copy = font.clone(writer)
                target[NameObject(name)] = copy.indirect_reference or writer._add_object(copy)
        packet_form[NameObject("/NeedAppearances")] = BooleanObject(False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _identity(font: Any) -> tuple[str, str]:
    font = font.get_object()
    return str(font.get("/Subtype", "")), str(font.get("/BaseFont", ""))


def _carry_fonts(reader: Any, form: Any, key: str, fonts: dict[str, Any]) -> None:
    """Add a part's /DR fonts to `fonts`; a clash renames the part's font and the /DA strings that name it."""
    from pypdf.generic import NameObject, TextStringObject

    own = form.get("/DR", {}).get("/Font", {})
    own = own.get_object() if hasattr(own, "get_object") else own
    renames: dict[str, str] = {}
    for name in list(own.keys()):
        font = own[name]
        if name in fonts and _identity(fonts[name]) != _identity(font):
            new = f"{name}_{key}"
            renames[name] = new
            own[NameObject(new)] = own[name]
            del own[name]
            name = new
        fonts.setdefault(name, font.get_object())
    if not renames:
        return
    pattern = re.compile(r"/(" + "|".join(re.escape(n[1:]) for n in renames) + r")(?=\s)")

    def rename(holder: Any) -> None:
        if "/DA" in holder:
            holder[NameObject("/DA")] = TextStringObject(pattern.sub(lambda m: renames["/" + m.group(1)],
                                                                     str(holder["/DA"])))

    rename(form)
    for page in reader.pages:
        for annotation in page.get("/Annots", ()):
            widget = annotation.get_object()
            rename(widget)
            if "/Parent" in widget:
                rename(widget["/Parent"].get_object())

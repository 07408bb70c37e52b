"""Fill a built form's fields, and flatten it: values every viewer draws the same.

ReportLab's form fields know only the 14 standard fonts, whose encoding has no "ễ": a
Vietnamese name would print as "?". So a form is built blank and filled here with pypdf:
a subset of the shipped Noto Sans holding just the characters of the values is embedded in
the form's default resources (/AcroForm /DR), each filled field's default appearance names
it at a size that fits the field, and pypdf draws each value's appearance with it. Viewers
are told not to redraw the values (NeedAppearances false), which some do badly. Checkboxes
take their exact on-state, /Yes: any other name would leave them silently unchecked.

Flattening (pikepdf, i.e. qpdf) turns those appearances into page content and removes the
fields: pypdf's own flattening leaves the widgets in place. A tagged form's widgets are drawn
first by handouts.pdf.flat, which keeps the values in the structure tree.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from typing import Any, Iterable, Mapping

from handouts.errors import HandoutsError, Problem, Where
from handouts.fonts import FONT_DIR, missing_glyphs

FILL_FONT = "NotoSans-Regular.ttf"
FONT_KEY = "/HandoutsFill"  # the font's name in /AcroForm /DR
ON = "/Yes"  # the on-state of the checkboxes handouts.layout makes
SMALLEST = 6.0  # points: a value that would need smaller type than this is refused
DEFAULT_SIZE = 11.0  # points, for a field whose /DA names no size
_DA_SIZE = re.compile(r"([0-9.]+)\s+Tf\b")
PADDING = 2.0  # points kept free at each end of a field


def fill(pdf: bytes, values: Mapping[str, str], checked: Iterable[str] = (), label: str = "form") -> bytes:
    """`pdf` with its text fields set to `values` and the checkboxes named in `checked` ticked.

    Problems name the field, never its value (values are patient data); `label` names the form.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    values = {name: unicodedata.normalize("NFC", " ".join(str(v).split())) for name, v in values.items() if v}
    checked = list(checked)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    kinds = {name: field.get("/FT") for name, field in (writer.get_fields() or {}).items()}
    problems = [f"{label} has no field {name!r}" for name in [*values, *checked] if name not in kinds]
    problems += [f"{label}: field {name!r} is not a text field" for name in values if kinds.get(name, "/Tx") != "/Tx"]
    problems += [f"{label}: field {name!r} is not a checkbox" for name in checked if kinds.get(name, "/Btn") != "/Btn"]
    # Named by field, never by character: the characters of a name would spell it out.
    problems += [f"{label}: field {name!r} has characters no shipped font can print"
                 for name, value in values.items() if missing_glyphs(value)]
    _fail(problems)
    if values:
        acro_form = writer.root_object["/AcroForm"]
        _embed_font(writer, acro_form, "".join(values.values()))
        problems = []
        for page in writer.pages:
            for widget in (a.get_object() for a in page.get("/Annots", ())):
                name = widget.get("/T")
                if name in values:
                    size = _size(values[name], widget)
                    if size is None:
                        problems.append(f"{label}: the value for field {name!r} is too long to fit it")
                    else:
                        widget[NameObject("/DA")] = TextStringObject(f"{FONT_KEY} {size:.1f} Tf 0 g")
        _fail(problems)
    writer.update_page_form_field_values(None, {**values, **{name: ON for name in checked}}, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flatten(pdf: bytes) -> bytes:
    """`pdf` with every field's appearance drawn into its page and no form fields left."""
    import pikepdf

    from handouts.pdf.flat import flatten_tagged

    with pikepdf.open(io.BytesIO(pdf)) as document:
        if "/StructTreeRoot" in document.Root:
            flatten_tagged(document)
        document.flatten_annotations(mode="all")
        if "/AcroForm" in document.Root:  # qpdf leaves an empty form behind
            del document.Root["/AcroForm"]
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
    return out.getvalue()


def _fail(problems: list[str]) -> None:
    if problems:
        raise HandoutsError([Problem(Where(""), p) for p in problems])


def _embed_font(writer: Any, acro_form: Any, text: str) -> None:
    """Put a subset of the fill font holding the characters of `text` into the form's /DR."""
    from pypdf.generic import DictionaryObject, NameObject
    from pypdf.generic._font import Font  # not exported; pinned pypdf (pyproject) keeps it where it is

    resources = acro_form.setdefault(NameObject("/DR"), DictionaryObject())
    fonts = resources.setdefault(NameObject("/Font"), DictionaryObject())
    font = Font.from_truetype_font_file(io.BytesIO(_subset(frozenset(text) | {" "})))
    # pypdf's own step for this (it embeds a font the same way when a DR font cannot encode a value).
    font._add_to_writer(writer, fonts, NameObject(FONT_KEY))


def _subset(chars: frozenset[str]) -> bytes:
    """The fill font cut down to `chars`, renamed with a subset tag as PDF asks (ABCDEF+Name)."""
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    options = subset.Options()
    options.layout_features = []  # values are set as plain glyphs, one per character
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]  # so no shaping tables either
    options.hinting = False  # viewers scale outlines well; hints would make it 3 times bigger and slower to cut
    options.name_IDs = [1, 2, 4, 6]
    digest = hashlib.sha256("".join(sorted(chars)).encode("utf-8")).digest()
    tag = "".join(chr(ord("A") + b % 26) for b in digest[:6])
    out = io.BytesIO()
    # Read lazily: only the tables a subset needs are parsed (about 5 times faster per patient).
    with TTFont(str(FONT_DIR / FILL_FONT), recalcTimestamp=False, lazy=True) as font:  # same values, same bytes
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(ord(c) for c in chars))
        subsetter.subset(font)
        for record in font["name"].names:
            if record.nameID in (4, 6):
                record.string = f"{tag}+NotoSans-Regular"
        font.save(out)
    return out.getvalue()


def _size(value: str, widget: Any) -> float | None:
    """The type size for a value: the field's own (its /DA), smaller when the value is wider; None below SMALLEST."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from handouts.fonts import register

    regular, _ = register(FILL_FONT, "NotoSans-Bold.ttf")
    x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
    found = _DA_SIZE.search(str(widget.get("/DA", "")))
    size = min(float(found.group(1)) if found else DEFAULT_SIZE, (y1 - y0) / 1.3)
    width = stringWidth(value, regular, 1.0)
    if width * size > x1 - x0 - 2 * PADDING:
        size = (x1 - x0 - 2 * PADDING) / width
    return round(size, 1) if size >= SMALLEST else None

"""The cleaning of an outside PDF's copy, in handouts.pdf.guard's child: no scripts, no embedded files.

A packet is opened in a patient's or a clinic's viewer, so nothing an outside file brings may
act on its own: the copy keeps pages, text, links to web and mail addresses, jumps within the
document and form fields, and loses every other action (JavaScript, launching programs,
submitting or importing data, opening other files), every additional-action (/AA) trigger,
media and file-attachment annotations, embedded files, and XFA forms (viewers then show the
AcroForm). It is also made fit for handouts.pdf.merge: the form's default fonts become indirect
objects, entries that are no field or font leave the form's lists, and a form that asks viewers
to redraw its fields (/NeedAppearances) gets appearance streams for its text values instead, so
the packet need not ask that of every part's fields.
Everything here runs on a pypdf PdfWriter that holds the copy, inside the child's limits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject

# Annotations that play media, run 3D scripts or carry a file: removed from their page.
MEDIA = frozenset({"/RichMedia", "/Screen", "/Movie", "/Sound", "/FileAttachment", "/3D"})
# A link keeps its action only to these; file:, javascript: or a network share's address goes.
SCHEMES = ("http:", "https:", "mailto:")


def scrub(writer: PdfWriter) -> None:
    """Clean the copy in `writer` in place; objects nothing reaches any more are not written."""
    _strip_catalog(writer)
    for page in writer.pages:
        _strip_annotations(page)
    _draw_fields(writer)
    _tidy_form(writer)
    _keep_reachable(writer)


def _value(holder: Any, key: str) -> Any:
    """`holder[key]` with references followed, or None when it is missing or `holder` is no dictionary."""
    from pypdf.generic import DictionaryObject

    if not isinstance(holder, DictionaryObject) or key not in holder:
        return None
    value = holder.raw_get(key)
    return value.get_object() if hasattr(value, "get_object") else value


def _form(writer: PdfWriter) -> DictionaryObject | None:
    """The copy's AcroForm; one that is no dictionary is removed (a merge could not read it)."""
    from pypdf.generic import DictionaryObject

    form = _value(writer.root_object, "/AcroForm")
    if form is not None and not isinstance(form, DictionaryObject):
        del writer.root_object["/AcroForm"]
        return None
    return form


def _strip_catalog(writer: PdfWriter) -> None:
    """Remove what runs or opens when the document does: open action, document scripts, files, XFA."""
    from pypdf.generic import DictionaryObject

    root = writer.root_object
    for key in ("/OpenAction", "/AA"):
        if key in root:
            del root[key]
    names = _value(root, "/Names")
    if isinstance(names, DictionaryObject):
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[key]
    form = _form(writer)
    if form is not None and "/XFA" in form:
        del form["/XFA"]


def _strip_annotations(page: DictionaryObject) -> None:
    """Keep a page's annotations but those that play media or carry a file (and broken entries)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    if "/Annots" not in page:
        return
    annotations = _value(page, "/Annots")
    if not isinstance(annotations, ArrayObject):
        del page["/Annots"]
        return
    kept = ArrayObject()
    for entry in annotations:
        annotation = entry.get_object() if hasattr(entry, "get_object") else entry
        if isinstance(annotation, DictionaryObject) and _value(annotation, "/Subtype") not in MEDIA:
            kept.append(entry)
    page[NameObject("/Annots")] = kept


def _harmless(action: DictionaryObject) -> bool:
    """Whether an action only jumps within the document or opens a web or mail address, and nothing after."""
    if "/Next" in action:
        return False
    kind = _value(action, "/S")
    if kind == "/GoTo":
        return True
    address = _value(action, "/URI")
    if isinstance(address, bytes):
        address = address.decode("latin-1")
    return kind == "/URI" and isinstance(address, str) and address.strip().lower().startswith(SCHEMES)


def _disarm(holder: DictionaryObject) -> None:
    """Remove the triggers, other actions and embedded file of one dictionary (a page, an annotation,
    a field, an outline item, a file specification...)."""
    from pypdf.generic import DictionaryObject

    for key in ("/AA", "/EF"):
        if key in holder:
            del holder[key]
    action = _value(holder, "/A")  # a structure element's /A holds attributes, a measure's an array
    if isinstance(action, DictionaryObject) and ("/S" in action or _value(action, "/Type") == "/Action"):
        if not _harmless(action):
            del holder["/A"]


def _text_values(writer: PdfWriter, page: DictionaryObject) -> Iterator[tuple[str, str]]:
    """(qualified name, value) of each text field with a value that has a widget on `page`, once each."""
    from pypdf.generic import DictionaryObject

    done: set[str] = set()
    for entry in _value(page, "/Annots") or ():
        widget = entry.get_object()
        if _value(widget, "/Subtype") != "/Widget":
            continue
        # The field as pypdf's update_page_form_field_values finds it: the widget, or its parent.
        field = widget if "/FT" in widget and "/T" in widget else _value(widget, "/Parent")
        value = _value(field, "/V")
        if not isinstance(field, DictionaryObject) or _value(field, "/FT") != "/Tx" or not isinstance(value, str):
            continue
        try:
            name = writer._get_qualified_field_name(parent=field)
        except MemoryError:
            raise
        except Exception:  # a /Parent loop, a /T that is no string: pypdf could not match it either
            continue
        if value and name not in done:
            done.add(name)
            yield name, value


def _draw_fields(writer: PdfWriter) -> None:
    """When the form asks viewers to redraw its fields, draw its text values now and take the request back."""
    from pypdf.generic import BooleanObject, NameObject

    form = _form(writer)
    if form is None or getattr(_value(form, "/NeedAppearances"), "value", False) is not True:
        return
    for page in writer.pages:
        for name, value in list(_text_values(writer, page)):
            try:
                writer.update_page_form_field_values(page, {name: value}, auto_regenerate=False)
            except MemoryError:
                raise
            except Exception:  # one field pypdf cannot draw keeps its old look (or none); the rest are drawn
                continue
    form[NameObject("/NeedAppearances")] = BooleanObject(False)


def _tidy_form(writer: PdfWriter) -> None:
    """Keep only dictionaries among the form's fields and default fonts (/DR /Font), and make each font
    an indirect object: a merge carries only those, and stumbles on the rest."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    form = _form(writer)
    if form is None:
        return
    fields = _value(form, "/Fields")
    if isinstance(fields, ArrayObject):
        form[NameObject("/Fields")] = ArrayObject(
            entry for entry in fields if isinstance(entry.get_object(), DictionaryObject))
    if "/DR" not in form:
        return
    resources = _value(form, "/DR")
    if not isinstance(resources, DictionaryObject):
        del form["/DR"]
        return
    if "/Font" not in resources:
        return
    fonts = _value(resources, "/Font")
    if not isinstance(fonts, DictionaryObject):
        del resources["/Font"]
        return
    for name in list(fonts.keys()):
        font = _value(fonts, name)
        if not isinstance(font, DictionaryObject):
            del fonts[name]
        elif not isinstance(fonts.raw_get(name), IndirectObject):
            fonts[NameObject(name)] = writer._add_object(font)


def _keep_reachable(writer: PdfWriter) -> None:
    """Disarm every dictionary the document reaches, and drop the objects it no longer reaches
    (the removed scripts and files), which pypdf would otherwise still write."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reachable: set[int] = set()
    todo: list[Any] = [writer.root_object.indirect_reference, writer._info_obj, getattr(writer, "_ID", None)]
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            if item.pdf is not writer or item.idnum in reachable:
                continue
            reachable.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams too: their dictionaries hold references
            _disarm(item)
            todo.extend(item.values())
        elif isinstance(item, ArrayObject):
            todo.extend(item)
    for index in range(len(writer._objects)):
        if index + 1 not in reachable:
            writer._objects[index] = None

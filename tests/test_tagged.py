"""Tagged PDF (PDF/UA-1): the structure tree read back by PDFium, poppler and qpdf, against the content.

Every sample document is laid out in the standard and the large-print layout, and its
structure tree is walked by three readers that did not write it: PDFium (pypdfium2's
FPDF_StructTree_* and the marks on each page object), poppler (`pdfinfo -struct-text`) and
qpdf (pikepdf, for the tree as a whole and the Matterhorn checks). The text of the tree, in
tree order, must be the document's text in its logical order; roles, alternative text and
languages must be what the content says.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as c
import pytest

from conftest import CONTENT, ROOT, run
from handouts import layout as layout_module
from handouts.build import load_inputs, plan
from handouts.footer import footer_for
from handouts.layouts import load_layout
from handouts.model import ResolvedDocument
from handouts.resolve import plain, resolve_jobs

LAYOUTS = ("standard", "large-print")
STANDARD_ROLES = {"Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
                  "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl", "LBody",
                  "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note", "Reference",
                  "BibEntry", "Code", "Link", "Annot", "Ruby", "Warichu", "Figure", "Formula", "Form"}


# What the content says, in its logical order ---------------------------------------------------

def _texts(kind: str, data: Any) -> list[str]:
    """A block's text in reading order, as the reader of the page meets it (bullets and labels included)."""
    by_kind: dict[str, Callable[[Any], list[str]]] = {
        "p": lambda d: [d],
        "bullets": lambda d: [t for item in d for t in ("•", item)],
        "callout": lambda d: [d["title"], *d["text"]],
        "faq": lambda d: [t for pair in d for t in pair],
        "contact": lambda d: [t for pair in d for t in pair],
        "language_help": lambda d: [line for _, line in d],
        "box": lambda d: [d["title"], *d["fields"]],
        "sources": lambda d: ["; ".join(plain(item).rstrip(" ;.") for item in d) + "."],
        "field": lambda d: [f["label"] for f in d["fields"]],
        "checkbox": lambda d: [b["label"] for b in d["boxes"]],
        "initials": lambda d: [*d["text"], d["label"]],
        "signature": lambda d: [d["title"], *d["statement"], *(f["label"] for f in d["fields"]),
                                *(ch["label"] for ch in d["choices"]), d["labels"]["signature"],
                                *(d["labels"][k] for k in ("printed_name", "date", "time"))],
    }
    return [plain(t) for t in by_kind[kind](data) if t]


def logical_text(doc: ResolvedDocument, layout: str = "standard") -> list[str]:
    """The document's text in the order it is meant to be read: the clinic's name and phone (page 1's
    footer lines in `layout`) when no contact block says them, the title, then each heading and its blocks."""
    texts = [] if _has_contact(doc) else [clinic_line(doc, layout)]
    texts.append(plain(doc.title))
    for section in doc.sections:
        texts.append(plain(section.heading))
        for block in section.blocks:
            texts += _texts(block.kind, block.data)
    return texts


def _has_contact(doc: ResolvedDocument) -> bool:
    return any(block.kind == "contact" for section in doc.sections for block in section.blocks)


def clinic_line(doc: ResolvedDocument, layout: str) -> str:
    """What the footer says of the clinic, its name then its phone, as the layout's footer wraps them
    (on one line they have a separator between them, on two none)."""
    footer = footer_for(doc, load_layout(layout, ROOT / "layouts"))
    return " ".join(footer.lines[:footer.clinic_lines])


def squeeze(text: str) -> str:
    """Text without any white space: line breaks fall in other places in each layout and reader."""
    return re.sub(r"\s+", "", text.replace("\xa0", " "))


# PDFium ---------------------------------------------------------------------------------------

def _utf16(function: Callable[..., int], *args: Any) -> str:
    size = function(*args, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    function(*args, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size)
    return buffer.raw[:size].decode("utf-16-le").rstrip("\x00")


def _mark_names(obj: Any) -> list[str]:
    names = []
    for i in range(c.FPDFPageObj_CountMarks(obj)):
        mark = c.FPDFPageObj_GetMark(obj, i)
        size = ctypes.c_ulong()
        c.FPDFPageObjMark_GetName(mark, None, 0, ctypes.byref(size))
        buffer = ctypes.create_string_buffer(size.value)
        c.FPDFPageObjMark_GetName(mark, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size, ctypes.byref(size))
        names.append(buffer.raw[:size.value].decode("utf-16-le").rstrip("\x00"))
    return names


def _attribute(element: Any, name: bytes) -> str:
    """A name or string in the element's attribute dictionaries (/A), as PDFium reads it."""
    for i in range(c.FPDF_StructElement_GetAttributeCount(element)):
        value = c.FPDF_StructElement_Attr_GetValue(c.FPDF_StructElement_GetAttributeAtIndex(element, i), name)
        if value:
            size = ctypes.c_ulong()
            c.FPDF_StructElement_Attr_GetStringValue(value, None, 0, ctypes.byref(size))
            buffer = ctypes.create_string_buffer(size.value)
            c.FPDF_StructElement_Attr_GetStringValue(value, buffer, size, ctypes.byref(size))
            return buffer.raw[:size.value].decode("utf-16-le").rstrip("\x00")
    return ""


def _text_of(obj: Any, textpage: Any) -> str:
    """The text a page object draws: its own, or that of the objects inside it (a flattened field's form)."""
    kind = c.FPDFPageObj_GetType(obj)
    if kind == c.FPDF_PAGEOBJ_TEXT:
        return _utf16(c.FPDFTextObj_GetText, obj, textpage.raw)
    if kind == c.FPDF_PAGEOBJ_FORM:
        return "".join(_text_of(c.FPDFFormObj_GetObject(obj, i), textpage) for i in range(c.FPDFFormObj_CountObjects(obj)))
    return ""


@lru_cache(maxsize=None)
def pdfium_read(path: Path) -> dict[str, Any]:
    """What PDFium sees: per page, the text of each MCID, the objects neither marked nor artifact,
    and the structure tree for the page as (depth, role, alt, lang, text) in tree order."""
    pdf = pdfium.PdfDocument(str(path))
    pages = []
    for page in pdf:
        textpage = page.get_textpage()
        by_mcid: dict[int, str] = {}
        unmarked, both = [], []
        for i in range(c.FPDFPage_CountObjects(page.raw)):
            obj = c.FPDFPage_GetObject(page.raw, i)
            mcid, marks = c.FPDFPageObj_GetMarkedContentID(obj), _mark_names(obj)
            kind = c.FPDFPageObj_GetType(obj)
            if mcid < 0 and "Artifact" not in marks:
                unmarked.append(kind)
            if mcid >= 0 and "Artifact" in marks:
                both.append(kind)
            if mcid >= 0:
                by_mcid[mcid] = by_mcid.get(mcid, "") + _text_of(obj, textpage)
        tree = c.FPDF_StructTree_GetForPage(page.raw)
        elements: list[tuple[int, str, str, str, str, str]] = []

        def walk(element: Any, depth: int) -> None:
            text = ""
            kids = []
            for i in range(c.FPDF_StructElement_CountChildren(element)):
                child = c.FPDF_StructElement_GetChildAtIndex(element, i)
                if child:
                    kids.append(child)
                else:
                    mcid = c.FPDF_StructElement_GetChildMarkedContentID(element, i)
                    text += by_mcid.get(mcid, "") if mcid >= 0 else ""
            elements.append((depth, _utf16(c.FPDF_StructElement_GetType, element),
                             _utf16(c.FPDF_StructElement_GetAltText, element),
                             _utf16(c.FPDF_StructElement_GetLang, element),
                             _attribute(element, b"Scope"), text.strip()))
            for child in kids:
                walk(child, depth + 1)

        for i in range(c.FPDF_StructTree_CountChildren(tree)):
            walk(c.FPDF_StructTree_GetChildAtIndex(tree, i), 0)
        c.FPDF_StructTree_Close(tree)
        pages.append({"mcids": by_mcid, "unmarked": unmarked, "both": both, "elements": elements})
        textpage.close()
        page.close()
    pdf.close()
    return {"pages": pages}


# qpdf: the whole tree, across pages --------------------------------------------------------------

def tree_text(path: Path) -> list[tuple[str, str]]:
    """(role, text) of every marked content in the whole structure tree, in tree order (pikepdf
    walks the tree, PDFium gives each MCID's text)."""
    mcids = [page["mcids"] for page in pdfium_read(path)["pages"]]
    with pikepdf.open(path) as pdf:
        page_index = {page.objgen: i for i, page in enumerate(pdf.pages)}
        found: list[tuple[str, str]] = []

        def walk(element: Any) -> None:
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            for kid in kids:
                text = _marked_text(element, kid, mcids, page_index)
                if text is not None:
                    found.append((str(element.S)[1:], text))
                elif kid.get("/Type") != "/OBJR":
                    walk(kid)

        walk(pdf.Root.StructTreeRoot.K)
        return found


def _marked_text(element: Any, kid: Any, mcids: list[dict[int, str]], page_index: dict[Any, int]) -> str | None:
    """The text of `kid` of `element` when it is marked content (an MCID or an MCR), else None."""
    if isinstance(kid, int):
        return mcids[page_index[element.Pg.objgen]].get(kid, "")
    if kid.get("/Type") == "/MCR":
        return mcids[page_index[kid.Pg.objgen]].get(int(kid.MCID), "")
    return None


def elements(pdf: pikepdf.Pdf) -> Iterator[tuple[Any, Any]]:
    """Every structure element and its parent, in tree order."""
    def walk(element: Any, parent: Any) -> Iterator[tuple[Any, Any]]:
        yield element, parent
        kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                yield from walk(kid, element)
    yield from walk(pdf.Root.StructTreeRoot.K, None)


# poppler -----------------------------------------------------------------------------------------

def poppler_struct(path: Path) -> list[tuple[str, str]]:
    """(role, text) lines of `pdfinfo -struct-text`: each role line, then each quoted text under it."""
    if shutil.which("pdfinfo") is None:
        message = "poppler (pdfinfo; Debian: poppler-utils) is not installed"
        if os.environ.get("HANDOUTS_REQUIRE_POPPLER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    out = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, check=True).stdout
    found: list[tuple[str, str]] = []
    open_roles: list[tuple[int, str]] = []  # (indent, role) of the elements around the current line
    for line in out.splitlines():
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        while open_roles and open_roles[-1][0] >= indent:
            open_roles.pop()
        if stripped.startswith('"'):
            found.append((open_roles[-1][1], stripped[1:-1]))
        elif stripped and not stripped.startswith("/") and not stripped.startswith("Object "):
            open_roles.append((indent, stripped.split()[0].rstrip(":")))
    return found


# The documents -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[ResolvedDocument, str, Path]]:
    """Every sample document in every layout: (resolved document, layout name, PDF)."""
    out = tmp_path_factory.mktemp("tagged")
    content, clinics = load_inputs(CONTENT)
    with pytest.MonkeyPatch.context() as patch:  # set up before any test's own fixtures: dated from the content
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        return _render_all(content, clinics, out)


def _render_all(content: Any, clinics: Any, out: Path) -> list[tuple[ResolvedDocument, str, Path]]:
    made = []
    for name in LAYOUTS:
        chosen = load_layout(name, ROOT / "layouts")
        for doc in resolve_jobs(content, plan(content, clinics)):
            assert isinstance(doc, ResolvedDocument), doc
            data, _ = layout_module.render(doc, chosen)
            path = out / f"{doc.job.clinic.id}-{doc.job.name}-{name}.pdf"
            path.write_bytes(data)
            made.append((doc, name, path))
    return made


def test_every_text_on_every_page_is_in_the_tree_or_an_artifact(built: list[tuple[ResolvedDocument, str, Path]]) -> None:
    """Matterhorn 01-005 as PDFium sees it: no page object is neither marked content nor an artifact."""
    for _, _, path in built:
        for number, page in enumerate(pdfium_read(path)["pages"], start=1):
            assert page["unmarked"] == [], (path.name, number, page["unmarked"])
            assert page["both"] == [], (path.name, number)


def test_reading_order_is_the_content_order(built: list[tuple[ResolvedDocument, str, Path]]) -> None:
    """The tree's text, in tree order across pages, is the document's text in logical order: nothing
    missing (content drawn untagged), nothing extra (header or footer tagged), nothing out of order."""
    for doc, name, path in built:
        expected = squeeze("".join(logical_text(doc, name)))
        got = squeeze("".join(text for _, text in tree_text(path)))
        assert got == expected, (path.name, _first_difference(got, expected))


def _first_difference(got: str, expected: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
    return f"at {at}: got {got[at - 30:at + 50]!r}, expected {expected[at - 30:at + 50]!r}"


def test_pdfium_and_poppler_read_the_same_roles_and_text(built: list[tuple[ResolvedDocument, str, Path]]) -> None:
    """Per page, PDFium's tree and poppler's agree on the text of each role, in order; poppler's
    whole-document text is the content's."""
    for doc, name, path in built[::3]:  # every third: poppler runs once per file
        popper = poppler_struct(path)
        assert squeeze("".join(t for _, t in popper)) == squeeze("".join(logical_text(doc, name))), path.name
        roles_poppler = [role for role, text in popper if squeeze(text)]
        roles_tree = [role for role, text in tree_text(path) if squeeze(text)]
        assert roles_poppler == roles_tree, path.name


def test_headings_figure_lists_and_contact_table(built: list[tuple[ResolvedDocument, str, Path]]) -> None:
    """PDFium's per-page trees: the logo is a Figure whose alt text is the clinic's name; H1 is the
    title, each H2 a section heading; list items have a bullet Lbl and a LBody; the contact
    table's rows have a TH with Scope Row and a TD."""
    for doc, name, path in built:
        pages = pdfium_read(path)["pages"]
        first = pages[0]["elements"]
        figures = [e for e in first if e[1] == "Figure"]
        assert [e[2] for e in figures] == ([doc.clinic_name] if doc.logo else []), path.name
        everything = [e for page in pages for e in page["elements"]]
        assert squeeze([e[5] for e in everything if e[1] == "H1"][0]) == squeeze(plain(doc.title))
        h2 = [squeeze(e[5]) for e in everything if e[1] == "H2" and e[5]]
        assert h2 == [squeeze(plain(s.heading)) for s in doc.sections], path.name
        for page in pages:
            tree = page["elements"]
            for i, (depth, role, *_rest) in enumerate(tree):
                end = next((j for j in range(i + 1, len(tree)) if tree[j][0] <= depth), len(tree))
                kids = [e[1] for e in tree[i + 1:end] if e[0] == depth + 1]
                if role == "LI":
                    assert kids in (["Lbl", "LBody"], ["LBody"]), (path.name, kids)  # no Lbl: continued from a page
                if role == "Lbl":
                    assert tree[i][5] == "•"
                if role == "TH":
                    assert tree[i][4] == "Row", path.name
        if any(b.kind == "contact" for s in doc.sections for b in s.blocks):
            roles = [e[1] for e in everything]
            assert "Table" in roles and roles.count("TH") == roles.count("TD") > 0, path.name


def test_language_spans_and_taglines(built: list[tuple[ResolvedDocument, str, Path]]) -> None:
    """The Spanish AYUDA in an English handout is a Span with /Lang es; each tagline a P in its language."""
    seen = 0
    for doc, name, path in built:
        everything = [e for page in pdfium_read(path)["pages"] for e in page["elements"]]
        if doc.job.lang == "en" and doc.job.document.id == "handout":
            assert ("Span", "es", "AYUDA") in [(e[1], e[3], e[5]) for e in everything], path.name
            seen += 1
        tagged = {e[5].split(":")[0]: e[3] for e in everything if e[1] == "P" and e[3]}
        if doc.job.lang == "en" and "Español" in tagged:
            assert tagged["Español"] == "es"
        if "Tiếng Việt" in tagged:
            assert tagged["Tiếng Việt"] == "vi"
    assert seen


def test_a_split_paragraph_is_one_element_on_two_pages(built: list[tuple[ResolvedDocument, str, Path]]) -> None:
    """Large print splits paragraphs and callouts over pages; each stays one element (a paragraph's
    MCIDs on two pages, a callout's Div over both), and its role stays what it was."""
    split = 0
    for doc, name, path in built:
        boxes = sum(b.kind in ("callout", "box") for s in doc.sections for b in s.blocks)
        with pikepdf.open(path) as pdf:
            assert sum(e.S == "/Div" for e, _ in elements(pdf)) == boxes, path.name
            for element, _ in elements(pdf):
                if isinstance(element.K, pikepdf.Array) and any(
                        isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR" for k in element.K):
                    assert str(element.S) in ("/P", "/LBody", "/H3"), (path.name, element.S)
                    split += 1
    assert split > 0, "no paragraph split over a page: the test no longer tests anything"


def test_a_language_span_across_a_page_break_stays_one_span_and_its_paragraph_goes_on(workspace: Path) -> None:
    """A `[[es|...]]` span split by a page break: its words on both pages are one Span with /Lang es,
    the words after it are in its paragraph's P (not artifacts, not the Document's), and the tree's
    text is the content's, in order."""
    new = ("Ketamine does not help everyone. " * 25 + "[[es|" + "Ayuda gratis en español para usted. " * 30
           + "]] Results are not guaranteed. " + "Call us with questions. " * 20)
    doc, path = _edited_handout(workspace, "Ketamine does not help everyone, and results are not guaranteed.",
                                new.strip())
    found = tree_text(path)
    assert squeeze("".join(t for _, t in found)) == squeeze("".join(logical_text(doc)))
    assert all(page["unmarked"] == [] for page in pdfium_read(path)["pages"])
    after = next(role for role, t in found if "Results are not guaranteed" in t)
    assert after == "P"
    with pikepdf.open(path) as pdf:
        page_index = {page.objgen: i for i, page in enumerate(pdf.pages)}
        spans = [(e, parent) for e, parent in elements(pdf) if e.S == "/Span" and "Ayuda gratis" in _element_text(e, pdf, path)]
        assert len(spans) == 1, len(spans)
        span, parent = spans[0]
        assert str(span.Lang) == "es" and parent.S == "/P"
        kids = span.K if isinstance(span.K, pikepdf.Array) else [span.K]
        pages = {page_index[span.Pg.objgen] if isinstance(k, int) else page_index[k.Pg.objgen] for k in kids}
        assert len(pages) == 2, pages  # the span's words on both pages
        words = squeeze(_element_text(span, pdf, path))
        assert words == squeeze("Ayuda gratis en español para usted. " * 30)


def _edited_handout(workspace: Path, old: str, new: str) -> tuple[ResolvedDocument, Path]:
    """Harbor's English handout, laid out from the workspace's content with one text changed."""
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    assert old in text
    content.write_text(text.replace(old, new, 1), encoding="utf-8")
    contents, clinics = load_inputs(content)
    doc = resolve_jobs(contents, plan(contents, clinics, documents=["handout"], clinic_ids=["harbor"], langs=["en"]))[0]
    assert isinstance(doc, ResolvedDocument)
    data, _ = layout_module.render(doc, load_layout("standard", ROOT / "layouts"))
    path = workspace / "edited.pdf"
    path.write_bytes(data)
    return doc, path


def _element_text(element: Any, pdf: pikepdf.Pdf, path: Path) -> str:
    """The text of the marked content directly in `element`."""
    mcids = [page["mcids"] for page in pdfium_read(path)["pages"]]
    page_index = {page.objgen: i for i, page in enumerate(pdf.pages)}
    kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
    return "".join(text for kid in kids if (text := _marked_text(element, kid, mcids, page_index)) is not None)


def test_a_document_without_a_contact_block_reads_the_clinic_name_and_phone_first(
        built: list[tuple[ResolvedDocument, str, Path]]) -> None:
    """A consent or aftercare sheet has no contact block: page 1's footer line with the clinic's name
    and phone is a P read after the logo and before the H1; the footers of later pages, and every
    footer of a handout (its contact block says it), stay artifacts."""
    seen = 0
    for doc, name, path in built:
        found = [(role, text) for role, text in tree_text(path) if squeeze(text)]  # the Figure has no text
        line = squeeze(clinic_line(doc, name))
        assert line.startswith(squeeze(doc.clinic_name)) and line.endswith(squeeze(doc.phone)), line
        h1 = next(i for i, (role, _) in enumerate(found) if role == "H1")
        before = found[:h1]  # the P's lines (large print wraps the phone under the name)
        if _has_contact(doc):
            assert before == [] and line not in squeeze("".join(text for _, text in found)), path.name
            continue
        assert {role for role, _ in before} == {"P"} and squeeze("".join(t for _, t in before)) == line, (path.name, before)
        first = pdfium_read(path)["pages"][0]["elements"]
        roles = [e[1] for e in first if e[0] == 1]
        assert roles[:2 + bool(doc.logo)] == ["Figure"] * bool(doc.logo) + ["P", "H1"], (path.name, roles[:3])
        seen += doc.job.document.id == "consent"
    assert seen


def test_every_annotation_is_in_a_link_or_form_element(built: list[tuple[ResolvedDocument, str, Path]]) -> None:
    """Links sit in Link elements, fields' widgets in Form elements (with /TU), each found back
    through the ParentTree by its StructParent; pages with annotations have /Tabs /S."""
    fields = 0
    for doc, name, path in built:
        with pikepdf.open(path) as pdf:
            nums = pdf.Root.StructTreeRoot.ParentTree.Nums
            parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
            for page in pdf.pages:
                for annot in page.get("/Annots", []):
                    owner = parents[int(annot.StructParent)]
                    expected = "/Form" if annot.Subtype == "/Widget" else "/Link"
                    assert owner.S == expected, (path.name, owner.S)
                    kids = owner.K if isinstance(owner.K, pikepdf.Array) else [owner.K]
                    assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Obj") is not None
                               and k.Obj.objgen == annot.objgen for k in kids)
                    if annot.Subtype == "/Widget":
                        assert str(annot.TU).strip()
                        fields += 1
                    else:
                        assert str(annot.Contents)
                    assert page.Tabs == "/S"
    assert fields > 0


def test_a_flattened_consent_stays_tagged_with_the_values_after_their_labels(tmp_path: Path) -> None:
    """Flattening draws each filled value into the page as content of the tree (a P after its
    label's P), removes the widgets and their elements' references, and every check still passes."""
    path = tmp_path / "flat.pdf"
    for made in (tmp_path / "first.pdf", path):
        result = run("consent", "--content", CONTENT, "--clinic", "harbor", "--treatment", "iv", "--lang", "en",
                     "--patient-name", "Ana Díaz", "--dob", "1984-03-02", "--mrn", "MRN-4417", "--flatten", "-o", made)
        assert result.exit_code == 0, result.output
    assert path.read_bytes() == (tmp_path / "first.pdf").read_bytes()  # the values' resource names are not random
    texts = [squeeze(text) for _, text in tree_text(path)]
    assert squeeze("Ana Díaz") in texts and squeeze("MRN-4417") in texts
    name_at = texts.index(squeeze("Ana Díaz"))
    assert "Patient" in "".join(texts[name_at - 2:name_at]), texts[name_at - 3:name_at + 1]  # read after its label
    poppler = [squeeze(text) for _, text in poppler_struct(path)]
    assert squeeze("Ana Díaz") in poppler
    with pikepdf.open(path) as pdf:
        assert not any("/Annots" in page for page in pdf.pages)
        failing = [condition for condition, (_, check) in MATTERHORN.items() if not check(pdf, path)]
    assert failing == []


def test_a_malformed_language_span_is_refused_by_name(workspace: Path) -> None:
    """`[[Spanish|AYUDA]]` (not a language code) would print its brackets: refused, naming where."""
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    assert text.count("[[es|AYUDA]]") >= 1
    content.write_text(text.replace("[[es|AYUDA]]", "[[Spanish|AYUDA]]", 1), encoding="utf-8")
    result = run("build", "--content", content, "--out", workspace / "out")
    assert result.exit_code == 2, result.output
    assert "content.yaml:198" in result.output and "[[es|AYUDA]]" in result.output, result.output
    assert not (workspace / "out").exists()


def test_logo_alt_text_comes_from_the_clinic(workspace: Path, tmp_path: Path) -> None:
    """A clinic's logo_alt is the Figure's alternative text, in place of its name."""
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    content.write_text(text.replace("logo: logos/harbor.png", "logo: logos/harbor.png\n    logo_alt: Harbor wave logo", 1),
                       encoding="utf-8")
    result = run("build", "--content", content, "--out", tmp_path / "out", "--clinic", "harbor", "--lang", "en",
                 "handout")
    assert result.exit_code == 0, result.output
    figures = [e for e in pdfium_read(tmp_path / "out" / "harbor" / "handout.en.pdf")["pages"][0]["elements"]
               if e[1] == "Figure"]
    assert [e[2] for e in figures] == ["Harbor wave logo"]


# Matterhorn Protocol 1.1: the failure conditions a machine can check, each one a check here ---------

def _all(path: Path, check: Callable[[pikepdf.Pdf, Path], bool]) -> bool:
    with pikepdf.open(path) as pdf:
        return check(pdf, path)


def _xmp(pdf: pikepdf.Pdf) -> str:
    return bytes(pdf.Root.Metadata.read_bytes()).decode("utf-8") if "/Metadata" in pdf.Root else ""


def _kids_of(role: str, parents: tuple[str, ...]) -> Callable[[pikepdf.Pdf], bool]:
    return lambda pdf: all(str(parent.S) in parents for element, parent in elements(pdf) if element.S == role)


def _headings(pdf: pikepdf.Pdf) -> bool:
    levels = [int(str(e.S)[2:]) for e, _ in elements(pdf) if re.fullmatch(r"/H[1-6]", str(e.S))]
    return bool(levels) and levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))


def _fonts_map_to_unicode(pdf: pikepdf.Pdf) -> bool:
    """Every font on a page maps its codes to Unicode (a /ToUnicode map), and PDFium reads no U+FFFD."""
    return all("/ToUnicode" in font for page in pdf.pages for font in page.Resources.get("/Font", {}).values())


def _fonts_embedded(pdf: pikepdf.Pdf) -> bool:
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                return False
    return True


def _unmarked(key: str) -> Callable[[pikepdf.Pdf, Path], bool]:
    return lambda pdf, path: not any(page[key] for page in pdfium_read(path)["pages"])


def _annotations_in(subtype: str, role: str) -> Callable[[pikepdf.Pdf, Path], bool]:
    def check(pdf: pikepdf.Pdf, path: Path) -> bool:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        return all(parents[int(a.StructParent)].S == role for p in pdf.pages for a in p.get("/Annots", [])
                   if a.Subtype == subtype)
    return check


def _on_pdf(check: Callable[[pikepdf.Pdf], bool]) -> Callable[[pikepdf.Pdf, Path], bool]:
    return lambda pdf, path: check(pdf)


MATTERHORN: dict[str, tuple[str, Callable[[pikepdf.Pdf, Path], bool]]] = {
    "01-003": ("content marked as Artifact is inside tagged content", _unmarked("both")),
    "01-005": ("content is neither marked as Artifact nor tagged as real content", _unmarked("unmarked")),
    "01-007": ("Suspects entry has a value of true", _on_pdf(lambda pdf: pdf.Root.MarkInfo.get("/Suspects") is not True)),
    "02-001": ("non-standard structure type with no role mapping",
               _on_pdf(lambda pdf: all(str(e.S)[1:] in STANDARD_ROLES for e, _ in elements(pdf)))),
    "06-001": ("document does not contain an XMP metadata stream", _on_pdf(lambda pdf: bool(_xmp(pdf)))),
    "06-002": ("XMP metadata lacks the PDF/UA identifier",
               _on_pdf(lambda pdf: "<pdfuaid:part>1</pdfuaid:part>" in _xmp(pdf))),
    "06-003": ("XMP metadata does not contain a dc:title", _on_pdf(lambda pdf: "<dc:title>" in _xmp(pdf))),
    "07-001": ("ViewerPreferences has no DisplayDocTitle",
               _on_pdf(lambda pdf: "/DisplayDocTitle" in pdf.Root.ViewerPreferences)),
    "07-002": ("DisplayDocTitle is false", _on_pdf(lambda pdf: pdf.Root.ViewerPreferences.DisplayDocTitle is True)),
    "09-004": ("table element used outside its table structure", _on_pdf(
        lambda pdf: _kids_of("/TR", ("/Table",))(pdf) and _kids_of("/TH", ("/TR",))(pdf)
        and _kids_of("/TD", ("/TR",))(pdf))),
    "09-005": ("list element used outside its list structure", _on_pdf(
        lambda pdf: _kids_of("/LI", ("/L",))(pdf) and _kids_of("/Lbl", ("/LI",))(pdf)
        and _kids_of("/LBody", ("/LI",))(pdf))),
    "10-001": ("a character code cannot be mapped to Unicode", lambda pdf, path: _fonts_map_to_unicode(pdf) and not any(
        "\ufffd" in text for page in pdfium_read(path)["pages"] for text in page["mcids"].values())),
    "11-006": ("natural language for document metadata cannot be determined",
               _on_pdf(lambda pdf: bool(re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", str(pdf.Root.get("/Lang", "")))))),
    "11-001": ("natural language of text cannot be determined (every /Lang is a language tag)",
               _on_pdf(lambda pdf: all(re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", str(e.Lang))
                                       for e, _ in elements(pdf) if "/Lang" in e))),
    "13-004": ("Figure has no alternative text", _on_pdf(
        lambda pdf: all(str(e.get("/Alt", "")).strip() for e, _ in elements(pdf) if e.S == "/Figure"))),
    "14-002": ("numbered headings do not start with H1", _on_pdf(_headings)),
    "14-003": ("numbered heading levels are skipped", _on_pdf(_headings)),
    "15-003": ("a TH has no Scope", _on_pdf(
        lambda pdf: all("/A" in e and "/Scope" in e.A for e, _ in elements(pdf) if e.S == "/TH"))),
    "28-002": ("an annotation is not in the structure tree (no StructParent)",
               _on_pdf(lambda pdf: all("/StructParent" in a for p in pdf.pages for a in p.get("/Annots", [])))),
    "28-004": ("a link annotation has no Contents", _on_pdf(
        lambda pdf: all("/Contents" in a for p in pdf.pages for a in p.get("/Annots", []) if a.Subtype == "/Link"))),
    "28-008": ("a page with annotations has no Tabs /S",
               _on_pdf(lambda pdf: all(p.get("/Tabs") == "/S" for p in pdf.pages if "/Annots" in p))),
    "28-010": ("a widget annotation is not nested in a Form element", _annotations_in("/Widget", "/Form")),
    "28-011": ("a link annotation is not nested in a Link element", _annotations_in("/Link", "/Link")),
    "31-009": ("a font used on a page is not embedded", _on_pdf(_fonts_embedded)),
}
"""Failure condition -> (what it means, a check that passes when the document does not fail it)."""


@pytest.mark.parametrize("condition", sorted(MATTERHORN))
def test_matterhorn_failure_condition_does_not_occur(condition: str, built: list[tuple[ResolvedDocument, str, Path]]) -> None:
    """Each machine-checkable Matterhorn condition, on every sample document in both layouts."""
    meaning, check = MATTERHORN[condition]
    failing = [path.name for _, _, path in built if not _all(path, check)]
    assert failing == [], f"{condition} ({meaning}): {failing}"


def test_the_readme_table_lists_the_conditions_checked() -> None:
    """The README's Matterhorn table names exactly the conditions tested here."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"^\| ([0-9]{2}-[0-9]{3}) \|", readme, re.M) == sorted(MATTERHORN)


def test_a_form_hash_counts_words_not_structure_markers() -> None:
    """The hash a form prints says what it says: a marker in its text leaves it, a word changes it."""
    import dataclasses

    from handouts.fingerprint import content_hash
    from handouts.tags import marker

    content, clinics = load_inputs(CONTENT)
    doc = resolve_jobs(content, plan(content, clinics, documents=["consent"], clinic_ids=["harbor"], langs=["en"]))[0]
    assert isinstance(doc, ResolvedDocument)
    section = doc.sections[1]
    block = next(b for b in section.blocks if b.kind == "p")

    def with_text(text: str) -> ResolvedDocument:
        blocks = tuple(dataclasses.replace(b, data=text) if b is block else b for b in section.blocks)
        sections = tuple(dataclasses.replace(s, blocks=blocks) if s is section else s for s in doc.sections)
        return dataclasses.replace(doc, sections=sections)

    assert content_hash(with_text(marker("open:Span:es") + block.data + marker("close"))) == content_hash(doc)
    assert content_hash(with_text(block.data + " Also.")) != content_hash(doc)


def test_untagged_build_has_no_structure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The measuring switch (bench/bench_tagging.py) turns tagging off entirely: proof the checks
    above would see its absence."""
    monkeypatch.setattr(layout_module, "TAGGED", False)
    content, clinics = load_inputs(CONTENT)
    doc = resolve_jobs(content, plan(content, clinics, documents=["handout"], langs=["en"]))[0]
    assert isinstance(doc, ResolvedDocument)
    data, _ = layout_module.render(doc, load_layout("standard", ROOT / "layouts"))
    path = tmp_path / "untagged.pdf"
    path.write_bytes(data)
    assert pdfium_read(path)["pages"][0]["unmarked"]
    with pikepdf.open(path) as pdf:
        assert "/StructTreeRoot" not in pdf.Root and "/Metadata" not in pdf.Root


def test_a_language_span_in_a_bullet_is_in_its_lbody_in_reading_order(workspace: Path) -> None:
    """`[[es|...]]` inside a list item: the Span is a child of the item's LBody, between the words
    around it, not a child of the LI read after the whole item."""
    doc, path = _edited_handout(workspace, "The medicine drips slowly into a vein through a thin tube (IV).",
                                "The medicine drips [[es|muy despacio]] into a vein through a thin tube (IV).")
    assert squeeze("".join(t for _, t in tree_text(path))) == squeeze("".join(logical_text(doc)))
    with pikepdf.open(path) as pdf:
        [(span, parent)] = [(e, p) for e, p in elements(pdf) if e.S == "/Span" and "despacio" in _element_text(e, pdf, path)]
        assert str(span.Lang) == "es" and parent.S == "/LBody"

"""Tagged PDF (PDF/UA): the structure tree of a document, built while ReportLab draws it.

Every drawn thing is either content of a structure element or an artifact. The canvas keeps
an `/Artifact` sequence open over everything it draws, and closes it only around content: a
text object drawn by a tagged flowable (its marked content lies inside BT ... ET, so no
sequence crosses a text object's edge) and the logo's image. So rules, tints, table
backgrounds, the header and the footer are artifacts without anyone saying so, and what is
content is said once, next to the drawing: `flow.tagged` gives a flowable its role.

Inside a paragraph, markers (`marker()`, ReportLab's `<onDraw>` callback) open and close
child elements where they stand in the text: a Span in another language, a Link, the rows
and cells of the contact table. A flowable split across pages keeps one `Tag`, so its parts
make one element with content on two pages. `Tagger.write` turns the tree into PDF objects
when the canvas saves: the StructTreeRoot, its ParentTree, and the OBJRs of annotations.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from typing import Any, Iterator, Union

ARTIFACT = "/Artifact BMC"
CALLBACK = "tag"  # the canvas's named callback that markers call
GROUPING = frozenset({"Document", "Div", "L", "LI", "Table", "TR", "Form"})
"""Roles that hold other elements, never text of their own: text drawn directly in one is an artifact."""


@dataclass(eq=False)
class Element:
    """A structure element: its role, attributes and kids (elements, marked content, annotations)."""

    role: str
    parent: Element | None
    alt: str | None = None
    lang: str | None = None
    scope: str | None = None  # TH: Row or Column
    bbox: tuple[float, float, float, float] | None = None  # Figure: where it is on its page
    kids: list[Kid] = field(default_factory=list)


@dataclass(frozen=True)
class Content:
    """Marked content: MCID `mcid` on page `page` (0-based)."""

    page: int
    mcid: int


@dataclass(eq=False)
class Annotation:
    """An annotation (a link, a form field's widget) that belongs to an element."""

    obj: Any  # its PDFDictionary: StructParent is set on it when the tree is written
    ref: Any  # the reference ReportLab made for it
    page: int
    owner: Element


Kid = Union[Element, Content, Annotation]


@dataclass(eq=False)
class Group:
    """An element that several flowables share (a list's L, the contact table): made by the first drawn."""

    role: str
    element: Element | None = None


@dataclass(eq=False)
class Tag:
    """The role a flowable carries. The parts of a split flowable share their Tag, so they make one element."""

    role: str | None  # None: the flowable only adds to its group (a contact line holds rows of the table)
    alt: str | None = None
    lang: str | None = None
    group: Group | None = None
    element: Element | None = None
    body: Element | None = None  # a list item's LBody, its Lbl coming first
    open: list[Element] = field(default_factory=list)  # inline elements (a Span) still open where a part ended


MARKER = re.compile(f'<onDraw name="{CALLBACK}" label="[^"]*"/>')
"""A marker in paragraph markup: not text, so the form's content hash leaves it out."""


def marker(command: str) -> str:
    """Paragraph markup that opens (`open:Span:es`, `open:TH:Row`, `open:Link`) or closes (`close`)
    an element at this point of the text; `artifact` makes the text up to the next marker an artifact."""
    return f'<onDraw name="{CALLBACK}" label="{escape(command, quote=True)}"/>'


def span(lang: str, markup: str) -> str:
    """`markup` in another language than the text around it."""
    return f"{marker(f'open:Span:{lang}')}{markup}{marker('close')}"


class Tagger:
    """The structure tree of one document as it is drawn, and the marked content that points into it."""

    def __init__(self) -> None:
        self.root = Element("Document", None)
        self.stack: list[Element] = [self.root]
        self.page = 0  # the page being drawn, 0-based
        self.owners: dict[int, list[Element]] = {}  # page -> the element of each MCID, in MCID order
        self.annotations: list[Annotation] = []
        self._text: Any = None  # the text object being written, when its content is tagged
        self._queue: list[Element] = []  # a list item's Lbl and LBody, for its text objects in turn
        self._links: list[Element] = []  # Link elements still waiting for their annotation
        self._last_link: Element | None = None
        self._floors: list[int] = []  # per flowable being drawn: the stack's height at its own element

    # The tree -------------------------------------------------------------------------------

    def child(self, parent: Element, role: str, **attributes: Any) -> Element:
        """A new element at the end of `parent`'s kids."""
        element = Element(role, parent, **attributes)
        parent.kids.append(element)
        return element

    def enter(self, tag: Tag, bullet: bool = False) -> int:
        """Make `tag`'s element (once) and draw into it; returns what `leave` needs. A list item
        drawn with its `bullet` puts the bullet in a Lbl and the text in a LBody. A part that
        continues a split flowable reopens the inline elements its first part left open (a Span
        crossing the page break), so their text goes on in the same elements."""
        depth = len(self.stack)
        if tag.group is not None:
            if tag.group.element is None:
                tag.group.element = self.child(self.stack[-1], tag.group.role)
            self.stack.append(tag.group.element)
        if tag.role is not None:
            if tag.element is None:
                tag.element = self.child(self.stack[-1], tag.role, alt=tag.alt, lang=tag.lang)
            self.stack.append(tag.element)
            if tag.role == "LI":
                label = self.child(tag.element, "Lbl") if bullet and tag.body is None else None
                if tag.body is None:
                    tag.body = self.child(tag.element, "LBody")
                self._queue = [label, tag.body] if label else [tag.body]
        self._floors.append(len(self.stack))
        self.stack += tag.open
        return depth

    def leave(self, tag: Tag, depth: int) -> None:
        """Back to where `enter` started, keeping in `tag` the inline elements left open for its next part."""
        tag.open = self.stack[self._floors.pop():]
        del self.stack[depth:]
        self._queue = []

    def mark(self, element: Element | None) -> str:
        """The operator opening marked content for `element` on this page (an artifact for none or a group)."""
        if element is None or element.role in GROUPING:
            return ARTIFACT
        owners = self.owners.setdefault(self.page, [])
        element.kids.append(Content(self.page, len(owners)))
        owners.append(element)
        return f"/{element.role} <</MCID {len(owners) - 1}>> BDC"

    def _target(self) -> Element | None:
        """What text drawn now belongs to."""
        top = self.stack[-1]
        if self._queue and top.role == "LI":
            return self._queue.pop(0) if len(self._queue) > 1 else self._queue[0]
        return top

    # Text objects and markers ------------------------------------------------------------------

    def begin_text(self, text: Any) -> bool:
        """A text object was started: inside a tagged flowable, its content is marked from its start (True)."""
        if len(self.stack) == 1:
            return False
        self._text = text
        self._open(text)
        return True

    def end_text(self, text: Any) -> bool:
        """A text object is being drawn: close its marked content; True when it had any."""
        if self._text is not text:
            return False
        self._close(text)
        self._text = None
        return True

    def _open(self, text: Any, artifact: bool = False) -> None:
        """Start marked content in a text object for what text drawn now belongs to."""
        text._code.append(ARTIFACT if artifact else self.mark(self._target()))

    def _close(self, text: Any) -> None:
        """End the marked content of a text object; one with nothing in it is taken back instead, MCID and all."""
        opened = text._code[-1]
        if opened == ARTIFACT:
            text._code.pop()
        elif opened.endswith(">> BDC"):
            text._code.pop()
            owner = self.owners[self.page].pop()
            owner.kids.pop()
        else:
            text._code.append("EMC")

    def marker(self, command: str) -> None:
        """A marker in a paragraph (see `marker()`): end the current marked content, change element, mark on."""
        text = self._text
        if text is None:  # a paragraph drawn outside any tagged flowable
            return
        self._close(text)
        verb, _, rest = command.partition(":")
        if verb == "open":
            role, _, value = rest.partition(":")
            attributes = {"lang": value} if role == "Span" else {"scope": value} if role == "TH" and value else {}
            top = self.stack[-1]
            # In a list item the words are the LBody's: a Span or Link among them is its child, in their order.
            parent = self._queue[-1] if self._queue and top.role == "LI" else top
            element = self.child(parent, role, **attributes)
            self.stack.append(element)
            if role == "Link":
                self._links.append(element)
                self._last_link = element
        elif verb == "close" and len(self.stack) > (self._floors[-1] if self._floors else 1):
            self.stack.pop()  # never below the element of the flowable being drawn
        self._open(text, artifact=verb == "artifact")

    # Annotations -----------------------------------------------------------------------------

    def annotate(self, obj: Any, ref: Any, element: Element | None = None) -> None:
        """An annotation made on this page: a form field's widget for `element`, else a link's for the
        next Link marked in the text (a link broken over two lines makes two, both for that Link)."""
        if element is None:
            element = self._links.pop(0) if self._links else self._last_link
        if element is None:
            raise ValueError("an annotation outside any structure element")  # a link drawn untagged: a bug
        annotation = Annotation(obj, ref, self.page, element)
        element.kids.append(annotation)
        self.annotations.append(annotation)

    # Writing ---------------------------------------------------------------------------------

    def write(self, doc: Any, pages: int) -> Any:
        """The StructTreeRoot for ReportLab's document `doc` of `pages` pages (pages' StructParents are
        their index; annotations' StructParent follow)."""
        from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFString, format

        class Compact(PDFDictionary):  # type: ignore[misc]
            """A dictionary on one line without spaces around its keys: a document has a hundred
            or more elements, and ReportLab's layout (a line per key) would make it 5 % bigger."""

            def format(self, document: Any, IND: bytes = b"") -> bytes:  # noqa: N803 - ReportLab's name
                return b"<<" + b"".join(format(PDFName(k), document) + b" " + format(v, document)
                                        for k, v in self.dict.items()) + b">>"

        def page_ref(page: int) -> Any:
            return PDFObjectReference(f"Page{page + 1}")  # ReportLab names its pages Page1, Page2, ...

        _prune(self.root)
        refs: dict[int, Any] = {}
        dicts: list[tuple[Element, Any]] = []
        for element in _walk(self.root):
            made = Compact({"S": PDFName(element.role)})  # /Type /StructElem is optional
            refs[id(element)] = doc.Reference(made, f"StructElem{len(dicts) + 1}")
            dicts.append((element, made))
        root = PDFDictionary({"Type": PDFName("StructTreeRoot")})
        root_ref = doc.Reference(root, "StructTreeRoot")
        for element, made in dicts:
            made["P"] = refs[id(element.parent)] if element.parent else root_ref
            pages_of = [kid.page for kid in element.kids if isinstance(kid, Content)]
            home = pages_of[0] if pages_of else None
            if home is not None:
                made["Pg"] = page_ref(home)
            kids: list[Any] = []
            for kid in element.kids:
                if isinstance(kid, Element):
                    kids.append(refs[id(kid)])
                elif isinstance(kid, Content):
                    kids.append(kid.mcid if kid.page == home else Compact(
                        {"Type": PDFName("MCR"), "Pg": page_ref(kid.page), "MCID": kid.mcid}))
                else:
                    kids.append(Compact({"Type": PDFName("OBJR"), "Obj": kid.ref, "Pg": page_ref(kid.page)}))
            made["K"] = kids[0] if len(kids) == 1 else PDFArray(kids)
            if element.alt is not None:
                made["Alt"] = PDFString(element.alt)
            if element.lang is not None:
                made["Lang"] = PDFString(element.lang)
            if element.scope is not None:
                made["A"] = Compact({"O": PDFName("Table"), "Scope": PDFName(element.scope)})
            if element.bbox is not None:
                made["A"] = Compact({"O": PDFName("Layout"), "BBox": PDFArray(list(element.bbox))})
        nums: list[Any] = []
        for page in range(pages):
            nums += [page, PDFArray([refs[id(owner)] for owner in self.owners.get(page, [])])]
        for key, annotation in enumerate(self.annotations, start=pages):
            annotation.obj["StructParent"] = key
            nums += [key, refs[id(annotation.owner)]]
        root["K"] = refs[id(self.root)]
        root["ParentTree"] = doc.Reference(PDFDictionary({"Nums": PDFArray(nums)}), "ParentTree")
        root["ParentTreeNextKey"] = pages + len(self.annotations)
        return root_ref


def _walk(element: Element) -> Iterator[Element]:
    """`element` and every element under it, in reading order."""
    yield element
    for kid in element.kids:
        if isinstance(kid, Element):
            yield from _walk(kid)


def _prune(element: Element) -> bool:
    """Drop elements with nothing in them (a marker pair around no text); True when `element` is empty."""
    element.kids = [kid for kid in element.kids if not (isinstance(kid, Element) and _prune(kid))]
    return not element.kids


@contextmanager
def figure(canvas: Any, alt: str, bbox: tuple[float, float, float, float]) -> Iterator[None]:
    """Draw an image as a Figure with alternative text (on a canvas that tags; else just draw)."""
    tagger: Tagger | None = getattr(canvas, "tagger", None)
    with content(canvas, tagger.child(tagger.stack[-1], "Figure", alt=alt, bbox=bbox) if tagger else None):
        yield


@contextmanager
def content(canvas: Any, element: Element | None) -> Iterator[None]:
    """What is drawn here, outside any text object, is marked content of `element` (None: just draw)."""
    tagger: Tagger | None = getattr(canvas, "tagger", None)
    if tagger is None or element is None:
        yield
        return
    canvas._code += ["EMC", tagger.mark(element)]
    yield
    canvas._code += ["EMC", ARTIFACT]

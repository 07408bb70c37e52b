"""Lay a resolved document out on pages with ReportLab: header, footer, title, sections, blocks."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any, cast

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Paragraph

from handouts.blocks import KINDS
from handouts.blocks.flow import Kept, Kit, keep_last_words, tagged
from handouts.blocks.formflow import FieldSpot
from handouts.contrast import ratio, readable, rgb
from handouts.fonts import register
from handouts.errors import HandoutsError, Problem
from handouts.footer import Footer, draw_footer, footer_for
from handouts.header import (draw_letterhead, draw_running_header, header_height, letterhead, name_problems,
                             running_header_height, running_name)
from handouts.model import Layout, ResolvedDocument
from handouts.preflight import body_room
from handouts.post import PDF_VERSION, PRODUCER, file_id, stamp, xmp
from handouts.tags import ARTIFACT, CALLBACK, Element, Tagger

TAGGED = True
"""Write tagged PDF (PDF/UA-1). Off only to measure what tagging costs (bench/bench_tagging.py)."""

rl_config.useA85 = 0  # images as binary streams: ASCII85 only makes PDFs a quarter bigger and slower to write


def render(doc: ResolvedDocument, layout: Layout, qr_mrn: str | None = None) -> tuple[bytes, int]:
    """The document as PDF bytes, and its page count; a form's QR codes carry `qr_mrn` when given."""
    brand = _readable(doc.primary_color or layout.colors["primary"])
    kit = _kit(layout, brand)
    width, height = layout.page_size
    margins = layout.margins
    footer = footer_for(doc, layout, qr_mrn)
    bottom = max(margins["bottom"], footer.height)  # the margin grows when the footer needs more room
    head, running = letterhead(doc.clinic_name, doc.logo, layout), running_name(doc.clinic_name, layout)
    if head.name is None or running is None:  # the build refuses such a name first; the API may not have
        raise HandoutsError(name_problems(doc.job.clinic, doc.clinic_name, layout))
    tallest = max(header_height(layout, head), running_header_height(layout, running))
    if height - margins["top"] - bottom - tallest < body_room(layout):
        raise HandoutsError([Problem(footer.longest, f"makes the footer {len(footer.lines)} lines long, which leaves "
                                                     f"too little room for the text on the page with layout "
                                                     f"{layout.name!r}: shorten it")])

    def frame(header_h: float, name: str) -> Frame:
        return Frame(margins["left"], bottom, width - margins["left"] - margins["right"],
                     height - margins["top"] - bottom - header_h,
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=name)

    buffer = io.BytesIO()
    template = _Handout(
        buffer,
        pagesize=layout.page_size,
        title=doc.plain_title,
        author=doc.clinic_name,
        subject=doc.subject,
        creator="handouts",
        producer=PRODUCER,  # BaseDocTemplate would otherwise reset what post.stamp sets
        lang=doc.job.lang,
        invariant=1,  # no time in the file: post.stamp sets the dates, post.file_id the ID
        initialFontName=kit.styles["body"].fontName,
    )
    contact = any(block.kind == "contact" for section in doc.sections for block in section.blocks)

    def first_page(canvas: Canvas, _: Any) -> None:
        draw_letterhead(canvas, doc, head, layout, brand)
        tagger = cast(_NumberedCanvas, canvas).tagger
        if tagger is not None and not contact:  # the clinic's name and phone, read after the logo
            cast(_NumberedCanvas, canvas).clinic = tagger.child(tagger.root, "P")

    # Page 1 carries the letterhead (logo, name, rule); later pages a slim running header, so
    # the room goes to the text.
    template.addPageTemplates([
        PageTemplate("first", [frame(header_height(layout, head), "first")], autoNextPageTemplate="later",
                     onPage=first_page),
        PageTemplate("later", [frame(running_header_height(layout, running), "later")],
                     onPage=lambda c, d: draw_running_header(c, doc, running, layout, brand)),
    ])
    pages: list[int] = []

    def canvas(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        made = _NumberedCanvas(*args, footer=footer, layout=layout, pages=pages, pdfVersion=PDF_VERSION,
                               tagger=Tagger() if TAGGED else None, **kwargs)
        stamp(made, doc.reviewed)
        if TAGGED:
            made.metadata = xmp(doc.plain_title, doc.clinic_name, doc.reviewed, PRODUCER)
        return made

    template.build(_story(doc, kit), canvasmaker=canvas)
    return file_id(buffer.getvalue()), pages[0]


class _Handout(BaseDocTemplate):
    """Adds each section heading to the PDF outline (bookmarks) as it is placed."""

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - ReportLab's hook name
        if isinstance(flowable, _Heading) and flowable.outline:
            self._sections = getattr(self, "_sections", 0) + 1
            key = f"section-{self._sections}"  # stable names: the same input gives the same bytes
            cast(_NumberedCanvas, self.canv).anchor(key, flowable.top)
            self.canv.addOutlineEntry(flowable.outline, key, level=0, closed=False)


class _Heading(Paragraph):
    """A section heading: named in the outline, and remembering how high on its page it was drawn."""

    outline = ""
    top = 0.0

    def draw(self) -> None:
        """Draw the heading, noting its top edge in page coordinates."""
        self.top = self.canv.absolutePosition(0, self.height)[1]
        super().draw()


class _NumberedCanvas(Canvas):
    """Holds every page until the end so the footer can say "Page X of Y"; and, with a `tagger`,
    writes tagged PDF: each page's drawing is an artifact except what tagged flowables draw as
    content (handouts.tags), and save() writes the structure tree."""

    _code: list[str]  # ReportLab's own, which its type stubs leave out: the page's operators,
    _doc: Any  # its PDF document,
    _pageNumber: int  # and the number of the page being drawn

    def __init__(self, *args: Any, footer: Footer, layout: Layout, pages: list[int], tagger: Tagger | None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []
        self._anchors: list[tuple[str, float]] = []
        self._fields: list[tuple[FieldSpot, Element | None]] = []
        self._footer, self._layout, self._pages = footer, layout, pages
        self.tagger = tagger
        self.metadata: bytes | None = None  # the XMP metadata, written into the catalog by save()
        self._widget_of: Element | None = None  # the Form element whose widget is being made
        self.clinic: Element | None = None  # a document without a contact block: page 1's footer names the clinic
        # Markers in paragraph text call this; untagged, they do nothing.
        self.setNamedCB(CALLBACK, lambda canvas, kind, label: tagger.marker(label) if tagger else None)
        self._artifact()

    def _artifact(self) -> None:
        """Open the artifact sequence that covers whatever is drawn next, until content closes it."""
        if self.tagger is not None:
            self._code.append(ARTIFACT)

    def beginText(self, x: float = 0, y: float = 0, direction: Any = None) -> Any:  # noqa: N802 - ReportLab's name
        text = super().beginText(x, y, direction)
        if self.tagger is not None and self.tagger.begin_text(text):
            text.__class__ = _SpacedLines
        return text

    def drawText(self, aTextObject: Any) -> None:  # noqa: N802, N803 - ReportLab's names
        """Draw a text object; one with tagged content steps out of the artifact sequence around it."""
        if self.tagger is not None and self.tagger.end_text(aTextObject):
            self._code.append("EMC")
            super().drawText(aTextObject)
            self._artifact()
        else:
            super().drawText(aTextObject)

    def _addAnnotation(self, annotation: Any, name: str | None = None, addtopage: int = 1) -> None:  # noqa: N802
        super()._addAnnotation(annotation, name, addtopage)  # type: ignore[misc]
        if self.tagger is None:
            return
        if self._widget_of is None:  # a link: screen readers say its target
            from reportlab.pdfbase.pdfdoc import PDFString

            annotation["Contents"] = PDFString(annotation["A"]["URI"].s)
        self.tagger.annotate(annotation, self._doc.Reference(annotation), self._widget_of)

    def _setAnnotations(self, page: Any) -> None:  # noqa: N802 - ReportLab's name
        """The page's annotations; tagged, also its key in the ParentTree and tab order by structure."""
        super()._setAnnotations(page)  # type: ignore[misc]
        if self.tagger is not None:
            from reportlab.pdfbase.pdfdoc import PDFName

            page.__NoDefault__ = [*page.__NoDefault__, "StructParents", "Tabs"]  # ReportLab writes only listed keys
            page.StructParents = self._pageNumber - 1
            page.Tabs = PDFName("S")

    def anchor(self, key: str, top: float) -> None:
        """Mark a destination `top` points above the bottom of this page; save() binds it to the page."""
        self._anchors.append((key, top))

    def add_field(self, spot: FieldSpot) -> None:
        """A form field drawn on this page; save() creates its widget when the page is emitted."""
        tagger = self.tagger
        self._fields.append((spot, tagger.child(tagger.stack[-1], "Form") if tagger else None))

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        if self.tagger is not None:
            self._code.append("EMC")  # the page's artifact sequence
            self.tagger.page += 1
        self._held.append(dict(self.__dict__))
        self._anchors = []  # the held copy keeps this page's lists
        self._fields = []
        # ReportLab's own reset for the next page, without emitting this one:
        self._startPage()  # type: ignore[attr-defined]
        self._artifact()

    def save(self) -> None:
        total = len(self._held)
        self._pages.append(total)
        # Annotations made while laying out (links) were counted as they came; the fields added
        # below count on from there, or two annotations would get one name.
        count = max((state["_annotationCount"] for state in self._held), default=0)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._annotationCount = count
            # ReportLab binds a destination to the page being emitted, so only now is the page number right.
            for key, top in self._anchors:
                self.bookmarkPage(key, fit="XYZ", top=top)
            if self.tagger is not None:
                self.tagger.page = number - 1
            for spot, element in self._fields:  # a widget names the page being emitted as its own
                self._widget_of = element
                _widget(self, spot)
            self._widget_of = None
            count = self._annotationCount
            self._artifact()
            draw_footer(self, self._footer, self._layout, number, total, self.clinic if number == 1 else None)
            if self.tagger is not None:
                self._code.append("EMC")
            super().showPage()
        if self.tagger is not None:
            self._write_structure(total)
        super().save()

    def _write_structure(self, pages: int) -> None:
        """Put the structure tree, the marked flag and the XMP metadata in the catalog."""
        from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream

        assert self.tagger is not None
        catalog = self._doc.Catalog
        catalog.StructTreeRoot = self.tagger.write(self._doc, pages)
        catalog.MarkInfo = PDFDictionary({"Marked": "true"})
        if self.metadata is not None:
            stream = PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), self.metadata)
            catalog.Metadata = stream


class _SpacedLines(PDFTextObject):
    """Tagged text whose lines end in a space: a reader of the structure tree (a screen reader,
    copying text) joins the lines of a paragraph as written, and ReportLab's lines end without
    one ("con" + "esketamina"). Invisible: nothing is drawn after the space."""

    def _textOut(self, text: str, TStar: int = 0) -> None:  # noqa: N803 - ReportLab's names
        if TStar and not text.endswith((" ", "\xa0")):
            text += " "
        super()._textOut(text, TStar)  # type: ignore[misc]  # ReportLab's, not in its stubs


def _widget(canvas: Canvas, spot: FieldSpot) -> None:
    """The AcroForm field for a drawn spot: no border or fill of its own (the page has the ink).

    ReportLab's fields know only the 14 standard fonts, so a blank form names Helvetica;
    handouts.pdf.fill gives filled fields a TrueType font that has every character.
    """
    x, y, width, height = spot.rect
    form: Any = canvas.acroForm  # its stubs ask for whole points; ReportLab takes any number
    if spot.kind == "check":
        form.checkbox(name=spot.name, tooltip=spot.tooltip, x=x, y=y, size=min(width, height), buttonStyle="check",
                      borderWidth=0, borderColor=None, fillColor=None, textColor=colors.black, fieldFlags="",
                      annotationFlags="print")
    else:
        form.textfield(name=spot.name, tooltip=spot.tooltip, x=x, y=y, width=width, height=height, value="",
                       borderWidth=0, borderColor=None, fillColor=None, textColor=colors.black,
                       fontName="Helvetica", fontSize=spot.font_size, fieldFlags="", maxlen=0,
                       annotationFlags="print")


def _story(doc: ResolvedDocument, kit: Kit) -> list[Flowable]:
    story: list[Flowable] = [tagged(Paragraph(keep_last_words(doc.title), kit.styles["title"]), "H1")]
    for section in doc.sections:
        heading = _Heading(keep_last_words(section.heading), kit.styles["heading"])
        heading.outline = heading.getPlainText().replace("\xa0", " ")  # as PDF readers copy it
        story.append(tagged(heading, "H2"))
        for block in section.blocks:
            story.extend(KINDS[block.kind].draw(block.data, kit))
    _pair_signatures(story)
    return _keep_with_kept_blocks(story)


def _pair_signatures(story: list[Flowable]) -> None:
    """Keep signature blocks two by two, counted from the last, so that none is alone on a page.

    The last block keeps with the one before it, the third-last with the fourth-last, and so
    on; an odd first block keeps with what comes before it (the text it follows).
    """
    places = [i for i, flowable in enumerate(story) if getattr(flowable, "signature", False)]
    while len(places) >= 2:
        story[places[-2]].keepWithNext = 1  # type: ignore[attr-defined]
        places = places[:-2]
    if places and places[0] > 0:
        story[places[0] - 1].keepWithNext = 1  # type: ignore[attr-defined]


def _keep_with_kept_blocks(story: list[Flowable]) -> list[Flowable]:
    """The story with each keep-with-next run (title, heading, lead-in) and the block after it in one Kept.

    ReportLab would group them itself, in a KeepTogether that leaves out a next block that is
    kept together already (a box, a question and answer) and that moves on even from the top
    of a page; Kept does neither. A block that is a Kept itself stays one, nested: should the
    group be split at the top of a page, that block still moves whole.
    """
    result: list[Flowable] = []
    run: list[Flowable] = []
    for flowable in story:
        if flowable.getKeepWithNext():
            run.append(flowable)
            continue
        if run:
            if isinstance(flowable, KeepTogether) and not isinstance(flowable, Kept):
                parts = flowable._content  # type: ignore[attr-defined]
            else:
                parts = [flowable]
            for part in [*run, *parts]:
                if isinstance(part, Kept):  # whole inside the new one: it stays whole if that one is split
                    part.nested = True
            flowable = Kept([*run, *parts])
            run = []
        result.append(flowable)
    return [*result, *run]


@lru_cache(maxsize=64)
def _kit(layout: Layout, brand: colors.Color) -> Kit:
    regular, bold = register(layout.fonts["regular"], layout.fonts["bold"])
    t, s = layout.type, layout.spacing
    text = colors.HexColor(layout.colors["text"])
    muted = colors.HexColor(layout.colors["muted"])
    body = ParagraphStyle(
        "body", fontName=regular, fontSize=t["body"], leading=t["leading"], textColor=text,
        alignment=TA_LEFT, spaceAfter=s["paragraph"], allowWidows=0, allowOrphans=0, bulletFontName=regular,
        bulletFontSize=t["body"],  # ReportLab's 10 pt default is a speck beside large print
    )
    ratio = t["leading"] / t["body"]
    small = t["small"]
    styles = {
        "body": body,
        "title": ParagraphStyle("title", body, fontName=bold, fontSize=t["title"], leading=t["title"] * 1.2,
                                spaceAfter=t["body"] * 0.6, keepWithNext=1),
        "heading": ParagraphStyle("heading", body, fontName=bold, fontSize=t["heading"], leading=t["heading"] * 1.25,
                                  textColor=brand, spaceBefore=s["section"], spaceAfter=s["paragraph"] * 0.8,
                                  keepWithNext=1),
        "bullet": ParagraphStyle("bullet", body, leftIndent=s["list_indent"], bulletIndent=s["list_indent"] * 0.25,
                                 spaceAfter=s["paragraph"] * 0.6),
        "source": ParagraphStyle("source", body, fontSize=small, leading=small * ratio, textColor=muted,
                                 spaceBefore=s["paragraph"], spaceAfter=2),
        "callout": ParagraphStyle("callout", body, spaceAfter=s["paragraph"] * 0.6),
        "callout_title": ParagraphStyle("callout_title", body, fontName=bold, spaceAfter=s["paragraph"] * 0.5,
                                        keepWithNext=1),
        "question": ParagraphStyle("question", body, fontName=bold, spaceBefore=s["paragraph"] * 0.4,
                                   spaceAfter=s["paragraph"] * 0.3, keepWithNext=1),
        "label": ParagraphStyle("label", body, textColor=muted, spaceAfter=0),
        "lead_in": ParagraphStyle("lead_in", body, keepWithNext=1),
        "contact_name": ParagraphStyle("contact_name", body, fontName=bold, spaceAfter=2),
        "contact_line": ParagraphStyle("contact_line", body, spaceAfter=2),
    }
    palette = {name: colors.HexColor(value) for name, value in layout.colors.items()}
    palette["primary"] = brand
    frame_width = layout.page_size[0] - layout.margins["left"] - layout.margins["right"]
    return Kit(styles=styles, colors=palette, width=frame_width, body=t["body"])


def contrast_on_white(color: colors.Color) -> float:
    """WCAG contrast ratio of a colour against white paper."""
    return ratio((color.red, color.green, color.blue))


@lru_cache(maxsize=64)
def _readable(hex_color: str) -> colors.Color:
    """The brand colour, darkened just enough for text on white to reach WCAG AA (4.5:1)."""
    return colors.Color(*readable(rgb(hex_color)))

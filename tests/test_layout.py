"""Page layout read back from the built PDFs: bookmarks, bullets, keeping blocks together, line breaks,
callout bars, large print, the footer, contact links and the PDF version.

Most tests build a small content file of their own (the sample content is being rewritten), made
from the repository's content.yaml with its documents and clinics replaced.
"""

from __future__ import annotations

import ctypes
import json
import shutil
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import yaml
from pypdf import PdfReader

from conftest import CONTENT, ROOT, run
from handouts.build import load_inputs, plan
from handouts.footer import footer_for
from handouts.layouts import load_layout
from handouts.model import ResolvedDocument
from handouts.resolve import resolve_jobs

STANDARD = load_layout("standard", ROOT / "layouts")
LARGE_PRINT = load_layout("large-print", ROOT / "layouts")
FILLER = ("Rest in a quiet room after each visit and keep water nearby. Ask the nurse about anything that "
          "feels strange, and tell the team which medicines you take at home every day.")


Sections = list[tuple[str, list[Any]]]


def _content(folder: Path, documents: dict[str, Sections], title: str = "Layout Test Sheet",
             clinic: dict[str, Any] | None = None) -> Path:
    """A content file with these documents, each a list of (heading, blocks), the same in every language."""
    data = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    langs = list(data["languages"])
    data["clinics"] = [clinic or {"id": "demo", "name": "Demo Clinic", "phone": "(555) 010-1234",
                                  "address": "1 Main Street, Springfield"}]
    data["documents"] = {name: {
        "title": {lang: title for lang in langs},
        "subject": {lang: "A test sheet" for lang in langs},
        "sections": [{"id": f"part-{i}", **{lang: {"heading": heading, "blocks": blocks} for lang in langs}}
                     for i, (heading, blocks) in enumerate(sections)],
    } for name, sections in documents.items()}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "content.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for sub in ("layouts", "logos"):
        if not (folder / sub).exists():
            shutil.copytree(ROOT / sub, folder / sub)
    return path


def _sheet(folder: Path, sections: Sections, **kwargs: Any) -> Path:
    """A content file with one document, `sheet`."""
    return _content(folder, {"sheet": sections}, **kwargs)


def _build(content: Path, *options: str) -> Path:
    """Build every document of `content`; returns the output folder."""
    out = content.parent / "out"
    result = run("build", "--content", content, "--out", out, *options)
    assert result.exit_code == 0, result.output
    return out


def _page_texts(path: Path) -> list[str]:
    """Each page's text with whitespace folded to single spaces."""
    doc = pdfium.PdfDocument(str(path))
    texts = [" ".join(page.get_textpage().get_text_range().split()) for page in doc]
    doc.close()
    return texts


def test_bookmarks_open_the_page_and_place_of_their_heading(tmp_path: Path) -> None:
    names = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot")
    sections = [(f"Section {name} heading", [{"p": FILLER}] * 8) for name in names]
    pdf = _build(_sheet(tmp_path, sections)) / "demo" / "sheet.en.pdf"
    texts = _page_texts(pdf)
    assert len(texts) >= 3
    reader = PdfReader(pdf)
    assert [item.title for item in reader.outline] == [heading for heading, _ in sections]
    doc = pdfium.PdfDocument(str(pdf))
    for item in reader.outline:
        page = reader.get_destination_page_number(item)
        assert [i for i, text in enumerate(texts) if item.title in text] == [page], item.title
        assert item["/Type"] == "/XYZ"
        # The view opens at the heading: its first letter lies just under the destination's top.
        textpage = doc[page].get_textpage()
        first = textpage.search(item.title).get_next()
        assert first is not None
        _, _, _, glyph_top = textpage.get_charbox(first[0])
        assert 0 <= float(item["/Top"]) - glyph_top < 12, item.title
    pages = {reader.get_destination_page_number(item) for item in reader.outline}
    assert len(pages) >= 3  # the headings really are spread over the pages


def _chars(path: Path, page: int) -> list[tuple[str, float, tuple[float, float, float, float]]]:
    """Each character PDFium finds on a page (not the spaces and line ends it makes up): text, size, box."""
    doc = pdfium.PdfDocument(str(path))
    textpage = doc[page].get_textpage()
    chars = []
    for i in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, i):
            continue
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
        if char.strip():
            chars.append((char, pdfium_c.FPDFText_GetFontSize(textpage.raw, i), textpage.get_charbox(i)))
    doc.close()
    return chars


@pytest.mark.parametrize(("layout", "body"), [("standard", 12), ("large-print", 18)])
def test_bullets_are_as_big_as_their_text(tmp_path: Path, layout: str, body: float) -> None:
    sections = [("Things to bring", [{"bullets": ["Your photo ID", "A list of your medicines"]},
                                     {"sources": ["A source in small print", "Another source"]}])]
    pdf = _build(_sheet(tmp_path, sections), "--layout", layout) / "demo" / "sheet.en.pdf"
    chars = _chars(pdf, 0)
    bullets = [i for i, (char, _, _) in enumerate(chars) if char == "•"]
    assert len(bullets) == 2  # the sources run on in one small paragraph, without bullets
    for i in bullets:
        assert chars[i][1] == pytest.approx(chars[i + 1][1]), chars[i + 1]  # the item's first letter
    assert [round(chars[i][1], 2) for i in bullets] == [body, body]
    assert "A source in small print; Another source." in " ".join(_page_texts(pdf))


KEPT_BLOCKS = {
    "callout": {"callout": {"title": "Kept block title", "text": ["Two short lines of callout text. " * 3],
                            "tone": "warning"}},
    "box": {"box": {"title": "Kept block title", "fields": ["Date", "Time"]}},
    "faq": {"faq": [{"q": "Kept block title?", "a": "An answer of a few lines. " * 6}]},
}


@pytest.mark.parametrize("layout", ["standard", "large-print"])
def test_a_heading_stays_on_the_page_of_the_block_after_it(tmp_path: Path, layout: str) -> None:
    # One bullet more in each document moves the heading down a little, so that in some of them it
    # lands at the foot of page 1, with no room left for the block under it.
    documents = {f"{kind}-{n}": [("Filler", [{"bullets": ["A line"] * n}]),
                                 ("Heading before the block", [{"p": "Read this first:"}, block])]
                 for kind, block in KEPT_BLOCKS.items() for n in range(6, 36)}
    out = _build(_content(tmp_path, documents), "--layout", layout) / "demo"
    moved = set()
    for name in documents:
        texts = _page_texts(out / f"{name}.en.pdf")
        heading = [i for i, text in enumerate(texts) if "Heading before the block" in text]
        assert heading == [i for i, text in enumerate(texts) if "Kept block title" in text], name
        assert heading == [i for i, text in enumerate(texts) if "Read this first:" in text], name
        if "A line" not in texts[heading[0]]:  # the filler ended a page; the heading opened the next
            moved.add(name.split("-")[0])
    assert moved == set(KEPT_BLOCKS)  # the case came up for every kind of block


def test_a_lead_in_stays_on_the_page_of_the_list_it_introduces(tmp_path: Path) -> None:
    # A paragraph ending in a colon introduces the list under it. One filler bullet more in each
    # document moves it down a line, so that in some it would be the last line of page 1 with its
    # list on page 2. No heading in between: only the lead-in's own keep-with-next holds it.
    lead_in, first = "Before you leave the clinic, check these:", "Someone is here to drive you home"
    documents = {f"lead-{n}": [("Filler", [{"bullets": [f"Filler line {i}" for i in range(n)]},
                                           {"p": lead_in}, {"bullets": [first, "You have your next date"]}])]
                 for n in range(25, 45)}
    out = _build(_content(tmp_path, documents)) / "demo"
    moved = []
    for name in documents:
        texts = _page_texts(out / f"{name}.en.pdf")
        where = [i for i, text in enumerate(texts) if lead_in in text]
        assert where == [i for i, text in enumerate(texts) if first in text], name
        if where[0] > 0 and "Filler line" not in texts[where[0]]:  # the fillers ended a page; the lead-in began the next
            moved.append(name)
    assert moved  # the case came up


def test_a_callout_taller_than_the_room_left_starts_under_its_heading(tmp_path: Path) -> None:
    # Callouts from a few lines to nearly a page: in some, the title and heading above leave too
    # little room, and the callout must continue on page 2 rather than leave its heading behind.
    sentence = "This callout is long and may not fit under the title on the first page."
    documents = {f"tall-{n}": [("First heading", [{"callout": {"title": "Callout title", "text": [sentence] * n,
                                                               "tone": "danger"}}])] for n in range(4, 20)}
    out = _build(_content(tmp_path, documents), "--layout", "large-print") / "demo"
    continued = 0
    for name in documents:
        texts = _page_texts(out / f"{name}.en.pdf")
        assert "First heading" in texts[0] and "Callout title" in texts[0], name
        assert " ".join(texts).count(sentence) == int(name.split("-")[1])
        continued += sentence in texts[1] if len(texts) > 1 else 0
    assert continued  # some callouts did break across the pages


def _lines(path: Path, page: int, size: float, bold: bool) -> list[tuple[float, str]]:
    """The lines of text set at `size` (bold or not) on a page, top first: (baseline, text)."""
    doc = pdfium.PdfDocument(str(path))
    textpage = doc[page].get_textpage()
    lines: dict[float, str] = {}
    for i in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, i):
            continue
        heavy = pdfium_c.FPDFText_GetFontWeight(textpage.raw, i) >= 600
        if abs(pdfium_c.FPDFText_GetFontSize(textpage.raw, i) - size) > 0.01 or heavy != bold:
            continue
        x, y = ctypes.c_double(), ctypes.c_double()
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, x, y)
        baseline = round(y.value, 1)
        lines[baseline] = lines.get(baseline, "") + chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
    doc.close()
    # A line of tagged text ends in a space, for screen readers (handouts.layout._SpacedLines): unseen.
    return sorted(((baseline, text.rstrip(" ")) for baseline, text in lines.items()), reverse=True)


def test_the_title_keeps_its_last_two_words_together(tmp_path: Path) -> None:
    # One word more each time: where the title first needs two lines, "Know" would be alone.
    words = "Ketamine Treatment at Our Clinic: What You Should Know Before and After".split()
    out = tmp_path / "titles"
    wrapped = 0
    for n in range(4, len(words) + 1):
        title = " ".join(words[:n])
        pdf = _build(_sheet(out / str(n), [("Part", [{"p": FILLER}])], title=title)) / "demo" / "sheet.en.pdf"
        lines = [text for _, text in _lines(pdf, 0, STANDARD.type["title"], bold=True)]
        assert " ".join(lines) == title  # the words extract with plain spaces
        assert " " in lines[-1], lines
        wrapped += len(lines) > 1
    assert wrapped  # some titles did need two lines


@pytest.mark.parametrize(("layout", "heading_size", "body"), [
    ("standard", STANDARD.type["heading"], STANDARD.type["body"]),
    ("large-print", LARGE_PRINT.type["heading"], LARGE_PRINT.type["body"]),
])
def test_no_heading_or_callout_title_ends_with_one_word_alone(tmp_path: Path, layout: str, heading_size: float,
                                                              body: float) -> None:
    # One word more each time: where a heading first needs two lines, its new last word would be alone.
    words = ("Questions about treatment and about what to expect before during and after every visit "
             "to the clinic from the first phone call to the last appointment of the series").split()
    documents = {f"words-{n}": [(" ".join(words[:n]), [{"callout": {"title": " ".join(words[:n]), "text": [FILLER],
                                                                     "tone": "info"}}])]
                 for n in range(3, len(words) + 1)}
    out = _build(_content(tmp_path, documents, title="Sheet"), "--layout", layout) / "demo"
    wrapped = 0
    for name in documents:
        for size, bold in ((heading_size, True), (body, True)):  # the heading, the callout's title
            lines = [text for _, text in _lines(out / f"{name}.en.pdf", 0, size, bold) if text != "Demo Clinic"]
            assert " ".join(lines) == " ".join(words[:int(name.split("-")[1])]), (name, lines)
            assert " " in lines[-1], (name, lines)
            wrapped += len(lines) > 1
    assert wrapped > 4  # headings and titles of two lines and more came up


def _near(pixel: tuple[int, int, int], color: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 12 for a, b in zip(pixel, color))


def _run(pixels: Any, x: int, y: int, color: tuple[int, int, int]) -> tuple[int, int]:
    """The first and last row of the unbroken run of `color` in column x through row y."""
    top = bottom = y
    while _near(pixels[x, top - 1], color):
        top -= 1
    while _near(pixels[x, bottom + 1], color):
        bottom += 1
    return top, bottom


@pytest.mark.parametrize("layout", ["standard", "large-print"])
def test_the_callout_bar_ends_at_the_edges_of_its_box(tmp_path: Path, layout: str) -> None:
    sections = [("Part", [{"callout": {"title": "Call 911", "text": [FILLER], "tone": "danger"}}])]
    pdf = _build(_sheet(tmp_path, sections), "--layout", layout) / "demo" / "sheet.en.pdf"
    doc = pdfium.PdfDocument(str(pdf))
    image = doc[0].render(scale=3).to_pil().convert("RGB")
    doc.close()
    pixels = image.load()
    edge, tint = (0xB3, 0x26, 0x1E), (250, 233, 232)  # layouts: danger; blocks: 10 % of it on white
    bar = [(x, y) for y in range(0, image.height, 3) for x in range(image.width // 4) if _near(pixels[x, y], edge)]
    assert bar, "no callout bar"
    xs = sorted({x for x, _ in bar})
    x_bar, y_mid = xs[len(xs) // 2], bar[len(bar) // 2][1]
    bar_top, bar_bottom = _run(pixels, x_bar, y_mid, edge)
    top, bottom = _run(pixels, xs[-1] + 6, y_mid, tint)  # the box, in its left padding right of the bar
    assert top - 1 <= bar_top and bar_bottom <= bottom + 1, (bar_top, bar_bottom, top, bottom)
    for y in (top - 3, bottom + 3):  # just outside the box, at the bar: white paper
        assert min(pixels[x_bar, y]) > 245, (y, pixels[x_bar, y])


@pytest.fixture(scope="module")
def large_print(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample content built in large print."""
    out = tmp_path_factory.mktemp("large-print")
    result = run("build", "--content", CONTENT, "--layout", "large-print", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def _footers(pdf: Path, size: float, margin: float) -> list[str]:
    """Each page's footer text (set at `size`, low on the page), checked to lie on the paper, below the body."""
    texts = []
    doc = pdfium.PdfDocument(str(pdf))
    width, height = doc[0].get_size()
    for page in range(len(doc)):
        chars = _chars(pdf, page)
        small = sorted((c for c in chars if abs(c[1] - size) < 0.01 and c[2][3] < height / 2), key=lambda c: c[2][1])
        assert small, (pdf, page)
        # The footer is the lowest run of lines at this size, one leading apart; small print in the
        # body above it (the sources) is further up, past the rule and the gap above it.
        footer, last = [], small[0][2][1]
        for char in small:
            if char[2][1] - last > size * 1.6:
                break
            footer.append(char)
            last = max(last, char[2][1])
        lowest_body = min(c[2][1] for c in chars if c not in footer)
        for char, _, (left, bottom, right, top) in footer:
            assert margin - 0.5 <= left and right <= width - margin + 0.5, (pdf, page, char)
            # About 0.35 in above the paper's edge (PDFium's boxes hug the glyphs), under the body text.
            assert bottom >= 0.33 * 72 and top < lowest_body, (pdf, page, char, bottom, top, lowest_body)
        textpage = doc[page].get_textpage()
        texts.append(textpage.get_text_bounded(bottom=0, top=lowest_body - 0.5))
    doc.close()
    return texts


def test_large_print_sets_nothing_below_14_pt_and_the_footer_stays_on_the_paper(large_print: Path) -> None:
    pdfs = sorted(large_print.rglob("*.pdf"))
    assert len(pdfs) > 5
    for pdf in pdfs:
        pages = len(_page_texts(pdf))
        for page in range(pages):
            small = [c for c in _chars(pdf, page) if c[1] < 14]
            assert not small, (pdf, page, small[:5])
        for text in _footers(pdf, 14, LARGE_PRINT.margins["left"]):
            assert "…" not in text and ("Page" in text or "Página" in text), text


def test_a_long_footer_wraps_and_pushes_the_body_up_instead_of_cutting(tmp_path: Path) -> None:
    name = "The Riverside Plaza Center for Ketamine Treatment, Depression Care and Family Wellness"
    title = "Everything You Should Know Before, During and After Your Ketamine Treatment"
    clinic = {"id": "demo", "name": name, "phone": "+1 (555) 010-1234 ext. 20", "address": "1 Main Street"}
    sections = [(f"Part {n}", [{"p": FILLER}] * 3) for n in range(4)]
    pdf = _build(_sheet(tmp_path, sections, title=title, clinic=clinic), "--layout", "large-print")
    footers = _footers(pdf / "demo" / "sheet.en.pdf", 14, LARGE_PRINT.margins["left"])
    assert len(footers) >= 2
    for number, text in enumerate(footers, start=1):
        lines = text.split("\r\n")
        assert len(lines) >= 4, lines  # the clinic's name and phone wrap, and so does the title
        page = f"Page {number} of {len(footers)}"
        assert page in lines[0]  # on the right of the first line; the rest reads on without it
        flat = " ".join(text.replace(page, " ").split())
        for whole in (name, "Phone +1 (555) 010-1234 ext. 20", title):
            assert whole in flat, (whole, flat)
        assert "…" not in flat and "sheet.en" not in flat


def test_the_standard_footer_is_two_9_pt_lines_inside_the_bottom_margin(sample_build: dict[str, Any]) -> None:
    # A form's footer also names the form, its text hash and language beside its QR code: three
    # lines, or four where the title wraps; the body ends above the QR code.
    for pdf in sorted(sample_build["out"].rglob("*.pdf")):
        lines = (3, 4) if pdf.name.startswith("consent-") else (2,)
        for text in _footers(pdf, STANDARD.type["small"], STANDARD.margins["left"]):
            assert len(text.split("\r\n")) in lines, text
    # The body frame is no shorter than the layout's margins make it: the footer fits below them.
    content, clinics = load_inputs(CONTENT)
    for name in ("standard", "a4"):
        layout = load_layout(name, ROOT / "layouts")
        for doc in resolve_jobs(content, plan(content, clinics)):
            if isinstance(doc, ResolvedDocument) and doc.form is None:
                assert footer_for(doc, layout).height <= layout.margins["bottom"], (name, doc.job)


def test_the_footer_names_the_document_by_its_title(tmp_path: Path) -> None:
    title = "After Your Visit"
    pdf = _build(_sheet(tmp_path, [("Part", [{"p": FILLER}])], title=title)) / "demo" / "sheet.en.pdf"
    [footer] = _footers(pdf, STANDARD.type["small"], STANDARD.margins["left"])
    assert footer.split("\r\n")[1].startswith(f"{title} · ")
    assert "sheet.en" not in " ".join(_page_texts(pdf))


def _links(pdf: Path) -> dict[int, list[str]]:
    """The URI of each link annotation (pypdf), by page index."""
    found: dict[int, list[str]] = {}
    for index, page in enumerate(PdfReader(pdf).pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot["/Subtype"] == "/Link":
                found.setdefault(index, []).append(str(annot["/A"]["/URI"]))
    return found


def test_contact_block_links_the_website_email_and_phones(sample_build: dict[str, Any]) -> None:
    _, clinics = load_inputs(CONTENT)
    fields = next(c for c in clinics if c.id == "harbor").fields
    expected = {f"https://{fields['website']}", f"mailto:{fields['email']}"}
    expected |= {"tel:" + "".join(d for d in str(fields[name]) if d.isdigit()) for name in ("phone", "after_hours_phone")}
    pdf = sample_build["out"] / "harbor" / "handout.en.pdf"
    links = _links(pdf)
    [(page, uris)] = links.items()  # all on the contact block's page
    assert sorted(uris) == sorted(expected)
    doc = pdfium.PdfDocument(str(pdf))
    textpage = doc[page].get_textpage()
    reader_page = PdfReader(pdf).pages[page]
    for annot in reader_page["/Annots"]:  # each link lies over its value's printed text
        annot = annot.get_object()
        uri = str(annot["/A"]["/URI"])
        if uri.startswith("tel:"):
            continue  # the phone also prints in the footer; the numbers differ from the URI's digits
        value = uri.split(":", 1)[1].removeprefix("//")
        found = textpage.search(value).get_next()
        assert found is not None, value
        left, bottom, right, top = textpage.get_charbox(found[0])
        x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
        assert x0 <= (left + right) / 2 <= x1 and y0 <= (bottom + top) / 2 <= y1, (uri, annot["/Rect"])
    doc.close()


@pytest.mark.parametrize(("website", "expected"), [
    ('evil.example" onclick="steal()"><font color="red">x</font>', None),
    ("javascript:alert(1)", None),
    ("clinic.example/<b>", None),
    ("https://clinic.example/find?x=1&y=2", "https://clinic.example/find?x=1&y=2"),
    ("http://clinic.example", "http://clinic.example"),
])
def test_a_contact_value_that_is_not_plainly_a_link_prints_as_text(tmp_path: Path, website: str,
                                                                   expected: str | None) -> None:
    clinic = {"id": "demo", "name": "Demo Clinic", "phone": "+1 555 010 1234", "address": "1 Main Street",
              "after_hours_phone": "555-0100 <b>ext 2</b>", "website": website,
              "email": 'care@clinic.example"><a href="javascript:alert(1)">click</a>'}
    pdf = _build(_sheet(tmp_path, [("Contact", [{"contact": {}}])], clinic=clinic)) / "demo" / "sheet.en.pdf"
    text = " ".join(_page_texts(pdf))
    for name in ("website", "email", "after_hours_phone"):
        assert clinic[name] in text, name  # printed exactly as written
    assert sorted(_links(pdf)[0]) == sorted(["tel:+15550101234", *([expected] if expected else [])])


def test_every_pdf_is_version_1_7(sample_build: dict[str, Any]) -> None:
    pdfs = sorted(sample_build["out"].rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        assert pdf.read_bytes().startswith(b"%PDF-1.7\n"), pdf
        with pikepdf.open(pdf) as opened:
            assert opened.pdf_version == "1.7", pdf
            assert "/Version" not in opened.Root or opened.Root.Version == "/1.7"


def test_a_word_wider_than_the_footer_breaks_inside_the_margins(tmp_path: Path) -> None:
    name = "Riverside" * 12  # one word, wider than the page
    clinic = {"id": "demo", "name": name, "phone": "(555) 010-1234", "address": "1 Main Street"}
    pdf = _build(_sheet(tmp_path, [("Part", [{"p": FILLER}])], clinic=clinic)) / "demo" / "sheet.en.pdf"
    [footer] = _footers(pdf, STANDARD.type["small"], STANDARD.margins["left"])  # checks every glyph is inside
    assert name in "".join(footer.replace("Page 1 of 1", "").split())


def test_a_line_break_in_the_name_or_phone_is_a_space_in_header_and_footer(tmp_path: Path) -> None:
    clinic = {"id": "demo", "name": "Line One\nLine Two", "phone": "555\n0142", "address": "1 Main Street"}
    pdf = _build(_sheet(tmp_path, [("Part", [{"p": FILLER}])], clinic=clinic)) / "demo" / "sheet.en.pdf"
    [footer] = _footers(pdf, STANDARD.type["small"], STANDARD.margins["left"])
    assert "Line One Line Two · Phone 555 0142" in " ".join(footer.split())


def _rules(pdf: Path) -> list[tuple[float, float, float]]:
    """The horizontal lines drawn on page 1 (rules, write-on lines), as (y, left, right) in page space (PDFium)."""
    doc = pdfium.PdfDocument(str(pdf))
    found = []
    for obj in doc[0].get_objects():
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            if top - bottom < 3 and right - left > 20:
                found.append((round(bottom, 1), left, right))
    doc.close()
    return found


def test_a_long_box_label_wraps_and_keeps_every_line_inside_the_box(tmp_path: Path) -> None:
    long_label = "Name of the adult who will drive you home after your visit today"
    sections = [("Next visit", [{"box": {"title": "Your next visit", "fields": ["Date", long_label, "Time"]}}])]
    pdf = _build(_sheet(tmp_path, sections)) / "demo" / "sheet.en.pdf"
    left = STANDARD.margins["left"]
    right = STANDARD.page_size[0] - STANDARD.margins["right"]
    rules = _rules(pdf)
    for _, a, b in rules:  # nothing is pushed past the margins
        assert left - 1.5 <= a < b <= right + 1.5, rules  # strokes reach a little past their ends
    write_on = [r for r in rules if left + 20 < r[1]]  # the lines to write on start right of their labels
    assert len(write_on) == 3, rules  # one per field, each in a row of its own
    assert long_label in " ".join(_page_texts(pdf))


def test_a_box_whose_fields_are_all_left_out_is_not_drawn(tmp_path: Path) -> None:
    sections = [("Part", [{"p": FILLER},
                          {"box": {"title": "Web visit", "fields": ["{% if clinic.website %}Link{% endif %}"]}}])]
    result = run("build", "--content", _sheet(tmp_path, sections), "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Web visit" not in " ".join(_page_texts(tmp_path / "out" / "demo" / "sheet.en.pdf"))


def test_a_document_longer_than_its_page_budget_is_a_warning(tmp_path: Path) -> None:
    content = _sheet(tmp_path, [(f"Part {n}", [{"p": FILLER}] * 6) for n in range(6)])
    text = content.read_text(encoding="utf-8").replace("  sheet:\n", "  sheet:\n    pages: 1\n", 1)
    content.write_text(text, encoding="utf-8")
    result = run("build", "--content", content, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "WARNING demo/sheet.en.pdf: 3 pages, more than the 1 that documents.sheet.pages allows" in result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [w["path"] for w in manifest["warnings"]] == ["demo/sheet.en.pdf"]
    # Large print takes the pages it needs: no warning there.
    large = run("build", "--content", content, "--layout", "large-print", "--out", tmp_path / "large")
    assert large.exit_code == 0 and "WARNING" not in large.output


def test_footer_wrapping_ends_even_with_no_room_at_all() -> None:
    from handouts.fonts import register
    from handouts.footer import wrap

    regular, _ = register("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
    calls = []

    def no_room(line: int) -> float:
        calls.append(line)
        assert len(calls) < 1000, "the wrapping does not end"  # fail, rather than hang, if it loops again
        return -5.0

    assert wrap("Harbor Clinic", regular, 9, no_room) == ["H", "a", "r", "b", "o", "r", "C", "l", "i", "n", "i", "c"]


def test_a_big_logo_is_downsampled_to_print_resolution(tmp_path: Path) -> None:
    # A 3000-pixel photo as a logo: printed 0.55 in high, 300 ppi needs 165 pixels, not 3000.
    from PIL import Image

    logo = tmp_path / "photo.png"
    Image.effect_noise((3000, 3000), 64).convert("RGB").save(logo)  # noise: it does not compress away
    content = _sheet(tmp_path, [("About", [{"p": FILLER}])],
                     clinic={"id": "demo", "name": "Demo Clinic", "phone": "(555) 010-1234",
                             "address": "1 Main Street", "logo": str(logo)})
    pdf = _build(content) / "demo" / "sheet.en.pdf"
    with pikepdf.open(pdf) as document:
        images = [obj for obj in document.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]
        assert [int(image.Height) for image in images] == [165]
    assert pdf.stat().st_size < logo.stat().st_size / 50

"""handouts.pdf.guard: outside PDFs are parsed in a limited child; bad ones fail with a clinic's reason.

Every fixture is made here at test time. The bombs are built by repeating one fully flushed
zlib block, so a stream that inflates to gigabytes costs milliseconds and a few MB to make.
"""

from __future__ import annotations

import io
import signal
import sys
import time
import zlib
from pathlib import Path
from typing import Callable, Iterator

import pikepdf
import pypdfium2 as pdfium
import pytest
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from handouts.errors import HandoutsError
from handouts.pdf.guard import LIMIT, MEMORY, NOT_UNDERSTOOD, SLOW, Attachment, _accepted, _clean, read_attachment
from handouts.pdf.merge import Part, merge

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="setrlimit limits exist only on POSIX")
CRAFTED = ": it may be damaged or crafted"


@pytest.fixture(autouse=True)
def _watchdog() -> Iterator[None]:
    """A guard that failed to stop its child must fail the test, not hang the suite."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError("read_attachment did not return within 60 s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def leaflet(pages: int = 2, title: str | None = "Aftercare after esketamine") -> bytes:
    """A valid PDF made by ReportLab, "Page N" on each page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    if title:
        pdf.setTitle(title)
    for number in range(1, pages + 1):
        pdf.drawString(72, 720, f"Page {number}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def raw_pdf(*objects: bytes, prev_to_itself: bool = False) -> bytes:
    """A PDF with a classic xref table, objects numbered from 1, object 1 the catalog."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    prev = b" /Prev %d" % xref if prev_to_itself else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, prev, xref)
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R >>"


def flate_stream(data: bytes) -> bytes:
    """A FlateDecode stream object's body, `data` already compressed."""
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)


def zeros_deflated(mib: int) -> bytes:
    """zlib data that inflates to `mib` MiB of zeros, ~1 kB per MiB, made in milliseconds."""
    chunk = b"\0" * (1 << 20)
    packer = zlib.compressobj(9)
    first = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the packer forgets what came before, so every further MiB of zeros
    # compresses to the same bytes: repeat them instead of compressing gigabytes.
    again = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    adler32 = (((mib << 20) % 65521) << 16) | 1  # of n zero bytes: a = 1, b = n mod 65521
    return first + again * (mib - 1) + b"\x03\x00" + adler32.to_bytes(4, "big")  # empty final block


def bomb(mib: int = 3 << 10) -> bytes:
    """One page whose content stream is 3 MB on disk and inflates to 3 GiB."""
    return raw_pdf(CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE % 4, flate_stream(zeros_deflated(mib)))


def many_streams(count: int, mib: int) -> bytes:
    """One page drawn from `count` content streams that each inflate to `mib` MiB, under pypdf's 75 MB cap."""
    streams = [flate_stream(zeros_deflated(mib)) for _ in range(count)]
    contents = b" ".join(b"%d 0 R" % (4 + n) for n in range(count))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [%s] >>" % contents
    return raw_pdf(CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, *streams)


def write(tmp_path: Path, data: bytes, name: str = "attachment.pdf") -> Path:
    """`data` as a file in the test's folder."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refusal(call: Callable[[], Attachment]) -> str:
    """The reason a guarded read failed with; it must be one located, traceback-free line."""
    with pytest.raises(HandoutsError) as caught:
        call()
    (problem,) = caught.value.problems
    assert "Traceback" not in problem.message and "0x" not in problem.message and "\n" not in problem.message
    return problem.message


def test_a_valid_pdf_passes_as_a_clean_copy_that_another_engine_reads(tmp_path: Path) -> None:
    attachment = read_attachment(write(tmp_path, leaflet()))
    assert (attachment.pages, attachment.title) == (2, "Aftercare after esketamine")
    document = pdfium.PdfDocument(attachment.pdf)
    try:
        assert len(document) == 2
        text = document[1].get_textpage()
        assert "Page 2" in text.get_text_range()
        text.close()
    finally:
        document.close()


def test_without_a_title_the_file_name_stands_in(tmp_path: Path) -> None:
    assert read_attachment(write(tmp_path, leaflet(1, title=None), "REMS enrollment.pdf")).title == "REMS enrollment"


def test_a_fillable_form_keeps_its_field(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    form = canvas.Canvas(buffer)
    form.drawString(72, 725, "Patient name:")
    form.acroForm.textfield(name="x", x=160, y=715, width=200, height=20)
    form.showPage()
    form.save()
    attachment = read_attachment(write(tmp_path, buffer.getvalue()))
    assert "x" in (PdfReader(io.BytesIO(attachment.pdf)).get_fields() or {})


@pytest.mark.parametrize("data", [b"Dear patient,\n" * 50, b" " * 1024 + b"%PDF-1.7\n"],
                         ids=["text", "header-too-late"])
def test_a_file_that_is_not_a_pdf_is_refused(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)
    assert refusal(lambda: read_attachment(path)) == "is not a PDF file"


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    assert refusal(lambda: read_attachment(tmp_path / "gone.pdf")) == "does not exist"
    assert refusal(lambda: read_attachment(tmp_path)) == "is not a file"


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = write(tmp_path, leaflet())
    assert refusal(lambda: read_attachment(path, max_bytes=1_000)) == "is larger than 1 kB"
    assert read_attachment(path, max_bytes=path.stat().st_size).pages == 2  # the cap itself is allowed


@pytest.mark.parametrize("damage", [lambda good: good[: len(good) // 2],
                                    lambda good: good[:9] + bytes(range(256)) * 40], ids=["truncated", "garbage"])
def test_a_damaged_pdf_is_refused_with_the_readers_reason(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    path = write(tmp_path, damage(leaflet()))
    assert refusal(lambda: read_attachment(path)).startswith("could not be read as a PDF (")


@pytest.mark.parametrize("user_password", ["pw", ""], ids=["password", "owner-password-only"])
def test_an_encrypted_pdf_is_refused(tmp_path: Path, user_password: str) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(leaflet())))
    writer.encrypt(user_password, owner_password="clinic")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = write(tmp_path, buffer.getvalue())
    assert refusal(lambda: read_attachment(path)) == "is encrypted; remove the password first"


def test_page_count_limits(tmp_path: Path) -> None:
    two = write(tmp_path, leaflet(2), "two.pdf")
    none = write(tmp_path, raw_pdf(CATALOG, b"<< /Type /Pages /Kids [] /Count 0 >>"), "none.pdf")
    assert refusal(lambda: read_attachment(two, max_pages=1)) == "has 2 pages; at most 1 can be attached"
    assert refusal(lambda: read_attachment(none)) == "has no pages"


def test_a_decompression_bomb_fails_within_the_limits(tmp_path: Path) -> None:
    path = write(tmp_path, bomb())
    assert path.stat().st_size < 4_000_000
    started = time.monotonic()
    reason = refusal(lambda: read_attachment(path, memory_bytes=300_000_000, wall_seconds=10))
    # pypdf 7 caps one stream at 75 MB itself (LIMIT); older pypdf inflates until RLIMIT_AS stops it.
    assert reason in {MEMORY, LIMIT, SLOW.format(seconds=10)}
    assert time.monotonic() - started < 10


@POSIX
def test_the_memory_limit_stops_the_child(tmp_path: Path) -> None:
    # 128 MiB: Python with pypdf needs ~55 MB; the bomb's first 75 MB (pypdf's cap) do not fit beside it.
    assert read_attachment(write(tmp_path, leaflet(), "fine.pdf"), memory_bytes=128 << 20).pages == 2
    assert refusal(lambda: read_attachment(write(tmp_path, bomb()), memory_bytes=128 << 20)) == MEMORY


def test_many_streams_may_not_inflate_past_the_memory_allowed(tmp_path: Path) -> None:
    # 5 x 48 MiB: each stream fits in 200 MiB, as pypdf's per-stream cap allows; all of them do not.
    path = write(tmp_path, many_streams(5, 48))
    assert refusal(lambda: read_attachment(path, memory_bytes=200 << 20)) == LIMIT
    assert read_attachment(path, memory_bytes=300 << 20).pages == 1


@POSIX
def test_the_processor_time_limit_stops_the_child(tmp_path: Path) -> None:
    # 24 x 64 MiB of zeros: ~5 s of inflating here, 1.6 MB on disk; 4 GiB lets the sum of them pass.
    path = write(tmp_path, many_streams(24, 64))
    started = time.monotonic()
    assert refusal(lambda: read_attachment(path, cpu_seconds=1, memory_bytes=4 << 30)) == SLOW.format(seconds=1)
    assert time.monotonic() - started < 5


def test_the_wall_clock_limit_kills_the_child(tmp_path: Path) -> None:
    path = write(tmp_path, leaflet())
    assert refusal(lambda: read_attachment(path, wall_seconds=0.01)) == SLOW.format(seconds=0.01)


LOOPS = {
    "xref-prev-to-itself": raw_pdf(CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                   b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>", prev_to_itself=True),
    "pages-kid-is-itself": raw_pdf(CATALOG, b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"),
    "pages-kid-is-parent": raw_pdf(CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                   b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"),
    "object-is-itself": raw_pdf(CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE % 4, b"4 0 R"),
}


@pytest.mark.parametrize("data", LOOPS.values(), ids=LOOPS.keys())
def test_a_pdf_that_points_at_itself_returns_without_hanging(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)
    started = time.monotonic()
    try:  # pypdf 7.1.1 reads the /Prev loop and refuses the others
        assert read_attachment(path, wall_seconds=5).pages == 1
    except HandoutsError as error:
        (problem,) = error.problems
        assert problem.message.startswith("could not be read as a PDF (") or problem.message.endswith(CRAFTED)
        assert "0x" not in problem.message
    assert time.monotonic() - started < 5 + 2  # a looping child is killed at 5 s


def test_a_form_that_draws_itself_is_read(tmp_path: Path) -> None:
    # The guard's own walk over the document's streams must end at a reference loop.
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources 5 0 R >>"
    form = (b"<< /Type /XObject /Subtype /Form /BBox [0 0 9 9] /Resources 5 0 R /Length 5 >>\n"
            b"stream\n/F Do\nendstream")
    path = write(tmp_path, raw_pdf(CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page,
                                   flate_stream(zlib.compress(b"/F Do")), b"<< /XObject << /F 6 0 R >> >>", form))
    assert read_attachment(path, wall_seconds=5).pages == 1


def test_reasons_carry_no_object_addresses() -> None:
    message = "Detected loop with self reference for IndirectObject(4, 0, 140234567890) at 0x7f3a2c."
    assert _clean(message) == "Detected loop with self reference for object 4 0"


# ---- the child's isolation ----


@pytest.mark.parametrize("where", ["cwd", "PYTHONPATH", "PYTHONHOME"])
def test_the_child_imports_neither_a_stray_pypdf_nor_python_variables(tmp_path: Path, where: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    stray = tmp_path / "stray"
    (stray / "pypdf").mkdir(parents=True)
    # A folder that happens to be called pypdf, answering for the child with junk and success.
    (stray / "pypdf" / "__init__.py").write_text("import os\nos.write(1, b'junk\\n')\nos._exit(0)\n")
    path = write(tmp_path, leaflet())
    if where == "cwd":
        monkeypatch.chdir(stray)
    else:
        monkeypatch.setenv(where, str(stray))  # PYTHONHOME here would keep any Python from starting
    attachment = read_attachment(path)
    assert attachment.pages == 2 and attachment.pdf.startswith(b"%PDF-")


@pytest.mark.parametrize("answer", [b"junk\n%PDF-1.7\n", b"", b"\xff\xfe\n%PDF-1.7\n", b'[2, "t"]\n%PDF-1.7\n',
                                    b'{"pages": 2}\n%PDF-1.7\n', b'{"pages": "2", "title": ""}\n%PDF-1.7\n',
                                    b'{"pages": 0, "title": ""}\n%PDF-1.7\n', b'{"pages": 2, "title": 7}\n%PDF-1.7\n',
                                    b'{"pages": 2, "title": ""}\njunk'],
                         ids=["junk", "nothing", "not-utf8", "a-list", "no-title", "pages-text", "no-pages",
                              "title-number", "not-a-pdf"])
def test_an_answer_from_the_child_that_is_not_understood_is_refused(answer: bytes) -> None:
    assert refusal(lambda: _accepted(Path("outside.pdf"), answer)) == NOT_UNDERSTOOD
    assert _accepted(Path("outside.pdf"), b'{"pages": 2, "title": ""}\n%PDF-1.7\n').title == "outside"


# ---- active content ----

MEDIA = {"/RichMedia", "/Screen", "/Movie", "/Sound", "/FileAttachment"}
LINK = "https://example.org/aftercare"


def armed() -> bytes:
    """The one-page leaflet with every kind of script, action, media and embedded file the copy must lose,
    beside a web link, a jump within the document and a form field it must keep."""
    pdf = pikepdf.open(io.BytesIO(leaflet(1)))
    page = pdf.pages[0].obj

    def script(name: str) -> pikepdf.Object:
        return pdf.make_indirect(Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(f"app.alert('{name}')")))

    def annotation(subtype: pikepdf.Name, **entries: object) -> pikepdf.Object:
        return pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=subtype, Rect=[72, 600, 200, 620], **entries))

    secret = pdf.make_stream(b"EMBEDDED-SECRET", Type=Name.EmbeddedFile)
    spec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String("x.txt"), EF=Dictionary(F=secret)))
    field = pdf.make_indirect(Dictionary(FT=Name.Tx, T=String("f"), AA=Dictionary(K=script("keystroke"))))
    widget = annotation(Name.Widget, Parent=field, P=page, AA=Dictionary(E=script("enter")), A=script("click"))
    field.Kids = Array([widget])
    page.AA = Dictionary(O=script("page open"))
    page.Annots = Array([
        annotation(Name.Link, A=Dictionary(S=Name.URI, URI=String(LINK))),
        annotation(Name.Link, A=Dictionary(S=Name.GoTo, D=Array([page, Name.Fit]))),
        annotation(Name.Link, A=Dictionary(S=Name.Launch, F=String("calc.exe"))),
        annotation(Name.Link, A=Dictionary(S=Name.URI, URI=String("file://server/share/x.exe"))),
        annotation(Name.Link, A=Dictionary(S=Name.GoTo, D=Array([page, Name.Fit]), Next=script("next"))),
        annotation(Name.Link, A=Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String(LINK)))),
        annotation(Name.Link, A=Dictionary(S=Name.ImportData, F=String("data.fdf"))),
        annotation(Name.FileAttachment, FS=spec),
        annotation(Name.RichMedia), annotation(Name.Screen, A=Dictionary(S=Name.Rendition, OP=0)),
        annotation(Name.Movie), annotation(Name.Sound),
        widget,
    ])
    outline = pdf.make_indirect(Dictionary(Type=Name.Outlines, Count=1))
    item = pdf.make_indirect(Dictionary(Title=String("Aftercare"), Parent=outline, A=script("bookmark")))
    outline.First = outline.Last = item
    pdf.Root.Outlines = outline
    pdf.Root.OpenAction = script("open")
    pdf.Root.AA = Dictionary(WC=script("will close"))
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("doc"), script("document")])),
                                EmbeddedFiles=Dictionary(Names=Array([String("x.txt"), spec])))
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]), AA=Dictionary(F=script("format")),
                                   XFA=pdf.make_stream(b"<xdp:xdp/>"))
    buffer = io.BytesIO()
    pdf.save(buffer, compress_streams=False)  # the secret stays readable, if anything passed it on
    return buffer.getvalue()


def every_dictionary(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every dictionary and stream in the file, whether anything reaches it or not."""
    todo = list(pdf.objects)
    while todo:
        item = todo.pop()
        if isinstance(item, (pikepdf.Dictionary, pikepdf.Stream)):
            yield item
            values = [item[key] for key in item.keys()]
        elif isinstance(item, pikepdf.Array):
            values = list(item)
        else:
            continue
        todo += [value for value in values
                 if isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect]


def test_the_clean_copy_carries_no_scripts_media_or_embedded_files(tmp_path: Path) -> None:
    attachment = read_attachment(write(tmp_path, armed()))
    assert b"app.alert" not in attachment.pdf and b"EMBEDDED-SECRET" not in attachment.pdf
    with pikepdf.open(io.BytesIO(attachment.pdf)) as pdf:
        found = list(every_dictionary(pdf))
        keys = {key for item in found for key in item.keys()}
        assert not keys & {"/AA", "/OpenAction", "/JS", "/EF", "/XFA", "/JavaScript", "/EmbeddedFiles"}
        assert not {str(item.get("/Subtype")) for item in found} & MEDIA
        assert not any(item.get("/Type") == "/EmbeddedFile" for item in found)
        actions = [item.A for item in found if isinstance(item.get("/A"), pikepdf.Dictionary)]
        assert sorted(str(action.S) for action in actions) == ["/GoTo", "/URI"]
        assert [str(action.URI) for action in actions if action.S == "/URI"] == [LINK]
        assert "/Outlines" in pdf.Root and [str(page.Annots[-1].Subtype) for page in pdf.pages] == ["/Widget"]
    assert "f" in (PdfReader(io.BytesIO(attachment.pdf)).get_fields() or {})
    document = pdfium.PdfDocument(attachment.pdf)
    try:
        text = document[0].get_textpage()
        assert "Page 1" in text.get_text_range()
        text.close()
    finally:
        document.close()


# ---- forms ----

HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
WIDGET = (b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (kept) /Rect [100 600 300 630] /P 3 0 R "
          b"/DA (/Helv 12 Tf 0 g) /F 4 >>")


def form_pdf(form: bytes, field: bytes = WIDGET, *more: bytes, widget_on_page: bool = True) -> bytes:
    """One page, object 4 the form's only field (on the page as its widget), the catalog's /AcroForm `form`."""
    annots = b" /Annots [4 0 R]" if widget_on_page else b""
    return raw_pdf(b"<< /Type /Catalog /Pages 2 0 R /AcroForm %s >>" % form, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                   b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]%s >>" % annots, field, *more)


@pytest.mark.parametrize("kids", [b"null", b"7"])
def test_a_form_pypdf_cannot_list_is_refused_in_the_child(tmp_path: Path, kids: bytes) -> None:
    path = write(tmp_path, form_pdf(b"<< /Fields [4 0 R] >>", b"<< /FT /Tx /T (name) /Kids %s >>" % kids,
                                    widget_on_page=False))
    assert refusal(lambda: read_attachment(path)).startswith("has a form that cannot be read: ")


def test_the_forms_direct_default_font_becomes_indirect_so_a_packet_carries_it(tmp_path: Path) -> None:
    form = b"<< /Fields [4 0 R] /DR << /Font << /Helv %s >> >> /DA (/Helv 0 Tf 0 g) >>" % HELVETICA
    attachment = read_attachment(write(tmp_path, form_pdf(form)))
    with pikepdf.open(io.BytesIO(attachment.pdf)) as pdf:
        assert pdf.Root.AcroForm.DR.Font.get("/Helv").is_indirect
    packet = PdfReader(io.BytesIO(merge([Part("attachment1", "Outside", attachment.pdf)])))
    assert (packet.get_fields() or {})["attachment1.name"]["/V"] == "kept"


def test_entries_of_the_form_that_are_no_field_leave_it(tmp_path: Path) -> None:
    attachment = read_attachment(write(tmp_path, form_pdf(b"<< /Fields [null 4 0 R 5 0 R] >>", WIDGET, b"7")))
    with pikepdf.open(io.BytesIO(attachment.pdf)) as pdf:
        assert [str(field.T) for field in pdf.Root.AcroForm.Fields] == ["name"]
    packet = PdfReader(io.BytesIO(merge([Part("attachment1", "Outside", attachment.pdf)])))
    assert set(packet.get_fields() or {}) == {"attachment1", "attachment1.name"}


def test_a_form_that_asks_for_redrawing_gets_its_values_drawn_instead(tmp_path: Path) -> None:
    form = b"<< /Fields [4 0 R] /NeedAppearances true /DR << /Font << /Helv 5 0 R >> >> /DA (/Helv 0 Tf 0 g) >>"
    attachment = read_attachment(write(tmp_path, form_pdf(form, WIDGET, HELVETICA)))
    with pikepdf.open(io.BytesIO(attachment.pdf)) as pdf:
        assert pdf.Root.AcroForm.get("/NeedAppearances", False) is False
        assert isinstance(pdf.pages[0].Annots[0].AP.N, pikepdf.Stream)
    document = pdfium.PdfDocument(attachment.pdf)
    try:
        document.init_forms()
        image = document[0].render(may_draw_forms=True).to_pil()  # scale 1: a pixel is a point
        darkest, _ = image.crop((100, 792 - 630, 300, 792 - 600)).convert("L").getextrema()
        assert darkest < 128  # "kept" is drawn in the field
    finally:
        document.close()

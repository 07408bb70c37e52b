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

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from handouts.errors import HandoutsError
from handouts.pdf.guard import LIMIT, MEMORY, SLOW, Attachment, _clean, read_attachment

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

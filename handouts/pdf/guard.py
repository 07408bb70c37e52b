"""Read an outside PDF (`handouts packet --attach`) in a child process with hard limits.

An attached PDF comes from outside the clinic and is untrusted. pypdf has had many
endless-loop and memory-exhaustion CVEs (crafted xref tables, page trees, decompression
bombs); each is fixed as it is found, and newer pypdf releases cap what one stream may
inflate to, but "fixed so far" is not a bound. So the file is parsed in a child Python
process that may use at most `memory_bytes` of address space and `cpu_seconds` of processor
time (POSIX setrlimit), and the parent kills it after `wall_seconds`. The child decodes every
stream the document reaches, so a bomb goes off there and not later in the parent, and it
sends back a clean copy written by pypdf. The parent never parses the outside file itself.

The child runs in Python's isolated mode with an almost empty environment: a `pypdf` folder in
the current directory or a PYTHONPATH cannot stand in for the installed pypdf. The clean copy
carries no scripts and no embedded files: handouts.pdf.scrub removes every JavaScript and other
action but links and jumps, every /AA trigger, media and file-attachment annotations, embedded
files and XFA, and it readies the form for the packet (indirect /DR fonts, drawn text values in
place of /NeedAppearances). A form pypdf cannot list the fields of is refused here, not in the merge.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handouts.errors import HandoutsError, Problem, Where
from handouts.write import cause

if TYPE_CHECKING:
    from pypdf import PdfReader

MAX_BYTES = 25_000_000  # an official form or leaflet is well under 5 MB; scans of a few pages fit
MAX_PAGES = 200  # a patient packet, not a manual: more is almost surely the wrong file
CPU_SECONDS = 20  # a sound 25 MB PDF parses, decodes and is rewritten in a few seconds
MEMORY_BYTES = 1 << 30  # ~55 MB for Python and pypdf, one decoded stream (pypdf 7: <= 75 MB), the copy;
# also the most all the file's streams together may inflate to (so it holds on Windows too)
WALL_SECONDS = 30.0  # above CPU_SECONDS: this catches a child that waits rather than works
HEAD_BYTES = 1024  # "%PDF-" must start within these, as Acrobat also demands

_REFUSED = 10  # the child's exit code when it wrote a reason to stderr
_OUT_OF_MEMORY = 11
# The child's program: this very copy of handouts (argv[1] is the folder it is in), then _child.
_BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
         "from handouts.pdf.guard import _child; sys.exit(_child(sys.argv[2:]))")
# All of the parent's environment the child gets: Windows needs SYSTEMROOT to start a process, and
# a Python built with a shared libpython may need LD_LIBRARY_PATH to find it.
_ENVIRONMENT = ("SYSTEMROOT", "LD_LIBRARY_PATH")

SLOW = "took too long to read (over {seconds:g} s): it may be damaged or crafted"
MEMORY = "needs more memory than allowed to read: it may be damaged or crafted"
LIMIT = "is too large or complex to read safely: it may be damaged or crafted"  # pypdf's own caps
UNREADABLE = "could not be read as a PDF ({detail})"
NOT_UNDERSTOOD = UNREADABLE.format(detail="the reader's answer was not understood")
BROKEN_FORM = "has a form that cannot be read: {detail}"
ENCRYPTED = "is encrypted; remove the password first"


@dataclass(frozen=True)
class Attachment:
    """An outside PDF that passed the guard: a clean copy of it, its page count and title."""

    path: Path
    pdf: bytes = field(repr=False)
    pages: int
    title: str


class _Refusal(Exception):
    """A reason, in the clinic's words, why the child will not pass the file on."""


def read_attachment(path: Path, *, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES,
                    cpu_seconds: int = CPU_SECONDS, memory_bytes: int = MEMORY_BYTES,
                    wall_seconds: float = WALL_SECONDS) -> Attachment:
    """Check and parse the PDF at `path` in a limited child process; HandoutsError if it is refused."""
    data = _read_checked(path, max_bytes)
    # -I: isolated mode, neither the current directory nor the user's site-packages on sys.path,
    # and PYTHON* variables ignored (only the folder holding handouts is added, by _BOOT).
    # -W ignore: pypdf warns about what it repairs, and a warning must not become a refusal.
    # -X utf8: the reason on stderr is UTF-8 whatever the (emptied) locale. 4 * max_bytes: pypdf
    # writes no object streams, so a sound file may grow when rewritten, but not without bound.
    root = str(Path(__file__).resolve().parents[2])
    command = [sys.executable, "-I", "-W", "ignore", "-X", "utf8", "-c", _BOOT, root,
               str(max_pages), str(cpu_seconds), str(memory_bytes), str(4 * max_bytes)]
    env = {name: os.environ[name] for name in _ENVIRONMENT if name in os.environ}
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=wall_seconds, env=env)
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise _problem(path, SLOW.format(seconds=wall_seconds)) from None
    except OSError as exc:
        raise _problem(path, f"could not be checked ({cause(exc)})") from None
    if done.returncode == 0:
        return _accepted(path, done.stdout)
    raise _problem(path, _reason(done.returncode, done.stderr, cpu_seconds))


def _accepted(path: Path, answer: bytes) -> Attachment:
    """The attachment from the child's answer: a JSON line of facts, then the clean copy."""
    header, _, pdf = answer.partition(b"\n")
    try:
        facts = json.loads(header)
    except ValueError:  # not UTF-8 or not JSON
        facts = None
    pages = facts.get("pages") if isinstance(facts, dict) else None
    title = facts.get("title") if isinstance(facts, dict) else None
    if type(pages) is not int or pages < 1 or not isinstance(title, str) or not pdf.startswith(b"%PDF-"):
        raise _problem(path, NOT_UNDERSTOOD)
    return Attachment(path, pdf, pages, title or path.stem)


def _read_checked(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, once it is known to be a regular file of at most `max_bytes` that looks like a PDF."""
    try:
        if not path.exists():
            raise _problem(path, "does not exist")
        if not path.is_file():
            raise _problem(path, "is not a file")
        if path.stat().st_size > max_bytes:
            raise _problem(path, f"is larger than {_size(max_bytes)}")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise _problem(path, f"could not be read ({cause(exc)})") from None
    if len(data) > max_bytes:
        raise _problem(path, f"is larger than {_size(max_bytes)}")
    if b"%PDF-" not in data[:HEAD_BYTES]:
        raise _problem(path, "is not a PDF file")
    return data


def _reason(code: int, stderr: bytes, cpu_seconds: int) -> str:
    """Why the child failed, from its exit code (or the signal that ended it) and its last line."""
    last = (stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
    if code == _REFUSED:
        return last
    if code == _OUT_OF_MEMORY:
        return MEMORY
    # Past RLIMIT_CPU's soft limit the kernel sends SIGXCPU, past the hard one SIGKILL.
    if code < 0 and -code in {getattr(signal, name, 0) for name in ("SIGXCPU", "SIGKILL")}:
        return SLOW.format(seconds=cpu_seconds)
    if last.endswith("MemoryError"):  # the allocation failed again while the child reported it
        return MEMORY
    if code < 0:
        return UNREADABLE.format(detail="the reader crashed")
    # The child could not even start its work (e.g. handouts not importable): show its last word.
    return UNREADABLE.format(detail=_clean(last) or f"the reader stopped with exit code {code}")


def _problem(path: Path, reason: str) -> HandoutsError:
    """The one error for a refused attachment, located at its path."""
    return HandoutsError([Problem(Where(str(path)), reason)])


def _size(count: int) -> str:
    """A byte count as a person reads it: "25 MB", "300 kB", "512 bytes"."""
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if count >= scale:
            return f"{count / scale:g} {unit}"
    return f"{count} bytes"


def _clean(message: str, limit: int = 120) -> str:
    """One short line of a pypdf message, without the object addresses its reprs carry."""
    message = re.sub(r"IndirectObject\((\d+), (\d+), \d+\)", r"object \1 \2", message)
    message = re.sub(r" (object )?at 0x[0-9a-fA-F]+", "", message)
    message = " ".join(message.split()).rstrip(".")  # it ends inside parentheses
    return message if len(message) <= limit else message[: limit - 1] + "…"


# ---- the child: `python -I -c _BOOT ROOT MAX_PAGES CPU_SECONDS MEMORY_BYTES MAX_OUTPUT` ----


def _limit(cpu_seconds: int, memory_bytes: int) -> None:
    """Cap this process's processor time and address space, and keep a killed child from dumping core."""
    try:
        import resource
    except ImportError:  # Windows has no setrlimit: there only the size cap and the wall clock apply
        return
    for kind, soft, hard in ((resource.RLIMIT_CORE, 0, 0),
                             (resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1),
                             (resource.RLIMIT_AS, memory_bytes, memory_bytes)):
        _, ceiling = resource.getrlimit(kind)
        if ceiling != resource.RLIM_INFINITY:  # a process may lower its hard limit, never raise it
            soft, hard = min(soft, ceiling), min(hard, ceiling)
        try:
            resource.setrlimit(kind, (soft, hard))
        except (ValueError, OSError):  # macOS refuses some RLIMIT_AS values: the other limits still hold
            pass


def _clean_copy(data: bytes, max_pages: int, max_output: int, inflate_budget: int) -> tuple[dict[str, Any], bytes]:
    """Parse `data`, decode everything it reaches, and write it anew; _Refusal when it is not fit to attach."""
    import logging

    import pypdf
    from pypdf import PdfReader, PdfWriter

    from handouts.pdf.scrub import scrub

    logging.disable(logging.CRITICAL)  # pypdf logs what it repairs; stderr is kept for the reason
    if hasattr(pypdf, "overwrite_configuration"):  # pypdf 7: never run the jbig2dec program on this file
        pypdf.overwrite_configuration(jbig2dec_binary=None)
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise _Refusal(ENCRYPTED)
    pages = len(reader.pages)
    if pages == 0:
        raise _Refusal("has no pages")
    if pages > max_pages:
        raise _Refusal(f"has {pages} pages; at most {max_pages} can be attached")
    _read_form(reader)
    _decode_every_stream(reader, inflate_budget)
    title = _title(reader)
    writer = PdfWriter(clone_from=reader)  # keeps the AcroForm and its fields
    scrub(writer)
    output = io.BytesIO()
    writer.write(output)
    if output.tell() > max_output:
        raise _Refusal(f"grows larger than {_size(max_output)} when rewritten: it may be damaged or crafted")
    return {"pages": pages, "title": title}, output.getvalue()


def _read_form(reader: PdfReader) -> None:
    """List the form's fields, as the merge will; _Refusal if pypdf cannot."""
    from pypdf.errors import LimitReachedError

    try:
        reader.get_fields()
    except (MemoryError, LimitReachedError):
        raise
    except Exception as exc:  # e.g. a null or numeric /Kids: TypeError
        if _because_of_memory(exc):
            raise
        raise _Refusal(BROKEN_FORM.format(detail=_detail(exc))) from None


def _decode_every_stream(reader: PdfReader, budget: int) -> None:
    """Decode, one at a time, every stream the document reaches (contents, fonts, images): `budget` bytes in all."""
    from pypdf.errors import DependencyError, PdfReadError
    from pypdf.filters import decode_stream_data
    from pypdf.generic import ArrayObject, DictionaryObject, EncodedStreamObject, IndirectObject

    # decode_stream_data rather than get_data() or page.get_contents(): those keep every
    # decoded stream in the reader, so a legitimate image-heavy file would add up to the memory
    # cap, and the writer would see decoded copies. Walking from the catalog covers exactly what
    # the clean copy will hold, and `seen` makes a reference loop end. pypdf 7 caps each stream
    # (75 MB), not their sum: many capped streams would still inflate to gigabytes in a viewer.
    inflated = 0
    seen: set[tuple[int, int]] = set()
    todo: list[Any] = [reader.trailer.raw_get("/Root")]
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, EncodedStreamObject):
            try:
                inflated += len(decode_stream_data(item))
            # A filter pypdf cannot decode (JPX, JBIG2) or slightly damaged data is no danger,
            # and viewers draw such files; only pypdf's own limits (LimitReachedError) and
            # MemoryError, which pass through here, refuse the file.
            except (PdfReadError, DependencyError, NotImplementedError, ValueError):
                pass
            if inflated > budget:
                raise _Refusal(LIMIT)
        if isinstance(item, DictionaryObject):  # streams too: their dictionaries hold references
            todo.extend(item.values())
        elif isinstance(item, ArrayObject):
            todo.extend(item)


def _title(reader: PdfReader) -> str:
    """The document's /Title on one printable line, or "" when it has none or it cannot be read."""
    try:
        title = reader.metadata.title if reader.metadata else None
    except MemoryError:
        raise
    except Exception:  # a broken /Info costs only the title: the file name stands in for it
        return ""
    if not isinstance(title, str):
        return ""
    title = " ".join("".join(c for c in title if c.isprintable() or c.isspace()).split())[:200]
    return "" if title.lower() == "untitled" else title  # ReportLab's and others' placeholder


def _because_of_memory(exc: BaseException) -> bool:
    """Whether `exc`, or an exception it arose from, is a failed allocation."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, MemoryError) or "insufficient memory" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _why(exc: Exception) -> str:
    """The reason for a failed parse: pypdf's own message, or the exception's name and text."""
    from pypdf.errors import LimitReachedError

    if isinstance(exc, LimitReachedError):  # "... 3111493 bytes remaining" tells a clinic nothing more
        return LIMIT
    return UNREADABLE.format(detail=_detail(exc))


def _detail(exc: Exception) -> str:
    """pypdf's own message, or the exception's name and text, on one short line."""
    from pypdf.errors import PyPdfError

    text = str(exc) if isinstance(exc, PyPdfError) else f"{type(exc).__name__}: {exc}"
    return _clean(text).rstrip(":") or type(exc).__name__


def _child(argv: list[str]) -> int:
    """Run as the child: limits first, then the PDF from stdin; the clean copy to stdout or a reason to stderr."""
    max_pages, cpu_seconds, memory_bytes, max_output = (int(arg) for arg in argv)
    _limit(cpu_seconds, memory_bytes)
    stdout, sys.stdout = sys.stdout.buffer, sys.stderr  # nothing stray may reach the PDF's channel
    data = sys.stdin.buffer.read()
    try:
        facts, pdf = _clean_copy(data, max_pages, max_output, inflate_budget=memory_bytes)
    except _Refusal as refusal:
        sys.stderr.write(f"{refusal}\n")
        return _REFUSED
    except MemoryError:
        os._exit(_OUT_OF_MEMORY)  # at once: even writing a reason may need memory
    except Exception as exc:  # pypdf meets crafted input with all kinds of exceptions
        if _because_of_memory(exc):  # e.g. zlib's "insufficient memory", or wrapped by pypdf
            os._exit(_OUT_OF_MEMORY)
        sys.stderr.write(_why(exc) + "\n")
        return _REFUSED
    stdout.write(json.dumps(facts).encode() + b"\n" + pdf)
    stdout.flush()
    return 0

"""Property-based tests (hypothesis): whatever a clinic record, a patient or content.yaml says,
a command prints it as written or refuses it by name.

Hypothesis writes clinic fields (into a clinics CSV and a clinics YAML file), patient values
(`handouts consent` options and a `--patients` CSV) and content strings (a title, a paragraph,
a label) out of arbitrary Unicode, ReportLab markup, Jinja syntax, control characters, NUL,
lone surrogates (where YAML escapes or a command line can carry them), bidi overrides and
values thousands of characters long. The property, for every one of them: the command ends

- with exit 0, and the value is on the page as written (in the text PDFium extracts, after NFC
  and with white space left out, as a line may break inside a long word; or a form field's /V),
  with every character in the shipped font (never a blank box); or
- with exit 1 or 2 and a message naming the field (the clinic field's path, the option or
  column, the content's path);

and never with a traceback, never after a hang, never with a file outside the output folder.

Examples are derandomized (the same on every run, so a failure in CI reproduces anywhere), none
is stored between runs, and a failure is reported as found: shrinking a value thousands of
characters long can take minutes. HANDOUTS_HYPOTHESIS=shrink runs the same examples and shrinks a
failure to its smallest case; HANDOUTS_HYPOTHESIS=explore draws ten times as many, at random, to
look for new failures. The cases each one found stay as explicit examples.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from handouts.cli import main
from conftest import CONTENT, ROOT, pdf_pages, pdf_text

# ci: the same examples every run, and a failure reported as found (shrinking one can take minutes);
# shrink: the same examples, a failure shrunk to its smallest case; explore: new examples every run.
settings.register_profile("shrink", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", parent=settings.get_profile("shrink"),
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])
settings.register_profile("explore", parent=settings.get_profile("shrink"), derandomize=False)
PROFILE = os.environ.get("HANDOUTS_HYPOTHESIS", "ci")
SCALE = 10 if PROFILE == "explore" else 1


def examples(n: int) -> settings:
    """The profile's settings with `n` examples (ten times as many when exploring)."""
    return settings(settings.get_profile(PROFILE), max_examples=n * SCALE)


HANG = 120  # seconds: one command taking longer than this is a hang, not a slow build

# --- what values are made of ---------------------------------------------------------------

MARKUP = ['<font color="red">', "<font color=red>", "</font>", '<a href="javascript:alert(1)">',
          "<a href='https://evil.example'>", "</a>", "&amp;", "&", "&lt;b&gt;", "&#0;", "&#x1F600;", "&nbsp;",
          "<b>", "</b>", "<br/>", "<para>", '<img src="/etc/passwd"/>', "<", ">", '"', "'", "<unclosed",
          "<b", "]]>", "<!--", "\\", "<super>", "<seq/>", "<onDraw name=x/>"]
TEMPLATE = ["{{", "}}", "{%", "%}", "{#", "#}", "{{ 7*7 }}", "{% raw %}", "{% endraw %}", "{{ clinic.phone }}",
            "{% if true %}", "{% endif %}", "{{ ''.__class__.__mro__ }}", "{{ lipsum }}", "{phone}", "{page}",
            "{pages}", "{0}", "%s", "**", "**bold**", "${x}"]
CONTROL = [chr(c) for c in range(32)] + ["\x7f", "\x85", "\u2028", "\u2029"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
        "\u200f", "\u061c"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f", "\ufe0f"]
WORLD = ["Nguyễn Thị Hương", "Pe\u0301n\u0303a", "Peña", "Łódź", "Straße", "İstanbul", "ﬁ", "…", "—", "€", "😀",
         "中文", "العربية", "עברית", "Ελληνικά", "Москва", "\u00a0", "\u3000", " ", "\t", "(555) 010-0000",
         "x@example.com", "https://example.com/a?b=c&d=e", "www.example.com"]
FRAGMENTS = MARKUP + TEMPLATE + CONTROL + BIDI + INVISIBLE + WORLD

piece = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=6),  # any code point but surrogates (a UTF-8 file cannot hold them)
    st.from_regex(r"[A-Za-z0-9 .,'()#-]{1,12}", fullmatch=True),
)
short_value = st.lists(piece, min_size=1, max_size=8).map("".join)


def _repeat(text: str, size: int) -> str:
    """`text` repeated to `size` characters."""
    return (text * (size // max(len(text), 1) + 1))[:size] if text else text


def values(longest: int) -> st.SearchStrategy[str]:
    """Mostly short values; one in four a thousand characters or more, with or without spaces."""
    return st.one_of(short_value, short_value, short_value, st.builds(_repeat, short_value, st.integers(1000, longest)))


value = values(5000)
surrogate = st.integers(0xD800, 0xDFFF).map(chr)
with_surrogate = st.builds(lambda a, s, b: a + s + b, short_value, surrogate, short_value)
"""For YAML (a `\\uD800` escape) and command-line options (undecodable bytes in argv)."""


# --- oracle ----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def drawable() -> frozenset[int]:
    """Code points both shipped fonts map to a glyph, read with fontTools (not handouts' own reader)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    maps = []
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"):
        with TTFont(str(ROOT / "handouts" / "fonts" / name), lazy=True) as font:
            maps.append(frozenset(font.getBestCmap()))
    return maps[0] & maps[1]


def squeezed(text: str) -> str:
    """NFC, with every run of white space one space, and none at the ends."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def spaceless(text: str) -> str:
    """NFC with no white space at all: where a line breaks inside a long word, PDFium sees a break."""
    return "".join(unicodedata.normalize("NFC", text).split())


def undrawable(text: str) -> list[str]:
    """The characters of `text` that would be drawn as a box (white space is layout)."""
    have = drawable()
    return [c for c in squeezed(text) if ord(c) not in have and not c.isspace()]


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in this (main) thread if the block runs longer than `seconds` (where there are alarms)."""
    if not hasattr(signal, "SIGALRM"):  # Windows
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Run:
    """One command run in a fresh folder: inputs in `inputs`, working directory `cwd`, output in `out`."""

    root: Path
    result: Result | None = None

    @property
    def inputs(self) -> Path:
        return self.root / "in"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def cwd(self) -> Path:
        return self.root / "cwd"

    def invoke(self, *args: str | Path) -> Result:
        """The CLI in-process, from `cwd`, as a user would type it; a hang fails the example."""
        self.cwd.mkdir(exist_ok=True)
        old = Path.cwd()
        os.chdir(self.cwd)
        try:
            with _deadline(HANG):
                self.result = CliRunner().invoke(main, [str(a) for a in args])
        finally:
            os.chdir(old)
        return self.result

    def assert_clean(self) -> None:
        """No traceback, an exit code the README names, nothing written outside the output folder."""
        result = self.result
        assert result is not None
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"uncaught {type(result.exception).__name__}: {result.exception}") \
                from result.exception
        assert "Traceback" not in result.output, result.output
        assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
        stray = [p for p in self.root.rglob("*")
                 if p.is_file() and not p.is_relative_to(self.out) and not p.is_relative_to(self.inputs)]
        assert not stray, f"written outside the output folder: {stray}"


@contextlib.contextmanager
def fresh() -> Iterator[Run]:
    """A new folder per example (pytest's tmp_path is one folder for all of a test's examples)."""
    with tempfile.TemporaryDirectory(prefix="handouts-prop-") as root:
        run = Run(Path(root))
        run.inputs.mkdir()
        yield run


def readings(pdf: Path) -> list[str]:
    """Where a value may be read whole: the body of every page, page after page (a long value
    runs on to the next page), and each page's footer (it wraps a long name), as PDFium reads them.

    A page's first line is its header (one line, which may shorten a long name); its footer
    starts at the line with "Page N of M", drawn on the footer's first line and left out here.
    """
    pages = pdf_pages(pdf)
    bodies, footers = [], []
    for number, text in enumerate(pages, start=1):
        lines = text.splitlines()
        page_of = f"Page {number} of {len(pages)}"
        starts = [i for i, line in enumerate(lines) if page_of in line] or [len(lines)]
        bodies += lines[1:starts[-1]]
        footers.append("\n".join(lines[starts[-1]:]).replace(page_of, ""))
    return ["\n".join(bodies), *footers]


def assert_printed_or_named(run: Run, pdf: Path, raw: str, names: tuple[str, ...]) -> None:
    """Exit 0 with `raw` on the page in drawable characters, or exit 1/2 with one of `names` in the message."""
    run.assert_clean()
    result = run.result
    assert result is not None
    if result.exit_code == 0:
        assert pdf.is_file(), result.output
        assert not undrawable(raw), f"built, but {undrawable(raw)!r} has no glyph in the shipped fonts"
        assert any(spaceless(raw) in spaceless(text) for text in readings(pdf)), \
            f"{squeezed(raw)[:200]!r} is not on the page"
    else:
        assert any(name in result.output for name in names), \
            f"exit {result.exit_code} without naming {' or '.join(names)}:\n{result.output[-2000:]}"


def yaml_scalar(text: str) -> str:
    """`text` as one double-quoted YAML scalar (escapes for what YAML cannot hold raw)."""
    dumped = yaml.dump(text, default_style='"', allow_unicode=True, width=1 << 30).rstrip("\n")
    assert yaml.safe_load(dumped) == text  # the test's own writing, not the product, is checked here
    return dumped


def write_content(directory: Path, documents: tuple[str, ...], edit: Callable[[dict[str, Any]], None] | None = None
                  ) -> Path:
    """content.yaml with only `documents` and no sample clinics (a third of the YAML to parse for
    each example), changed by `edit`, beside a copy of the layouts."""
    data = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    data.pop("clinics")
    data["documents"] = {key: data["documents"][key] for key in documents}
    if edit is not None:
        edit(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 30)
    assert yaml.safe_load(text) == data  # the test's own writing, not the product, is checked here
    shutil.copytree(ROOT / "layouts", directory / "layouts", dirs_exist_ok=True)
    path = directory / "content.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def handout_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped handout, as content.yaml has it, for the clinics a test writes."""
    return write_content(tmp_path_factory.mktemp("content"), ("handout",))


# --- clinic fields --------------------------------------------------------------------------

BASE_CLINIC = {"id": "prop", "name": "Prop Clinic", "phone": "(555) 010-0000", "address": "1 Main St"}
SHOWN_FIELDS = ("name", "phone", "address", "insurance_wording", "insurance_wording.en", "after_hours_phone",
                "website", "email")
"""Every one of them is printed by the handout (header, footer, contact block, costs); `.en` is the
English text of a field that differs by language (a CSV column `insurance_wording.en`, in YAML a mapping)."""


def write_clinics(directory: Path, kind: str, clinic: dict[str, str]) -> Path:
    """One clinic as a CSV or YAML clinics file (English, IV)."""
    record = {**clinic, "languages": "en", "treatments": "iv"}
    if kind == "csv":
        path = directory / "clinics.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(record)
            writer.writerow(record.values())
    else:
        path = directory / "clinics.yaml"
        lines = ["clinics:"] + [f"  {'- ' if i == 0 else '  '}{key.split('.')[0]}: "
                                + (f"{{{key.split('.')[1]}: {yaml_scalar(text)}}}" if "." in key else yaml_scalar(text))
                                for i, (key, text) in enumerate(record.items())]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_handout(run: Run, content: Path, clinics: Path) -> Result:
    return run.invoke("build", "handout", "--content", content, "--clinics", clinics, "--lang", "en",
                      "--out", run.out, "-j", "1")


def check_clinic_field(content: Path, kind: str, field: str, text: str) -> None:
    with fresh() as run:
        clinics = write_clinics(run.inputs, kind, {**BASE_CLINIC, field: text})
        build_handout(run, content, clinics)
        # A problem with one language's text may name the field as a whole (clinics[0].insurance_wording).
        assert_printed_or_named(run, run.out / "prop" / "handout.en.pdf", text, (f"clinics[0].{field.split('.')[0]}",))


@st.composite
def clinic_field(draw: Callable[..., Any]) -> tuple[str, str]:
    field = draw(st.sampled_from(SHOWN_FIELDS))
    return field, draw(value)


@examples(40)
@given(kind=st.sampled_from(["csv", "yaml"]), drawn=clinic_field())
@example(kind="csv", drawn=("name", "\u202a\u202a"))  # only invisible characters: passed as given, printed blank
@example(kind="yaml", drawn=("address", "1 Main St\x00"))  # NUL has a (blank) glyph, and PDFium reads nothing
@example(kind="csv", drawn=("phone", "(555)\u00ad010-0000"))  # a soft hyphen prints as a hyphen
@example(kind="yaml", drawn=("insurance_wording.en", "Self-pay\u202a only"))  # the text of one language
@example(kind="csv", drawn=("insurance_wording.en", "Self-pay\u3000only"))  # no glyph: named in content.yaml
@example(kind="csv", drawn=("name", "\u034f" * 3))  # a grapheme joiner is a mark (Mn), and invisible
def test_a_clinic_field_prints_as_written_or_is_refused_by_name(handout_content: Path, kind: str,
                                                                drawn: tuple[str, str]) -> None:
    check_clinic_field(handout_content, kind, *drawn)


@pytest.mark.parametrize("field", SHOWN_FIELDS)
@pytest.mark.parametrize("kind", ["csv", "yaml"])
def test_each_clinic_field_takes_markup_and_template_syntax_literally(handout_content: Path, kind: str,
                                                                      field: str) -> None:
    """Every field in both formats at least once, with the markup and template syntax that would do harm."""
    check_clinic_field(handout_content, kind, field, '<font color="red">R</font> & &amp; {{ 7*7 }} {% raw %} <a href="x">')


@examples(10)
@given(field=st.sampled_from(SHOWN_FIELDS), text=with_surrogate)
def test_a_lone_surrogate_in_a_yaml_clinic_field_is_refused_by_name(handout_content: Path, field: str, text: str
                                                                     ) -> None:
    with fresh() as run:
        clinics = write_clinics(run.inputs, "yaml", {**BASE_CLINIC, field: text})
        build_handout(run, handout_content, clinics)
        assert_printed_or_named(run, run.out / "prop" / "handout.en.pdf", text, (f"clinics[0].{field}",))
        assert run.result is not None and run.result.exit_code != 0  # no font draws half a surrogate pair


@examples(25)
@given(kind=st.sampled_from(["csv", "yaml"]), text=st.one_of(value, st.from_regex(r"[a-z0-9-]{1,70}", fullmatch=True)))
def test_a_clinic_id_names_a_folder_inside_the_output_or_is_refused_by_name(handout_content: Path, kind: str,
                                                                              text: str) -> None:
    with fresh() as run:
        clinics = write_clinics(run.inputs, kind, {**BASE_CLINIC, "id": text})
        result = build_handout(run, handout_content, clinics)
        run.assert_clean()
        if result.exit_code == 0:
            pdfs = list(run.out.rglob("*.pdf"))
            assert [p.relative_to(run.out).as_posix() for p in pdfs] == [f"{text.strip()}/handout.en.pdf"]
        else:
            assert "clinics[0].id" in result.output, result.output


# --- patients ------------------------------------------------------------------------------

PATIENT = {"patient_name": "Ana Peña", "dob": "1984-03-02", "mrn": "A-1234", "provider": "Dr. Lee"}
OPTIONS = {"patient_name": "--patient-name", "dob": "--dob", "mrn": "--mrn", "provider": "--provider"}
FILLED = {"patient_name": ("patient_name", "patient_printed_name"), "dob": ("patient_dob",),
          "mrn": ("patient_mrn",), "provider": ("provider_printed_name",)}
"""The form fields each patient value fills."""
NAMED = {"patient_name": ("patient_name", "--patient-name", "patient_printed_name"), "dob": ("dob", "patient_dob"), "mrn": ("mrn", "patient_mrn"),
         "provider": ("provider",)}
"""What a message may call each value (option and column names contain these)."""

patient_values = {
    "patient_name": value,
    "provider": value,
    "dob": st.one_of(st.dates().map(lambda d: d.isoformat()), st.dates().map(lambda d: d.strftime("%m/%d/%Y")),
                     short_value),
    "mrn": st.one_of(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ./_-]{0,45}", fullmatch=True), short_value),
}


@st.composite
def patient(draw: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    """A valid patient with one value drawn from anything: (the drawn key, the values)."""
    key = draw(st.sampled_from(tuple(patient_values)))
    return key, {**PATIENT, key: draw(patient_values[key])}


def check_form(pdf: Path, values: dict[str, str], flat: bool) -> None:
    """Each value in its fields' /V (or on the page, for a flattened form)."""
    if flat:
        text = spaceless(pdf_text(pdf))
        for key, raw in values.items():
            assert spaceless(raw) in text, f"{key} is not on the flattened page"
        return
    fields = PdfReader(pdf).get_fields() or {}
    for key, raw in values.items():
        for name in FILLED[key]:
            assert fields[name].get("/V") == squeezed(raw), f"{name}: {fields[name].get('/V')!r} != {squeezed(raw)!r}"


def assert_no_patient_value(output: str, values: dict[str, str]) -> None:
    """Patient values never reach a message (a terminal log, a CI transcript)."""
    for raw in values.values():
        if len(squeezed(raw)) >= 12:  # shorter ones could be words of the message itself
            assert squeezed(raw) not in output, "a patient value is in the message"


@examples(20)
@given(drawn=patient(), flat=st.booleans())
def test_patient_options_fill_the_consent_as_written_or_are_refused_by_name(
        drawn: tuple[str, dict[str, str]], flat: bool) -> None:
    key, values = drawn
    with fresh() as run:
        pdf = run.out / "consent.pdf"
        args = [f"{OPTIONS[k]}={v}" for k, v in values.items()]
        result = run.invoke("consent", "--content", CONTENT, "--clinic", "harbor", "--treatment", "iv",
                            *args, *(["--flatten"] if flat else []), "-o", pdf)
        run.assert_clean()
        if result.exit_code == 0:
            assert not undrawable("".join(values.values()))
            check_form(pdf, values, flat)
        else:
            assert any(name in result.output for name in NAMED[key]), result.output
            assert not pdf.exists()
            assert_no_patient_value(result.output, {key: values[key]})


@examples(10)
@given(key=st.sampled_from(tuple(OPTIONS)), text=with_surrogate)
def test_a_lone_surrogate_in_a_patient_option_is_refused_by_name(key: str, text: str) -> None:
    """What Python makes of bytes in argv that are not UTF-8 (see the subprocess test below)."""
    with fresh() as run:
        args = [f"{OPTIONS[k]}={text if k == key else v}" for k, v in PATIENT.items()]
        result = run.invoke("consent", "--content", CONTENT, "--clinic", "harbor", "--treatment", "iv", *args,
                            "-o", run.out / "consent.pdf")
        run.assert_clean()
        assert result.exit_code == 2 and OPTIONS[key] in result.output, result.output


def patients_csv(rows: list[dict[str, str]]) -> tuple[str, list[int]]:
    """The CSV text and the line each row starts on (a quoted line break makes a row longer)."""
    handle = io.StringIO()
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(PATIENT)
    starts = []
    for row in rows:
        starts.append(len(io.StringIO(handle.getvalue(), newline="").readlines()) + 1)
        writer.writerow(row.values())
    return handle.getvalue(), starts


@examples(12)
@given(drawn=st.lists(patient(), min_size=1, max_size=4))
def test_a_patients_csv_fills_each_row_as_written_or_skips_it_by_line_and_column(
        drawn: list[tuple[str, dict[str, str]]]) -> None:
    with fresh() as run:
        text, starts = patients_csv([values for _, values in drawn])
        source = run.inputs / "patients.csv"
        source.write_text(text, encoding="utf-8", newline="")
        result = run.invoke("consent", "--content", CONTENT, "--clinic", "harbor", "--treatment", "iv",
                            "--patients", source, "--out", run.out)
        run.assert_clean()
        output = result.output
        for (key, values), line in zip(drawn, starts):
            pdf = run.out / f"consent-iv.en.line-{line}.pdf"
            if pdf.exists():
                assert not undrawable("".join(values.values()))
                check_form(pdf, values, flat=False)
            else:
                assert result.exit_code in (1, 2)
                skipped = [m for m in output.splitlines() if f"{source}:{line}:" in m]
                assert skipped or result.exit_code == 2, f"line {line} neither built nor named:\n{output}"
                assert not skipped or any(n in skipped[0] for n in NAMED[key]), skipped
            assert_no_patient_value(output, {key: values[key]})


# --- content strings ----------------------------------------------------------------------

CONTENT_STRINGS = {
    "title": "documents.aftercare.title.en",
    "paragraph": "documents.aftercare.sections[1].en.blocks[2].p",
    "label": "labels.en.version",
}
"""Content strings the aftercare sheet prints, by the path a message names them with."""
TEMPLATE_MARKS = ("{{", "{%", "{#", "**")


def _set(data: dict[str, Any], path: str, text: str) -> None:
    """Set the content string at a path like documents.aftercare.sections[1].en.blocks[2].p."""
    keys = [int(k) if k.isdigit() else k for k in path.replace("[", ".").replace("]", "").split(".")]
    place: Any = data
    for key in keys[:-1]:
        place = place[key]
    assert isinstance(place[keys[-1]], str)
    place[keys[-1]] = text


@st.composite
def content_string(draw: Callable[..., Any]) -> tuple[str, str]:
    where = draw(st.sampled_from(tuple(CONTENT_STRINGS)))
    return where, draw(value)


@examples(30)
@given(drawn=content_string())
@example(drawn=("title", "\x00"))  # printed as nothing
@example(drawn=("title", "\u034f" * 1000))
@example(drawn=("label", "\x01"))
@example(drawn=("label", "Versión 😀"))  # drawn as a box: no shipped font has it
def test_a_content_string_prints_or_is_refused_by_its_path(drawn: tuple[str, str]) -> None:
    """A content string is a template: without template marks it prints as written (the content's
    own `&` included); with them it may print what it makes or be refused, naming its path."""
    where, text = drawn
    path = CONTENT_STRINGS[where]
    with fresh() as run:
        content = write_content(run.inputs, ("aftercare",), lambda data: _set(data, path, text))
        clinics = write_clinics(run.inputs, "csv", BASE_CLINIC)
        result = run.invoke("build", "aftercare", "--content", content, "--clinics", clinics, "--lang", "en",
                            "--out", run.out, "-j", "1")
        pdf = run.out / "prop" / "aftercare-iv.en.pdf"
        if where == "label" or not any(mark in text for mark in TEMPLATE_MARKS):
            assert_printed_or_named(run, pdf, text, (path,))
        else:  # what a template makes is not the text as written; a broken one is named
            run.assert_clean()
            assert result.exit_code == 0 or path in result.output, result.output


@pytest.mark.parametrize(("where", "text"), [("name", "Name " * 1000), ("title", "word " * 200),
                                             ("label", "Content version " * 400)], ids=["name", "title", "label"])
def test_a_footer_too_full_for_the_page_names_the_field(handout_content: Path, where: str, text: str) -> None:
    with fresh() as run:
        if where == "name":
            clinics = write_clinics(run.inputs, "csv", {**BASE_CLINIC, "name": text})
            build_handout(run, handout_content, clinics)
            path = "clinics[0].name"
        else:
            path = CONTENT_STRINGS[where]
            content = write_content(run.inputs, ("aftercare",), lambda data: _set(data, path, text))
            run.invoke("build", "aftercare", "--content", content, "--clinics",
                       write_clinics(run.inputs, "csv", BASE_CLINIC), "--lang", "en", "--out", run.out, "-j", "1")
        assert run.result is not None and run.result.exit_code != 0  # nothing fits: no build can pass
        assert_printed_or_named(run, run.out / "none.pdf", text, (path,))


# --- in a separate process: no traceback reaches the terminal --------------------------------

def handouts(*args: str | bytes | Path, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """`python -m handouts ...` in its own process, as a shell would run it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run([sys.executable, "-m", "handouts", *args], cwd=cwd, env=env, capture_output=True,
                          timeout=HANG, check=False)


HOSTILE = '<font color="red">x</font> &amp; {{ 7*7 }} {% raw %} \u202eevil\u202c \x00 \x1b[31m'


@pytest.mark.parametrize("kind", ["csv", "yaml"])
def test_a_hostile_clinic_value_in_a_real_process_is_named_not_a_traceback(kind: str) -> None:
    with fresh() as run:
        run.cwd.mkdir()
        clinics = write_clinics(run.inputs, kind, {**BASE_CLINIC, "address": HOSTILE})
        done = handouts("build", "handout", "--clinics", clinics, "--content", CONTENT, "--out", run.out,
                        "-j", "1", cwd=run.cwd)
        stderr = done.stderr.decode("utf-8", "replace")
        assert b"Traceback" not in done.stdout + done.stderr, stderr
        assert done.returncode in (1, 2) and "clinics[0].address" in stderr, stderr
        assert not any(run.cwd.iterdir())


def test_patient_options_that_are_not_utf8_in_a_real_process_are_named_not_a_traceback() -> None:
    """Bytes a shell passes on as they are: Python reads them as lone surrogates."""
    with fresh() as run:
        run.cwd.mkdir()
        done = handouts("consent", "--content", CONTENT, "--clinic", "harbor", "--treatment", "iv",
                        b"--patient-name=Ana \xff\xfe Pe\xc3a", "--dob=1984-03-02", "--mrn=A-1", "-o",
                        run.out / "c.pdf", cwd=run.cwd)
        stderr = done.stderr.decode("utf-8", "replace")
        assert b"Traceback" not in done.stdout + done.stderr, stderr
        assert done.returncode == 2 and "--patient-name" in stderr, stderr
        assert not run.out.exists() and not any(run.cwd.iterdir())

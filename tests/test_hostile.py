"""Every hostile input tried, with its result: each case is run here, and SECURITY.md's table of
them is made from this list, so the table cannot go stale.

After adding or changing a case, write the table again with
    HANDOUTS_WRITE_SECURITY=1 python -m pytest tests/test_hostile.py
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pikepdf
import pytest
import yaml
from click.testing import Result

from conftest import CONTENT, ROOT, pdf_text, run
from test_guard import armed, bomb

SECURITY = ROOT / "SECURITY.md"
START, END = "<!-- hostile cases: made by tests/test_hostile.py -->", "<!-- end of hostile cases -->"
CLINIC = {"id": "x", "name": "X Clinic", "phone": "(555) 010-1000", "address": "1 Main St", "treatments": ["iv"]}
PARAGRAPH = "Ketamine does not help everyone, and results are not guaranteed."
PATIENT_HEADER = "patient_name,dob,mrn\n"


@dataclass(frozen=True)
class Case:
    """One hostile input: what it is, how to run it, the exit code and what the user must see."""

    input: str  # which input, as SECURITY.md names it
    case: str  # the hostile value, in words (markdown)
    make: Callable[[Path], list[str]]  # writes the files into a folder; returns the command line
    exit: int
    shows: str  # in the output (an error), or in the PDF's text (exit 0)
    pdf: str = ""  # exit 0: the PDF, relative to the folder, whose text must show `shows`
    absent: tuple[str, ...] = field(default_factory=tuple)  # never in the output (patient values)
    check: Callable[[Path], None] | None = None  # more to check in the folder afterwards
    environ: tuple[tuple[str, str], ...] = ()  # environment variables set for the run


def _clinics(folder: Path, **fields: object) -> list[str]:
    """A clinics YAML file with one clinic, CLINIC with `fields` changed; builds its aftercare."""
    path = folder / "clinics.yaml"
    path.write_text(yaml.safe_dump({"clinics": [{**CLINIC, **fields}]}, allow_unicode=True), encoding="utf-8")
    return ["build", "aftercare", "--content", str(CONTENT), "--clinics", str(path), "--out", str(folder / "out")]


def _raw_clinics(text: str | bytes, suffix: str = ".yaml") -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        path = folder / f"clinics{suffix}"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return ["build", "aftercare", "--content", str(CONTENT), "--clinics", str(path), "--out", str(folder / "out")]
    return make


def _clinic(**fields: object) -> Callable[[Path], list[str]]:
    return lambda folder: _clinics(folder, **fields)


def _content(new: str, old: str = PARAGRAPH) -> Callable[[Path], list[str]]:
    """The sample content with one text changed; builds Harbor's English handout."""
    def make(folder: Path) -> list[str]:
        text = CONTENT.read_text(encoding="utf-8")
        assert old in text
        (folder / "content.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
        for sub in ("layouts", "logos"):
            shutil.copytree(ROOT / sub, folder / sub)
        return ["build", "handout", "--content", str(folder / "content.yaml"), "--clinic", "harbor", "--lang", "en",
                "--out", str(folder / "out")]
    return make


def _patients(text: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / "patients.csv").write_text(text, encoding="utf-8")
        return ["consent", "--content", str(CONTENT), "--clinic", "cedar-ridge", "--treatment", "iv",
                "--patients", str(folder / "patients.csv"), "--out", str(folder / "out")]
    return make


def _patient(name: str) -> Callable[[Path], list[str]]:
    return lambda folder: ["consent", "--content", str(CONTENT), "--clinic", "cedar-ridge", "--treatment", "iv",
                           "--patient-name", name, "--dob", "1984-03-02", "--mrn", "A1", "--flatten", "-o",
                           str(folder / "consent.pdf")]


def _attach(data: bytes) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / "attachment.pdf").write_bytes(data)
        return ["packet", "--content", str(CONTENT), "--clinic", "cedar-ridge", "--treatment", "iv", "--attach",
                str(folder / "attachment.pdf"), "-o", str(folder / "packet.pdf")]
    return make


def _inert(path: Path) -> None:
    """No action in the PDF runs anything, and no file is embedded in it."""
    with pikepdf.open(path) as pdf:
        kinds = {str(obj.get("/S", "")) for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)}
        types = {str(obj.get("/Type", "")) for obj in pdf.objects if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream))}
    assert not kinds & {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/Rendition"}, kinds
    assert "/EmbeddedFile" not in types and "/Filespec" not in types, types


def _deep_yaml(folder: Path) -> list[str]:
    return _raw_clinics("clinics:\n" + "".join("  " * i + "-\n" for i in range(1, 300)))(folder)


def _laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level, name in enumerate("bcdefg"):
        before = "abcdefg"[level]
        lines.append(f"{name}: &{name} [{', '.join([f'*{before}'] * 9)}]")
    return "\n".join(lines) + "\nclinics: [" + ", ".join(["*g"] * 9) + "]\n"


def _big_file(folder: Path) -> list[str]:
    path = folder / "clinics.yaml"
    with path.open("wb") as file:
        file.write(b"clinics: []\n# " + b"x" * (33 * 1024 * 1024) + b"\n")
    return ["build", "--content", str(CONTENT), "--clinics", str(path), "--out", str(folder / "out")]


def _epoch(folder: Path) -> list[str]:
    return ["build", "aftercare", "--content", str(CONTENT), "--out", str(folder / "out")]


def _out_is_a_file(folder: Path) -> list[str]:
    (folder / "out").write_text("not a folder", encoding="utf-8")
    return ["build", "aftercare", "--content", str(CONTENT), "--out", str(folder / "out")]


CVE = "<font color=\"[[[getattr(pow, Word('__globals__'))['os'].system('touch pwned')]]]\">x</font>"
CASES: list[Case] = [
    # Clinic data: typed by operations staff, often pasted from spreadsheets.
    Case("clinics", "ReportLab markup that ran code in CVE-2023-33733, as the clinic name", _clinic(name=CVE),
         0, "<font color=\"[[[getattr(pow, Word('__globals__'))['os'].system('touch pwned')]]]\">x</font>",
         "out/x/aftercare-iv.en.pdf"),
    Case("clinics", "Jinja syntax `{{ 7*7 }}` and `{% raw %}` in the name and address",
         _clinic(name="X {{ 7*7 }} Clinic", address="{% raw %} 1 Main St"), 0, "X {{ 7*7 }} Clinic",
         "out/x/aftercare-iv.en.pdf"),
    Case("clinics", "`name: Yes` and `phone: 0612345` in YAML (1.1 booleans and octals)",
         _raw_clinics("clinics:\n  - {id: x, name: Yes, phone: 0612345, address: 1 Main St, treatments: [iv]}\n"),
         0, "Yes · Phone 0612345", "out/x/aftercare-iv.en.pdf"),
    Case("clinics", "an id with a final newline, `\"x\\n\"`", _clinic(id="x\n"), 2,
         "ids are lowercase letters, digits and hyphens"),
    Case("clinics", "an id that climbs out of the output folder, `../../etc`", _clinic(id="../../etc"), 2,
         "ids are lowercase letters, digits and hyphens"),
    Case("clinics", "an id with a Cyrillic letter that looks Latin, `hаrbor`", _clinic(id="h\u0430rbor"), 2,
         "ids are lowercase letters, digits and hyphens"),
    Case("clinics", "a Windows device name as the id, `con`", _clinic(id="con"), 2, "'con' cannot name a folder on Windows"),
    Case("clinics", "a 300-character id", _clinic(id="a" * 300), 2, "an id is at most 64 characters"),
    Case("clinics", "YAML nested 300 levels deep", _deep_yaml, 2, "invalid YAML: nested more than 64 levels deep"),
    Case("clinics", "a YAML \"billion laughs\" (anchors nested nine by nine)", _raw_clinics(_laughs()), 2,
         "values once its aliases (*name) are expanded"),
    Case("clinics", "a 33 MB clinics file", _big_file, 2, "larger than 32 MB"),
    Case("clinics", "bytes that are not UTF-8", _raw_clinics(b"clinics:\n  - id: x\n    name: \"\xff\"\n"), 2,
         "clinics.yaml:3: not UTF-8 text"),
    Case("clinics", "a CSV cell whose quote is never closed",
         _raw_clinics('id,name,phone,address\nx,"X Clinic,555,1 Main St\ny,Y Clinic,555,2 Main St\n', ".csv"), 2,
         "clinics.csv:2: a quote (\") in the row that starts on this line is never closed"),
    Case("clinics", "a CSV row with more cells than columns",
         _raw_clinics("id,name,phone,address\nx,X Clinic,555,1 Main St,extra\n", ".csv"), 2,
         "clinics.csv:2: more cells than header columns"),
    Case("clinics", "a logo that is not an image (`logo: clinics.yaml`)", _clinic(logo="clinics.yaml"), 2,
         "logo cannot be read as an image"),
    Case("clinics", "a clinic name of 300 characters", _clinic(name="Harbor Ketamine and Wellness " * 10), 2,
         "name: too long to print whole in the page header"),
    Case("clinics", "a name and phone of combining accents only (U+0301), which print as nothing",
         _clinic(name="\u0301\u0301", phone="\u0301"), 2, "name: has no letter or digit"),
    Case("clinics", "a phone with no digit, `call us`", _clinic(phone="call us"), 2, "phone: has no digit"),
    Case("clinics", "a phone of 5,000 characters", _clinic(phone="5" * 5000), 2, "phone: at most 80 characters"),
    Case("clinics", "a character no shipped font has (an emoji) in the name", _clinic(name="X Clinic 🙂"), 1,
         "character U+1F642 '🙂' cannot be printed: no shipped font has it"),
    Case("clinics", "a control character (BEL) in the name", _clinic(name="X\x07Clinic"), 2,
         "name: has a control or invisible formatting character (U+0007)"),
    Case("clinics", "a right-to-left override (U+202E) in the phone", _clinic(phone="555\u202e0100"), 2,
         "phone: has a control or invisible formatting character (U+202E)"),
    Case("clinics", "a left-to-right isolate (U+2066) in the Spanish text of a per-language field",
         _clinic(languages=["en", "es"], insurance_wording={"en": "Self-pay.", "es": "Pago \u2066propio."}), 2,
         "insurance_wording.es: has a control or invisible formatting character (U+2066)"),
    # Content: written by the chain's content editors.
    Case("content", "raw ReportLab markup in a text", _content("<font color='red'>Hi</font>"), 2,
         "'<' and '>' are not allowed in content text"),
    Case("content", "`{{ 'x' * 10**8 }}`", _content("{{ 'x' * 10**8 }}"), 2,
         "not allowed in content: repeating a text or list 100000000 times"),
    Case("content", "nested loops of 5,000 × 5,000 × 5,000 that print nothing",
         _content("{% set r = range(5000) %}{% for a in r %}{% for b in r %}{% for c in r %}{% endfor %}{% endfor %}"
                  "{% endfor %}"), 2, "the document's texts took more than"),
    Case("content", "`{{ ((10**1000)**1000)**1000 }}` (one huge number)", _content("{{ ((10**1000)**1000)**1000 }}"),
         2, "not allowed in content: this power makes a number of more than 100,000 bits"),
    Case("content", "`{{ ('x'*99999)|replace('', 'y'*99999) }}` (a 10 GB text in one step)",
         _content("{{ ('x'*99999)|replace('', 'y'*99999) }}"), 2,
         "not allowed in content: this replace makes more than 100,000 characters"),
    Case("content", "`{{ '%099999999d' % 1 }}` and `{{ '{:>99999999}'.format(1) }}` (padding to any width)",
         _content("{{ '%099999999d' % 1 }} {{ '{:>99999999}'.format(1) }}"), 2,
         "% formatting of text is not available in content"),
    Case("content", "a loop that prints 25 million characters in 2,500-character pieces",
         _content("{% for a in range(10000) %}{{ 'x' * 2500 }}{% endfor %}"), 2,
         "the document's texts come to more than 1,000,000 characters"),
    Case("content", "`{{ lipsum(1000000) }}`", _content("{{ lipsum(1000000) }}"), 2, "not allowed in content"),
    Case("content", "a macro that calls itself", _content("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"), 2,
         "a macro calls itself without end"),
    Case("content", "`{% for k in clinic %}`", _content("{% for k in clinic %}{{ k }}{% endfor %}"), 2,
         "{{ clinic }} is a group of fields, not a list"),
    Case("content", "`{{ clinic.name|safe }}` (opting out of escaping)", _content("{{ clinic.name|safe }}"), 2,
         "No filter named 'safe'"),
    Case("content", "`{{ clinic.__class__.__mro__ }}` (reaching Python internals)",
         _content("{{ clinic.__class__.__mro__ }}"), 2, "is not defined"),
    Case("content", "a footer label of 6,400 characters (`labels.en.version`)",
         _content('version: "Content version ' + "Content version " * 400 + '"', 'version: "Content version"'), 1,
         "labels.en.version: makes the footer"),
    Case("content", "an unfinished placeholder `{{ clinic.name`", _content("{{ clinic.name"), 2,
         "this text is not a valid template"),
    # Patients: typed at the front desk or exported from an EHR.
    Case("patients", "a patient name with ReportLab markup and a placeholder",
         _patient("<b>Ana</b> {{ 7*7 }} & Co"), 0, "<b>Ana</b> {{ 7*7 }} & Co", "consent.pdf"),
    Case("patients", "a patients CSV whose first line is a patient, not a header",
         _patients("Ana Lopez,1984-03-02,A1\n"), 2, "line 1 is not a header row", absent=("Ana Lopez",)),
    Case("patients", "a quote never closed in a patient row",
         _patients(PATIENT_HEADER + 'Ana Lopez,1984-03-02,A1\n"Ben Ruiz,1990-01-01,B2\n'), 1,
         "patients.csv:3: a quote (\") is not closed or is in the wrong place; row skipped", absent=("Ben Ruiz",)),
    Case("patients", "a control character in a patient name",
         _patients(PATIENT_HEADER + "Ana\x07Lopez,1984-03-02,A1\n"), 1,
         "patient_name: contains a control or invisible formatting character", absent=("Lopez",)),
    # Attachments: PDFs from anywhere.
    Case("attachment", "a PDF with scripts, launch and submit actions, media and an embedded file", _attach(armed()),
         0, "Page 1", "packet.pdf", check=lambda folder: _inert(folder / "packet.pdf")),
    Case("attachment", "a decompression bomb (3 MB that inflates to 3 GiB)", _attach(bomb()), 2,
         "attachment.pdf: is too large or complex to read safely"),
    Case("attachment", "a file that is not a PDF", _attach(b"MZ\x90\x00 not a pdf"), 2,
         "attachment.pdf: is not a PDF file"),
    # What the person running the build controls.
    Case("environment", "`SOURCE_DATE_EPOCH` in milliseconds", _epoch, 2, "after the year 9999 (milliseconds?",
         environ=(("SOURCE_DATE_EPOCH", "1767225600000"),)),
    Case("environment", "`--out` naming a file, not a folder", _out_is_a_file, 2, "Invalid value for '--out'"),
]


@pytest.fixture(autouse=True)
def _small_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short template time budget, so the runaway loop case takes a second, not five."""
    import handouts.templates

    monkeypatch.setattr(handouts.templates, "SECONDS", 0.5)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def _outside(folder: Path) -> set[Path]:
    """Every file under the test's folder's parent that is not in the folder: none may appear."""
    return {p for p in folder.parent.rglob("*") if folder not in p.parents and p != folder}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.input}-{i}" for i, c in enumerate(CASES)])
def test_hostile_case(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in case.environ:
        monkeypatch.setenv(name, value)
    folder = tmp_path / "work"
    folder.mkdir()
    before = _outside(folder)
    result: Result = run(*case.make(folder))
    output = result.output
    assert result.exit_code == case.exit, output
    assert "Traceback" not in output and not isinstance(result.exception, (AssertionError, RecursionError))
    assert _outside(folder) == before and not Path("pwned").exists()
    for secret in case.absent:
        assert secret not in output
    if case.check:
        case.check(folder)
    if case.exit == 0:
        text = " ".join(pdf_text(folder / case.pdf).split())
        assert case.shows in text, text[:500]
    else:
        assert case.shows in " ".join(output.split()), output
        if case.input != "patients" and case.input != "attachment":  # those have their own folders' rules
            assert not (folder / "out").is_dir() or case.exit == 1


def _table() -> str:
    rows = ["| # | input | hostile case | exit | what the user sees |", "|---|---|---|---|---|"]
    for number, case in enumerate(CASES, 1):
        shows = case.shows.replace("|", "\\|").replace("`", "'")
        seen = f"printed as written: `{shows}`" if case.exit == 0 and case.input != "attachment" else \
            "built; the copy keeps the page and drops every active part" if case.exit == 0 else f"`…{shows}…`"
        rows.append(f"| {number} | {case.input} | {case.case.replace('|', chr(92) + '|')} | {case.exit} | {seen} |")
    return "\n".join(rows)


def test_security_md_lists_every_hostile_case() -> None:
    text = SECURITY.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    wanted = f"{before}{START}\n{_table()}\n{END}{after}"
    if os.environ.get("HANDOUTS_WRITE_SECURITY") == "1":
        SECURITY.write_text(wanted, encoding="utf-8")
    diff = "\n".join(difflib.unified_diff(text.splitlines(), wanted.splitlines(), "SECURITY.md", "wanted", lineterm=""))
    assert text == wanted, f"SECURITY.md's table is stale; run HANDOUTS_WRITE_SECURITY=1 python -m pytest " \
                           f"tests/test_hostile.py\n{diff}"


def test_every_case_is_numbered_once() -> None:
    assert len({(c.input, c.case) for c in CASES}) == len(CASES)
    assert all(re.fullmatch(r"[a-z]+", c.input) for c in CASES)

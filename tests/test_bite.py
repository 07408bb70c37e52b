"""Tests that bite (issue 9): each pins one behaviour down directly, so that removing it from the code
fails a test here. Each was checked by breaking the code on purpose and seeing it fail (the
commit message lists the breakages tried).

The file ID, the PDF dates and SOURCE_DATE_EPOCH, Unicode normalisation of clinic and patient
values, two documents that would be written to one path, and a document that fails to render.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from conftest import pdf_text, run

AFTERCARE = ("build", "aftercare", "--clinic", "cedar-ridge", "-j", "1")  # one page, two treatments: quick
A_YEAR = 366 * 24 * 3600


def _built(content: Path, out: Path, *args: str) -> dict[str, bytes]:
    """Build into `out`; every PDF written, by its path in the folder."""
    result = run(*AFTERCARE, "--content", content, "--out", out, *args)
    assert result.exit_code == 0, result.output
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))}


def _later_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the wall clock reads a year later (the builds run in this process: -j 1)."""
    now = time.time
    monkeypatch.setattr(time, "time", lambda: now() + A_YEAR)


def _file_id(pdf: Path) -> list[bytes]:
    """The trailer's /ID: the file's permanent identifier and the one of this version."""
    return [bytes(part.original_bytes) for part in PdfReader(pdf).trailer["/ID"]]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- 1. The file ID -------------------------------------------------------------------------------

def test_the_file_id_is_the_same_for_the_same_input_and_new_for_new_text_or_clinic(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = workspace / "content.yaml"
    first = _built(content, workspace / "first")
    _later_clock(monkeypatch)
    again = _built(content, workspace / "again")
    assert again == first  # not a random or time-based value: the whole file is the same
    iv = workspace / "first" / "cedar-ridge" / "aftercare-iv.en.pdf"
    permanent, version = _file_id(iv)
    assert len(permanent) == 16 and permanent == version  # as made, both halves name this file
    assert _file_id(workspace / "first" / "cedar-ridge" / "aftercare-im.en.pdf") != [permanent, version]

    # A sentence of the body: title, author and subject stay as they were, and so did ReportLab's own ID.
    _edit(content, "Do not make big decisions or sign important papers today.",
          "Do not make big decisions or sign important papers until tomorrow.")
    body = workspace / "body"
    _built(content, body)
    assert PdfReader(body / "cedar-ridge" / "aftercare-iv.en.pdf").metadata == PdfReader(iv).metadata
    assert _file_id(body / "cedar-ridge" / "aftercare-iv.en.pdf")[0] != permanent

    # A clinic value (the phone, printed in the text and footer).
    _edit(content, 'phone: "(303) 555-0187"', 'phone: "(303) 555-0188"')
    clinic = workspace / "clinic"
    _built(content, clinic)
    ids = {_file_id(out / "cedar-ridge" / "aftercare-iv.en.pdf")[0] for out in (workspace / "first", body, clinic)}
    assert len(ids) == 3


# --- 5. SOURCE_DATE_EPOCH ---------------------------------------------------------------------------

def _dates(pdf: Path) -> tuple[str, str]:
    info = PdfReader(pdf).metadata
    assert info is not None
    return info["/CreationDate"], info["/ModDate"]


def test_source_date_epoch_dates_every_pdf_and_the_wall_clock_never_does(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = workspace / "content.yaml"
    reviewed = str(yaml.safe_load(content.read_text(encoding="utf-8"))["reviewed"])
    # Without it (the README): the content's review date, at midnight UTC.
    plain = _built(content, workspace / "plain")
    for path in plain:
        assert _dates(workspace / "plain" / path) == (f"D:{reviewed.replace('-', '')}000000Z",) * 2

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    first = _built(content, workspace / "first")
    _later_clock(monkeypatch)
    again = _built(content, workspace / "again")
    assert set(first) == set(plain) and again == first
    for path in first:
        pdf = workspace / "first" / path
        assert _dates(pdf) == ("D:20231114221320Z",) * 2
        # The XMP packet (PDF/UA asks for one) carries the same moment, never a date of its own.
        xmp = PdfReader(pdf).trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
        assert re.findall(r"<xmp:\w+Date>([^<]*)<", xmp) == ["2023-11-14T22:13:20Z"] * 2

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # another moment: other dates, not a fixed one
    for path in _built(content, workspace / "other"):
        assert _dates(workspace / "other" / path) == ("D:20260101000000Z",) * 2


def test_source_date_epoch_dates_a_prefilled_consent_and_the_clock_does_not(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = workspace / "content.yaml"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = _consent(content, workspace / "first.pdf", "Ana Peña", "--flatten")
    _later_clock(monkeypatch)
    assert _consent(content, workspace / "again.pdf", "Ana Peña", "--flatten") == first
    assert _dates(workspace / "first.pdf") == ("D:20231114221320Z",) * 2


# --- 2. Unicode normalisation (NFC) -------------------------------------------------------------------

NAMES = ("Clínica Nguyễn Thị Hương", "Bình An Ketamine Center")


def _decomposed(text: str) -> str:
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text  # really decomposed: the accents are combining marks
    return nfd


def _clinic_files(folder: Path, name: str) -> tuple[Path, Path]:
    """The same clinic as a CSV file and as a YAML file, named `name` exactly as given."""
    folder.mkdir()
    row = {"id": "demo", "name": name, "phone": "(555) 010-1234", "address": "1 Calle Mayor, San José"}
    with (folder / "clinics.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(row))
        writer.writeheader()
        writer.writerow(row)
    yml = folder / "clinics.yaml"
    yml.write_text(yaml.safe_dump({"clinics": [row]}, allow_unicode=True), encoding="utf-8")
    return folder / "clinics.csv", yml


@pytest.mark.parametrize("name", NAMES)
def test_a_decomposed_clinic_name_prints_as_nfc_and_builds_the_same_bytes(workspace: Path, name: str) -> None:
    content = workspace / "content.yaml"
    composed = _clinic_files(workspace / "nfc", name)
    decomposed = _clinic_files(workspace / "nfd", _decomposed(name))
    for kind, (nfc, nfd) in zip(("csv", "yaml"), zip(composed, decomposed)):
        args = ("build", "aftercare", "--content", content, "-j", "1")
        assert run(*args, "--clinics", nfc, "--out", workspace / f"{kind}-nfc").exit_code == 0
        result = run(*args, "--clinics", nfd, "--out", workspace / f"{kind}-nfd")
        assert result.exit_code == 0, result.output
        built = workspace / f"{kind}-nfd" / "demo" / "aftercare-iv.en.pdf"
        text = pdf_text(built)
        assert name in text and unicodedata.normalize("NFD", name) not in text, kind
        assert PdfReader(built).metadata.author == name, kind  # type: ignore[union-attr]
        assert built.read_bytes() == (workspace / f"{kind}-nfc" / "demo" / "aftercare-iv.en.pdf").read_bytes(), kind


def _consent(content: Path, out: Path, name: str, *options: str) -> bytes:
    """Bình An's lozenge consent, prefilled for patient `name`; its bytes."""
    result = run("consent", "--content", content, "--clinic", "binh-an", "--treatment", "troche", "-o", out,
                 "--patient-name", name, "--dob", "1984-03-02", "--mrn", "A-123", *options)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_decomposed_patient_and_provider_names_fill_the_form_as_nfc(workspace: Path) -> None:
    content, name = workspace / "content.yaml", NAMES[0]
    provider = "Dra. Ana Peña Núñez"
    nfc = _consent(content, workspace / "nfc.pdf", name, "--provider", provider)
    nfd = _consent(content, workspace / "nfd.pdf", _decomposed(name), "--provider", _decomposed(provider))
    fields = PdfReader(workspace / "nfd.pdf").get_fields() or {}
    assert fields["patient_name"]["/V"] == name and fields["provider_printed_name"]["/V"] == provider
    assert nfd == nfc
    # The checked values themselves (for the 120-character limit, and any later use), not only the form's.
    from handouts.patients import check_patient

    patient, problems = check_patient({"patient_name": _decomposed(name), "dob": "1984-03-02", "mrn": "A-123",
                                       "provider": _decomposed(provider)})
    assert problems == [] and patient is not None and (patient.name, patient.provider) == (name, provider)


def test_the_library_fills_a_decomposed_value_as_nfc(workspace: Path) -> None:
    # handouts.api takes a Patient that did not come through the command line's checks (the web page).
    from handouts.api import Selection, consent
    from handouts.patients import Patient

    selection = Selection(workspace / "content.yaml", None, "binh-an", "troche", "en", "standard")
    nfc = consent(selection, Patient(NAMES[0], "1984-03-02", "A-123"))
    nfd = consent(selection, Patient(_decomposed(NAMES[0]), "1984-03-02", "A-123"))
    (workspace / "nfd.pdf").write_bytes(nfd)
    assert (PdfReader(workspace / "nfd.pdf").get_fields() or {})["patient_name"]["/V"] == NAMES[0]
    assert nfd == nfc


# --- 4. Two documents, one output path ------------------------------------------------------------------

def test_two_documents_that_would_write_one_file_are_exit_2_naming_both_and_write_nothing(workspace: Path) -> None:
    # `aftercare` for treatment iv is aftercare-iv.en.pdf; so is a document called `aftercare-iv`.
    content = workspace / "content.yaml"
    data = yaml.safe_load(content.read_text(encoding="utf-8"))
    data["documents"]["aftercare-iv"] = data["documents"]["handout"]
    content.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = workspace / "out"
    result = run("build", "--content", content, "--clinic", "cedar-ridge", "--out", out)
    assert result.exit_code == 2, result.output
    [line] = [line for line in result.output.splitlines() if "cedar-ridge/aftercare-iv.en.pdf" in line]
    assert line.endswith("two documents would both be written to cedar-ridge/aftercare-iv.en.pdf: "
                         "documents.aftercare (treatment iv) and documents.aftercare-iv; rename one document id")
    assert "aftercare-im" not in result.output  # only the name that clashes
    assert "Traceback" not in result.output and not out.exists()


# --- 6. A document that fails to render -----------------------------------------------------------------

BROKEN = "harbor/aftercare-iv.es.pdf"


@pytest.mark.parametrize("workers", ["1", "2"])  # made in this process, and in forked workers
def test_a_document_that_fails_to_render_fails_alone_and_is_named(
        workspace: Path, monkeypatch: pytest.MonkeyPatch, workers: str) -> None:
    import handouts.layout

    content, out = workspace / "content.yaml", workspace / "out"
    args = ("build", "aftercare", "--content", content, "--clinic", "cedar-ridge", "--clinic", "harbor",
            "--out", out, "-j", workers)
    assert run(*args).exit_code == 0
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.pdf")}
    assert BROKEN in before and len(before) == 6
    real = handouts.layout.render

    def render(doc: Any, layout: Any, qr_mrn: str | None = None) -> tuple[bytes, int]:
        if (doc.job.clinic.id, doc.job.treatment, doc.job.lang) == ("harbor", "iv", "es"):
            raise ZeroDivisionError("a drawing went wrong")
        return real(doc, layout, qr_mrn)

    monkeypatch.setattr(handouts.layout, "render", render)
    _edit(content, "Do not make big decisions or sign important papers today.",
          "Do not make big decisions or sign important papers until tomorrow.")
    _edit(content, "No tome decisiones importantes ni firme papeles importantes hoy.",
          "No tome decisiones importantes ni firme papeles importantes hasta mañana.")  # every one is new
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert ("FAILED harbor/aftercare-iv.es: could not be laid out (ZeroDivisionError: a drawing went wrong)"
            in result.output), result.output
    assert "Traceback" not in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [{k: f[k] for k in ("clinic", "document", "treatment", "language")} for f in manifest["failed"]] == [
        {"clinic": "harbor", "document": "aftercare", "treatment": "iv", "language": "es"}]
    # The others were built anew, each as the manifest says; the failed one's older
    # PDF is removed, not left looking current (README: the output folder), and no temp file is left.
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.pdf")}
    assert set(after) == set(before) - {BROKEN}
    assert {e["path"]: e["sha256"] for e in manifest["files"]} == {
        path: hashlib.sha256(data).hexdigest() for path, data in after.items()}
    assert all(after[p] != before[p] for p in after)
    assert manifest["unknown"] == [] and not list(out.rglob("*.part"))
    # Once it can be made again, the next run builds it and forgets the failure.
    monkeypatch.setattr(handouts.layout, "render", real)
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert (out / BROKEN).exists() and json.loads((out / "manifest.json").read_text(encoding="utf-8"))["failed"] == []

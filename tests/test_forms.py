"""Consent forms: fields, filling (Spanish, Vietnamese), flattening, QR codes, patient lists, packets.

Read back with pypdf (fields), qpdf via pikepdf (structure), PDFium (rendering, text) and
poppler (pdftoppm, pdftotext), on a small fixture content (tests/cases/form) that has every
form block kind; the shipped consent text is checked in test_consent_content.py.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from conftest import CASES, ROOT, run

VIETNAMESE = "Nguyễn Thị Hương"
SPANISH = "José Peña Núñez"
TEXT_FIELDS = {"patient_name", "patient_dob", "patient_mrn", "initials_risks_common", "initials_risks_rare",
               "patient_printed_name", "patient_date", "patient_time", "interpreter_id", "interpreter_language",
               "interpreter_printed_name", "interpreter_date", "interpreter_time"}
CHECKBOXES = {"interpreter_in_person", "interpreter_phone", "interpreter_video"}


@pytest.fixture()
def forms(tmp_path: Path) -> Path:
    """The form fixture's content.yaml in a folder with the shipped layouts."""
    shutil.copy(CASES / "form" / "content.yaml", tmp_path / "content.yaml")
    shutil.copytree(ROOT / "layouts", tmp_path / "layouts")
    return tmp_path / "content.yaml"


def consent(content: Path, out: Path, *args: str) -> Path:
    """`handouts consent` for the fixture's bilingual clinic; the PDF it wrote."""
    result = run("consent", "--content", content, "--clinic", "song-ngu", "-o", out, *args)
    assert result.exit_code == 0, result.output
    return out


def patient(name: str = VIETNAMESE) -> tuple[str, ...]:
    return ("--patient-name", name, "--dob", "1984-03-02", "--mrn", "A-123", "--provider", "Ana Peña")


def render(path: Path, page: int = 0, dpi: int = 100) -> Image.Image:
    """A page as PDFium draws it, form fields included."""
    doc = pdfium.PdfDocument(str(path))
    doc.init_forms()
    return doc[page].render(scale=dpi / 72, may_draw_forms=True).to_pil().convert("L")


def need_poppler() -> None:
    """Skip where poppler is not installed (a developer's machine); CI installs it and sets
    HANDOUTS_REQUIRE_POPPLER=1, so that there a missing poppler fails instead of skipping."""
    if shutil.which("pdftoppm") and shutil.which("pdftotext"):
        return
    message = "poppler (pdftoppm, pdftotext; Debian: poppler-utils) is not installed"
    if os.environ.get("HANDOUTS_REQUIRE_POPPLER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def poppler(path: Path, page: int = 0, dpi: int = 100) -> Image.Image:
    """A page as poppler (pdftoppm) draws it."""
    need_poppler()
    done = subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page + 1), "-l", str(page + 1), "-png", str(path)],
                          capture_output=True, check=True)
    return Image.open(io.BytesIO(done.stdout)).convert("L")


def poppler_text(path: Path) -> str:
    need_poppler()
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                                   text=True).stdout.split())


def widgets(path: Path) -> dict[str, tuple[int, Any]]:
    """Each field widget's name -> (page index, widget), read with qpdf."""
    found: dict[str, tuple[int, Any]] = {}
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") == "/Widget":
                    found[str(annot.T)] = (index, {"rect": [float(v) for v in annot.Rect],
                                                   "page_is_own": annot.P.objgen == page.obj.objgen,
                                                   "tooltip": str(annot.get("/TU", ""))})
    return found


def ink(image: Image.Image, rect: list[float], page_height: float, dpi: int = 100) -> int:
    """How many dark pixels a rendered page has inside a PDF rectangle."""
    scale = dpi / 72
    x0, y0, x1, y1 = rect
    box = (int(x0 * scale), int((page_height - y1) * scale), int(x1 * scale), int((page_height - y0) * scale))
    return sum(image.crop(box).histogram()[:128])


def test_blank_consent_has_named_fields_of_the_right_types_each_on_its_own_page(forms: Path, tmp_path: Path) -> None:
    pdf = consent(forms, tmp_path / "blank.pdf", "--treatment", "iv")
    fields = PdfReader(pdf).get_fields() or {}
    assert {n for n, f in fields.items() if f.get("/FT") == "/Tx"} == TEXT_FIELDS
    assert {n for n, f in fields.items() if f.get("/FT") == "/Btn"} == CHECKBOXES
    assert not any(f.get("/V") for f in fields.values() if f.get("/FT") == "/Tx")
    placed = widgets(pdf)
    assert all(w["page_is_own"] and w["tooltip"] for _, w in placed.values())
    assert placed["patient_name"][0] == 0 and placed["interpreter_language"][0] == 1  # not all on page 1
    assert placed["patient_name"][1]["tooltip"] == "Patient name"


def test_prefilled_values_in_spanish_and_vietnamese_show_in_pdfium_and_poppler(forms: Path, tmp_path: Path) -> None:
    blank = consent(forms, tmp_path / "blank.pdf", "--treatment", "iv")
    filled = consent(forms, tmp_path / "filled.pdf", "--treatment", "iv", *patient())
    fields = PdfReader(filled).get_fields() or {}
    assert fields["patient_name"]["/V"] == VIETNAMESE and fields["patient_printed_name"]["/V"] == VIETNAMESE
    assert fields["patient_dob"]["/V"] == "1984-03-02" and fields["patient_mrn"]["/V"] == "A-123"
    with pikepdf.open(filled) as pdf:
        form = pdf.Root.AcroForm
        assert form.get("/NeedAppearances") in (None, False)  # viewers draw the values as written, not anew
        assert "/HandoutsFill" in form.DR.Font  # the subset font with the Vietnamese letters
    rect = widgets(filled)["patient_name"][1]["rect"]
    for draw in (render, poppler):
        assert ink(draw(filled), rect, 792) > ink(draw(blank), rect, 792) + 50, draw.__name__
    flat = consent(forms, tmp_path / "flat.pdf", "--treatment", "iv", "--flatten", *patient(SPANISH))
    for text in (" ".join(pdfium.PdfDocument(str(flat))[0].get_textpage().get_text_range().split()),
                 poppler_text(flat)):
        assert SPANISH in text and "?" not in text
    vietnamese = consent(forms, tmp_path / "vi.pdf", "--treatment", "iv", "--flatten", *patient())
    assert VIETNAMESE in poppler_text(vietnamese)


def test_flattened_consent_has_the_text_and_no_fields(forms: Path, tmp_path: Path) -> None:
    flat = consent(forms, tmp_path / "flat.pdf", "--treatment", "esketamine", "--lang", "es", "--flatten",
                   *patient())
    assert not PdfReader(flat).get_fields()
    assert not widgets(flat)
    with pikepdf.open(flat) as pdf:
        assert "/AcroForm" not in pdf.Root
    assert VIETNAMESE in poppler_text(flat) and "Nombre del paciente" in poppler_text(flat)


def test_a_checked_box_renders_checked(tmp_path: Path) -> None:
    from handouts.pdf.fill import fill

    shutil.copy(CASES / "form" / "content.yaml", tmp_path / "content.yaml")
    shutil.copytree(ROOT / "layouts", tmp_path / "layouts")
    blank = consent(tmp_path / "content.yaml", tmp_path / "blank.pdf", "--treatment", "iv")
    checked = tmp_path / "checked.pdf"
    checked.write_bytes(fill(blank.read_bytes(), {}, ["interpreter_phone"]))
    fields = PdfReader(checked).get_fields() or {}
    assert fields["interpreter_phone"]["/V"] == "/Yes" and fields["interpreter_video"].get("/V") != "/Yes"
    page, box = widgets(checked)["interpreter_phone"]
    for draw in (render, poppler):
        assert ink(draw(checked, page), box["rect"], 792) > ink(draw(blank, page), box["rect"], 792) + 10
    flat = tmp_path / "flat.pdf"
    from handouts.pdf.fill import flatten

    flat.write_bytes(flatten(checked.read_bytes()))
    assert ink(poppler(flat, page), box["rect"], 792) > ink(poppler(blank, page), box["rect"], 792) + 10


def test_signatures_dates_and_times_are_never_prefilled(forms: Path, tmp_path: Path) -> None:
    filled = consent(forms, tmp_path / "filled.pdf", "--treatment", "iv", *patient())
    fields = PdfReader(filled).get_fields() or {}
    for name, field in fields.items():
        if name.endswith(("_date", "_time")) or name.startswith("initials_"):
            assert not field.get("/V"), name


def test_qr_code_read_back_from_a_100_dpi_render(forms: Path, tmp_path: Path) -> None:
    plain = consent(forms, tmp_path / "plain.pdf", "--treatment", "esketamine", "--lang", "es", *patient())
    with_mrn = consent(forms, tmp_path / "mrn.pdf", "--treatment", "esketamine", "--lang", "es", "--qr-mrn",
                       *patient())
    pages = len(PdfReader(plain).pages)
    for index in range(pages):
        codes = [c.text for c in zxingcpp.read_barcodes(render(plain, index))]
        assert len(codes) == 1, codes
        fields = dict(item.split("=", 1) for item in codes[0].split(";"))
        assert fields["form"] == "consent-esketamine" and fields["v"] == "9.9.9" and fields["lang"] == "es"
        assert fields["clinic"] == "song-ngu" and fields["page"] == f"{index + 1}/{pages}"
        assert "mrn" not in fields
    code = zxingcpp.read_barcodes(poppler(with_mrn, 0))[0].text
    assert "mrn=A-123" in code and "1984" not in code and "Nguy" not in code


def test_every_form_page_names_form_version_hash_language_and_page(forms: Path, tmp_path: Path) -> None:
    pdf = consent(forms, tmp_path / "blank.pdf", "--treatment", "iv", "--lang", "es")
    doc = pdfium.PdfDocument(str(pdf))
    texts = [" ".join(page.get_textpage().get_text_range().split()) for page in doc]
    hashes = set()
    for number, text in enumerate(texts, start=1):
        assert "Formulario consent-iv" in text and "9.9.9" in text and "Español" in text
        assert f"Página {number} de {len(texts)}" in text
        hashes.add(text.split("#")[1].split()[0])
    assert len(hashes) == 1 and len(hashes.pop()) == 10
    english = pdfium.PdfDocument(str(consent(forms, tmp_path / "en.pdf", "--treatment", "iv")))
    assert texts[0].split("#")[1][:10] not in english[0].get_textpage().get_text_range()  # other text, other hash


def test_patients_csv_one_private_file_per_good_row_and_bad_rows_by_line(forms: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "patients.csv"
    csv_path.write_text("patient_name,dob,mrn,provider\n"
                        f"{VIETNAMESE},1985-04-05,A-1,Ana Peña\n"
                        "Secret Person,31/31/1990,A-2,\n"
                        f"{SPANISH},03/02/1979,B-7,\n", encoding="utf-8")
    out = tmp_path / "consents"
    result = run("consent", "--content", forms, "--clinic", "song-ngu", "--treatment", "iv",
                 "--patients", csv_path, "--out", out)
    assert result.exit_code == 1, result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == ["consent-iv.en.line-2.pdf", "consent-iv.en.line-4.pdf"]
    for path in out.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600
    assert (out.stat().st_mode & 0o777) == 0o700
    assert f"{csv_path}:3" in result.output and "dob" in result.output
    for secret in ("Secret", "31/31/1990", VIETNAMESE, SPANISH, "1985", "1979", "A-1", "A-2", "B-7", "Peña"):
        assert secret not in result.output
    assert (PdfReader(out / "consent-iv.en.line-4.pdf").get_fields() or {})["patient_name"]["/V"] == SPANISH


def test_blank_consent_is_public_and_prefilled_is_private(forms: Path, tmp_path: Path) -> None:
    assert consent(forms, tmp_path / "b.pdf", "--treatment", "iv").stat().st_mode & 0o777 == 0o644
    assert consent(forms, tmp_path / "p.pdf", "--treatment", "iv", *patient()).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(("args", "message"), [
    (("--treatment", "troche"), "does not offer treatment 'troche'"),
    ((), "offers several treatments"),
    (("--treatment", "iv", "--patient-name", "X", "--dob", "1990-01-01"), "--mrn: required"),
    (("--treatment", "iv", "--qr-mrn"), "--qr-mrn needs"),
])
def test_consent_usage_errors_exit_2_without_writing(forms: Path, tmp_path: Path, args: tuple[str, ...],
                                                     message: str) -> None:
    result = run("consent", "--content", forms, "--clinic", "song-ngu", "-o", tmp_path / "x.pdf", *args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(("old", "new", "message"), [
    ("{name: interpreter_language, label: \"Idioma\"}", "{name: interpreter_lang, label: \"Idioma\"}",
     "form field names differ between en and es"),
    ("name: patient_mrn,", "name: patient_name,", "form field 'patient_name' is printed twice"),
    ("name: patient_mrn,", "name: Patient-MRN,", "a field name is a lowercase"),
    ("    form: true\n", "", "has form fields: add `form: true`"),
])
def test_form_field_mistakes_are_located_exit_2(forms: Path, tmp_path: Path, old: str, new: str, message: str) -> None:
    text = forms.read_text(encoding="utf-8")
    assert old in text
    forms.write_text(text.replace(old, new), encoding="utf-8")
    result = run("build", "consent", "--content", forms, "--out", tmp_path / "out")
    assert result.exit_code == 2 and message in result.output, result.output
    assert "content.yaml:" in result.output


def fillable_attachment(path: Path) -> Path:
    """An outside fillable PDF (like the REMS enrollment form): one page, a text field `x` with a value."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path))
    canvas.drawString(72, 720, "Outside enrollment form")
    canvas.acroForm.textfield(name="x", value="kept", x=72, y=600, width=200, height=20)
    canvas.showPage()
    canvas.save()
    return path


def test_packet_has_every_part_with_bookmarks_and_working_prefixed_fields(forms: Path, tmp_path: Path) -> None:
    outside = fillable_attachment(tmp_path / "rems.pdf")
    out = tmp_path / "packet.pdf"
    result = run("packet", "--content", forms, "--clinic", "song-ngu", "--treatment", "esketamine", "--lang", "es",
                 "--attach", outside, "-o", out, *patient())
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600  # a patient's values are in it
    reader = PdfReader(out)
    top = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    assert top == ["Folleto", "Consentimiento para Esketamina en aerosol nasal", "Después de esketamina", "rems"]
    blank_consent = consent(forms, tmp_path / "c.pdf", "--treatment", "esketamine", "--lang", "es")
    assert len(reader.pages) == 1 + len(PdfReader(blank_consent).pages) + 1 + 1
    fields = reader.get_fields() or {}
    assert fields["consent.patient_name"]["/V"] == VIETNAMESE and fields["attachment1.x"]["/V"] == "kept"
    assert {"consent.interpreter_phone", "consent.patient_date"} <= set(fields)
    with pikepdf.open(out) as pdf:
        fonts = set(pdf.Root.AcroForm.DR.Font.keys())
        assert {"/HandoutsFill", "/Helv"} <= fonts
        # every widget sits on a page of the packet that lists it
        pages = {page.obj.objgen for page in pdf.pages}
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") == "/Widget":
                    assert annot.P.objgen in pages
    assert VIETNAMESE.split()[0] not in result.output


@pytest.mark.parametrize("content", [b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\ngarbage",
                                     b"this is a letter, not a PDF"])
def test_packet_refuses_a_broken_attachment_by_name_and_writes_nothing(forms: Path, tmp_path: Path,
                                                                      content: bytes) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(content)
    out = tmp_path / "packet.pdf"
    result = run("packet", "--content", forms, "--clinic", "only-iv", "--attach", bad, "-o", out)
    assert result.exit_code == 2 and str(bad) in result.output, result.output
    assert not out.exists() and not list(tmp_path.glob(".packet.pdf.*"))


def _patients(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "patients.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_patient_rows_are_named_by_their_own_line_past_blank_lines_and_bad_quotes(forms: Path, tmp_path: Path) -> None:
    csv_path = _patients(tmp_path, "patient_name,dob,mrn\nAna Ruiz,1984-03-02,A-1\n\n\n"
                                   "\"Bea \"x\" Ruiz\",1984-03-02,A-2\nCara Díaz,1984-03-02,A-3\n")
    out = tmp_path / "c"
    result = run("consent", "--content", forms, "--clinic", "song-ngu", "--treatment", "iv",
                 "--patients", csv_path, "--out", out)
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["consent-iv.en.line-2.pdf", "consent-iv.en.line-6.pdf"]
    assert f"{csv_path}:5: a quote" in result.output and "1 row(s) skipped" in result.output
    assert "Bea" not in result.output and "Cara" not in result.output


@pytest.mark.parametrize(("text", "message"), [
    (f"{VIETNAMESE},1984-03-02,A-1\n", "line 1 is not a header row"),
    ("patient_name,dob,mrn\n", "no patient rows after the header"),
])
def test_a_patients_file_without_rows_or_header_stops_with_no_value_echoed(forms: Path, tmp_path: Path, text: str,
                                                                           message: str) -> None:
    result = run("consent", "--content", forms, "--clinic", "song-ngu", "--treatment", "iv",
                 "--patients", _patients(tmp_path, text), "--out", tmp_path / "c")
    assert result.exit_code == 2 and message in result.output, result.output
    assert VIETNAMESE not in result.output and "A-1" not in result.output and not (tmp_path / "c").exists()


def test_a_name_no_font_can_print_is_refused_without_spelling_it(forms: Path, tmp_path: Path) -> None:
    csv_path = _patients(tmp_path, "patient_name,dob,mrn\n李小龍,1984-03-02,A-1\nAna Ruiz,1984-03-02,A-2\n")
    result = run("consent", "--content", forms, "--clinic", "song-ngu", "--treatment", "iv",
                 "--patients", csv_path, "--out", tmp_path / "c")
    assert result.exit_code == 1, result.output
    assert f"{csv_path}:2: patient_name: has characters the form's font cannot print" in result.output
    assert "U+" not in result.output and "李" not in result.output
    single = run("consent", "--content", forms, "--clinic", "song-ngu", "--treatment", "iv", "-o", tmp_path / "x.pdf",
                 "--patient-name", "😀 Ana", "--dob", "1984-03-02", "--mrn", "A-1")
    assert single.exit_code == 2 and "--patient-name: has characters" in single.output and "U+" not in single.output


def test_a_patient_list_goes_into_a_new_or_empty_folder(forms: Path, tmp_path: Path) -> None:
    out = tmp_path / "c"
    out.mkdir()
    (out / "consent-iv.en.line-2.pdf").write_bytes(b"an earlier list's")
    result = run("consent", "--content", forms, "--clinic", "song-ngu", "--treatment", "iv",
                 "--patients", _patients(tmp_path, "patient_name,dob,mrn\nAna,1984-03-02,A-1\n"), "--out", out)
    assert result.exit_code == 2 and "is not an empty folder" in result.output
    assert (out / "consent-iv.en.line-2.pdf").read_bytes() == b"an earlier list's"


def test_a_packet_never_asks_viewers_to_redraw_and_carries_a_clashing_form_font(forms: Path, tmp_path: Path) -> None:
    # An outside form that asks viewers to redraw its fields, with its own /HandoutsFill font: the
    # packet keeps both fonts (the outside one renamed in its own /DA) and tells viewers not to redraw,
    # so PDFium draws the prefilled Vietnamese name as filled.
    outside = fillable_attachment(tmp_path / "outside.pdf")
    with pikepdf.open(outside, allow_overwriting_input=True) as pdf:
        form = pdf.Root.AcroForm
        form.NeedAppearances = True
        helv = form.DR.Font.get("/Helv") or next(iter(form.DR.Font.values()))
        form.DR.Font.HandoutsFill = helv
        for field in form.Fields:
            field.DA = pikepdf.String("/HandoutsFill 10 Tf 0 g")
        pdf.save(outside)
    out = tmp_path / "packet.pdf"
    result = run("packet", "--content", forms, "--clinic", "song-ngu", "--treatment", "iv", "--attach", outside,
                 "-o", out, *patient())
    assert result.exit_code == 0, result.output
    with pikepdf.open(out) as pdf:
        form = pdf.Root.AcroForm
        assert bool(form.get("/NeedAppearances", False)) is False
        assert {"/HandoutsFill", "/HandoutsFill_attachment1"} <= set(form.DR.Font.keys())
        das = [str(f.get("/DA", "")) for f in form.Fields] + [str(k.get("/DA", "")) for f in form.Fields
                                                              for k in f.get("/Kids", [])]
        assert any(da.startswith("/HandoutsFill_attachment1 ") for da in das)
    standalone = consent(forms, tmp_path / "alone.pdf", "--treatment", "iv", *patient())
    page, box = widgets(standalone)["patient_name"]
    offset = 1  # the handout comes first in the packet
    assert ink(render(out, offset + page), box["rect"], 792) == ink(render(standalone, page), box["rect"], 792)

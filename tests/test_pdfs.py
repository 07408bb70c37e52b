"""The sample build, read back with PDFium (text), qpdf via pikepdf (structure) and pypdf (metadata)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from pypdf import PdfReader

from conftest import CONTENT, ROOT, pdf_pages, pdf_text, run
from handouts.build import load_inputs
from handouts.layouts import load_layout

CONTENT_DATA, CLINICS = load_inputs(CONTENT)
IV_RULE = {"en": "for at least 24 hours", "es": "durante al menos 24 horas"}
NEXT_DAY_RULE = {
    "en": "until the next day, after a restful night’s sleep",
    "es": "hasta el día siguiente, después de dormir bien toda la noche",
}


def _field(clinic: Any, name: str, lang: str) -> str:
    value = clinic.fields[name]
    return value[lang] if isinstance(value, dict) else value


@pytest.mark.parametrize("clinic", CLINICS, ids=lambda c: c.id)
def test_each_handout_names_its_own_clinic_and_no_other(sample_build: dict[str, Any], clinic: Any) -> None:
    for lang in clinic.languages:
        text = pdf_text(sample_build["out"] / clinic.id / f"handout.{lang}.pdf")
        for name in ("name", "phone", "address", "insurance_wording"):
            assert " ".join(_field(clinic, name, lang).split()) in text, (clinic.id, lang, name)
        for other in CLINICS:
            if other.id != clinic.id:
                assert _field(other, "name", lang) not in text
                assert _field(other, "phone", lang) not in text


def test_every_clinic_gets_every_document_in_each_of_its_languages(sample_build: dict[str, Any]) -> None:
    built = {p.relative_to(sample_build["out"]).as_posix() for p in sample_build["out"].rglob("*.pdf")}
    expected = set()
    for clinic in CLINICS:
        for lang in clinic.languages:
            expected.add(f"{clinic.id}/handout.{lang}.pdf")
            expected.update(f"{clinic.id}/{doc}-{t}.{lang}.pdf" for t in clinic.treatments
                            for doc in ("aftercare", "consent"))
    assert built == expected


def test_driving_rule_matches_the_treatment(sample_build: dict[str, Any]) -> None:
    checked = set()
    for clinic in CLINICS:
        for lang in clinic.languages:
            for treatment in clinic.treatments:
                text = pdf_text(sample_build["out"] / clinic.id / f"aftercare-{treatment}.{lang}.pdf")
                if treatment == "esketamine":
                    assert NEXT_DAY_RULE[lang] in text
                    assert "24" not in text.replace(CONTENT_DATA.version, ""), "esketamine must not carry the 24-hour rule"
                else:
                    assert IV_RULE[lang] in text
                    assert NEXT_DAY_RULE[lang] not in text
                checked.add((treatment, lang))
    assert {("esketamine", "en"), ("esketamine", "es"), ("iv", "en"), ("iv", "es")} <= checked


def test_handout_shows_only_the_rules_for_treatments_offered(sample_build: dict[str, Any]) -> None:
    cedar = pdf_text(sample_build["out"] / "cedar-ridge" / "handout.en.pdf")  # iv + im, no esketamine
    assert IV_RULE["en"] in cedar and NEXT_DAY_RULE["en"] not in cedar and "Spravato" not in cedar
    harbor = pdf_text(sample_build["out"] / "harbor" / "handout.en.pdf")  # iv + esketamine
    assert IV_RULE["en"] in harbor and NEXT_DAY_RULE["en"] in harbor


def test_every_page_has_the_footer(sample_build: dict[str, Any]) -> None:
    labels = {"en": "Page {page} of {pages}", "es": "Página {page} de {pages}"}
    for pdf in sample_build["out"].rglob("*.pdf"):
        clinic, name = pdf.parent.name, pdf.stem
        lang = name.rsplit(".", 1)[1]
        phone = next(c for c in CLINICS if c.id == clinic).fields["phone"]
        pages = pdf_pages(pdf)
        for number, text in enumerate(pages, start=1):
            flat = " ".join(text.split())
            assert labels[lang].format(page=number, pages=len(pages)) in flat, (pdf, number)
            assert phone in flat and " ".join(str(PdfReader(pdf).metadata.title).split()) in flat and CONTENT_DATA.version in flat


def test_fonts_are_embedded_truetype(sample_build: dict[str, Any]) -> None:
    for path in sample_build["out"].rglob("*.pdf"):
        with pikepdf.open(path) as pdf:
            fonts = {}
            for page in pdf.pages:
                for name, font in page.Resources.get("/Font", {}).items():
                    fonts[str(font.get("/BaseFont"))] = font
            assert fonts, path
            for base, font in fonts.items():
                assert font.Subtype == "/TrueType", (path, base)
                assert "/FontFile2" in font.FontDescriptor, (path, base)
                assert "NotoSans" in base


def test_metadata_title_author_subject_language(sample_build: dict[str, Any]) -> None:
    path = sample_build["out"] / "harbor" / "aftercare-esketamine.es.pdf"
    reader = PdfReader(path)
    info = reader.metadata
    assert info is not None
    assert info.title == "Después de su tratamiento con esketamina (Spravato)"
    assert info.author == "Harbor Ketamine & Wellness"
    assert info.subject and "Harbor Ketamine & Wellness" in info.subject  # a clinic value, unescaped
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 - a pypdf BooleanObject
    assert info["/CreationDate"] == "D:20261127000000Z"
    assert info.creator == "handouts" and info.producer == "handouts (ReportLab)"
    for path in sample_build["out"].rglob("*.pdf"):
        lang = path.stem.rsplit(".", 1)[1]
        meta = PdfReader(path).metadata
        assert meta is not None and meta.title and meta.author and meta.subject
        assert "&amp;" not in meta.title + meta.author + meta.subject
        assert PdfReader(path).trailer["/Root"]["/Lang"] == lang


def test_outline_lists_the_section_headings(sample_build: dict[str, Any]) -> None:
    reader = PdfReader(sample_build["out"] / "harbor" / "handout.en.pdf")
    titles = [item.title for item in reader.outline]
    assert titles[0] == "Safety at a glance"
    assert "Side effects and other medicines" in titles


def test_manifest_lists_every_file_with_its_digest(sample_build: dict[str, Any]) -> None:
    out: Path = sample_build["out"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["content_version"] == CONTENT_DATA.version
    assert manifest["failed"] == []
    listed = {entry["path"] for entry in manifest["files"]}
    assert listed == {p.relative_to(out).as_posix() for p in out.rglob("*.pdf")}
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        assert entry["pages"] == len(PdfReader(out / entry["path"]).pages)
        assert entry["content_version"] == CONTENT_DATA.version
        clinic, name = entry["path"].split("/")
        assert entry["clinic"] == clinic and name.endswith(f".{entry['language']}.pdf")
        assert name.startswith(entry["document"] + ("-" + entry["treatment"] if entry["treatment"] else "") + ".")


def test_two_builds_are_byte_identical(sample_build: dict[str, Any], tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert run("build", "--content", CONTENT, "--out", again).exit_code == 0
    first = sorted(p.relative_to(sample_build["out"]) for p in sample_build["out"].rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    for rel in first:
        assert (sample_build["out"] / rel).read_bytes() == (again / rel).read_bytes(), rel


def _page_size(path: Path) -> tuple[float, float]:
    with pikepdf.open(path) as pdf:
        box = [float(v) for v in pdf.pages[0].MediaBox]
    return round(box[2] - box[0]), round(box[3] - box[1])


def _median_font_size(path: Path) -> float:
    doc = pdfium.PdfDocument(str(path))
    text = doc[0].get_textpage()
    sizes = sorted(pdfium_c.FPDFText_GetFontSize(text.raw, i) for i in range(text.count_chars()))
    return sizes[len(sizes) // 2]


def test_letter_by_default_a4_and_large_print_on_request(sample_build: dict[str, Any], tmp_path: Path) -> None:
    letter = sample_build["out"] / "cedar-ridge" / "handout.en.pdf"
    assert _page_size(letter) == (612, 792)
    assert 12 <= _median_font_size(letter) < 13
    for layout, size, body in (("a4", (595, 842), 12), ("large-print", (612, 792), 18)):
        out = tmp_path / layout
        result = run("build", "handout", "--content", CONTENT, "--clinic", "cedar-ridge", "--layout", layout, "--out", out)
        assert result.exit_code == 0, result.output
        pdf = out / "cedar-ridge" / "handout.en.pdf"
        assert _page_size(pdf) == size
        assert body <= _median_font_size(pdf) < body + 1
    assert len(pdf_pages(tmp_path / "large-print" / "cedar-ridge" / "handout.en.pdf")) > len(pdf_pages(letter))


def test_vietnamese_clinic_name_prints(sample_build: dict[str, Any]) -> None:
    assert "Bình An Ketamine Center" in pdf_text(sample_build["out"] / "binh-an" / "handout.es.pdf")


def _teal(image: Any) -> int:
    """How many pixels of an image are Harbor's teal (#0b5c7a), give or take antialiasing."""
    pixels = [image.getpixel((x, y)) for x in range(image.width) for y in range(image.height)]
    return sum(1 for r, g, b in pixels if abs(r - 11) < 40 and abs(g - 92) < 40 and abs(b - 122) < 40)


def test_header_draws_logo_and_brand_colour(sample_build: dict[str, Any]) -> None:
    layout = load_layout("standard", ROOT / "layouts")
    left, top, logo = layout.margins["left"], layout.margins["top"], layout.header["logo_height"]
    doc = pdfium.PdfDocument(str(sample_build["out"] / "harbor" / "handout.en.pdf"))
    image = doc[0].render(scale=1).to_pil().convert("RGB")
    # The logo sits at the top-left margin: its teal disc must be there, not white paper.
    teal = _teal(image.crop((round(left), round(top), round(left + logo), round(top + logo))))
    assert teal > 200
    # The brand-coloured rule runs under the header, right of the accent stub: #0b5c7a.
    rule_y = int(top + logo + 6)  # the pixel row inside the 2.5 pt rule: margin, logo, gap
    r, g, b = image.getpixel((400, rule_y))
    assert abs(r - 11) < 25 and abs(g - 92) < 25 and abs(b - 122) < 25, (r, g, b)
    # Later pages carry a slim running header: the clinic's name over the same rule, no logo.
    later = doc[1].render(scale=1).to_pil().convert("RGB")
    assert _teal(later.crop((round(left), round(top), round(left + logo), round(top + logo)))) < teal // 4
    assert pdf_pages(sample_build["out"] / "harbor" / "handout.en.pdf")[1].startswith("Harbor Ketamine & Wellness")


def test_content_driving_rules_are_consistent() -> None:
    # The handout prints one 24-hour rule for IV, IM and troche together, so their texts must agree.
    for lang in CONTENT_DATA.languages:
        texts = {t: CONTENT_DATA.treatments[t].texts[lang]["driving"].source for t in ("iv", "im", "troche")}
        assert len(set(texts.values())) == 1, texts
        assert "24" in texts["iv"]
        assert "24" not in CONTENT_DATA.treatments["esketamine"].texts[lang]["driving"].source
        assert "24" not in CONTENT_DATA.treatments["esketamine"].texts[lang]["ride"].source


def test_esketamine_only_clinic_handout_has_no_24_hour_rule(sample_build: dict[str, Any], tmp_path: Path) -> None:
    clinics = tmp_path / "clinics.yaml"
    clinics.write_text("clinics:\n  - {id: spray-only, name: Spray Only Clinic, phone: '(555) 010-7000',"
                       " address: 7 Mist Lane, languages: [en, es], treatments: [esketamine]}\n", encoding="utf-8")
    assert run("build", "--content", CONTENT, "--clinics", clinics, "--out", tmp_path / "o").exit_code == 0
    for lang in ("en", "es"):
        text = pdf_text(tmp_path / "o" / "spray-only" / f"handout.{lang}.pdf")
        assert NEXT_DAY_RULE[lang] in text and IV_RULE[lang] not in text
        assert "24 h" not in text

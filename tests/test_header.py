"""The page header under pressure: a long clinic name, a wide logo. The name is printed whole on
every page, beside a logo fitted by its height and its width, or the build refuses it by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import yaml

from conftest import ROOT, run
from test_layout import FILLER, LARGE_PRINT, STANDARD, _build, _sheet

LONG = "Ketamine Wellness Center of Greater Northern Virginia and the District of Columbia, Fairfax Office"


def _logo(folder: Path, width: int, height: int) -> Path:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"logo-{width}x{height}.png"
    Image.new("RGB", (width, height), "#0b5c7a").save(path)
    return path


def _clinic(name: str, logo: Path | None = None, phone: str = "(555) 010-1234") -> dict[str, Any]:
    clinic = {"id": "demo", "name": name, "phone": phone, "address": "1 Main Street, Springfield"}
    return {**clinic, "logo": str(logo)} if logo else clinic


def _header(pdf: Path, page: int) -> tuple[str, list[float], tuple[float, float, float, float] | None]:
    """What is printed above the brand rule of a page: its text in reading order, the sizes of its
    characters, and the box of the logo image (None without one)."""
    doc = pdfium.PdfDocument(str(pdf))
    height = doc[page].get_size()[1]
    rules = []
    logo = None
    for obj in doc[page].get_objects():
        left, bottom, right, top = obj.get_bounds()
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH and top - bottom < 8 and right - left > 200:
            rules.append(top)  # its line caps included
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            logo = (left, bottom, right, top)
    rule = max(y for y in rules if y > height / 2)  # the brand rule: the highest long line
    textpage = doc[page].get_textpage()
    text = textpage.get_text_bounded(bottom=rule, top=height)
    sizes = [pdfium_c.FPDFText_GetFontSize(textpage.raw, i) for i in range(textpage.count_chars())
             if textpage.get_charbox(i)[1] > rule and chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)).strip()]
    doc.close()
    return text, sizes, logo


def _clinics_file(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / "clinics.yaml"
    path.write_text(yaml.safe_dump({"clinics": data["clinics"]}, allow_unicode=True), encoding="utf-8")
    return path


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("layout", ["standard", "large-print"])
def test_a_long_name_beside_a_wide_logo_wraps_whole_on_every_page(tmp_path: Path, layout: str) -> None:
    shape = STANDARD if layout == "standard" else LARGE_PRINT
    logo = _logo(tmp_path / "img", 1600, 160)  # a wordmark ten times as wide as it is high
    content = _sheet(tmp_path, [("Part", [{"p": FILLER}] * 30)], clinic=_clinic(LONG, logo))
    pdf = _build(content, "--layout", layout) / "demo" / "sheet.en.pdf"
    text_width = shape.page_size[0] - shape.margins["left"] - shape.margins["right"]
    pages = len(pdfium.PdfDocument(str(pdf)))
    assert pages >= 2
    for page in range(pages):
        text, sizes, image = _header(pdf, page)
        assert _words(text) == LONG and "…" not in text, (layout, page, text)
        assert min(sizes) >= shape.type["small"] - 0.01  # never smaller than the footer's text
        if page == 0:
            assert image is not None
            left, bottom, right, top = image
            # Fitted by width: 40 % of the text width at most, its proportions kept.
            assert right - left <= text_width * 0.4 + 0.5
            assert (right - left) / (top - bottom) == pytest.approx(10, rel=0.02)
            assert len(text.strip().splitlines()) >= 2  # the name wrapped rather than shrank past the limit
        else:
            assert image is None


def test_a_short_name_stays_on_one_line_at_the_layouts_size(tmp_path: Path) -> None:
    content = _sheet(tmp_path, [("Part", [{"p": FILLER}])], clinic=_clinic("Demo Clinic", _logo(tmp_path / "i", 240, 240)))
    pdf = _build(content) / "demo" / "sheet.en.pdf"
    text, sizes, image = _header(pdf, 0)
    assert _words(text) == "Demo Clinic" and set(sizes) == {STANDARD.header["name_size"]}
    assert image is not None and image[3] - image[1] == pytest.approx(STANDARD.header["logo_height"], abs=0.5)


def test_the_body_starts_below_a_header_that_grew(tmp_path: Path) -> None:
    content = _sheet(tmp_path, [("Part", [{"p": FILLER}] * 30)], clinic=_clinic(LONG * 1 + " and Annex"))
    pdf = _build(content, "--layout", "large-print") / "demo" / "sheet.en.pdf"
    doc = pdfium.PdfDocument(str(pdf))
    for page in range(len(doc)):
        text, _, _ = _header(pdf, page)
        assert len(text.strip().splitlines()) >= 2
        rule = max(top for obj in doc[page].get_objects() if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH
                   for left, bottom, right, top in [obj.get_bounds()] if top - bottom < 8 and right - left > 200
                   and top > doc[page].get_size()[1] / 2)
        textpage = doc[page].get_textpage()
        below = [textpage.get_charbox(i)[3] for i in range(textpage.count_chars())
                 if textpage.get_charbox(i)[3] < rule and chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)).strip()]
        assert max(below) < rule - LARGE_PRINT.header["gap"] / 2  # the body keeps the gap under the rule
    doc.close()


def test_a_name_too_long_for_three_lines_is_refused_by_name_before_anything_is_written(tmp_path: Path) -> None:
    name = " ".join([LONG] * 3)
    content = _sheet(tmp_path, [("Part", [{"p": FILLER}])], clinic=_clinic(name))
    out = tmp_path / "out"
    result = run("build", "--content", content, "--out", out)
    assert result.exit_code == 2, result.output
    assert f"{content}:" in result.output and "clinics[0].name: too long to print whole in the page header" in result.output
    assert "'standard' layout" in result.output and f"its {len(name)} characters" in result.output
    assert not out.exists()


def test_a_single_consent_refuses_such_a_name_too(tmp_path: Path) -> None:
    # `handouts consent` (and the library call behind it) lays out one document without a build's preflight.
    content = _sheet(tmp_path, [("Part", [{"p": FILLER}])], clinic=_clinic(" ".join([LONG] * 3)))
    data = yaml.safe_load(content.read_text(encoding="utf-8"))
    data["clinics"][0]["treatments"] = ["iv"]
    content.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "consent.pdf"
    result = run("consent", "--content", ROOT / "content.yaml", "--clinics", _clinics_file(tmp_path, data), "-o", out)
    assert result.exit_code == 2, result.output
    assert "clinics[0].name: too long to print whole in the page header" in result.output
    assert not out.exists()


def test_setting_a_very_long_name_takes_a_few_measurements(monkeypatch: pytest.MonkeyPatch) -> None:
    import handouts.footer
    import handouts.header
    from handouts.fonts import register

    _, bold = register(STANDARD.fonts["regular"], STANDARD.fonts["bold"])
    calls = []
    real = handouts.header.stringWidth

    def counted(*args: Any) -> float:
        calls.append(args)
        return float(real(*args))

    monkeypatch.setattr(handouts.header, "stringWidth", counted)
    monkeypatch.setattr(handouts.footer, "stringWidth", counted)
    assert handouts.header.set_name("Harbor Ketamine & Wellness " * 400, bold, 15.0, 400.0, 11.25) is None
    assert len(calls) == 1  # measured once; too wide for three lines at any size, it is never wrapped
    calls.clear()
    name = handouts.header.set_name(LONG, bold, 15.0, 300.0, 11.25)
    assert name is not None and len(name.lines) == 2 and " ".join(name.lines) == LONG
    assert all(real(line, bold, name.size) <= 300.0 for line in name.lines)
    assert len(calls) < 400


def test_check_names_a_clinic_whose_name_is_too_long_for_a_layout(tmp_path: Path) -> None:
    logo = _logo(tmp_path / "img", 1600, 160)
    clinics = _clinics_file(tmp_path, {"clinics": [{**_clinic(LONG + ", Suite 400, Second Floor, Behind the Pharmacy "
                                                           "Entrance", logo), "treatments": ["iv"]}]})
    result = run("check", "--clinics", clinics, "--format", "json")
    found = [f for f in json.loads(result.output)["findings"] if f["rule"] == "header"]
    # Beside a logo 40 % of the text width, the large-print layout has room for fewer characters than the others.
    assert {f["severity"] for f in found} == {"error"} and result.exit_code == 2
    assert any("'large-print' layout" in f["message"] for f in found)
    assert all(f["where"].startswith(f"{clinics}:") and f["clinic"] == "demo" for f in found)

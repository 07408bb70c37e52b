"""The command line as users meet it: exit codes, messages that say where, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CASES, CONTENT, ROOT, pdf_text, run


def test_help_explains_the_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "build" in result.output and "list" in result.output and "Exit codes" in result.output
    build_help = run("build", "--help").output
    for option in ("--content", "--clinics", "--clinic", "--lang", "--layout", "--out"):
        assert option in build_help


@pytest.mark.parametrize("command", [[sys.executable, "-m", "handouts"], [sys.executable, str(ROOT / "cli.py")]])
def test_module_and_checkout_entry_points(command: list[str], tmp_path: Path) -> None:
    result = subprocess.run([*command, "list", "--content", str(CONTENT)], capture_output=True, text=True,
                            cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr
    assert "harbor" in result.stdout


def test_list_shows_clinics_documents_languages_layouts() -> None:
    result = run("list", "--content", CONTENT)
    assert result.exit_code == 0, result.output
    for expected in ("harbor", "Bình An Ketamine Center", "aftercare", "one per treatment offered",
                     "es", "Español", "large-print", "a4", "esketamine, troche"):
        assert expected in result.output


def test_list_reads_a_clinics_file() -> None:
    result = run("list", "--content", CONTENT, "--clinics", CASES / "clinics.csv")
    assert result.exit_code == 0, result.output
    assert "lakeside" in result.output and "harbor" not in result.output


def test_csv_clinics_build(tmp_path: Path) -> None:
    result = run("build", "--content", CONTENT, "--clinics", CASES / "clinics.csv", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    built = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pdf"))
    assert built == [
        "lakeside/aftercare-esketamine.en.pdf", "lakeside/aftercare-esketamine.es.pdf",
        "lakeside/consent-esketamine.en.pdf", "lakeside/consent-esketamine.es.pdf",
        "lakeside/handout.en.pdf", "lakeside/handout.es.pdf",
        "northgate/aftercare-iv.en.pdf", "northgate/aftercare-troche.en.pdf",
        "northgate/consent-iv.en.pdf", "northgate/consent-troche.en.pdf", "northgate/handout.en.pdf",
    ]
    spanish = pdf_text(tmp_path / "lakeside" / "handout.es.pdf")
    assert "Lakeside factura a Medicaid" in spanish and "(555) 010-2999" in spanish
    assert "Lakeside bills Medicaid" in pdf_text(tmp_path / "lakeside" / "handout.en.pdf")
    # conditions, separated by ';' like treatments; a blank cell is the default (depression only)
    assert "long-lasting pain" in pdf_text(tmp_path / "northgate" / "handout.en.pdf")
    assert "long-lasting pain" not in pdf_text(tmp_path / "lakeside" / "handout.en.pdf")


def test_selecting_documents_clinics_and_language(tmp_path: Path) -> None:
    result = run("build", "aftercare", "--content", CONTENT, "--clinic", "harbor", "--lang", "es", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    built = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pdf"))
    assert built == ["harbor/aftercare-esketamine.es.pdf", "harbor/aftercare-iv.es.pdf"]
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in manifest["files"]] == built


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing-phone.yaml", "missing-phone.yaml:2 clinics[0].phone: required"),
        ("unknown-treatment.yaml", "unknown-treatment.yaml:6 clinics[0].treatments: unknown treatment 'ketamine-pill'"),
        ("malformed.yaml", "malformed.yaml:5: invalid YAML"),
        ("many-problems.csv", "many-problems.csv:3 clinics[1].name: required"),
    ],
)
def test_bad_clinics_exit_2_naming_where_and_write_nothing(case: str, expected: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", "--content", CONTENT, "--clinics", CASES / case, "--out", out)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    result = run("build", "--content", CONTENT, "--clinics", CASES / "many-problems.csv", "--out", tmp_path / "o")
    assert result.exit_code == 2
    for expected in ("clinics[1].name: required", "clinics[1].id: ids are lowercase",
                     "unknown language 'fr'", "clinics[1].primary_color: must be a colour"):
        assert expected in result.output


def test_undefined_placeholder_names_the_line_clinic_and_field(workspace: Path) -> None:
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    target = "Ketamine does not help everyone, and results are not guaranteed."
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if target in row)
    content.write_text(text.replace(target, "Fax us at {{ clinic.fax }}. " + target, 1), encoding="utf-8")
    out = workspace / "output"
    out.mkdir()
    (out / "keep.txt").write_text("earlier run", encoding="utf-8")
    result = run("build", "--content", content, "--out", out)
    assert result.exit_code == 2, result.output
    assert f"content.yaml:{line} documents.handout.sections[1].en.blocks[1].p" in result.output
    assert "{{ clinic.fax }} is not defined" in result.output and "clinic 'harbor'" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_unset_optional_field_is_an_error_when_printed_unguarded(workspace: Path) -> None:
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    target = "Ketamine does not help everyone, and results are not guaranteed."
    content.write_text(text.replace(target, "Website: {{ clinic.website }}. " + target, 1), encoding="utf-8")
    result = run("build", "--content", content, "--clinic", "binh-an", "--out", workspace / "o")
    assert result.exit_code == 2, result.output
    assert "clinic.website is empty for this clinic" in result.output and "clinic 'binh-an'" in result.output


def test_unknown_names_on_the_command_line_are_usage_errors(tmp_path: Path) -> None:
    result = run("build", "leaflet", "--content", CONTENT, "--clinic", "nowhere", "--lang", "fr", "--out", tmp_path / "o")
    assert result.exit_code == 2
    for expected in ("unknown document 'leaflet'", "unknown clinic 'nowhere'", "unknown language 'fr'"):
        assert expected in result.output
    assert not (tmp_path / "o").exists()
    missing = run("build", "--content", tmp_path / "nope.yaml", "--out", tmp_path / "o")
    assert missing.exit_code == 2 and "nope.yaml: file not found" in missing.output
    layout = run("build", "--content", CONTENT, "--layout", "poster", "--out", tmp_path / "o")
    assert layout.exit_code == 2 and "no layout 'poster'" in layout.output and "large-print" in layout.output


def test_clinic_values_print_as_text_never_as_markup_or_template(tmp_path: Path) -> None:
    result = run("build", "--content", CONTENT, "--clinics", CASES / "hostile.yaml", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "hostile" / "handout.en.pdf")
    assert '<font color="red">Bold</font> & Sons {{ 7*7 }}' in text
    assert "(555) 010-4000 <br/>" in text
    assert "<b>1</b> \"Quoted\" Way & Co, it's {% raw %}" in text
    assert "We take <b>all</b> plans & more: {{ clinic.phone }}" in text
    assert "Sons 49" not in text


def test_a_character_no_font_has_fails_that_clinic_only(tmp_path: Path) -> None:
    result = run("build", "--content", CONTENT, "--clinics", CASES / "emoji.yaml", "--out", tmp_path)
    assert result.exit_code == 1
    assert "emoji.yaml:3 clinics[0].name: clinic 'smiley': character U+1F642" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "smiley").exists()
    assert (tmp_path / "plain" / "handout.en.pdf").is_file()
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert {f["clinic"] for f in manifest["files"]} == {"plain"}
    assert {(f["clinic"], f["name"]) for f in manifest["failed"]} == {
        ("smiley", "handout.en"), ("smiley", "aftercare-iv.en"), ("smiley", "consent-iv.en")}
    assert all("U+1F642" in f["reason"] for f in manifest["failed"])


def test_list_does_not_load_the_pdf_libraries() -> None:
    # Imports only some commands need are made where they are needed: `list` validates (Pillow
    # decodes the logos) but never lays out or post-processes a PDF.
    code = ("import sys; from click.testing import CliRunner; from handouts.cli import main; "
            f"r = CliRunner().invoke(main, ['list', '--content', {str(CONTENT)!r}]); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('reportlab', 'pypdf') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

"""Input mistakes a clinic or content editor can make: each exits 2 naming where, and writes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CASES, CONTENT, ROOT, pdf_text, run

HARBOR = "clinics:\n  - {id: x, name: X Clinic, phone: '(555) 010-1000', address: 1 Main St, treatments: [iv]"


@pytest.mark.parametrize(
    ("clinics", "expected"),
    [
        ("clinics:\n  - {id: x, name: {en: null, default: Foo}, phone: '1', address: a}\n", "clinics[0].name.en: must be text"),
        ("clinics:\n  - {id: x, name: '   ', phone: '1', address: a}\n", "clinics[0].name: required"),
        (HARBOR + ", logo: broken.png}\n", "clinics[0].logo: logo cannot be read as an image"),
        (HARBOR + ", languages: fr}\n", "unknown language 'fr'"),
        ("clinics:\n  - {id: x, name: X, phone: '1', address: a}\n  - {id: x, name: Y, phone: '2', address: b}\n",
         "clinics[1].id: duplicate clinic id 'x'"),
        ("- just a list\n", "(top level): must be a mapping"),
        ("clinics:\n  - {id: x, id: y}\n", "duplicate key 'id'"),
    ],
)
def test_bad_clinic_records(clinics: str, expected: str, tmp_path: Path) -> None:
    (tmp_path / "broken.png").write_bytes((ROOT / "logos" / "harbor.png").read_bytes()[:100])
    path = tmp_path / "clinics.yaml"
    path.write_text(clinics, encoding="utf-8")
    result = run("build", "--content", CONTENT, "--clinics", path, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert expected in result.output and "clinics.yaml:" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('when: "clinic.insurance_wording"', 'when: "clinic.insurance_wordng"', "clinic.insurance_wordng }} is not defined"),
        ("Ketamine does not help everyone, and results are not guaranteed.", "{{ clinic.website|trim }}", "clinic.website is empty for this clinic"),
        ("Ketamine does not help everyone, and results are not guaranteed.", "{{ clinic.name|safe }}", "No filter named 'safe'"),
        ("Ketamine does not help everyone, and results are not guaranteed.", "{{ clinic }}", "is a group of fields"),
        ("Ketamine does not help everyone, and results are not guaranteed.", "{{ 1 / 0 }}", "division by zero"),
        ('reviewed: "2026-11-27"', 'reviewed: "Nov 2026"', "reviewed: must be a date like 2026-11-20"),
        ("  iv:\n    off_label: true\n", "  iv:\n    off_label: true\n    offlabel: yes\n",
         "treatments.iv.offlabel: unknown key"),
        ("until the next day, after a restful night’s sleep", "for 24 hours",
         "treatments.esketamine.en.driving: esketamine's rule is 'not until the next day"),
    ],
)
def test_content_mistakes(workspace: Path, old: str, new: str, expected: str) -> None:
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    assert old in text
    content.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run("build", "--content", content, "--clinic", "binh-an", "--out", workspace / "out")
    assert result.exit_code == 2, result.output
    assert expected in result.output and "content.yaml:" in result.output
    assert not (workspace / "out").exists()


def test_numbers_print_exactly_as_written(tmp_path: Path) -> None:
    path = tmp_path / "clinics.yaml"
    path.write_text("clinics:\n  - {id: x, name: X, phone: 01234567, after_hours_phone: 1_800_555_0100,"
                    " address: 2026.10 Main St, treatments: [iv]}\n", encoding="utf-8")
    assert run("build", "handout", "--content", CONTENT, "--clinics", path, "--out", tmp_path / "o").exit_code == 0
    text = pdf_text(tmp_path / "o" / "x" / "handout.en.pdf")
    assert "01234567" in text and "1_800_555_0100" in text and "2026.10 Main St" in text


def test_lang_only_for_clinics_that_list_it(tmp_path: Path) -> None:
    named = run("build", "--content", CONTENT, "--clinic", "cedar-ridge", "--lang", "es", "--out", tmp_path / "a")
    assert named.exit_code == 2 and "clinic 'cedar-ridge' does not list language 'es'" in named.output
    everyone = run("build", "handout", "--content", CONTENT, "--lang", "es", "--out", tmp_path / "b")
    assert everyone.exit_code == 0, everyone.output
    assert sorted(p.parent.name for p in (tmp_path / "b").rglob("*.pdf")) == ["binh-an", "harbor"]


def test_output_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("", encoding="utf-8")
    result = run("build", "--content", CONTENT, "--out", tmp_path / "afile" / "sub")
    assert result.exit_code == 2 and "cannot create the output folder" in result.output


def test_a_failed_document_does_not_leave_its_old_pdf(tmp_path: Path) -> None:
    fine = tmp_path / "fine.yaml"
    fine.write_text((CASES / "emoji.yaml").read_text(encoding="utf-8").replace(" 🙂", ""), encoding="utf-8")
    assert run("build", "--content", CONTENT, "--clinics", fine, "--out", tmp_path / "o").exit_code == 0
    assert (tmp_path / "o" / "smiley" / "handout.en.pdf").exists()
    result = run("build", "--content", CONTENT, "--clinics", CASES / "emoji.yaml", "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert not list((tmp_path / "o" / "smiley").glob("*.pdf"))
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text(encoding="utf-8"))
    assert {f["clinic"] for f in manifest["failed"]} == {"smiley"}


def test_a_glyph_in_one_document_fails_only_that_document(tmp_path: Path) -> None:
    path = tmp_path / "clinics.yaml"
    path.write_text(HARBOR + ", email: 'hi🙂@x.example'}\n", encoding="utf-8")  # email prints on the handout only
    result = run("build", "--content", CONTENT, "--clinics", path, "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert "clinics[0].email: clinic 'x': character U+1F642" in result.output
    assert (tmp_path / "o" / "x" / "aftercare-iv.en.pdf").exists()
    assert not (tmp_path / "o" / "x" / "handout.en.pdf").exists()


def test_builds_in_separate_processes_are_byte_identical(tmp_path: Path) -> None:
    for name in ("a", "b"):
        subprocess.run([sys.executable, "-m", "handouts", "build", "aftercare", "--content", str(CONTENT),
                        "--clinic", "harbor", "--out", str(tmp_path / name)], check=True, capture_output=True)
    for pdf in (tmp_path / "a").rglob("*.pdf"):
        assert pdf.read_bytes() == (tmp_path / "b" / pdf.relative_to(tmp_path / "a")).read_bytes()


def test_yaml_yes_no_on_off_print_as_written_and_true_false_stay_booleans(tmp_path: Path) -> None:
    # YAML 1.1 reads Yes, No, On and Off as booleans: a clinic called "Yes" or a province "ON"
    # would print True. Values print as written; only true and false are booleans.
    clinics = tmp_path / "clinics.yaml"
    clinics.write_text('clinics:\n  - id: yes-clinic\n    name: Yes\n    phone: "555"\n    address: Main St\n'
                       '    province: ON\n', encoding="utf-8")
    content = tmp_path / "content.yaml"
    text = (ROOT / "content.yaml").read_text(encoding="utf-8")
    target = "Ketamine does not help everyone, and results are not guaranteed."
    content.write_text(text.replace(target, "Province {{ clinic.province }}. " + target, 1), encoding="utf-8")
    shutil.copytree(ROOT / "layouts", tmp_path / "layouts")
    shutil.copytree(ROOT / "logos", tmp_path / "logos")
    result = run("build", "handout", "--content", content, "--clinics", clinics, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "out" / "yes-clinic" / "handout.en.pdf")
    assert "Province ON." in text and "Yes" in text and "True" not in text


@pytest.mark.parametrize("bad_id", ['"test\\n"', '"test\\ttab"', "Test"])
def test_an_id_must_match_whole_with_nothing_after_it(tmp_path: Path, bad_id: str) -> None:
    clinics = tmp_path / "clinics.yaml"
    clinics.write_text(f'clinics:\n  - id: {bad_id}\n    name: A\n    phone: "555"\n    address: Main St\n',
                       encoding="utf-8")
    result = run("build", "--content", CONTENT, "--clinics", clinics, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "clinics[0].id" in result.output, result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("bad_id", "message"), [("con", "'con' cannot name a folder on Windows"),
                                                 ("a" * 65, "an id is at most 64 characters")])
def test_an_id_that_cannot_name_a_folder_everywhere_is_refused(tmp_path: Path, bad_id: str, message: str) -> None:
    clinics = tmp_path / "clinics.yaml"
    clinics.write_text(f'clinics:\n  - id: {bad_id}\n    name: A\n    phone: "555"\n    address: Main St\n',
                       encoding="utf-8")
    result = run("build", "--content", CONTENT, "--clinics", clinics, "--out", tmp_path / "out")
    assert result.exit_code == 2 and f"clinics[0].id: {message}" in result.output, result.output


def test_a_power_inside_a_placeholder_is_arithmetic_and_bold_around_one_still_works(workspace: Path) -> None:
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    target = "Ketamine does not help everyone, and results are not guaranteed."
    content.write_text(text.replace(target, "Two cubed is {{ 2 ** 3 }}; **{{ clinic.name }}** in bold. " + target, 1),
                       encoding="utf-8")
    result = run("build", "handout", "--content", content, "--clinic", "cedar-ridge", "--out", workspace / "o")
    assert result.exit_code == 0, result.output
    from handouts.build import load_inputs, plan
    from handouts.resolve import resolve_jobs

    data, clinics = load_inputs(content)
    [doc] = resolve_jobs(data, plan(data, clinics, ["handout"], ["cedar-ridge"]))
    about = next(s for s in doc.sections if s.id == "about")
    assert "Two cubed is 8; <b>Cedar Ridge Mental Health</b> in bold." in about.blocks[1].data
    assert "Two cubed is 8; Cedar Ridge Mental Health in bold." in pdf_text(workspace / "o" / "cedar-ridge" / "handout.en.pdf")


def test_a_when_condition_can_compare_with_less_and_greater_than(workspace: Path) -> None:
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    old = '              when: "clinic.insurance_wording"\n'
    assert text.count(old) == 2
    # Printed only for clinics that treat more than one condition (cedar-ridge: two; binh-an: one).
    content.write_text(text.replace(old, '              when: "clinic.insurance_wording and clinic.conditions|length > 1"\n'),
                       encoding="utf-8")
    out = workspace / "out"
    result = run("build", "handout", "--content", content, "--lang", "en", "--out", out)
    assert result.exit_code == 0, result.output
    assert "Ketamine treatments are self-pay" in pdf_text(out / "cedar-ridge" / "handout.en.pdf")
    assert "Some insurance plans cover treatment" not in pdf_text(out / "binh-an" / "handout.en.pdf")

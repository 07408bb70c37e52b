"""`handouts check`: each kind of finding on a content edited to trigger it, and none on the shipped content."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import CONTENT, run


def check(content: Path, *options: str) -> tuple[int, dict[str, Any]]:
    """Run `handouts check --format json`; its exit code and report."""
    result = run("check", "--content", content, "--format", "json", *options)
    return result.exit_code, json.loads(result.output)


def edit(workspace: Path, old: str, new: str, count: int = 1) -> Path:
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    assert old in text, old
    content.write_text(text.replace(old, new, count), encoding="utf-8")
    return content


def rules(report: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in report["findings"]}


def test_the_shipped_content_passes_even_strictly() -> None:
    code, report = check(CONTENT, "--strict")
    assert code == 0 and report["findings"] == [] and report["documents"] == 25
    # Every document is measured, with its sections, in both indices of its language.
    wholes = [r for r in report["reading"] if r["section"] is None]
    assert len(wholes) == 25 and all(r["met"] and len(r["scores"]) == 2 for r in wholes)
    text = run("check", "--content", CONTENT)
    assert text.exit_code == 0 and "25 document(s) checked: 0 error(s), 0 warning(s)." in text.output


def test_a_schema_mistake_is_an_error_with_file_and_line(workspace: Path) -> None:
    code, report = check(edit(workspace, 'reviewed: "2026-11-27"', 'reviewed: "soon"'))
    assert code == 2 and rules(report) == {"schema"}
    assert report["findings"][0]["where"].endswith("content.yaml:3 reviewed")


def test_an_undefined_placeholder_is_an_error_naming_clinic_document_and_language(workspace: Path) -> None:
    code, report = check(edit(workspace, "Ketamine does not help everyone", "{{ clinic.fax }} Ketamine does not help everyone"))
    assert code == 2 and rules(report) == {"template"}
    finding = report["findings"][0]
    assert finding["document"] == "handout" and finding["language"] == "en" and finding["clinic"] == "harbor"
    assert "clinic.fax" in finding["message"] and "content.yaml:" in finding["where"]


def test_hard_text_is_a_warning_that_strict_makes_exit_1(workspace: Path) -> None:
    hard = ("Notwithstanding considerable interindividual variability, postinfusion dissociative phenomena "
            "characteristically necessitate comprehensive observational supervision, particularly "
            "regarding hemodynamic parameters, psychological disorientation and psychomotor impairment.")
    content = edit(workspace, "Feeling tired, dizzy or foggy, a mild headache, or an upset stomach is common. "
                              "It usually passes within a few hours.", hard)
    code, report = check(content)
    assert code == 0 and rules(report) == {"reading-level"}
    assert {(f["document"], f["language"]) for f in report["findings"]} >= {("aftercare-iv", "en")}
    assert any("After your visit" in f["message"] for f in report["findings"])  # the section to start with
    assert all("Flesch reading ease" in f["message"] for f in report["findings"])  # the other index too
    assert check(content, "--strict")[0] == 1
    document = [r for r in report["reading"] if (r["clinic"], r["document"], r["language"], r["section"]) ==
                ("harbor", "aftercare-iv", "en", None)]
    assert len(document) == 1 and not document[0]["met"] and document[0]["scores"]["flesch_kincaid_grade"] > 6


@pytest.mark.parametrize(("old", "new", "rule"), [
    ("You stay at least 2 hours, until your provider says", "You stay 2 hours or so, until your provider says",
     "fact:esketamine-monitoring"),
    ("Ketamine does not help everyone, and results are not guaranteed.",
     "Ketamine is safe and effective, and results are not guaranteed.", "fact:claims-never-printed"),
    ("The FDA has not approved any ketamine lozenge", "The FDA has approved no ketamine lozenge",
     "fact:troche-not-fda-approved"),
])
def test_a_missing_or_forbidden_fact_is_an_error_naming_its_source(workspace: Path, old: str, new: str,
                                                                   rule: str) -> None:
    code, report = check(edit(workspace, old, new))
    assert code == 2 and rule in rules(report), report["findings"]
    if "safe and effective" in new:  # a phrase that is printed is named at the section that prints it
        assert {f["where"].split(" ", 1)[1] for f in report["findings"]} == {"documents.handout.sections[1]"}
    assert all("source:" in f["message"] for f in report["findings"] if f["rule"] == rule)


def test_a_consent_without_alternatives_by_role_is_an_error(workspace: Path) -> None:
    code, report = check(edit(workspace, "        role: alternatives\n", ""))
    assert code == 2 and rules(report) == {"consent-element"}
    assert {f["document"] for f in report["findings"]} == {"consent-iv", "consent-esketamine", "consent-im",
                                                          "consent-troche"}
    assert all("alternatives" in f["message"] for f in report["findings"])


def test_a_light_brand_colour_is_a_contrast_warning_with_the_ratio(workspace: Path) -> None:
    code, report = check(edit(workspace, 'primary_color: "#0b5c7a"', 'primary_color: "#f5d000"'))
    assert code == 0 and rules(report) == {"contrast"}
    [finding] = report["findings"]
    assert finding["clinic"] == "harbor" and "#f5d000 is 1.5:1 on white" in finding["message"]
    assert "clinics[0].primary_color" in finding["where"]


def test_a_logo_too_small_to_print_sharp_is_a_warning(workspace: Path) -> None:
    from PIL import Image

    Image.new("RGB", (60, 60), "navy").save(workspace / "logos" / "harbor.png")
    code, report = check(workspace / "content.yaml")
    assert code == 0 and rules(report) == {"logo"}
    assert "60 pixels high" in report["findings"][0]["message"] and report["findings"][0]["clinic"] == "harbor"


def test_check_works_without_a_network() -> None:
    # In a fresh process (nothing loaded yet: textstat 0.7.10 and later fetch NLTK data on first
    # use), with every way to open a connection refused.
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network is unreachable (test)')\n"
        "socket.socket = socket.create_connection = socket.getaddrinfo = refuse\n"
        "from click.testing import CliRunner\n"
        "from handouts.cli import main\n"
        f"result = CliRunner().invoke(main, ['check', '--content', {str(CONTENT)!r}])\n"
        "print(result.output)\n"
        "sys.exit(result.exit_code)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "25 document(s) checked: 0 error(s), 0 warning(s)." in done.stdout


def test_a_missing_translation_loads_warns_and_only_its_language_is_refused(workspace: Path) -> None:
    # The handout's esketamine section without its Spanish text: English still builds; a clinic
    # that lists Spanish is refused (exit 2) with the gap named; check warns of the gap itself.
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    start = text.index('        es:\n          heading: "Si recibe esketamina (Spravato)"')
    end = text.index("\n      - id: side-effects")
    content.write_text(text[:start] + text[end + 1:], encoding="utf-8")
    assert run("list", "--content", content).exit_code == 0
    english = run("build", "handout", "--content", content, "--lang", "en", "--out", workspace / "en")
    assert english.exit_code == 0, english.output
    spanish = run("build", "handout", "--content", content, "--clinic", "harbor", "--out", workspace / "es")
    assert spanish.exit_code == 2 and not (workspace / "es").exists()
    assert "documents.handout is not translated into 'es' yet" in spanish.output
    assert "documents.handout.sections[2].es" in spanish.output
    code, report = check(content)
    assert code == 2
    warnings = [f for f in report["findings"] if f["severity"] == "warning"]
    assert [(f["rule"], f["document"], f["language"]) for f in warnings] == [("translation", "handout", "es")]
    errors = {(f["clinic"], f["rule"]) for f in report["findings"] if f["severity"] == "error"}
    assert errors == {("harbor", "translation"), ("binh-an", "translation")}

"""Incremental builds: a re-run leaves a document alone when everything that makes its PDF, and the
PDF itself, is unchanged; what changes rebuilds exactly the documents it touches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run

CEDAR = ["cedar-ridge/aftercare-im.en.pdf", "cedar-ridge/aftercare-iv.en.pdf", "cedar-ridge/handout.en.pdf"]


def _build(content: Path, out: Path, *options: str) -> tuple[set[str], str]:
    """Build cedar-ridge; returns the PDFs this run wrote and its output."""
    result = run("build", "handout", "aftercare", "--content", content, "--clinic", "cedar-ridge", "--out", out, *options)
    assert result.exit_code == 0, result.output
    written = {line.split("  (")[0].removeprefix(f"{out}/") for line in result.output.splitlines() if "  (" in line}
    return written, result.output


def _stamps(out: Path) -> dict[str, int]:
    return {p: (out / p).stat().st_mtime_ns for p in CEDAR}


def test_an_unchanged_rerun_writes_nothing_and_force_rewrites_everything(workspace: Path) -> None:
    content, out = workspace / "content.yaml", workspace / "out"
    assert _build(content, out)[0] == set(CEDAR)
    before = _stamps(out)
    written, output = _build(content, out)
    assert written == set() and "0 built, 3 unchanged, 0 failed" in output
    assert _stamps(out) == before  # not even rewritten with the same bytes
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(e["path"] for e in manifest["files"]) == CEDAR and all(e["fingerprint"] for e in manifest["files"])
    assert _build(content, out, "--force")[0] == set(CEDAR)


def test_a_text_change_rebuilds_only_the_documents_that_print_it(workspace: Path) -> None:
    content, out = workspace / "content.yaml", workspace / "out"
    _build(content, out)
    text = content.read_text(encoding="utf-8")
    sentence = "Ketamine does not help everyone, and results are not guaranteed."  # in the handout only
    assert text.count(sentence) == 1
    content.write_text(text.replace(sentence, "Ketamine does not help everyone. Results are not guaranteed."),
                       encoding="utf-8")
    assert _build(content, out)[0] == {"cedar-ridge/handout.en.pdf"}


def test_moving_lines_in_content_yaml_rebuilds_nothing(workspace: Path) -> None:
    content, out = workspace / "content.yaml", workspace / "out"
    _build(content, out)
    content.write_text("# A comment that moves every line down.\n\n" + content.read_text(encoding="utf-8"),
                       encoding="utf-8")
    assert _build(content, out)[0] == set()


def test_a_new_logo_or_layout_rebuilds_what_uses_it(workspace: Path) -> None:
    content, out = workspace / "content.yaml", workspace / "out"
    _build(content, out)
    logo = workspace / "logos" / "cedar-ridge.png"
    logo.write_bytes((workspace / "logos" / "harbor.png").read_bytes())
    assert _build(content, out)[0] == set(CEDAR)
    layout = workspace / "layouts" / "standard.yaml"
    layout.write_text(layout.read_text(encoding="utf-8").replace('warning: "#c26a00"', 'warning: "#b35f00"'),
                      encoding="utf-8")
    assert _build(content, out)[0] == set(CEDAR)


def test_a_pdf_changed_on_disk_or_listed_without_a_fingerprint_is_rebuilt(workspace: Path) -> None:
    content, out = workspace / "content.yaml", workspace / "out"
    _build(content, out)
    (out / CEDAR[0]).write_bytes(b"%PDF-1.7 not what was built")
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] == CEDAR[1]:
            del entry["fingerprint"]  # as a manifest written before fingerprints has it
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert _build(content, out)[0] == {CEDAR[0], CEDAR[1]}
    assert _build(content, out)[0] == set()


def test_a_logo_replaced_between_builds_in_one_process_is_the_one_drawn(workspace: Path) -> None:
    import pypdfium2 as pdfium

    content, out = workspace / "content.yaml", workspace / "out"
    _build(content, out)
    logo = workspace / "logos" / "cedar-ridge.png"
    logo.write_bytes((workspace / "logos" / "harbor.png").read_bytes())  # Harbor's teal disc
    _build(content, out)
    page = pdfium.PdfDocument(str(out / "cedar-ridge" / "handout.en.pdf"))[0]
    image = page.render(scale=1).to_pil().convert("RGB")
    left, top = 54, 36  # the standard layout's left and top margins, where the logo sits
    teal = [image.getpixel((x, y)) for x in range(left, left + 36) for y in range(top, top + 36)]
    assert sum(1 for r, g, b in teal if abs(r - 11) < 40 and abs(g - 92) < 40 and abs(b - 122) < 40) > 100


def test_a_changed_page_budget_is_checked_again_for_unchanged_documents(workspace: Path) -> None:
    content, out = workspace / "content.yaml", workspace / "out"
    _build(content, out)
    text = content.read_text(encoding="utf-8")
    budget = "    pages: 2                # at most"
    assert budget in text
    content.write_text(text.replace(budget, "    pages: 1                # at most"), encoding="utf-8")
    written, output = _build(content, out)
    assert written == set()  # the PDF does not change with its budget
    assert "WARNING cedar-ridge/handout.en.pdf: 2 pages, more than the 1" in output
    content.write_text(text, encoding="utf-8")
    written, output = _build(content, out)
    assert written == set() and "WARNING" not in output
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["warnings"] == []


def test_a_new_pdf_date_or_clinic_value_rebuilds_what_prints_it(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, out = workspace / "content.yaml", workspace / "out"
    _build(content, out)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert _build(content, out)[0] == set(CEDAR)
    text = content.read_text(encoding="utf-8")
    content.write_text(text.replace('phone: "(303) 555-0187"', 'phone: "(303) 555-0188"'), encoding="utf-8")
    assert _build(content, out)[0] == set(CEDAR)

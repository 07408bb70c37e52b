"""Content and layout checks, brand-colour contrast and atomic writes, tested below the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from reportlab.lib import colors

from conftest import run
from handouts.errors import HandoutsError
from handouts.layout import _readable, contrast_on_white
from handouts.layouts import load_layout
from handouts.write import atomic_write


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_language_missing_from_a_section_is_named(workspace: Path) -> None:
    content = workspace / "content.yaml"
    _edit(content, '          heading: "Lo más importante para su seguridad"', '          headline: "Lo más importante para su seguridad"')
    result = run("build", "--content", content, "--out", workspace / "o")
    assert result.exit_code == 2
    assert "documents.handout.sections[0].es.heading: required" in result.output
    assert "documents.handout.sections[0].es.headline: unknown key" in result.output


def test_raw_markup_in_content_is_refused(workspace: Path) -> None:
    content = workspace / "content.yaml"
    _edit(content, "Ketamine does not help everyone, and results are not guaranteed.", "Many <b>antidepressants</b> take weeks.")
    result = run("build", "--content", content, "--out", workspace / "o")
    assert result.exit_code == 2
    assert "'<' and '>' are not allowed in content text" in result.output


def test_broken_template_syntax_is_named(workspace: Path) -> None:
    content = workspace / "content.yaml"
    _edit(content, "Ketamine does not help everyone, and results are not guaranteed.", "Many {% if clinic.website %} weeks.")
    result = run("build", "--content", content, "--out", workspace / "o")
    assert result.exit_code == 2
    assert "documents.handout.sections[1].en.blocks[1].p" in result.output and "endif" in result.output


def test_content_ampersand_and_bold_become_markup(workspace: Path) -> None:
    content = workspace / "content.yaml"
    _edit(content, "Ketamine does not help everyone, and results are not guaranteed.", "Q&A: **Antidepressants** take weeks & more.")
    out = workspace / "o"
    assert run("build", "handout", "--content", content, "--clinic", "cedar-ridge", "--out", out).exit_code == 0
    from conftest import pdf_text

    text = pdf_text(out / "cedar-ridge" / "handout.en.pdf")
    assert "Q&A: Antidepressants take weeks & more." in text and "**" not in text


def test_large_print_inherits_and_overrides(workspace: Path) -> None:
    base = load_layout("standard", workspace / "layouts")
    large = load_layout("large-print", workspace / "layouts")
    assert large.type["body"] == 18 and base.type["body"] == 12
    assert large.colors == base.colors and large.page_size == base.page_size


def test_layout_mistakes_are_named(workspace: Path) -> None:
    layouts = workspace / "layouts"
    (layouts / "tiny.yaml").write_text("parent: standard\ntype:\n  body: 9\ncolors:\n  text: black\n", encoding="utf-8")
    with pytest.raises(HandoutsError) as info:
        load_layout("tiny", layouts)
    message = str(info.value.message)
    assert "tiny.yaml:3 type.body: body text must be at least 12 pt" in message
    assert "tiny.yaml:5 colors.text: must be a colour" in message
    (layouts / "loop-a.yaml").write_text("parent: loop-b\n", encoding="utf-8")
    (layouts / "loop-b.yaml").write_text("parent: loop-a\n", encoding="utf-8")
    with pytest.raises(HandoutsError, match="inherit in a loop"):
        load_layout("loop-a", layouts)


def test_light_brand_colours_are_darkened_for_text() -> None:
    yellow = _readable("#f5d000")
    assert contrast_on_white(yellow) >= 4.5
    assert contrast_on_white(colors.HexColor("#f5d000")) < 4.5
    navy = colors.HexColor("#0b5c7a")
    assert _readable("#0b5c7a").hexval() == navy.hexval()  # dark enough already: unchanged


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "clinic" / "handout.en.pdf"
    atomic_write(target, b"old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["handout.en.pdf"]

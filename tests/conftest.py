"""Shared fixtures: the repository's sample content, built once, and ways to read PDFs back."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner, Result

from handouts.cli import main

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
CONTENT = ROOT / "content.yaml"


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds date their PDFs from the content unless a test sets SOURCE_DATE_EPOCH itself
    (package builders such as Debian's and Nix's set it in the environment)."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def run(*args: str | Path) -> Result:
    """Run the CLI in-process, as a user would type it."""
    return CliRunner().invoke(main, [str(a) for a in args])


def pdf_pages(path: Path) -> list[str]:
    """Each page's text, as PDFium extracts it."""
    doc = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for page in doc:
            text = page.get_textpage()
            pages.append(text.get_text_range())
            text.close()
            page.close()
        return pages
    finally:
        doc.close()


def pdf_text(path: Path) -> str:
    """The whole PDF's text with line breaks folded to spaces (PDFium), for phrase searches."""
    return " ".join(" ".join(pdf_pages(path)).split())


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`handouts build` on the shipped sample content, run once for the whole session."""
    out = tmp_path_factory.mktemp("sample") / "output"
    with pytest.MonkeyPatch.context() as patch:  # set up before any test's own fixtures
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        result = run("build", "--content", CONTENT, "--out", out)
    assert result.exit_code == 0, result.output
    return {"out": out, "output": result.output}


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """A copy of content.yaml, layouts/ and logos/ that a test may edit."""
    shutil.copy(CONTENT, tmp_path / "content.yaml")
    shutil.copytree(ROOT / "layouts", tmp_path / "layouts")
    shutil.copytree(ROOT / "logos", tmp_path / "logos")
    return tmp_path

"""`handouts preview` (one page to a PNG, no PDF written) and `handouts init` (a content folder from the package)."""

from __future__ import annotations

import json
import math
import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from PIL import Image

from conftest import CONTENT, ROOT, run
from handouts.init import starter_files

REFRESH = ("cp content.yaml handouts/starter/ && cp layouts/*.yaml handouts/starter/layouts/ "
           "&& cp logos/*.png handouts/starter/logos/")


def pixels(points: float, dpi: float) -> int:
    """A page length in pixels at `dpi`, as PDFium rounds it (up)."""
    return math.ceil(points * dpi / 72)


def dark_share(path: Path) -> float:
    """The share of a PNG's pixels that are ink, not paper."""
    with Image.open(path) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    return sum(histogram[:160]) / (grey.width * grey.height)


# preview

def test_preview_draws_a_handout_page_at_the_dpi(tmp_path: Path) -> None:
    out = tmp_path / "handout.png"
    result = run("preview", "handout", "--content", CONTENT, "--clinic", "harbor", "--page", "2", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"{out}  (page 2 of 2, 935 x 1210 pixels at 110 dpi)" in result.output
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert image.size == (pixels(612, 110), pixels(792, 110))  # US Letter at the default 110 dpi
        assert round(image.info["dpi"][0]) == 110
    assert 0.02 < dark_share(out) < 0.5  # text on paper: neither blank nor a black page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handout.png"]  # no PDF, no temp file left
    assert out.stat().st_mode & 0o777 == 0o644


def test_preview_draws_a_consent_page_in_spanish_on_a4(tmp_path: Path) -> None:
    out = tmp_path / "consent.png"
    result = run("preview", "consent", "--content", CONTENT, "--clinic", "harbor", "--treatment", "esketamine",
                 "--lang", "es", "--layout", "a4", "--page", "2", "--dpi", "72", "-o", out)
    assert result.exit_code == 0, result.output
    assert re.search(r"\(page 2 of [5-9], 596 x 842 pixels at 72 dpi\)", result.output), result.output
    with Image.open(out) as image:
        assert image.size == (pixels(595.2756, 72), pixels(841.8898, 72))  # A4
    assert dark_share(out) > 0.01


def test_preview_page_past_the_end_names_the_page_count(tmp_path: Path) -> None:
    out = tmp_path / "page.png"
    result = run("preview", "aftercare", "--content", CONTENT, "--clinic", "harbor", "--treatment", "iv",
                 "--page", "2", "-o", out)
    assert result.exit_code == 2
    assert "--page 2: the aftercare has 1 page (choose 1)" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_preview_defaults_and_usage_errors(tmp_path: Path) -> None:
    out = tmp_path / "page.png"
    # Several clinics: one must be named.
    result = run("preview", "handout", "--content", CONTENT, "-o", out)
    assert result.exit_code == 2 and "choose a clinic with --clinic ID" in result.output
    # A per-treatment document for a clinic with several treatments needs --treatment ...
    result = run("preview", "aftercare", "--content", CONTENT, "--clinic", "harbor", "-o", out)
    assert result.exit_code == 2 and "choose one with --treatment" in result.output
    # (no other document does); a document the content lacks is named.
    result = run("preview", "leaflet", "--content", CONTENT, "--clinic", "harbor", "-o", out)
    assert result.exit_code == 2 and "no 'leaflet' document" in result.output
    result = run("preview", "handout", "--content", CONTENT, "--clinic", "harbor", "-o", tmp_path / "page.pdf")
    assert result.exit_code == 2 and "does not end in .png" in result.output
    result = run("preview", "handout", "--content", CONTENT, "--clinic", "harbor", "--page", "0", "-o", out)
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


# init

def test_init_then_build_in_the_new_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "my-clinics"
    result = run("init", folder)
    assert result.exit_code == 0, result.output
    for name in ("content.yaml", "clinics.csv", "layouts/standard.yaml", "layouts/a4.yaml",
                 "layouts/large-print.yaml", "logos/harbor.png"):
        assert (folder / name).is_file()
        assert str(folder / name) in result.output
    assert f"cd {folder} && handouts build" in result.output

    monkeypatch.chdir(folder)
    result = run("build", "-j", "2")
    assert result.exit_code == 0, result.output
    manifest = json.loads((folder / "output" / "manifest.json").read_text())
    assert (folder / "output" / "harbor" / "handout.en.pdf").is_file()
    assert len(manifest["files"]) > 10 and not manifest["failed"]
    # The sample clinics.csv builds too, its logo found beside it.
    result = run("build", "handout", "--clinics", "clinics.csv", "--out", "csv-output")
    assert result.exit_code == 0, result.output
    assert (folder / "csv-output" / "lakeside" / "handout.es.pdf").is_file()


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "content.yaml").write_text("version: mine\n")
    result = run("init", tmp_path)
    assert result.exit_code == 2
    assert "already has content.yaml" in result.output and "--force" in result.output
    assert (tmp_path / "content.yaml").read_text() == "version: mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content.yaml"]  # nothing written

    result = run("init", tmp_path, "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "content.yaml").read_bytes() == CONTENT.read_bytes()


def test_init_keeps_other_files_and_makes_missing_folders(tmp_path: Path) -> None:
    (tmp_path / "README.txt").write_text("ours\n")
    assert run("init", tmp_path).exit_code == 0
    assert (tmp_path / "README.txt").read_text() == "ours\n"
    nested = tmp_path / "a" / "b"
    assert run("init", nested).exit_code == 0
    assert (nested / "layouts" / "standard.yaml").is_file()


def test_init_into_a_file_or_over_a_file_where_a_folder_goes(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = run("init", tmp_path / "file")
    assert result.exit_code == 2 and "Traceback" not in result.output
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "layouts").write_text("x")
    result = run("init", folder, "--force")
    assert result.exit_code == 2 and "layouts: is a file, not a folder" in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["layouts"]


# the shipped starter files

def test_starter_is_the_repository_content_layouts_and_logos() -> None:
    starter = starter_files()
    assert starter["content.yaml"] == CONTENT.read_bytes(), f"content.yaml changed: refresh the starter ({REFRESH})"
    for folder, pattern in (("layouts", "*.yaml"), ("logos", "*.png")):
        repo = {f"{folder}/{p.name}": p.read_bytes() for p in (ROOT / folder).glob(pattern)}
        shipped = {name: data for name, data in starter.items() if name.startswith(f"{folder}/")}
        assert sorted(shipped) == sorted(repo), f"{folder}/ changed: refresh the starter ({REFRESH})"
        for name, data in repo.items():
            assert shipped[name] == data, f"{name} changed: refresh the starter ({REFRESH})"
    assert sorted(n for n in starter if "/" not in n) == ["clinics.csv", "content.yaml"]


def test_package_data_ships_every_starter_file() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["handouts"]

    def shipped(name: str) -> bool:  # setuptools' glob: a * never crosses a /
        parts = name.split("/")
        return any(len(p.split("/")) == len(parts) and all(map(fnmatchcase, parts, p.split("/"))) for p in patterns)

    missing = [name for name in starter_files() if not shipped(f"starter/{name}")]
    assert not missing, f"add to [tool.setuptools.package-data] in pyproject.toml: {missing}"

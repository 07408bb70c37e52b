"""--debug and HANDOUTS_DEBUG: an unexpected error is one line saying how to see its traceback, or the traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONTENT, run

BROKEN_BUILD = ("import sys, handouts.build as b\n"
                "def boom(*a, **k): raise RuntimeError('boom in the build')\n"
                "b.build = boom\n"
                "from handouts.cli import main\n"
                "main(sys.argv[1:])\n")


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BROKEN_BUILD, *args], capture_output=True, text=True, timeout=120,
                          env=env)


def test_an_unexpected_error_is_one_line_that_says_how_to_see_more(tmp_path: Path) -> None:
    done = _cli("build", "--out", str(tmp_path / "out"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: unexpected error (RuntimeError: boom in the build).")
    assert "--debug (or HANDOUTS_DEBUG=1)" in done.stderr


@pytest.mark.parametrize("how", ["flag-first", "flag-last", "environment"])
def test_debug_shows_the_traceback(tmp_path: Path, how: str) -> None:
    import os

    out = ["--out", str(tmp_path / "out")]
    env = {**os.environ, "HANDOUTS_DEBUG": "1"} if how == "environment" else None
    args = {"flag-first": ["--debug", "build", *out], "flag-last": ["build", *out, "--debug"],
            "environment": ["build", *out]}[how]
    done = _cli(*args, env=env)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr and "RuntimeError: boom in the build" in done.stderr
    assert "in boom" in done.stderr  # where it happened


def test_a_document_that_fails_unexpectedly_names_the_way_to_its_traceback(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import handouts.layout

    real = handouts.layout.render

    def render(doc, layout, qr_mrn=None):  # type: ignore[no-untyped-def]
        if doc.job.clinic.id == "cedar-ridge":
            raise ValueError("a fault deep in the layout")
        return real(doc, layout, qr_mrn)

    monkeypatch.setattr(handouts.layout, "render", render)
    result = run("build", "aftercare", "--content", CONTENT, "--out", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert ("FAILED cedar-ridge/aftercare-iv.en: could not be laid out (ValueError: a fault deep in the layout); "
            "run the same command with --debug") in result.output
    assert (tmp_path / "out" / "harbor" / "aftercare-iv.en.pdf").exists()
    debug = run("--debug", "build", "aftercare", "--content", CONTENT, "--out", tmp_path / "out2", "-j", "1")
    assert debug.exit_code == 1 and "Traceback (most recent call last)" in debug.output
    assert "the traceback is above" in debug.output


def test_debug_does_not_stay_set_after_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.delenv("HANDOUTS_DEBUG", raising=False)
    run("--debug", "list", "--content", CONTENT)
    assert "HANDOUTS_DEBUG" not in os.environ

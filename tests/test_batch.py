"""The output folder across runs: a manifest true to the disk after partial, killed, concurrent and
failing runs, and global problems stopped (exit 2) before anything is touched."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from conftest import CONTENT, ROOT, run
from handouts.errors import HandoutsError

CLINIC = ("--content", CONTENT, "--clinic", "cedar-ridge")  # English only: the quickest clinic
SHEETS = ("handout", "aftercare")  # its three sheets (its consents would only make the tests slower)
CEDAR = ["cedar-ridge/aftercare-im.en.pdf", "cedar-ridge/aftercare-iv.en.pdf", "cedar-ridge/handout.en.pdf"]
LOCK = ".handouts.lock"
DEAD_PID = 99_999_999  # above Linux's largest possible pid (4,194,304), so never a running process


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cedar-ridge built once with the standard layout; tests work on copies."""
    out = tmp_path_factory.mktemp("cedar") / "out"
    result = run("build", *SHEETS, *CLINIC, "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture()
def out(built: Path, tmp_path: Path) -> Path:
    """A copy of the built folder that a test may change."""
    return Path(shutil.copytree(built, tmp_path / "out"))


def manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def entries(out: Path) -> dict[str, dict[str, Any]]:
    return {entry["path"]: entry for entry in manifest(out)["files"]}


def snapshot(out: Path) -> dict[str, bytes | None]:
    """Every file (hidden ones too) with its bytes, and every folder, to show that nothing was touched."""
    return {p.relative_to(out).as_posix(): None if p.is_dir() else p.read_bytes() for p in sorted(out.rglob("*"))}


def assert_truthful(out: Path) -> None:
    """Every entry's file is there with its size and sha256; every other PDF is listed as unknown; no leftovers."""
    data = manifest(out)
    listed = {entry["path"] for entry in data["files"]}
    unknown = {u["path"] for u in data["unknown"]}
    for entry in data["files"]:
        pdf = (out / entry["path"]).read_bytes()
        assert (entry["bytes"], entry["sha256"]) == (len(pdf), hashlib.sha256(pdf).hexdigest()), entry["path"]
    assert not listed & unknown
    assert {p.relative_to(out).as_posix() for p in out.glob("*/*.pdf")} == listed | unknown
    assert not list(out.rglob("*.part")) and not (out / LOCK).exists()


def test_a_partial_run_keeps_the_entries_it_did_not_rebuild(out: Path) -> None:
    before = entries(out)
    result = run("build", "handout", "--content", CONTENT, "--clinic", "harbor", "--lang", "es", "--out", out)
    assert result.exit_code == 0, result.output
    after = entries(out)
    assert sorted(after) == sorted([*CEDAR, "harbor/handout.es.pdf"])
    assert all(after[path] == before[path] for path in CEDAR)
    assert "harbor/handout.es.pdf  (2 pages)" in result.output and "lists 4." in result.output
    assert_truthful(out)


def test_the_entry_of_a_deleted_file_is_dropped(out: Path) -> None:
    (out / "cedar-ridge" / "aftercare-im.en.pdf").unlink()
    result = run("build", "handout", *CLINIC, "--out", out)
    assert result.exit_code == 0, result.output
    assert sorted(entries(out)) == ["cedar-ridge/aftercare-iv.en.pdf", "cedar-ridge/handout.en.pdf"]
    assert "dropped 1 manifest entry whose file is gone: cedar-ridge/aftercare-im.en.pdf" in result.output
    assert_truthful(out)


def test_what_a_killed_run_leaves_is_repaired_by_the_next_run(out: Path) -> None:
    clinic = out / "cedar-ridge"
    (clinic / ".handout.en.pdf.123.part").write_bytes(b"%PDF-1.7 half")
    (out / ".manifest.json.abc.part").write_text("{", encoding="utf-8")
    # The killed run had replaced one PDF (its entry is the older one's) and written one it never listed.
    shutil.copy(clinic / "aftercare-iv.en.pdf", clinic / "aftercare-im.en.pdf")
    shutil.copy(clinic / "aftercare-iv.en.pdf", clinic / "aftercare-troche.en.pdf")
    lock = {"pid": DEAD_PID, "host": socket.gethostname(), "started": "2026-11-27T08:00:00+00:00"}
    (out / LOCK).write_text(json.dumps(lock), encoding="utf-8")
    result = run("build", "handout", *CLINIC, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"took over {out / LOCK} from a run that is no longer running (pid {DEAD_PID}" in result.output
    assert ("removed 2 temp file(s) an interrupted run left: .manifest.json.abc.part, "
            "cedar-ridge/.handout.en.pdf.123.part") in result.output
    assert sorted(entries(out)) == ["cedar-ridge/aftercare-iv.en.pdf", "cedar-ridge/handout.en.pdf"]
    unknown = {u["path"]: u["reason"] for u in manifest(out)["unknown"]}
    assert sorted(unknown) == ["cedar-ridge/aftercare-im.en.pdf", "cedar-ridge/aftercare-troche.en.pdf"]
    assert "sha256 no longer matches" in unknown["cedar-ridge/aftercare-im.en.pdf"]
    assert "no manifest entry describes it" in unknown["cedar-ridge/aftercare-troche.en.pdf"]
    assert "2 PDF(s) in" in result.output and "not described by the manifest" in result.output
    assert_truthful(out)
    # Rebuilding the replaced document gives it an entry again; the stray PDF stays reported, never described.
    again = run("build", "aftercare", *CLINIC, "--out", out)
    assert again.exit_code == 0, again.output
    assert sorted(entries(out)) == CEDAR
    assert [u["path"] for u in manifest(out)["unknown"]] == ["cedar-ridge/aftercare-troche.en.pdf"]
    assert_truthful(out)


@pytest.mark.parametrize(("manifest_text", "note", "reason"), [
    ('{"files": [', "manifest.json could not be read (Expecting value", "manifest.json could not be read when a run started"),
    (None, None, "no manifest entry describes it"),
])
def test_pdfs_without_a_readable_manifest_are_reported_not_described(
        out: Path, manifest_text: str | None, note: str | None, reason: str) -> None:
    if manifest_text is None:
        (out / "manifest.json").unlink()
    else:
        (out / "manifest.json").write_text(manifest_text, encoding="utf-8")
    result = run("build", "handout", *CLINIC, "--out", out)
    assert result.exit_code == 0, result.output
    assert note is None or note in result.output
    assert sorted(entries(out)) == ["cedar-ridge/handout.en.pdf"]
    unknown = {u["path"]: u["reason"] for u in manifest(out)["unknown"]}
    assert sorted(unknown) == ["cedar-ridge/aftercare-im.en.pdf", "cedar-ridge/aftercare-iv.en.pdf"]
    assert all(r.startswith(reason) for r in unknown.values())
    assert_truthful(out)


def test_a_live_lock_stops_a_second_run_with_nothing_touched(out: Path) -> None:
    import fcntl

    # A live run: the lock file names it, and (as a running handouts does) holds a flock on it.
    lock = {"pid": os.getppid(), "host": socket.gethostname(), "started": "2026-11-27T08:00:00+00:00"}
    (out / LOCK).write_text(json.dumps(lock), encoding="utf-8")
    (out / "cedar-ridge" / ".handout.en.pdf.123.part").write_bytes(b"the live run's")
    before = snapshot(out)
    held = os.open(out / LOCK, os.O_RDWR)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run("build", *SHEETS, *CLINIC, "--out", out)
    finally:
        os.close(held)
    assert result.exit_code == 2, result.output
    assert "another handouts run is writing to this folder" in result.output
    assert f"pid {os.getppid()} on host {socket.gethostname()}, started 2026-11-27T08:00:00+00:00" in result.output
    assert str(out / LOCK) in result.output
    assert snapshot(out) == before


def test_two_layouts_in_sequence_leave_truthful_per_entry_layouts(out: Path) -> None:
    result = run("build", "aftercare", *CLINIC, "--layout", "a4", "--out", out)
    assert result.exit_code == 0, result.output
    data = manifest(out)
    assert data["layout"] == "a4"  # the latest run's
    layouts = {path: entry["layout"] for path, entry in entries(out).items()}
    assert layouts == {"cedar-ridge/aftercare-im.en.pdf": "a4", "cedar-ridge/aftercare-iv.en.pdf": "a4",
                       "cedar-ridge/handout.en.pdf": "standard"}
    widths = {"a4": 595.2756, "standard": 612.0}
    for path, layout in layouts.items():
        assert float(PdfReader(out / path).pages[0].mediabox.width) == pytest.approx(widths[layout], abs=0.01)
    assert_truthful(out)


@pytest.mark.parametrize(("epoch", "expected"), [
    ("1767225600000", "1767225600000 is after the year 9999 (milliseconds? divide by 1000)"),
    ("1767225600.5", "must be whole seconds since 1970-01-01 UTC"),
])
def test_a_bad_source_date_epoch_is_exit_2_and_keeps_the_folder(
        out: Path, epoch: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    before = snapshot(out)
    result = run("build", *SHEETS, *CLINIC, "--out", out)
    assert result.exit_code == 2, result.output
    assert f"SOURCE_DATE_EPOCH: {expected}" in result.output and "Traceback" not in result.output
    assert snapshot(out) == before


@pytest.mark.parametrize(("margins", "expected"), [
    ("  left: 5in\n  right: 4in\n", "the left and right margins (648 pt) are wider than the 612 pt page"),
    ("  top: 10in\n", "the top margin (720 pt), the header"),
])
def test_an_impossible_layout_is_exit_2_and_keeps_the_folder(out: Path, tmp_path: Path, margins: str, expected: str) -> None:
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    shutil.copy(ROOT / "layouts" / "standard.yaml", layouts)
    (layouts / "cramped.yaml").write_text(f"parent: standard\nmargins:\n{margins}", encoding="utf-8")
    before = snapshot(out)
    result = run("build", *SHEETS, *CLINIC, "--layout", layouts / "cramped.yaml", "--out", out)
    assert result.exit_code == 2, result.output
    assert f"cramped.yaml margins: {expected}" in result.output and "Traceback" not in result.output
    assert snapshot(out) == before


def test_a_file_where_a_clinic_folder_goes_is_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "cedar-ridge").write_text("not a folder", encoding="utf-8")
    result = run("build", *SHEETS, *CLINIC, "--out", out)
    assert result.exit_code == 2, result.output
    assert f"{out / 'cedar-ridge'}: is a file, not a folder" in result.output and "Traceback" not in result.output
    assert snapshot(out) == {"cedar-ridge": b"not a folder"}


def test_an_output_folder_under_a_file_is_exit_2_naming_it(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("", encoding="utf-8")
    result = run("build", *SHEETS, *CLINIC, "--out", tmp_path / "afile" / "out")
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 'afile' / 'out'}: cannot create the output folder: {tmp_path / 'afile'} is in its way" in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes to read-only folders anyway")
def test_a_read_only_output_folder_is_exit_2_naming_it(out: Path) -> None:
    before = snapshot(out)
    out.chmod(0o555)
    try:
        result = run("build", *SHEETS, *CLINIC, "--out", out)
    finally:
        out.chmod(0o755)
    assert result.exit_code == 2, result.output
    assert f"{out}: the output folder is not writable" in result.output and "Traceback" not in result.output
    assert snapshot(out) == before


def test_a_name_too_long_for_the_file_system_is_exit_2(workspace: Path) -> None:
    # A clinic id is at most 64 characters (validation); a document id has no such limit, so a
    # file name can still be too long for the file system: checked before anything is written.
    content = workspace / "content.yaml"
    doc_id = "a" * 300
    text = content.read_text(encoding="utf-8")
    assert text.count("\n  aftercare:\n") == 1
    content.write_text(text.replace("\n  aftercare:\n", f"\n  {doc_id}:\n"), encoding="utf-8")
    out = workspace / "out"
    result = run("build", doc_id, "--content", content, "--clinic", "cedar-ridge", "--out", out)
    assert result.exit_code == 2, result.output
    assert "name too long" in result.output and "this file system allows" in result.output
    assert f"{doc_id}-im.en.pdf" in result.output
    assert "Traceback" not in result.output and not out.exists()


def fail_writes(monkeypatch: pytest.MonkeyPatch, name: str, code: int) -> None:
    """Make the build's every write of a file called `name` fail as the operating system would, with `code`
    (in the workers too: they are forked from this process, monkeypatch and all)."""
    import handouts.build
    import handouts.workers

    real = handouts.build.atomic_write

    def atomic_write(path: Path, data: bytes, mode: int = 0o644, durable: bool = True) -> None:
        if path.name == name:
            raise OSError(code, os.strerror(code))
        real(path, data, mode, durable)

    monkeypatch.setattr(handouts.build, "atomic_write", atomic_write)
    monkeypatch.setattr(handouts.workers, "atomic_write", atomic_write)


def test_a_write_error_fails_that_document_only_and_the_manifest_stays_true(
        out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fail_writes(monkeypatch, "aftercare-im.en.pdf", errno.ENOSPC)
    result = run("build", *SHEETS, *CLINIC, "--out", out, "--force")  # unchanged documents would not be written at all
    assert result.exit_code == 1, result.output
    target = out / "cedar-ridge" / "aftercare-im.en.pdf"
    assert (f"FAILED cedar-ridge/aftercare-im.en: could not be written to {target}: "
            f"{os.strerror(errno.ENOSPC)}") in result.output
    assert "Traceback" not in result.output
    assert sorted(entries(out)) == ["cedar-ridge/aftercare-iv.en.pdf", "cedar-ridge/handout.en.pdf"]
    assert [f["name"] for f in manifest(out)["failed"]] == ["aftercare-im.en"]
    assert not target.exists()  # its older copy is not left looking current
    assert_truthful(out)


def test_a_manifest_that_cannot_be_written_is_removed_not_left_lying(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fail_writes(monkeypatch, "manifest.json", errno.EACCES)
    result = run("build", "aftercare", *CLINIC, "--out", out)
    assert result.exit_code == 1, result.output
    assert f"{out / 'manifest.json'}: could not be written ({os.strerror(errno.EACCES)}); the old one was removed" in result.output
    assert "Traceback" not in result.output
    assert not (out / "manifest.json").exists() and not (out / LOCK).exists()


def test_a_failing_document_keeps_the_others_and_its_reason_is_stable(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.platypus.doctemplate import LayoutError

    import handouts.layout

    real = handouts.layout.render

    def render(doc: Any, layout: Any, qr_mrn: str | None = None) -> tuple[bytes, int]:
        if doc.job.treatment == "im":
            raise LayoutError(f"Flowable {object()!r} too large on page 1")
        return real(doc, layout, qr_mrn)

    monkeypatch.setattr(handouts.layout, "render", render)
    result = run("build", *SHEETS, *CLINIC, "--out", out, "--force")  # unchanged documents would not be laid out at all
    assert result.exit_code == 1, result.output
    [failure] = manifest(out)["failed"]
    assert failure["reason"] == "does not fit on the page with layout 'standard': Flowable <object object> too large on page 1"
    assert sorted(entries(out)) == ["cedar-ridge/aftercare-iv.en.pdf", "cedar-ridge/handout.en.pdf"]
    assert_truthful(out)


def test_a_lock_naming_this_very_pid_is_a_dead_runs(out: Path) -> None:
    # In a container every run is pid 1: a killed run's lock names the pid the next run has.
    lock = {"pid": os.getpid(), "host": socket.gethostname(), "started": "2026-11-27T08:00:00+00:00"}
    (out / LOCK).write_text(json.dumps(lock), encoding="utf-8")
    result = run("build", *SHEETS, *CLINIC, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"took over {out / LOCK} from a run that is no longer running (pid {os.getpid()}" in result.output


def test_two_runs_never_hold_the_lock_at_once(tmp_path: Path) -> None:
    from handouts.outdir import take_lock

    first = take_lock(tmp_path)
    try:
        with pytest.raises(HandoutsError, match="another handouts run is writing to this folder"):
            take_lock(tmp_path)  # its pid is alive and its flock held
    finally:
        first.release()
    second = take_lock(tmp_path)  # released: free again, with nothing to take over
    assert second.note is None
    second.release()
    assert not (tmp_path / LOCK).exists()

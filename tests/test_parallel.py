"""Builds in worker processes: the same PDFs and manifest as one process, progress reported, and
documents resolved as they are made (a mistake only some clinics show fails just their documents)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import CONTENT, run
from handouts.build import build


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))}


def test_two_workers_make_the_same_pdfs_and_manifest_as_one(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for out, workers in ((one, "1"), (two, "2")):
        result = run("build", "handout", "aftercare", "--content", CONTENT, "--out", out, "-j", workers)
        assert result.exit_code == 0, result.output
    assert _files(one) == _files(two) and len(_files(one)) == 15
    manifests = [json.loads((out / "manifest.json").read_text(encoding="utf-8")) for out in (one, two)]
    assert manifests[0] == manifests[1]


def test_progress_is_reported_for_every_document(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    report = build(CONTENT, documents=["aftercare"], out_dir=tmp_path / "out", workers=2,
                   progress=lambda done, total: seen.append((done, total)))
    total = len(report.run.files)
    assert total == 10 and seen == [(n, total) for n in range(1, total + 1)]
    again: list[tuple[int, int]] = []
    report = build(CONTENT, documents=["aftercare"], out_dir=tmp_path / "out", workers=2,
                   progress=lambda done, total: again.append((done, total)))
    assert len(report.unchanged) == 10 and again[-1] == (10, 10)


def test_a_mistake_only_clinics_without_a_field_show_stops_the_run_before_anything_is_written(workspace: Path) -> None:
    # harbor (the first clinic) has a website, binh-an none: one copy of each kind of clinic is
    # checked before anything is written, so binh-an's is too.
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    target = "Ketamine does not help everyone, and results are not guaranteed."
    content.write_text(text.replace(target, "Visit {{ clinic.website }}. " + target, 1), encoding="utf-8")
    out = workspace / "out"
    result = run("build", "handout", "--content", content, "--lang", "en", "--out", out, "-j", "2")
    assert result.exit_code == 2, result.output
    assert "clinic.website is empty for this clinic" in result.output and "clinic 'binh-an'" in result.output
    assert not out.exists()


def test_a_mistake_in_a_branch_only_some_clinics_take_touches_nothing(workspace: Path) -> None:
    content = workspace / "content.yaml"
    out = workspace / "out"
    assert run("build", "handout", "--content", content, "--out", out).exit_code == 0
    before = _files(out)
    text = content.read_text(encoding="utf-8")
    old = "; FDA warning on compounded ketamine (October 2023)"  # printed only for clinics with lozenges
    assert text.count(old) == 1
    content.write_text(text.replace(old, "; {{ treatments.troche.warning_source }}"), encoding="utf-8")
    result = run("build", "handout", "--content", content, "--out", out, "-j", "2")
    assert result.exit_code == 2 and "warning_source" in result.output and "clinic 'binh-an'" in result.output
    assert _files(out) == before


def test_a_mistake_in_a_treatment_text_is_never_printed_as_a_blank(workspace: Path) -> None:
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    old = 'driving: "Do **not** drive, ride a bike or use heavy machines for at least 24 hours."'
    assert old in text
    content.write_text(text.replace(old, old.replace("24", "{{ clinic.drive_hours }}"), 1), encoding="utf-8")
    result = run("build", "aftercare", "--content", content, "--clinic", "cedar-ridge", "--out", workspace / "o")
    assert result.exit_code == 2 and "clinic.drive_hours }} is not defined" in result.output
    assert "treatments.iv.en.driving" in result.output


def test_a_mistake_only_one_clinic_of_a_kind_shows_fails_its_document_and_keeps_its_older_copy(
        workspace: Path) -> None:
    # Two clinics of one kind that a template tells apart by a value (how long the name is):
    # the checked copy passes, the other fails when it is made; its older PDF is not deleted.
    clinics = workspace / "clinics.csv"
    clinics.write_text("id,name,phone,address\nshort,Short Clinic,(555) 010-0001,1 Main St\n"
                       "long,A Clinic With A Very Long Name,(555) 010-0002,2 Main St\n", encoding="utf-8")
    content = workspace / "content.yaml"
    out = workspace / "out"
    assert run("build", "handout", "--content", content, "--clinics", clinics, "--out", out).exit_code == 0
    older = (out / "long" / "handout.en.pdf").read_bytes()
    text = content.read_text(encoding="utf-8")
    target = "Ketamine does not help everyone, and results are not guaranteed."
    content.write_text(text.replace(target, "{% if clinic.name|length > 20 %}{{ clinic.nope }}{% endif %}" + target,
                                    1), encoding="utf-8")
    result = run("build", "handout", "--content", content, "--clinics", clinics, "--out", out, "-j", "2")
    assert result.exit_code == 1, result.output
    assert "FAILED long/handout.en" in result.output and "clinic.nope" in result.output
    assert (out / "long" / "handout.en.pdf").read_bytes() == older
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [u["path"] for u in manifest["unknown"]] == ["long/handout.en.pdf"]
    assert [f["path"] for f in manifest["files"]] == ["short/handout.en.pdf"]


def test_a_worker_that_dies_ends_the_run_with_a_message_not_a_wait(tmp_path: Path, monkeypatch: Any) -> None:
    import os

    import handouts.layout

    real = handouts.layout.render

    def render(doc: Any, layout: Any, qr_mrn: str | None = None) -> tuple[bytes, int]:
        if doc.job.clinic.id == "binh-an":
            os._exit(9)  # as if killed
        return real(doc, layout, qr_mrn)

    monkeypatch.setattr(handouts.layout, "render", render)
    out = tmp_path / "out"
    result = run("build", "aftercare", "--content", CONTENT, "--out", out, "-j", "2")
    assert result.exit_code == 1 and "a worker process stopped" in result.output, result.output
    assert (out / "manifest.json").exists() and not (out / ".handouts.lock").exists()


def test_a_batch_syncs_the_disk_once_before_its_manifest_not_once_per_pdf(tmp_path: Path, monkeypatch: Any) -> None:
    import handouts.build
    import handouts.workers

    events: list[str] = []
    real_write, real_manifest = handouts.workers.atomic_write, handouts.build._write_manifest

    def write(path: Path, data: bytes, mode: int = 0o644, durable: bool = True) -> None:
        events.append(f"pdf durable={durable}")
        real_write(path, data, mode, durable)

    monkeypatch.setattr(handouts.workers, "atomic_write", write)
    monkeypatch.setattr(handouts.build, "flush_all", lambda folder: events.append("sync"))
    monkeypatch.setattr(handouts.build, "_write_manifest", lambda *a: (events.append("manifest"), real_manifest(*a)))
    build(CONTENT, documents=["aftercare"], clinic_ids=["cedar-ridge"], out_dir=tmp_path / "out", workers=1)
    assert events == ["pdf durable=False", "pdf durable=False", "sync", "manifest"]


def test_the_progress_bar_shows_on_a_terminal_and_nothing_otherwise(monkeypatch: Any) -> None:
    import io
    import sys

    from handouts.console import Progress as _Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for stream, shown in ((Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stderr", stream)
        with _Progress() as progress:
            for done in range(1, 4):
                progress(done, 3)
        assert ("Building" in stream.getvalue() and "3/3" in stream.getvalue()) is shown, stream.getvalue()

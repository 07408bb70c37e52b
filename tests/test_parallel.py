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


def test_a_mistake_only_one_clinic_shows_fails_only_its_documents(workspace: Path) -> None:
    # The first clinic (harbor) has a website, binh-an has none: checked up front on harbor's copy,
    # the mistake shows only when binh-an's handouts are made, and fails just those.
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    target = "Ketamine does not help everyone, and results are not guaranteed."
    content.write_text(text.replace(target, "Visit {{ clinic.website }}. " + target, 1), encoding="utf-8")
    out = workspace / "out"
    result = run("build", "handout", "--content", content, "--lang", "en", "--out", out, "-j", "2")
    assert result.exit_code == 1, result.output
    assert "FAILED binh-an/handout.en: " in result.output and "clinic.website is empty for this clinic" in result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf")) == [
        "cedar-ridge/handout.en.pdf", "harbor/handout.en.pdf"]
    assert "2 built, 0 unchanged, 1 failed" in result.output


def test_a_batch_syncs_the_disk_once_before_its_manifest_not_once_per_pdf(tmp_path: Path, monkeypatch: Any) -> None:
    import handouts.build
    import handouts.workers

    events: list[str] = []
    real_write, real_manifest = handouts.workers.atomic_write, handouts.build._write_manifest

    def write(path: Path, data: bytes, mode: int = 0o644, durable: bool = True) -> None:
        events.append(f"pdf durable={durable}")
        real_write(path, data, mode, durable)

    monkeypatch.setattr(handouts.workers, "atomic_write", write)
    monkeypatch.setattr(handouts.build, "flush_all", lambda: events.append("sync"))
    monkeypatch.setattr(handouts.build, "_write_manifest", lambda *a: (events.append("manifest"), real_manifest(*a)))
    build(CONTENT, documents=["aftercare"], clinic_ids=["cedar-ridge"], out_dir=tmp_path / "out", workers=1)
    assert events == ["pdf durable=False", "pdf durable=False", "sync", "manifest"]

"""Benchmark: a chain of N synthetic locations, against the floor of hand-written ReportLab.

Run from the repository root:  python bench/bench_batch.py [--clinics N] [--jobs 1 2 ...]

Builds the handout and aftercare sheets of N made-up clinics (English and Spanish, IV and
esketamine: 6 documents each) with `handouts build -j J` for each J, in a fresh process, and
prints the wall time, ms per page, the peak RSS of the largest process, and the time of an
unchanged re-run. In the same run it times the floor: a minimal ReportLab script, in one
process, that sets the same resolved text in the same fonts and page size, with the logo and
a footer, but none of handouts' care (keep-together, headers that fit, page X of Y, links,
outlines, fingerprints, manifest, atomic writes). Figures are noisy on a shared machine:
compare the ratios printed, all from one run. The floor uses the standard layout's type sizes
and margins, so its pages hold what handouts' pages hold (the same page count); both ratios,
per page and per document, are printed.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_chain(folder: Path, count: int) -> Path:
    """A clinics CSV of `count` locations sharing one logo."""
    shutil.copytree(ROOT / "logos", folder / "logos", dirs_exist_ok=True)
    path = folder / "chain.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "phone", "address", "logo", "primary_color", "languages", "treatments",
                         "website"])
        for i in range(count):
            writer.writerow([f"loc-{i:05d}", f"Harbor Ketamine & Wellness, Location {i}", f"(619) 555-{i % 10000:04d}",
                             f"{100 + i} Harbor View Drive, San Diego, CA 92101", "logos/harbor.png", "#0b5c7a",
                             "en;es", "iv;esketamine", "harbor.example"])
    return path


def measured(command: list[str]) -> tuple[float, int]:
    """Wall seconds of a command, and the peak RSS (KiB) of its largest process, from a wrapper process."""
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
               "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", wrapper, *command], check=True, capture_output=True, text=True,
                         cwd=ROOT).stdout.split()
    return float(out[0]), int(out[1])


def floor(chain: Path, out: Path) -> tuple[float, int]:
    """Seconds and pages for the hand-written ReportLab version of the same documents, in this process."""
    sys.path.insert(0, str(ROOT))
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from handouts.build import load_inputs, plan
    from handouts.fonts import FONT_DIR
    from handouts.resolve import resolve_jobs

    content, clinics = load_inputs(ROOT / "content.yaml", chain)
    docs = resolve_jobs(content, plan(content, clinics, ["handout", "aftercare"]))
    start = time.perf_counter()
    pdfmetrics.registerFont(TTFont("Floor", str(FONT_DIR / "NotoSans-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("Floor-Bold", str(FONT_DIR / "NotoSans-Bold.ttf")))
    # The standard layout's type and margins, so that the floor's pages hold what handouts' hold.
    body = ParagraphStyle("b", fontName="Floor", fontSize=12, leading=15, spaceAfter=5)
    heading = ParagraphStyle("h", body, fontName="Floor-Bold", fontSize=15, leading=19, spaceBefore=12, spaceAfter=4)
    title = ParagraphStyle("t", body, fontName="Floor-Bold", fontSize=22, leading=26, spaceAfter=7)
    pages = 0
    for doc in docs:
        def on_page(canvas: object, template: object, doc: object = doc) -> None:
            canvas.saveState()  # type: ignore[attr-defined]
            if template.page == 1 and doc.logo is not None:  # type: ignore[attr-defined]
                canvas.drawImage(str(doc.logo), 54, 700, 40, 40, mask="auto")  # type: ignore[attr-defined]
            canvas.setFont("Floor", 9)  # type: ignore[attr-defined]
            canvas.drawString(54, 30, f"{doc.clinic_name} · {doc.phone} · Page {template.page}")  # type: ignore
            canvas.restoreState()  # type: ignore[attr-defined]

        story = [Paragraph(doc.title, title)]
        for section in doc.sections:
            story.append(Paragraph(section.heading, heading))
            for block in section.blocks:
                for text in _texts(block.data):
                    story.append(Paragraph(text, body))

        path = out / f"{doc.job.clinic.id}-{doc.job.name}.pdf"
        template = SimpleDocTemplate(str(path), pagesize=letter, leftMargin=54, rightMargin=54, topMargin=68,
                                     bottomMargin=58, invariant=1)
        template.build(story, onFirstPage=on_page, onLaterPages=on_page)
        pages += template.page
    return time.perf_counter() - start, pages


def _texts(data: object) -> list[str]:
    """Every paragraph of markup in a resolved block, whatever its kind."""
    if isinstance(data, str):
        return [data] if data else []
    if isinstance(data, dict):
        return [t for key, value in data.items() if key not in ("tone", "name", "role") for t in _texts(value)]
    if isinstance(data, (list, tuple)):
        return [t for item in data for t in _texts(item)]
    return []


def main() -> None:
    """Print the figures and the command that produced them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clinics", type=int, default=100)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"command: python bench/bench_batch.py --clinics {args.clinics} --jobs {' '.join(map(str, args.jobs))}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        chain = write_chain(folder, args.clinics)
        floor_out = folder / "floor"
        floor_out.mkdir()
        floor_seconds, floor_pages = floor(chain, floor_out)
        floor_ms = floor_seconds * 1000 / floor_pages
        floor_doc = floor_seconds * 1000 / (args.clinics * 6)
        print(f"floor (hand-written ReportLab, 1 process): {args.clinics * 6} documents, {floor_pages} pages in "
              f"{floor_seconds:.1f} s, {floor_ms:.1f} ms/page, {floor_doc:.1f} ms/document")
        for jobs in args.jobs:
            out = folder / f"out-{jobs}"
            command = [sys.executable, "-m", "handouts", "build", "handout", "aftercare", "--content",
                       str(ROOT / "content.yaml"), "--clinics", str(chain), "--out", str(out), "-j", str(jobs)]
            seconds, rss = measured(command)
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            pages = sum(entry["pages"] for entry in manifest["files"])
            again, _ = measured(command)
            ms = seconds * 1000 / pages
            per_doc = seconds * 1000 / len(manifest["files"])
            print(f"handouts -j {jobs}: {len(manifest['files'])} documents, {pages} pages in {seconds:.1f} s, "
                  f"{ms:.1f} ms/page ({ms / floor_ms:.2f}x the floor), {per_doc:.1f} ms/document "
                  f"({per_doc / floor_doc:.2f}x); peak RSS {rss / 1024:.0f} MiB; "
                  f"unchanged re-run {again:.1f} s ({again / seconds:.2f}x)")


if __name__ == "__main__":
    main()


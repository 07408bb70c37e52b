"""Report: pages, words and reading level of every built PDF, against the clinical targets.

Run from the repository root:  python bench/content_report.py [BUILD_DIR] [--layout NAME]
Without BUILD_DIR it builds the sample content (`handouts build --content content.yaml --out
TMP`) into a temporary folder first. The text is what PDFium (pypdfium2, from the test extra)
extracts, cleaned by handouts.readability.body_text: running header and footer and the Sources
section left out, bullets and headings as sentence units. The targets: English at
Flesch-Kincaid grade 6 or below, Spanish at Fernández-Huerta 70 or above.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from handouts.readability import INDEX_LABELS, TARGETS, body_text, measure, word_count

ROOT = Path(__file__).resolve().parent.parent
# The tests' own PDFium extraction, so that these figures are the ones the tests check.
sys.path.insert(0, str(ROOT / "tests"))
from conftest import pdf_pages  # noqa: E402

from handouts.build import load_inputs  # noqa: E402

GRADES = {doc.id: doc.reading_grade for doc in load_inputs(ROOT / "content.yaml")[0].documents.values()}


def report(out: Path) -> None:
    """Print one block per PDF under out: pages, body words and its language's indices."""
    for path in sorted(out.rglob("*.pdf")):
        lang = path.suffixes[-2].lstrip(".") if len(path.suffixes) >= 2 else ""
        pages = pdf_pages(path)
        body = body_text(pages)
        print(f"{path.relative_to(out)}  pages {len(pages)}  words {word_count(body)}")
        if lang not in TARGETS:
            print(f"  no readability formula for language {lang!r}")
            continue
        result = measure(body, lang, GRADES.get(path.name.split(".")[0].split("-")[0]))
        target = result.target
        print(f"  sentences {result.sentences}  syllables {result.syllables}  "
              f"words/sentence {result.words / result.sentences:.1f}  "
              f"syllables/word {result.syllables / result.words:.2f}")
        figures = "  ".join(f"{INDEX_LABELS[name]} {value:.1f}" for name, value in result.scores.items())
        limit = f"{'≥' if target.higher_is_easier else '≤'} {target.limit:g}"
        print(f"  {figures}  target {INDEX_LABELS[target.index]} {limit}: "
              f"{'met' if result.meets_target() else 'NOT MET'}")


def main() -> None:
    """Build the sample content (or read a build folder) and print the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_dir", nargs="?", type=Path, help="a folder `handouts build` wrote; default: build now")
    parser.add_argument("--content", type=Path, default=ROOT / "content.yaml", help="content file to build")
    parser.add_argument("--layout", help="layout to build with (standard, a4, large-print, ...)")
    args = parser.parse_args()
    print("command: " + shlex.join(["python", "bench/content_report.py", *sys.argv[1:]]))

    if args.build_dir is not None:
        report(args.build_dir)
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "output"
        build = ["handouts", "build", "--content", str(args.content), "--out", str(out)]
        if args.layout:
            build += ["--layout", args.layout]
        print("build: " + shlex.join(build))
        done = subprocess.run([sys.executable, "-m", *build], cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"build failed (exit {done.returncode}):\n{done.stderr}")
        print()
        report(out)


if __name__ == "__main__":
    main()

"""Benchmark: one cold handout from the shell, and the sample batch in-process, by pipeline stage.

Run from the repository root:  python bench/bench_build.py [--repeat N]
Figures are medians of N runs on this machine; compare ratios from one run, not across machines.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _template_budget(content_path: Path, repeat: int) -> None:
    """The resolve stage with and without the templates' time budget (a trace function on template
    code), alternating in this run; prints the ratio."""
    import handouts.templates
    from handouts.build import load_inputs, plan
    from handouts.resolve import resolve_jobs

    content, clinics = load_inputs(content_path)
    jobs = plan(content, clinics)
    watched = handouts.templates.Budget.watch
    spent = {"with": 0.0, "without": 0.0}
    resolve_jobs(content, jobs)  # templates compiled once, before either is timed
    for _ in range(repeat):
        for mode in spent:
            handouts.templates.Budget.watch = watched if mode == "with" else (  # type: ignore[method-assign]
                lambda self, run: run())
            start = time.perf_counter()
            resolve_jobs(content, jobs)
            spent[mode] += time.perf_counter() - start
    handouts.templates.Budget.watch = watched  # type: ignore[method-assign]
    print(f"  resolve with the template time budget / without it: {spent['with'] / spent['without']:.2f}"
          f"  ({1000 * spent['with'] / repeat / len(jobs):.1f} vs {1000 * spent['without'] / repeat / len(jobs):.1f}"
          " ms/doc)")


def main() -> None:
    """Print the figures and the command that produced them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"command: python bench/bench_build.py --repeat {args.repeat}")

    with tempfile.TemporaryDirectory() as tmp:
        python = _median_seconds([sys.executable, "-c", "pass"], args.repeat)
        imports = _median_seconds([sys.executable, "-c", "import reportlab.platypus, pypdf, jinja2, yaml, click"], args.repeat)
        cold = _median_seconds([sys.executable, "-m", "handouts", "build", "handout", "--clinic", "harbor",
                                "--lang", "en", "--out", tmp], args.repeat)
    print(f"cold, one handout:        {cold:.3f} s  (python start {python:.3f} s; importing the libraries {imports:.3f} s)")
    print(f"  ratio cold / bare imports: {cold / imports:.2f}")

    sys.path.insert(0, str(ROOT))
    from handouts.build import load_inputs, plan
    from handouts.layout import render
    from handouts.layouts import layout_dir, load_layout
    from handouts.resolve import resolve_jobs

    content_path = ROOT / "content.yaml"
    stages = {"load+validate": 0.0, "resolve": 0.0, "lay out (ReportLab)": 0.0}
    second_pass = 0.0  # what the pypdf pass over every PDF, which ReportLab now makes unneeded, would add
    documents = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        content, clinics = load_inputs(content_path)
        layout = load_layout("standard", layout_dir(content_path).resolve())
        t1 = time.perf_counter()
        resolved = resolve_jobs(content, plan(content, clinics))
        t2 = time.perf_counter()
        pdfs = [render(doc, layout)[0] for doc in resolved]  # type: ignore[arg-type]
        t3 = time.perf_counter()
        for pdf in pdfs:
            _pypdf_pass(pdf)
        second_pass += time.perf_counter() - t3
        for name, spent in zip(stages, (t1 - t0, t2 - t1, t3 - t2)):
            stages[name] += spent
        documents += len(resolved)
    total = sum(stages.values())
    print(f"warm batch: {documents // args.repeat} documents x {args.repeat} runs, "
          f"{1000 * total / documents:.1f} ms per document")
    for name, spent in stages.items():
        print(f"  {name:<22} {1000 * spent / documents:7.1f} ms/doc  {spent / total:6.1%}")
    print(f"  ratio whole pipeline / ReportLab alone: {total / stages['lay out (ReportLab)']:.2f}")
    print(f"  ratio with the former pypdf pass / without it: {(total + second_pass) / total:.2f}"
          f"  (that pass: {1000 * second_pass / documents:.1f} ms/doc, measured in this run)")
    _template_budget(content_path, args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process): {peak:.0f} MiB")


def _pypdf_pass(pdf: bytes) -> bytes:
    """Read a PDF with pypdf and write it again, as the pipeline did before ReportLab stamped the details itself."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


if __name__ == "__main__":
    main()

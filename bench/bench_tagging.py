"""Benchmark: what tagged PDF (PDF/UA) costs in lay-out time and file size, with and without it in one run.

Run from the repository root:  python bench/bench_tagging.py [--repeat N]
Every sample document is laid out in the standard and the large-print layout, tagged and
untagged (handouts.layout.TAGGED, a switch for this measurement only), alternating so that
both see the same machine; time is the median of N runs of the whole set, size the total.
The budget (issue 11) is 1.15x for both.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print time and size, tagged and untagged, their ratios, and the command."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"command: python bench/bench_tagging.py --repeat {args.repeat}")

    sys.path.insert(0, str(ROOT))
    from handouts import layout as layout_module
    from handouts.build import load_inputs, plan
    from handouts.layouts import layout_dir, load_layout
    from handouts.resolve import resolve_jobs

    content_path = ROOT / "content.yaml"
    content, clinics = load_inputs(content_path)
    documents = [doc for doc in resolve_jobs(content, plan(content, clinics))]
    layouts = [load_layout(name, layout_dir(content_path).resolve()) for name in ("standard", "large-print")]
    times: dict[bool, list[float]] = {True: [], False: []}
    sizes: dict[bool, int] = {}
    for tagged in (True, False):  # once each before timing: fonts, images and styles are cached
        layout_module.TAGGED = tagged
        sizes[tagged] = sum(len(layout_module.render(doc, lay)[0]) for lay in layouts for doc in documents)  # type: ignore[arg-type]
    for _ in range(args.repeat):
        for tagged in (False, True):
            layout_module.TAGGED = tagged
            start = time.perf_counter()
            for lay in layouts:
                for doc in documents:
                    layout_module.render(doc, lay)  # type: ignore[arg-type]
            times[tagged].append(time.perf_counter() - start)
    layout_module.TAGGED = True
    count = len(documents) * len(layouts)
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"{count} documents (standard and large print), median of {args.repeat} runs")
    print(f"  untagged: {1000 * off / count:6.1f} ms/doc  {sizes[False] / count / 1024:6.1f} KiB/doc")
    print(f"  tagged:   {1000 * on / count:6.1f} ms/doc  {sizes[True] / count / 1024:6.1f} KiB/doc")
    print(f"  ratio tagged / untagged: time {on / off:.3f}x, size {sizes[True] / sizes[False]:.3f}x (budget 1.15x)")


if __name__ == "__main__":
    main()

"""By hand, once: the harbor handout (English) tagged by handouts, beside the same text set by Typst as PDF/UA-1.

Run from the repository root, with the `typst` package installed (pip install typst==0.15.0;
not a dependency of handouts, and CI never runs this):
    python bench/typst_compare.py [--out DIR]
Writes DIR/handouts.pdf, DIR/handout.typ and DIR/typst.pdf (default: a temporary folder) and
prints, for each, the size, the roles of the structure tree with their counts, the catalog's
and pages' tagging keys, and poppler's `pdfinfo -struct-text` outline side by side.
"""

from __future__ import annotations

import argparse
import collections
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_TAG = re.compile(r"<[^>]+>")
_SPAN = re.compile(r'<onDraw name="tag" label="open:Span:([^"]+)"/>(.*?)<onDraw name="tag" label="close"/>')
_LINK = re.compile(r'<a href="([^"]+)">(.*?)</a>')


def typst_text(markup: str) -> str:
    """ReportLab paragraph markup as Typst markup: bold, language spans and links kept, the rest escaped."""
    spans: list[str] = []

    def keep(made: str) -> str:
        spans.append(made)
        return f"\x00{len(spans) - 1}\x00"

    markup = _SPAN.sub(lambda m: keep(f'#text(lang: "{m[1]}")[{_escape(_plain(m[2]))}]'), markup)
    markup = _LINK.sub(lambda m: keep(f'#link("{html.unescape(m[1])}")[{_escape(_plain(m[2]))}]'), markup)
    markup = re.sub(r"<b>(.*?)</b>", lambda m: keep(f"#strong[{_escape(_plain(m[1]))}]"), markup)
    text = _escape(_plain(markup))
    return re.sub("\x00([0-9]+)\x00", lambda m: spans[int(m[1])], text)


def _plain(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup)).replace("\xa0", " ")


def _escape(text: str) -> str:
    return re.sub(r"([\\#*_$@<>\[\]`~=\-+/\"])", r"\\\1", text)


def typst_source(doc: Any) -> str:
    """The resolved document as a Typst file: the same text, headings, lists, table, figure and languages."""
    lines = [f'#set document(title: "{doc.plain_title}", author: "{doc.clinic_name}")',
             f'#set text(font: "Noto Sans", lang: "{doc.job.lang}", size: 10.5pt)',
             '#set page(paper: "us-letter", margin: 0.75in)']
    if doc.logo is not None:
        lines.append(f'#image("logo.png", height: 0.55in, alt: "{doc.logo_alt or doc.clinic_name}")')
    lines.append(f"= {typst_text(doc.title)}")
    for section in doc.sections:
        lines.append(f"== {typst_text(section.heading)}")
        for block in section.blocks:
            data = block.data
            if block.kind in ("p", "sources"):
                lines.append(typst_text(data if block.kind == "p" else "; ".join(data) + "."))
            elif block.kind == "bullets":
                lines += [f"- {typst_text(item)}" for item in data]
            elif block.kind == "callout":
                inner = ([f"=== {typst_text(data['title'])}"] if data["title"] else []) + \
                        [typst_text(t) for t in data["text"]]
                lines.append("#block(fill: luma(245), inset: 8pt)[\n" + "\n\n".join(inner) + "\n]")
            elif block.kind == "faq":
                for q, a in data:
                    lines += [f"=== {typst_text(q)}", typst_text(a)]
            elif block.kind == "contact":
                name = [v for label, v in data if not label]
                lines += [typst_text(v) for v in name]
                cells = ", ".join(f"table.cell()[{typst_text(label)}], [{typst_text(value)}]"
                                  for label, value in data if label)
                lines.append(f"#table(columns: 2, stroke: none, {cells})")
            elif block.kind == "language_help":
                lines += [f'#text(lang: "{lang}")[{typst_text(line)}]' if lang else typst_text(line)
                          for lang, line in data]
            lines.append("")
    return "\n\n".join(lines) + "\n"


def outline(path: Path) -> list[str]:
    """poppler's structure outline, text shortened."""
    out = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True).stdout
    return [line if len(line) < 60 else line[:57] + "..." for line in out.splitlines()]


def describe(path: Path) -> list[str]:
    """Size, role counts and the tagging keys of one PDF (pikepdf)."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        roles: collections.Counter[str] = collections.Counter()

        def walk(element: Any) -> None:
            if isinstance(element, pikepdf.Dictionary) and "/S" in element:
                roles[str(element.S)[1:]] += 1
                kids = element.get("/K")
                for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []:
                    walk(kid)

        root = pdf.Root.StructTreeRoot
        for kid in root.K if isinstance(root.K, pikepdf.Array) else [root.K]:
            walk(kid)
        meta = bytes(pdf.Root.Metadata.read_bytes()).decode() if "/Metadata" in pdf.Root else ""
        page = pdf.pages[0]
        ua = "1" if re.search(r"pdfuaid:part(>|=.)1", meta) else "missing"
        return [f"{path.name}: {path.stat().st_size} bytes, {len(pdf.pages)} pages, PDF {pdf.pdf_version}",
                f"  Lang {pdf.Root.get('/Lang')}, MarkInfo {dict(pdf.Root.MarkInfo)}, "
                f"DisplayDocTitle {pdf.Root.ViewerPreferences.get('/DisplayDocTitle')}",
                f"  pdfuaid:part {ua}, RoleMap {'/RoleMap' in root}, page Tabs {page.get('/Tabs')}",
                "  roles: " + ", ".join(f"{role} {n}" for role, n in sorted(roles.items()))]


def main() -> None:
    """Build both PDFs and print what tells them apart."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    import typst

    sys.path.insert(0, str(ROOT))
    from handouts.build import load_inputs, plan
    from handouts.layout import render
    from handouts.layouts import load_layout
    from handouts.resolve import resolve_jobs

    out = args.out or Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    content, clinics = load_inputs(ROOT / "content.yaml")
    doc = resolve_jobs(content, plan(content, clinics, documents=["handout"], clinic_ids=["harbor"], langs=["en"]))[0]
    (out / "handouts.pdf").write_bytes(render(doc, load_layout("standard", ROOT / "layouts"))[0])  # type: ignore[arg-type]
    if doc.logo is not None:  # type: ignore[union-attr]
        shutil.copy(doc.logo, out / "logo.png")  # type: ignore[union-attr]
    (out / "handout.typ").write_text(typst_source(doc), encoding="utf-8")
    typst.compile(str(out / "handout.typ"), output=str(out / "typst.pdf"), font_paths=[str(ROOT / "handouts" / "fonts")],
                  pdf_standards="ua-1")
    print(f"command: python bench/typst_compare.py --out {out}")
    for name in ("handouts.pdf", "typst.pdf"):
        print("\n".join(describe(out / name)))
    left, right = outline(out / "handouts.pdf"), outline(out / "typst.pdf")
    print(f"\n{'handouts (ReportLab)':<62}| typst (PDF/UA-1)")
    for i in range(max(len(left), len(right))):
        print(f"{left[i] if i < len(left) else '':<62}| {right[i] if i < len(right) else ''}")


if __name__ == "__main__":
    main()

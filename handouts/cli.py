"""The `handouts` command line: turns options into one library call and prints the result."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, Callable

import click

from handouts import __version__
from handouts.build import DEFAULT_CONTENT, DEFAULT_LAYOUT, DEFAULT_OUT


def _inputs(command: Callable[..., Any]) -> Callable[..., Any]:
    """--content and --clinics, the same for every command that reads them."""

    @click.option("--content", "content_path", type=click.Path(dir_okay=False, path_type=Path),
                  default=DEFAULT_CONTENT, show_default=True,
                  help="The content file: clinical text, documents and (sample) clinics. "
                       "Layouts are read from layouts/ beside it.")
    @click.option("--clinics", "clinics_path", type=click.Path(dir_okay=False, path_type=Path),
                  help="Clinics to use instead of those in the content file: YAML with a top-level "
                       "`clinics:` list, or CSV with a header row (languages and treatments separated by ';').")
    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        return command(**kwargs)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handouts")
def main() -> None:
    """Make branded, printable patient handouts and aftercare sheets for ketamine clinics.

    Clinical text lives once in content.yaml; each clinic supplies its name, phone, logo,
    colours, languages and treatments; layouts/ decides how pages look.

    Exit codes: 0 all built; 1 some documents failed (the rest were built; each failure is
    named on stderr and in manifest.json); 2 invalid input or usage, a problem every document
    would share (SOURCE_DATE_EPOCH, layout, output folder) or another run holding the output
    folder (nothing written).
    """


@main.command()
@click.argument("documents", nargs=-1, metavar="[DOCUMENT]...")
@_inputs
@click.option("--clinic", "clinic_ids", multiple=True, metavar="ID",
              help="Build only this clinic (repeat for several). Default: every clinic.")
@click.option("--lang", "langs", multiple=True, metavar="CODE",
              help="Build only this language, e.g. es (repeatable). Default: each clinic's own languages.")
@click.option("--layout", "layout_name", default=DEFAULT_LAYOUT, show_default=True, metavar="NAME",
              help="A layout in layouts/ (standard, a4, large-print, ...) or a path to a layout .yaml file.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
              show_default=True, help="Folder for the PDFs (OUT/<clinic>/<document>.<lang>.pdf) and manifest.json.")
@click.option("--force", is_flag=True,
              help="Rebuild every selected document, even those whose inputs and PDF are unchanged since the last run.")
def build(documents: tuple[str, ...], content_path: Path, clinics_path: Path | None, clinic_ids: tuple[str, ...],
          langs: tuple[str, ...], layout_name: str, out_dir: Path, force: bool) -> None:
    """Build DOCUMENTs (default: all of them) for every selected clinic and language.

    Per-treatment documents such as aftercare are built once per treatment the clinic
    offers: OUT/<clinic>/aftercare-esketamine.en.pdf. A document whose text, clinic values,
    layout, fonts, logo and date are the same as when its PDF was built, and whose PDF is
    unchanged, is left as it is (--force rebuilds it).
    """
    from handouts.build import build as run_build

    report = run_build(content_path, clinics_path, documents, clinic_ids, langs, layout_name, out_dir, force)
    for entry in report.run.files:
        click.echo(f"{out_dir / entry.path}  ({entry.pages} page{'s' if entry.pages != 1 else ''})")
    for warning in report.run.warnings:
        click.echo(f"WARNING {warning['path']}: {warning['warning']}", err=True)
    for failure in report.run.failed:
        click.echo(f"FAILED {failure['clinic']}/{failure['name']}: {failure['reason']}", err=True)
    for note in report.notes:
        click.echo(f"NOTE {note}", err=True)
    unchanged = f", {len(report.unchanged)} unchanged" if report.unchanged else ""
    summary = (f"{len(report.run.files)} PDF(s) written to {out_dir}{unchanged}; {out_dir / 'manifest.json'} lists "
               f"{len(report.manifest.files)}")
    if report.run.failed:
        click.echo(f"{summary}; {len(report.run.failed)} failed.", err=True)
        sys.exit(1)
    click.echo(summary + ".")


@main.command("list")
@_inputs
def list_command(content_path: Path, clinics_path: Path | None) -> None:
    """Show the clinics, documents, languages and layouts the content offers."""
    from handouts.build import load_inputs
    from handouts.layouts import available, layout_dir

    content, clinics = load_inputs(content_path, clinics_path)
    click.echo(f"Content version {content.version}, reviewed {content.reviewed}\n")
    click.echo("Clinics:")
    for clinic in clinics:
        name = clinic.fields["name"]
        name = name.get("en", next(iter(name.values()))) if isinstance(name, dict) else name
        click.echo(f"  {clinic.id:<20} {name}")
        click.echo(f"  {'':<20} languages: {', '.join(clinic.languages)}; treatments: {', '.join(clinic.treatments)}")
    click.echo("\nDocuments:")
    for doc in content.documents.values():
        kind = "one per treatment offered" if doc.per_treatment else "one per clinic and language"
        first = next(iter(doc.title.values()))
        click.echo(f"  {doc.id:<20} {kind}  ({first.source})")
    click.echo("\nLanguages:")
    for code, name in content.languages.items():
        click.echo(f"  {code:<20} {name}")
    click.echo("\nLayouts:")
    for name in available(layout_dir(content_path)):
        click.echo(f"  {name}")

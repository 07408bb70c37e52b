"""The `handouts` command line: turns options into one library call and prints the result."""

from __future__ import annotations

import functools
import os
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


class _InputError(click.ClickException):
    """A HandoutsError's exit code 2: invalid input or usage, nothing written."""

    exit_code = 2


class _Handouts(click.Group):
    """The command group: --debug anywhere on the line; an unexpected error is one line and exit 1."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:  # noqa: D102 - click's entry point
        args = list(sys.argv[1:] if args is None else args)
        before = os.environ.get("HANDOUTS_DEBUG")
        if "--debug" in args[:args.index("--") if "--" in args else len(args)]:
            args.remove("--debug")
            os.environ["HANDOUTS_DEBUG"] = "1"  # worker processes inherit it
        try:
            return super().main(args, *rest, **kwargs)
        finally:
            if before is None:
                os.environ.pop("HANDOUTS_DEBUG", None)
            else:
                os.environ["HANDOUTS_DEBUG"] = before

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a library error (handouts.errors.HandoutsError, which knows nothing of click)
        is shown as click shows its own, `Error: ...` on stderr, and exits with the error's code."""
        from handouts.errors import DEBUG_HINT, HandoutsError, debugging, stable_reason

        try:
            return super().invoke(ctx)
        except HandoutsError as exc:
            raise (_InputError if exc.exit_code == 2 else click.ClickException)(exc.message) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            if debugging():
                raise  # Python prints the traceback; the exit code is 1
            raise click.ClickException(f"unexpected error ({type(exc).__name__}: {stable_reason(str(exc))}). "
                                       f"This is a fault in handouts, not in your files: {DEBUG_HINT}, and "
                                       "include it when you report the problem.") from None


@click.group(cls=_Handouts, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handouts")
def main() -> None:
    """Make branded, printable patient handouts, aftercare sheets, consent forms and packets for ketamine clinics.

    Clinical text lives once in content.yaml; each clinic supplies its name, phone, logo,
    colours, languages and treatments; layouts/ decides how pages look.

    Exit codes: 0 all built; 1 some documents failed (the rest were built; each failure is
    named on stderr and in manifest.json); 2 invalid input or usage, a problem every document
    would share (SOURCE_DATE_EPOCH, layout, output folder) or another run holding the output
    folder (nothing written); 130 a build stopped by Ctrl-C or SIGTERM (its manifest lists what
    was finished).

    --debug (anywhere on the command line) or HANDOUTS_DEBUG=1 prints the traceback of an
    unexpected error, which otherwise is one line ending in how to see it.
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
@click.option("-j", "--jobs", "workers", type=click.IntRange(min=1), metavar="N",
              help="Make documents in N worker processes. Default: one per processor.")
def build(documents: tuple[str, ...], content_path: Path, clinics_path: Path | None, clinic_ids: tuple[str, ...],
          langs: tuple[str, ...], layout_name: str, out_dir: Path, force: bool, workers: int | None) -> None:
    """Build DOCUMENTs (default: all of them) for every selected clinic and language.

    Per-treatment documents such as aftercare are built once per treatment the clinic
    offers: OUT/<clinic>/aftercare-esketamine.en.pdf. A document whose text, clinic values,
    layout, fonts, logo and date are the same as when its PDF was built, and whose PDF is
    unchanged, is left as it is (--force rebuilds it). On a terminal a progress bar shows
    while the documents are made; the run ends with one summary line.
    """
    import time

    from handouts.build import build as run_build

    started = time.monotonic()
    try:
        with _Progress() as progress:
            report = run_build(content_path, clinics_path, documents, clinic_ids, langs, layout_name, out_dir, force,
                               workers, progress)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the manifest already lists what was finished
        click.echo(f"Interrupted: {out_dir / 'manifest.json'} lists what was finished; run the build again to "
                   "finish the rest.", err=True)
        sys.exit(130)
    for entry in report.run.files:
        click.echo(f"{out_dir / entry.path}  ({entry.pages} page{'s' if entry.pages != 1 else ''})")
    for warning in report.run.warnings:
        click.echo(f"WARNING {warning['path']}: {warning['warning']}", err=True)
    for failure in report.run.failed:
        click.echo(f"FAILED {failure['clinic']}/{failure['name']}: {failure['reason']}", err=True)
    for note in report.notes:
        click.echo(f"NOTE {note}", err=True)
    summary = (f"{len(report.run.files)} built, {len(report.unchanged)} unchanged, {len(report.run.failed)} failed "
               f"in {time.monotonic() - started:.1f} s; {out_dir / 'manifest.json'} lists {len(report.manifest.files)}.")
    click.echo(summary, err=bool(report.run.failed))
    if report.run.failed:
        sys.exit(1)


class _Progress:
    """click's progress bar on stderr while documents are made, when stderr is a terminal; nothing otherwise."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._done = 0

    def __enter__(self) -> _Progress:
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if not sys.stderr.isatty():
                return
            self._bar = click.progressbar(length=total, label="Building", file=sys.stderr, show_pos=True,
                                          show_eta=True).__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def _one_document(command: Callable[..., Any]) -> Callable[..., Any]:
    """--clinic, --treatment, --lang and --layout for a command that makes one document."""

    @click.option("--clinic", "clinic_id", metavar="ID", help="The clinic (needed when the clinics file has several).")
    @click.option("--treatment", metavar="ID",
                  help="iv, esketamine, im or troche. Default: the clinic's only treatment.")
    @click.option("--lang", metavar="CODE", help="Language, e.g. es. Default: the clinic's first language.")
    @click.option("--layout", "layout_name", default=DEFAULT_LAYOUT, show_default=True, metavar="NAME",
                  help="A layout in layouts/ (standard, a4, large-print, ...) or a path to a layout .yaml file.")
    @click.option("--patient-name", metavar="NAME", help="Prefill the patient's name (with --dob and --mrn).")
    @click.option("--dob", metavar="DATE", help="Prefill the date of birth: 1984-03-02 or 03/02/1984.")
    @click.option("--mrn", metavar="MRN", help="Prefill the medical record number.")
    @click.option("--provider", metavar="NAME", help="Prefill the provider's printed name.")
    @click.option("--flatten", is_flag=True,
                  help="Make the values part of the page: no fields left to change (print-ready, for the chart).")
    @click.option("--qr-mrn", is_flag=True,
                  help="Put the MRN in each page's QR code too (never the name or date of birth).")
    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        return command(**kwargs)

    return wrapper


def _selection(content_path: Path, clinics_path: Path | None, clinic_id: str | None, treatment: str | None,
               lang: str | None, layout_name: str) -> Any:
    from handouts.api import Selection

    return Selection(content_path, clinics_path, clinic_id, treatment, lang, layout_name)


def _patient(name: str | None, dob: str | None, mrn: str | None, provider: str | None) -> Any:
    """The patient from --patient-name, --dob, --mrn and --provider; None when none of them is given."""
    from handouts.errors import HandoutsError
    from handouts.patients import check_patient

    given = {"patient_name": name, "dob": dob, "mrn": mrn, "provider": provider}
    if not any(given.values()):
        return None
    patient, problems = check_patient({k: v or "" for k, v in given.items()})
    if patient is None:  # the option names, as the user typed them
        options = {"patient_name": "--patient-name", "dob": "--dob", "mrn": "--mrn", "provider": "--provider"}
        raise HandoutsError([options[p.split(":")[0]] + p[p.index(":"):] for p in problems])
    return patient


def _wrote(path: Path, data: bytes) -> None:
    from pypdf import PdfReader
    import io

    pages = len(PdfReader(io.BytesIO(data)).pages)
    click.echo(f"{path}  ({pages} page{'s' if pages != 1 else ''})")


@main.command()
@_inputs
@_one_document
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the consent to this file (one patient, or blank).")
@click.option("--patients", "patients_path", type=click.Path(dir_okay=False, path_type=Path),
              help="A CSV with columns patient_name, dob, mrn and optionally provider: one consent per row, in --out.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="With --patients: the folder for the consents (created readable by you only).")
def consent(content_path: Path, clinics_path: Path | None, clinic_id: str | None, treatment: str | None,
            lang: str | None, layout_name: str, patient_name: str | None, dob: str | None, mrn: str | None,
            provider: str | None, flatten: bool, qr_mrn: bool, output: Path | None, patients_path: Path | None,
            out_dir: Path | None) -> None:
    """Make an informed-consent form: blank and fillable, prefilled for a patient, or one per patient in a CSV.

    Prefilled consents are written readable by their owner only (mode 0600), and named by
    CSV line, never by a patient's name or date of birth: OUT/consent-iv.en.line-2.pdf (OUT
    must be new or empty). A bad row is reported by its line and skipped; the other rows are
    built (exit code 1). Signatures, dates and times are left for the signers.
    """
    from handouts.api import consent as make_consent, consents_for_patients, write_pdf
    from handouts.errors import HandoutsError

    selection = _selection(content_path, clinics_path, clinic_id, treatment, lang, layout_name)
    patient = _patient(patient_name, dob, mrn, provider)
    if patients_path is not None:
        if output is not None or patient is not None or out_dir is None:
            raise HandoutsError(["--patients writes one file per row into --out DIR; it takes no -o "
                                 "and no --patient-name, --dob, --mrn or --provider"])
        run = consents_for_patients(selection, patients_path, out_dir, flatten, qr_mrn)
        for line, path in run.written:
            click.echo(f"line {line}: {path}")
        for problem in run.failed:
            click.echo(f"SKIPPED {problem}", err=True)
        where = f" to {out_dir}" if run.written else ""
        click.echo(f"{len(run.written)} consent(s) written{where}; {len(run.failed)} row(s) skipped.",
                   err=bool(run.failed))
        if run.failed:
            sys.exit(1)
        return
    if output is None:
        raise HandoutsError(["give -o FILE for the consent (or --patients FILE.csv --out DIR for a list)"])
    data = make_consent(selection, patient, flatten, qr_mrn)
    write_pdf(output, data, private=patient is not None)
    _wrote(output, data)


@main.command()
@_inputs
@_one_document
@click.option("--attach", "attachments", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Add a PDF at the end, e.g. the Spravato REMS enrollment form (repeatable). "
                   "It is checked in a separate, limited process first.")
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Write the packet to this file.")
def packet(content_path: Path, clinics_path: Path | None, clinic_id: str | None, treatment: str | None,
           lang: str | None, layout_name: str, patient_name: str | None, dob: str | None, mrn: str | None,
           provider: str | None, flatten: bool, qr_mrn: bool, attachments: tuple[Path, ...], output: Path) -> None:
    """Make a packet: handout, consent and aftercare for one clinic, treatment and language, plus attachments.

    One PDF with a bookmark per part; every form in it still works (the consent's fields are
    named consent.patient_name, ...). --flatten flattens the consent only; attached forms stay
    fillable. A packet with a patient's values or an attachment is written readable by its
    owner only (0600).
    """
    from handouts.api import packet as make_packet, write_pdf

    selection = _selection(content_path, clinics_path, clinic_id, treatment, lang, layout_name)
    patient = _patient(patient_name, dob, mrn, provider)
    data = make_packet(selection, attachments, patient, flatten, qr_mrn)
    # An attached form may carry a patient's details too: only its owner may read the packet.
    write_pdf(output, data, private=patient is not None or bool(attachments))
    _wrote(output, data)


@main.command()
@click.argument("document", metavar="DOCUMENT")
@_inputs
@click.option("--clinic", "clinic_id", metavar="ID", help="The clinic (needed when the clinics file has several).")
@click.option("--treatment", metavar="ID",
              help="For a per-treatment document (aftercare, consent): iv, esketamine, im or troche. "
                   "Default: the clinic's only treatment.")
@click.option("--lang", metavar="CODE", help="Language, e.g. es. Default: the clinic's first language.")
@click.option("--layout", "layout_name", default=DEFAULT_LAYOUT, show_default=True, metavar="NAME",
              help="A layout in layouts/ (standard, a4, large-print, ...) or a path to a layout .yaml file.")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="The page to draw, counting from 1.")
@click.option("--dpi", type=click.FloatRange(min=20, max=600), default=110, show_default=True, metavar="DPI",
              help="Pixels per inch of paper (110: a Letter page is 935 x 1210 pixels; 300 for print detail).")
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Write the page to this .png file.")
def preview(document: str, content_path: Path, clinics_path: Path | None, clinic_id: str | None,
            treatment: str | None, lang: str | None, layout_name: str, page: int, dpi: float, output: Path) -> None:
    """Draw one page of DOCUMENT (handout, aftercare, consent, ...) to a PNG, to look at without a PDF viewer.

    The document is made as `handouts build` makes it, in memory: no PDF is written. A consent
    is drawn blank, with its fields.
    """
    from handouts.preview import preview as make_preview, write_png

    if output.suffix.lower() != ".png":
        raise click.BadParameter(f"{output} does not end in .png: preview writes a PNG image", param_hint="'-o'")
    shown = make_preview(_selection(content_path, clinics_path, clinic_id, treatment, lang, layout_name),
                         document, page, dpi)
    write_png(output, shown.png)
    click.echo(f"{output}  (page {shown.page} of {shown.pages}, {shown.width} x {shown.height} pixels at {dpi:g} dpi)")


@main.command()
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite starter files that are already in DIR.")
def init(folder: Path, force: bool) -> None:
    """Start a content folder in DIR: content.yaml, layouts/, logos/ and a sample clinics.csv.

    DIR is made if it is missing; a file that is already there is left alone, and nothing is
    written, unless --force. Then `cd DIR && handouts build` builds the sample clinics.
    """
    import shlex

    from handouts.init import init_folder

    for path in init_folder(folder, force):
        click.echo(str(path))
    click.echo(f"\nNext: cd {shlex.quote(str(folder))} && handouts build\n"
               "Then put your clinics in clinics.csv (build them with `handouts build --clinics clinics.csv`), "
               "edit the text in content.yaml and check it with `handouts list`.")


@main.command("serve")
@_inputs
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. The default is this computer only; another address lets other "
                   "computers on the network open the page (and the patient values typed into it).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True,
              help="The port to listen on (0: any free port, printed when the page is ready).")
def serve_command(content_path: Path, clinics_path: Path | None, host: str, port: int) -> None:
    """Serve the front-desk page: pick a location, document, language and patient, preview it and print.

    Content, clinics, layouts and logos are read again on every request, so an edit shows on the
    next one; a mistake in them shows on the page. Nothing typed into the page is logged or saved.
    """
    from handouts.web.server import is_loopback, serve

    if not is_loopback(host):
        click.echo(f"WARNING --host {host}: the page, and the patient values typed into it, can be reached from "
                   "other computers, over plain HTTP. Use it only on a network you trust.", err=True)
    serve(content_path, clinics_path, host, port, ready=lambda url: click.echo(f"The page is at {url} (Ctrl-C stops it)."))


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


@main.command("check")
@_inputs
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line a finding; json: the findings as a JSON document on stdout.")
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings (and no errors).")
def check_command(content_path: Path, clinics_path: Path | None, output_format: str, strict: bool) -> None:
    """Check every document for every clinic, language and treatment, without writing a PDF.

    Finds template and schema mistakes, characters no font has, reading level above the
    target (handout and aftercare grade 6, consent grade 8), treatment facts a text must carry
    or must never carry (handouts/check/facts.yaml, each rule naming its source), consent
    elements missing by section role, colours below WCAG AA contrast, and logos too small to
    print sharp. Exit codes: 0 no errors (warnings allowed); 1 warnings with --strict; 2 errors.
    No network is used.
    """
    import json

    from handouts.check import run_checks

    report = run_checks(content_path, clinics_path)
    if output_format == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for finding in report.findings:
            click.echo(str(finding))
        click.echo(f"{report.documents} document(s) checked: {len(report.errors)} error(s), "
                   f"{len(report.warnings)} warning(s).")
    if report.errors:
        sys.exit(2)
    if report.warnings and strict:
        sys.exit(1)


@main.command("schema")
@click.argument("which", type=click.Choice(["content", "clinics"]), default="content", metavar="[content|clinics]")
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema to FILE instead of printing it.")
def schema_command(which: str, output: Path | None) -> None:
    """Print the JSON Schema of content.yaml (content) or of a clinics YAML file (clinics).

    Made from the spec the validator checks against, so an editor with the YAML language server
    flags unknown keys, missing ones and wrong values as you type. content.yaml's first line,
    `# yaml-language-server: $schema=layouts/content.schema.json`, points it at the file that
    `handouts schema -o layouts/content.schema.json` writes (and `handouts init` writes too).
    """
    from handouts.errors import HandoutsError, Problem, Where
    from handouts.schema import schema_text
    from handouts.write import atomic_write, cause

    text = schema_text(which)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        atomic_write(output, text.encode("utf-8"))
    except OSError as exc:
        raise HandoutsError([Problem(Where(str(output)), f"could not be written: {cause(exc)}")]) from None
    click.echo(str(output))

"""The orchestrator: load → validate → resolve → lay out → post-process → write, in that order.

Nothing is written until every input has been read, checked and resolved, and until the problems
every document would share (SOURCE_DATE_EPOCH, the layout's geometry, the output folder) are ruled
out. Then the folder is locked and cleared of a killed run's temp files, each document is written
atomically, a document that fails does not stop the others, and manifest.json is brought up to date.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from handouts.clinics import load_clinics
from handouts.errors import HandoutsError, Problem, Where, fail_if
from handouts.fingerprint import fingerprint
from handouts.load import load_yaml
from handouts.manifest import MANIFEST_NAME, Manifest, ManifestEntry, RunReport, read_manifest, reconcile
from handouts.model import Clinic, Content, Job, Layout, ResolvedDocument
from handouts.outdir import folder_problems, pdfs_on_disk, remove_stale_parts, take_lock
from handouts.post import pdf_date
from handouts.preflight import epoch_problems, geometry_problems, layout_file
from handouts.validate import validate_content
from handouts.write import atomic_write, cause, sha256

if TYPE_CHECKING:  # resolve brings in Jinja2 and ReportLab, which `handouts list` never needs
    from handouts.resolve import Failure

DEFAULT_CONTENT = Path("content.yaml")
DEFAULT_OUT = Path("output")
DEFAULT_LAYOUT = "standard"
LARGE_PRINT = 14.0  # body size from which a layout is large print: it takes the pages it needs, past any budget
REASON_MAX = 300  # characters of a library's message kept in a failure's reason
_ADDRESS = re.compile(r"\s*\bat 0x[0-9a-fA-F]+|\b0x[0-9a-fA-F]{6,}")  # "<Paragraph at 0x7f...>" differs every run


def load_inputs(content_path: Path, clinics_path: Path | None = None) -> tuple[Content, tuple[Clinic, ...]]:
    """The validated content and the clinics to build for (from --clinics, else from the content)."""
    content = validate_content(load_yaml(content_path), content_path)
    if clinics_path is not None:
        return content, load_clinics(clinics_path, content.languages, content.treatments)
    if not content.clinics:
        raise HandoutsError([Problem(Where(str(content_path), 0, "clinics"),
                                     "no clinics: add a `clinics:` list here or pass --clinics FILE")])
    return content, content.clinics


def plan(
    content: Content,
    clinics: tuple[Clinic, ...],
    documents: Iterable[str] = (),
    clinic_ids: Iterable[str] = (),
    langs: Iterable[str] = (),
) -> list[Job]:
    """Every (clinic, document, language, treatment) to build; unknown names are usage errors."""
    documents, clinic_ids, langs = list(documents), list(clinic_ids), list(langs)
    problems: list[str] = []
    by_id = {c.id: c for c in clinics}
    for name, asked, known in (("document", documents, content.documents),
                               ("clinic", clinic_ids, by_id), ("language", langs, content.languages)):
        for item in asked:
            if item not in known:
                problems.append(f"unknown {name} {item!r} (known: {', '.join(known)})")
    fail_if([Problem(Where(""), p) for p in problems])
    jobs: list[Job] = []
    for clinic in [by_id[c] for c in dict.fromkeys(clinic_ids)] or clinics:
        # A clinic prints only the languages its record lists (its texts are checked for those).
        clinic_langs = [lang for lang in dict.fromkeys(langs) if lang in clinic.languages] if langs else clinic.languages
        missing = [lang for lang in langs if lang not in clinic.languages]
        if missing and clinic.id in clinic_ids:
            problems.append(f"clinic {clinic.id!r} does not list language {missing[0]!r} "
                            f"(its languages: {', '.join(clinic.languages)}; see {clinic.where_of('languages')})")
        for doc_id in list(dict.fromkeys(documents)) or list(content.documents):
            document = content.documents[doc_id]
            treatments = clinic.treatments if document.per_treatment else (None,)
            for lang in clinic_langs:
                jobs.extend(Job(clinic, document, lang, t) for t in treatments)
    names = [f"{job.clinic.id}/{job.name}" for job in jobs]
    problems.extend(f"two documents would both be written to {n}.pdf: rename one document id"
                    for n in sorted({n for n in names if names.count(n) > 1}))
    if not jobs and not problems:
        problems.append("nothing to build: no selected clinic lists the selected language")
    fail_if([Problem(Where(""), p) for p in problems])
    return jobs


def build(
    content_path: Path = DEFAULT_CONTENT,
    clinics_path: Path | None = None,
    documents: Iterable[str] = (),
    clinic_ids: Iterable[str] = (),
    langs: Iterable[str] = (),
    layout_name: str = DEFAULT_LAYOUT,
    out_dir: Path = DEFAULT_OUT,
    force: bool = False,
) -> RunReport:
    """Build the selected documents into `out_dir` and bring its manifest.json up to date; returns what was done.

    A document whose fingerprint (handouts.fingerprint) and PDF are the same as the manifest
    records is left as it is, unless `force`.
    """
    from handouts.layouts import layout_dir, load_layout
    from handouts.resolve import resolve_jobs

    content, clinics = load_inputs(content_path, clinics_path)
    directory = layout_dir(content_path).resolve()
    layout = load_layout(layout_name, directory)
    jobs = plan(content, clinics, documents, clinic_ids, langs)
    results = resolve_jobs(content, jobs)
    # Problems every document would share stop the run here, before the folder is touched.
    fail_if([*epoch_problems(), *geometry_problems(layout, content.labels, layout_file(layout_name, directory)),
             *folder_problems(out_dir, [_target(job) for job in jobs])])
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HandoutsError([Problem(Where(str(out_dir)), f"cannot create the output folder: {cause(exc)}")]) from None
    lock = take_lock(out_dir)
    try:
        notes = [lock.note] if lock.note else []
        notes += remove_stale_parts(out_dir)
        old, read_notes = read_manifest(out_dir / MANIFEST_NAME)
        notes += read_notes
        run = Manifest(content.version, layout.name)
        attempted: set[str] = set()
        unchanged: list[str] = []
        previous = {entry.path: entry for entry in (old.files if old else [])}
        try:
            for result in results:
                digest = _digest(result, layout)
                entry = previous.get(_target(result.job))
                if digest and entry is not None and not force and _unchanged(entry, digest, out_dir):
                    unchanged.append(entry.path)  # its entry stays: reconcile keeps what still matches
                    _budget(result.job, entry.pages, layout, run)  # the budget may have changed since
                    continue
                attempted.add(_build_one(result, layout, out_dir, run, digest))
        finally:
            # Even an interrupted run (Ctrl-C) leaves a manifest that describes the folder as it is.
            manifest, reconcile_notes = reconcile(out_dir, old, run, attempted, pdfs_on_disk(out_dir), set(unchanged))
            _write_manifest(out_dir / MANIFEST_NAME, manifest)
        return RunReport(run, manifest, notes + reconcile_notes, unchanged)
    finally:
        lock.release()


def _target(job: Job) -> str:
    """Where a job's PDF goes, relative to the output folder."""
    return f"{job.clinic.id}/{job.name}.pdf"


def _digest(result: ResolvedDocument | Failure, layout: Layout) -> str:
    """The fingerprint of a document that can be made; "" (build it) for a failure or a logo that cannot be read."""
    if not isinstance(result, ResolvedDocument):
        return ""
    try:
        return fingerprint(result, layout, pdf_date(result.reviewed))
    except OSError:  # the logo went missing since validation: building it names the problem for that document
        return ""


def _unchanged(entry: ManifestEntry, digest: str, out_dir: Path) -> bool:
    """Whether the manifest's entry was made from the same fingerprint and its PDF is still the one it lists."""
    if entry.fingerprint != digest:
        return False
    try:
        return sha256((out_dir / entry.path).read_bytes()) == entry.sha256
    except OSError:
        return False


def _build_one(result: ResolvedDocument | Failure, layout: Layout, out_dir: Path, run: Manifest, digest: str) -> str:
    """Lay out, finish and write one document, or record why it failed; returns its path in the folder."""
    from handouts.resolve import Failure

    job = result.job
    relative = _target(job)
    made = [str(p) for p in result.problems] if isinstance(result, Failure) else make_pdf(result, layout)
    if isinstance(made, tuple):
        pdf, pages = made
        try:
            atomic_write(out_dir / relative, pdf)
        except OSError as exc:
            made = [f"could not be written to {out_dir / relative}: {cause(exc)}"]
    if isinstance(made, list):
        try:
            # An older copy of this document must not stay beside the new manifest looking current.
            (out_dir / relative).unlink(missing_ok=True)
        except OSError as exc:
            run.unknown.append({"path": relative, "reason": "an older copy: its document failed, and it could not "
                                                            f"be removed ({cause(exc)})"})
        run.failed.append({"clinic": job.clinic.id, "document": job.document.id, "treatment": job.treatment,
                           "language": job.lang, "name": job.name, "reason": "; ".join(made)})
        return relative
    _budget(job, pages, layout, run)
    run.files.append(ManifestEntry(
        path=relative, clinic=job.clinic.id, document=job.document.id, treatment=job.treatment,
        language=job.lang, layout=layout.name, pages=pages, bytes=len(pdf), sha256=sha256(pdf),
        content_version=run.content_version, fingerprint=digest,
    ))
    return relative


def _budget(job: Job, pages: int, layout: Layout, run: Manifest) -> None:
    """Warn when a document runs past its page budget (below large print, which takes the pages it needs)."""
    budget = job.document.pages
    if budget is not None and pages > budget and layout.type["body"] < LARGE_PRINT:
        run.warnings.append({"path": _target(job), "warning": f"{pages} pages, more than the {budget} that "
                             f"{job.document.where.path}.pages allows: shorten the text or the clinic's values"})


def make_pdf(doc: ResolvedDocument, layout: Layout, qr_mrn: str | None = None) -> tuple[bytes, int] | list[str]:
    """The finished PDF and its page count, or the reasons it cannot be made (stable text, for the manifest)."""
    from reportlab.platypus.doctemplate import LayoutError

    from handouts.layout import render

    try:
        return render(doc, layout, qr_mrn)
    except LayoutError as exc:
        return [f"does not fit on the page with layout {layout.name!r}: {_stable(str(exc))}"]
    except HandoutsError as exc:
        return [str(p) for p in exc.problems]
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop a chain's batch
        return [f"could not be laid out ({type(exc).__name__}: {_stable(str(exc))})"]


def _stable(message: str) -> str:
    """A library's message without what differs run to run (object addresses), on one line, not too long."""
    message = " ".join(_ADDRESS.sub("", message).split())
    return message if len(message) <= REASON_MAX else message[:REASON_MAX - 1] + "…"


def _write_manifest(path: Path, manifest: Manifest) -> None:
    """Write manifest.json; if that fails, remove the old one, which no longer describes the folder."""
    try:
        atomic_write(path, manifest.to_json().encode("utf-8"))
    except OSError as exc:
        try:
            path.unlink(missing_ok=True)
            left = "the old one was removed, as it no longer describes the folder"
        except OSError:
            left = "the old one could not be removed either and no longer describes the folder"
        error = HandoutsError([Problem(Where(str(path)), f"could not be written ({cause(exc)}); {left}: "
                                                         "run the build again when the cause is fixed")])
        error.exit_code = 1  # PDFs were written: this is not the "nothing written" of exit code 2
        raise error from None

"""The orchestrator: load → validate → resolve → lay out → post-process → write, in that order.

Nothing is written until every input has been read, checked and resolved, and until the problems
every document would share (SOURCE_DATE_EPOCH, the layout's geometry, the output folder) are ruled
out. Then the folder is locked and cleared of a killed run's temp files, each document is written
atomically, a document that fails does not stop the others, and manifest.json is brought up to date.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

from handouts.clinics import load_clinics
from handouts.errors import HandoutsError, Problem, RunFailure, Where, fail_if, stable_reason, unexpected
from handouts.load import load_yaml
from handouts.manifest import MANIFEST_NAME, Manifest, RunReport, read_manifest, reconcile
from handouts.model import Clinic, Content, Job, Layout, ResolvedDocument
from handouts.outdir import folder_problems, pdfs_on_disk, remove_stale_parts, take_lock
from handouts.preflight import epoch_problems, geometry_problems, header_problems, layout_file
from handouts.validate import validate_content
from handouts.workers import Batch, Known, Outcome, default_workers, target
from handouts.workers import run as run_batch
from handouts.write import CAN_FLUSH_ALL, atomic_write, cause, flush_all

DEFAULT_CONTENT = Path("content.yaml")
DEFAULT_OUT = Path("output")
DEFAULT_LAYOUT = "standard"
LARGE_PRINT = 14.0  # body size from which a layout is large print: it takes the pages it needs, past any budget


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
    skip_incomplete: bool = False,
) -> list[Job]:
    """Every (clinic, document, language, treatment) to build; unknown names are usage errors, and so
    is a document in a language it lacks texts in, unless `skip_incomplete` leaves those out."""
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
    incomplete = _incomplete(jobs)
    if skip_incomplete:
        jobs = [job for job in jobs if job.lang not in job.document.gaps]
        incomplete = {}
    for (doc_id, lang), clinic_ids in incomplete.items():
        gaps = content.documents[doc_id].gaps[lang]
        shown = "; ".join(str(p.where) for p in gaps[:3]) + (f"; and {len(gaps) - 3} more" if len(gaps) > 3 else "")
        problems.append(f"documents.{doc_id} is not translated into {lang!r} yet, which clinic(s) "
                        f"{', '.join(sorted(clinic_ids)[:5])} list: missing at {shown}")
    names = Counter(f"{job.clinic.id}/{job.name}" for job in jobs)  # counted once: a chain has many thousands
    clashes: dict[str, list[str]] = {n: [] for n, count in sorted(names.items()) if count > 1}
    for job in jobs if clashes else ():  # which documents make each name that clashes
        name = f"{job.clinic.id}/{job.name}"
        if name in clashes:
            treatment = f" (treatment {job.treatment})" if job.treatment else ""
            clashes[name].append(f"documents.{job.document.id}{treatment}")
    problems.extend(f"two documents would both be written to {n}.pdf: {' and '.join(makers)}; rename one document id"
                    for n, makers in clashes.items())
    if not jobs and not problems:
        problems.append("nothing to build: no selected clinic lists the selected language")
    fail_if([Problem(Where(""), p) for p in problems])
    return jobs


def _incomplete(jobs: list[Job]) -> dict[tuple[str, str], set[str]]:
    """(document, language) -> the clinics that would get that document in a language it lacks texts in."""
    found: dict[tuple[str, str], set[str]] = {}
    for job in jobs:
        if job.lang in job.document.gaps:
            found.setdefault((job.document.id, job.lang), set()).add(job.clinic.id)
    return found


def build(
    content_path: Path = DEFAULT_CONTENT,
    clinics_path: Path | None = None,
    documents: Iterable[str] = (),
    clinic_ids: Iterable[str] = (),
    langs: Iterable[str] = (),
    layout_name: str = DEFAULT_LAYOUT,
    out_dir: Path = DEFAULT_OUT,
    force: bool = False,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Build the selected documents into `out_dir` and bring its manifest.json up to date; returns what was done.

    A document whose fingerprint (handouts.fingerprint) and PDF are the same as the manifest
    records is left as it is, unless `force`. Documents are made by `workers` processes
    (default: one per processor; handouts.workers), each resolved only when it is made;
    `progress(done, total)` is called as each one is finished.
    """
    from handouts.layouts import layout_dir, load_layout
    from handouts.resolve import check_templates

    content, clinics = load_inputs(content_path, clinics_path)
    directory = layout_dir(content_path).resolve()
    layout = load_layout(layout_name, directory)
    jobs = plan(content, clinics, documents, clinic_ids, langs)
    check_templates(content, jobs)  # a mistake every clinic's copy shows stops the run here
    # Problems every document would share stop the run here, before the folder is touched.
    fail_if([*epoch_problems(), *geometry_problems(layout, content.labels, layout_file(layout_name, directory)),
             *header_problems(jobs, layout),
             *folder_problems(out_dir, [target(job) for job in jobs])])
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
        known = {entry.path: Known(entry.fingerprint, entry.sha256, entry.pages) for entry in (old.files if old else [])}

        def record(outcome: Outcome) -> None:
            job = jobs[outcome.index]
            if outcome.kind == "unchanged":
                unchanged.append(outcome.path)  # its entry stays: reconcile keeps what still matches
            else:
                attempted.add(outcome.path)
            if outcome.entry is not None:
                run.files.append(outcome.entry)
            if outcome.failure is not None:
                run.failed.append(outcome.failure)
            if outcome.unknown is not None:
                run.unknown.append(outcome.unknown)
            if outcome.kind != "failed":
                _budget(job, outcome.pages, layout, run)  # for an unchanged one too: the budget may have changed
            if progress is not None:
                progress(len(attempted) + len(unchanged), len(jobs))

        batch = Batch(content, jobs, layout, out_dir, known, force, make_pdf)
        try:
            run_batch(batch, default_workers() if workers is None else workers, record)
        finally:
            # Even an interrupted run (Ctrl-C) leaves a manifest that describes the folder as it is,
            # and lists no PDF that is not yet on disk.
            if CAN_FLUSH_ALL and attempted:
                flush_all(out_dir)
            manifest, reconcile_notes = reconcile(out_dir, old, run, attempted, pdfs_on_disk(out_dir), set(unchanged))
            _write_manifest(out_dir / MANIFEST_NAME, manifest)
        return RunReport(run, manifest, notes + reconcile_notes, sorted(unchanged))
    finally:
        lock.release()


def _budget(job: Job, pages: int, layout: Layout, run: Manifest) -> None:
    """Warn when a document runs past its page budget (below large print, which takes the pages it needs)."""
    budget = job.document.pages
    if budget is not None and pages > budget and layout.type["body"] < LARGE_PRINT:
        run.warnings.append({"path": target(job), "warning": f"{pages} pages, more than the {budget} that "
                             f"{job.document.where.path}.pages allows: shorten the text or the clinic's values"})


def make_pdf(doc: ResolvedDocument, layout: Layout, qr_mrn: str | None = None) -> tuple[bytes, int] | list[str]:
    """The finished PDF and its page count, or the reasons it cannot be made (stable text, for the manifest)."""
    from reportlab.platypus.doctemplate import LayoutError

    from handouts.layout import render

    try:
        return render(doc, layout, qr_mrn)
    except LayoutError as exc:
        return [f"does not fit on the page with layout {layout.name!r}: {stable_reason(str(exc))}"]
    except HandoutsError as exc:
        return [str(p) for p in exc.problems]
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop a chain's batch
        return [unexpected(exc, "could not be laid out")]


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
        # PDFs were written: this is not the "nothing written" of exit code 2.
        raise RunFailure([Problem(Where(str(path)), f"could not be written ({cause(exc)}); {left}: "
                                                    "run the build again when the cause is fixed")]) from None

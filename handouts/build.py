"""The orchestrator: load → validate → resolve → lay out → post-process → write, in that order.

Nothing is written until every input has been read, checked and resolved; then each document
is written atomically, and a document that fails to lay out does not stop the others.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from handouts.clinics import load_clinics
from handouts.errors import HandoutsError, Problem, Where, fail_if
from handouts.load import load_yaml
from handouts.model import Clinic, Content, Job
from handouts.validate import validate_content
from handouts.write import Manifest

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
) -> Manifest:
    """Build the selected documents into `out_dir` and write its manifest.json; returns the manifest."""
    from reportlab.platypus.doctemplate import LayoutError

    from handouts.layout import render
    from handouts.layouts import layout_dir, load_layout
    from handouts.post import finish
    from handouts.resolve import Failure, resolve_jobs
    from handouts.write import ManifestEntry, atomic_write, sha256

    content, clinics = load_inputs(content_path, clinics_path)
    layout = load_layout(layout_name, layout_dir(content_path).resolve())
    results = resolve_jobs(content, plan(content, clinics, documents, clinic_ids, langs))
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch and not epoch.isdigit():
        raise HandoutsError([f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch!r}"])
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HandoutsError([Problem(Where(str(out_dir)), f"cannot create the output folder: {exc.strerror or exc}")]) from None
    manifest = Manifest(content.version, layout.name)
    for result in results:
        job = result.job
        reasons: list[str] = []
        if isinstance(result, Failure):
            reasons = [str(p) for p in result.problems]
        else:
            try:
                pdf, pages = render(result, layout)
                pdf = finish(pdf, result)
            except LayoutError as exc:
                reasons = [f"does not fit on the page with layout {layout.name!r}: {exc}"]
            except HandoutsError as exc:
                reasons = [str(p) for p in exc.problems]
            except Exception as exc:  # noqa: BLE001 - one bad document must not stop a chain's batch
                reasons = [f"could not be laid out ({type(exc).__name__}: {exc})"]
        relative = f"{job.clinic.id}/{job.name}.pdf"
        if reasons:
            # An older copy of this document must not stay beside the new manifest looking current.
            (out_dir / relative).unlink(missing_ok=True)
            manifest.failed.append({"clinic": job.clinic.id, "document": job.document.id,
                                    "treatment": job.treatment, "language": job.lang, "name": job.name,
                                    "reason": "; ".join(reasons)})
            continue
        atomic_write(out_dir / relative, pdf)
        budget = job.document.pages
        if budget is not None and pages > budget and layout.type["body"] < LARGE_PRINT:
            manifest.warnings.append({"path": relative, "warning": f"{pages} pages, more than the {budget} that "
                                      f"{job.document.where.path}.pages allows: shorten the text or the clinic's values"})
        manifest.files.append(ManifestEntry(
            path=relative, clinic=job.clinic.id, document=job.document.id, treatment=job.treatment,
            language=job.lang, layout=layout.name, pages=pages, bytes=len(pdf), sha256=sha256(pdf),
            content_version=content.version,
        ))
    atomic_write(out_dir / "manifest.json", manifest.to_json().encode("utf-8"))
    return manifest

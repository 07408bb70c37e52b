"""The library's face for single documents: a consent (blank, prefilled, flattened) and a packet.

What the command line calls, and what a front-desk page would call: each function returns
PDF bytes or raises HandoutsError (exit code 2 for bad input or usage, 1 when the document
itself cannot be made). Nothing here prints, and no patient value appears in a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from handouts.build import DEFAULT_CONTENT, DEFAULT_LAYOUT, load_inputs, make_pdf, plan
from handouts.errors import HandoutsError, Problem, RunFailure, Where, fail_if
from handouts.model import Clinic, Layout, ResolvedDocument
from handouts.patients import Patient, read_patients
from handouts.preflight import clinic_header_problems, epoch_problems, geometry_problems, layout_file

CONSENT = "consent"
PACKET_PARTS = ("handout", CONSENT, "aftercare")  # in the order a patient reads them
PATIENT_MODE = 0o600  # a prefilled consent is a patient record: its owner alone may read it


@dataclass(frozen=True)
class Selection:
    """What one document is made for: inputs, clinic, treatment, language and layout."""

    content_path: Path = DEFAULT_CONTENT
    clinics_path: Path | None = None
    clinic_id: str | None = None
    treatment: str | None = None
    lang: str | None = None
    layout_name: str = DEFAULT_LAYOUT


@dataclass
class PatientRun:
    """What a patients-list run did: files written (by CSV line) and rows that failed."""

    written: list[tuple[int, Path]] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)  # one per skipped row, named by its line


class _Session:
    """Inputs loaded and checked once, and the clinic, treatment and language chosen from them."""

    def __init__(self, selection: Selection, document_id: str | None = None) -> None:
        from handouts.layouts import layout_dir, load_layout

        self.content, clinics = load_inputs(selection.content_path, selection.clinics_path)
        directory = layout_dir(selection.content_path).resolve()
        self.layout: Layout = load_layout(selection.layout_name, directory)
        fail_if([*epoch_problems(), *geometry_problems(self.layout, self.content.labels,
                                                       layout_file(selection.layout_name, directory))])
        self.clinic = _clinic(clinics, selection.clinic_id)
        treatment = selection.treatment
        document = self.content.documents.get(document_id or "")
        if treatment is None and document_id is not None and (document is None or not document.per_treatment):
            treatment = self.clinic.treatments[0]  # the same document whichever treatment (or none: named later)
        self.treatment = _choice("treatment", treatment, self.clinic.treatments, self.clinic)
        self.lang = _choice("language", selection.lang, self.clinic.languages, self.clinic)
        fail_if(clinic_header_problems(self.clinic, self.lang, self.layout))

    def document(self, document_id: str) -> ResolvedDocument:
        """One document for the chosen clinic, language and (if it is per treatment) treatment, resolved."""
        from handouts.resolve import Failure, resolve_jobs

        if document_id not in self.content.documents:
            raise HandoutsError([f"the content has no {document_id!r} document "
                                 f"(it has: {', '.join(self.content.documents)})"])
        jobs = plan(self.content, (self.clinic,), [document_id], [self.clinic.id], [self.lang])
        job = next(j for j in jobs if j.treatment in (None, self.treatment))
        result = resolve_jobs(self.content, [job])[0]
        if isinstance(result, Failure):
            _failed(job.name, [str(p) for p in result.problems])
        assert isinstance(result, ResolvedDocument)
        return result

    def pdf(self, document_id: str, qr_mrn: str | None = None) -> tuple[ResolvedDocument, bytes]:
        """A document, resolved and laid out."""
        doc = self.document(document_id)
        made = make_pdf(doc, self.layout, qr_mrn)
        if isinstance(made, list):
            _failed(doc.job.name, made)
        assert isinstance(made, tuple)
        return doc, made[0]


def _failed(name: str, reasons: list[str]) -> None:
    # The input is valid; this document cannot be made.
    raise RunFailure([f"{name}: {reason}" for reason in reasons])


def _clinic(clinics: tuple[Clinic, ...], clinic_id: str | None) -> Clinic:
    if clinic_id is None:
        if len(clinics) == 1:
            return clinics[0]
        raise HandoutsError([f"choose a clinic with --clinic ID (clinics: {', '.join(c.id for c in clinics)})"])
    for clinic in clinics:
        if clinic.id == clinic_id:
            return clinic
    raise HandoutsError([f"unknown clinic {clinic_id!r} (known: {', '.join(c.id for c in clinics)})"])


def _choice(what: str, asked: str | None, offered: Sequence[str], clinic: Clinic) -> str:
    """The treatment or language asked for, if the clinic offers it; by default its only (or first) one."""
    if asked is None:
        if what == "language" or len(offered) == 1:
            return offered[0]
        raise HandoutsError([f"clinic {clinic.id!r} offers several treatments ({', '.join(offered)}): "
                             "choose one with --treatment"])
    if asked not in offered:
        source = clinic.where_of("treatments" if what == "treatment" else "languages")
        raise HandoutsError([f"clinic {clinic.id!r} does not offer {what} {asked!r} "
                             f"(it offers: {', '.join(offered)}; see {source})"])
    return asked


def patient_values(doc: ResolvedDocument, patient: Patient) -> dict[str, str]:
    """The form fields a patient fills: name, date of birth, MRN, and the printed names beside the signatures.

    Signatures are ink, and the signers' dates and times are written when they sign: never filled here.
    """
    fields = doc.job.document.fields
    missing = [name for name in ("patient_name", "patient_dob", "patient_mrn") if name not in fields]
    if missing:
        raise HandoutsError([Problem(doc.job.document.where, f"has no field {', '.join(missing)}: "
                                                             "a consent needs them to be prefilled")])
    values = {"patient_name": patient.name, "patient_dob": patient.dob, "patient_mrn": patient.mrn}
    if "patient_printed_name" in fields:
        values["patient_printed_name"] = patient.name
    if patient.provider and "provider_printed_name" in fields:
        values["provider_printed_name"] = patient.provider
    return values


def _prefilled(session: _Session, patient: Patient | None, flatten: bool, qr_mrn: bool,
               blank: tuple[ResolvedDocument, bytes] | None = None) -> bytes:
    """The consent for one patient (or blank), filled and flattened as asked; `blank` is the
    resolved consent and its PDF when they were made once for many patients."""
    from handouts.pdf.fill import fill, flatten as flat

    if qr_mrn and patient is None:
        raise HandoutsError(["--qr-mrn needs a patient's MRN (--mrn, or --patients FILE)"])
    if blank is None or qr_mrn:  # the QR code carries this patient's MRN: lay the form out for them
        doc, pdf = session.pdf(CONSENT, patient.mrn if (qr_mrn and patient) else None)
    else:
        doc, pdf = blank
    if patient is not None:
        pdf = fill(pdf, patient_values(doc, patient), label=doc.job.name)
    return flat(pdf) if flatten else pdf


def consent(selection: Selection, patient: Patient | None = None, flatten: bool = False, qr_mrn: bool = False) -> bytes:
    """One consent: blank and fillable, or prefilled for a patient; flattened (no fields left) if asked."""
    session = _Session(selection)
    return _prefilled(session, patient, flatten, qr_mrn)


def consents_for_patients(selection: Selection, patients_csv: Path, out_dir: Path, flatten: bool = False,
                          qr_mrn: bool = False) -> PatientRun:
    """One prefilled consent per good row of a patients CSV, in `out_dir`, each readable by its owner only.

    Files are named by the row's line, never by a name or date of birth:
    `consent-<treatment>.<lang>.line-<N>.pdf`. A bad row is reported by its line and skipped.
    """
    session = _Session(selection)
    patients, problems = read_patients(patients_csv)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise HandoutsError([Problem(Where(str(out_dir)), "is not an empty folder: give each patient list a new "
                                                         "folder, so that no earlier consent is taken for one of this list")])
    run = PatientRun(failed=list(problems))
    if not patients:
        return run
    blank = None if qr_mrn else session.pdf(CONSENT)  # laid out once for every patient of the list
    _private_folder(out_dir)
    stem = f"{CONSENT}-{session.treatment}.{session.lang}"
    for patient in patients:
        try:
            pdf = _prefilled(session, patient, flatten, qr_mrn, blank)
        except HandoutsError as exc:  # one problem per row, as read_patients gives
            reasons = "; ".join(p.message for p in exc.problems)
            run.failed.append(Problem(Where(str(patients_csv), patient.line), f"{reasons}; row skipped"))
            continue
        target = out_dir / f"{stem}.line-{patient.line}.pdf"
        write_pdf(target, pdf, private=True)
        run.written.append((patient.line, target))
    return run


def packet(selection: Selection, attachments: Iterable[Path] = (), patient: Patient | None = None,
           flatten: bool = False, qr_mrn: bool = False) -> bytes:
    """Handout, consent and aftercare for one clinic, treatment and language, then the attachments, in one PDF.

    Each part keeps its bookmarks under one of its own, and its form fields keep working under
    the part's name (consent.patient_name). Attachments are read by handouts.pdf.guard first.
    """
    from handouts.pdf.guard import read_attachment
    from handouts.pdf.merge import Part, merge

    session = _Session(selection)
    extra = [read_attachment(path) for path in attachments]  # an unreadable file stops here, before any work
    parts: list[Part] = []
    for document_id in PACKET_PARTS:
        if document_id == CONSENT:
            doc = session.document(CONSENT)
            pdf = _prefilled(session, patient, flatten, qr_mrn)
        else:
            doc, pdf = session.pdf(document_id)
        parts.append(Part(document_id, doc.plain_title, pdf))
    parts += [Part(f"attachment{i}", item.title, item.pdf, str(item.path)) for i, item in enumerate(extra, start=1)]
    return merge(parts)


def document_pdf(selection: Selection, document_id: str) -> bytes:
    """One document (a handout, an aftercare sheet, a blank consent, ...) for the selected clinic, as PDF bytes.

    Defaults as for a consent: the clinic's only treatment for a per-treatment document (one
    that is not per treatment needs none), and the clinic's first language.
    """
    return _Session(selection, document_id).pdf(document_id)[1]


def _private_folder(path: Path) -> None:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise HandoutsError([Problem(Where(str(path)), f"cannot create the folder: {exc.strerror or exc}")]) from None


def write_pdf(path: Path, data: bytes, private: bool) -> None:
    """Write a PDF atomically; a patient's (`private`) is readable and writable by its owner only (0600)
    from its first byte, a blank form or a packet without a patient by everyone (0644)."""
    from handouts.write import atomic_write

    try:
        atomic_write(path, data, mode=PATIENT_MODE if private else 0o644)
    except OSError as exc:
        raise RunFailure([Problem(Where(str(path)), f"could not be written: {exc.strerror or exc}")]) from None


PACKET = "packet"


@dataclass(frozen=True)
class ClinicChoice:
    """One location as the front desk picks it: id, display name, and what it offers."""

    id: str
    name: str
    languages: tuple[str, ...]
    treatments: tuple[str, ...]


@dataclass(frozen=True)
class Offerings:
    """What the content and clinics offer to choose from: locations, documents, languages, treatments, layouts."""

    clinics: tuple[ClinicChoice, ...]
    documents: tuple[str, ...]  # the content's documents, then "packet" when it has all of its parts
    per_treatment: frozenset[str]  # documents made once per treatment (and the packet)
    patient_documents: frozenset[str]  # documents a patient's values can be filled into
    languages: dict[str, str]  # code -> the language's own name
    treatments: dict[str, str]  # id -> name, in English where the content has it
    layouts: tuple[str, ...]


def offerings(content_path: Path = DEFAULT_CONTENT, clinics_path: Path | None = None) -> Offerings:
    """Read and validate the content and clinics (HandoutsError listing every problem) and say what they offer."""
    from handouts.layouts import available, layout_dir

    content, clinics = load_inputs(content_path, clinics_path)
    documents = list(content.documents)
    per_treatment = {d.id for d in content.documents.values() if d.per_treatment}
    patient = {CONSENT} & set(documents)
    if all(part in content.documents for part in PACKET_PARTS):
        documents.append(PACKET)
        per_treatment.add(PACKET)
        patient.add(PACKET)
    return Offerings(
        clinics=tuple(ClinicChoice(c.id, _display(c.fields["name"]), c.languages, c.treatments) for c in clinics),
        documents=tuple(documents), per_treatment=frozenset(per_treatment), patient_documents=frozenset(patient),
        languages=dict(content.languages),
        treatments={t.id: _display({lang: text["name"].source for lang, text in t.texts.items() if "name" in text})
                    or t.id for t in content.treatments.values()},
        layouts=tuple(available(layout_dir(content_path))))


def _display(value: object) -> str:
    """A clinic's or treatment's name for a chooser: the English text of a per-language value, else the first."""
    if isinstance(value, dict):
        return str(value.get("en", next(iter(value.values()), "")))
    return str(value)


def make_document(selection: Selection, document_id: str, patient: Patient | None = None,
                  flatten: bool = False) -> bytes:
    """Any one document as PDF bytes: a handout or aftercare sheet, a consent (blank or for a patient), or a
    packet: what the front-desk page calls, through the same functions as `handouts consent` and `packet`."""
    if document_id == PACKET:
        return packet(selection, (), patient, flatten)
    if document_id == CONSENT:
        return consent(selection, patient, flatten)
    if patient is not None:
        raise HandoutsError([f"the {document_id} takes no patient's values"])
    return document_pdf(selection, document_id)

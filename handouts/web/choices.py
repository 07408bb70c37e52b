"""What the page's form asks for, checked against what the content and clinics offer, field by field.

Every message is meant for the field it sits beside and never repeats a patient's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from handouts.api import ClinicChoice, Offerings
from handouts.patients import Patient, check_patient

PATIENT_FIELDS = ("patient_name", "dob", "mrn", "provider")
FIELDS = ("clinic", "document", "treatment", "lang", "layout", *PATIENT_FIELDS)
LABELS = {"clinic": "Location", "document": "Document", "treatment": "Treatment", "lang": "Language",
          "layout": "Print size", "patient_name": "Patient name", "dob": "Date of birth",
          "mrn": "Medical record number (MRN)", "provider": "Provider (optional)"}
DOCUMENT_NAMES = {"handout": "Patient handout", "aftercare": "Aftercare sheet", "consent": "Consent form",
                  "packet": "Packet: handout, consent and aftercare"}
_PATIENT_MESSAGES = {  # check_patient's words (for a CSV or the command line), said for a form field
    "required": "Fill this in too, or leave all four patient fields empty for a blank form.",
    "contains a control or invisible formatting character": "Remove the invisible or control character.",
    "has characters the form's font cannot print": "This has characters the form cannot print.",
}


@dataclass
class Choice:
    """The form's values (as typed, for showing them again) and what the document is made from."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)  # field -> message beside it
    clinic: ClinicChoice | None = None
    patient: Patient | None = None

    @property
    def treatment(self) -> str | None:
        """The treatment, for a document made per treatment; None for one that is not."""
        return self.values["treatment"] or None


def document_name(document_id: str) -> str:
    """What the front desk calls a document."""
    return DOCUMENT_NAMES.get(document_id, document_id.replace("_", " ").replace("-", " ").capitalize())


def blank(offers: Offerings) -> Choice:
    """The form as it first shows: the first location, its first treatment and language, the standard layout."""
    clinic = offers.clinics[0] if offers.clinics else None
    values = dict.fromkeys(FIELDS, "")
    values.update(clinic=clinic.id if clinic else "", document=offers.documents[0] if offers.documents else "",
                  treatment=clinic.treatments[0] if clinic else "", lang=clinic.languages[0] if clinic else "",
                  layout="standard" if "standard" in offers.layouts else (offers.layouts or ("",))[0])
    return Choice(values, clinic=clinic)


def read(form: Mapping[str, str], offers: Offerings, check: bool = True) -> Choice:
    """The choice a posted form makes; with `check`, an error beside each field that is wrong."""
    values = {name: str(form.get(name, "")).strip() for name in FIELDS}
    choice = Choice(values)
    clinics = {c.id: c for c in offers.clinics}
    choice.clinic = clinics.get(values["clinic"])
    if choice.clinic is None:
        choice.errors["clinic"] = "Choose a location from the list."
        return choice
    clinic = choice.clinic
    if values["document"] not in offers.documents:
        choice.errors["document"] = "Choose a document."
    if values["lang"] not in clinic.languages:
        offered = " or ".join(offers.languages.get(code, code) for code in clinic.languages)
        choice.errors["lang"] = f"{clinic.name} prints in {offered}: choose one of them."
    if values["document"] in offers.per_treatment:
        if values["treatment"] not in clinic.treatments:
            offered = ", ".join(offers.treatments.get(t, t) for t in clinic.treatments)
            choice.errors["treatment"] = f"{clinic.name} offers {offered}: choose one of them."
    else:
        values["treatment"] = ""  # the same document whichever treatment
    if values["layout"] not in offers.layouts:
        choice.errors["layout"] = "Choose a print size from the list."
    if values["document"] in offers.patient_documents:
        _read_patient(choice)
    else:
        for name in PATIENT_FIELDS:  # not this document's: neither kept nor shown again
            values[name] = ""
    if not check:
        choice.errors.clear()
    return choice


def _read_patient(choice: Choice) -> None:
    """The patient, when any of the four is filled in; a message beside each field that is wrong."""
    values = choice.values
    if not any(values[name] for name in PATIENT_FIELDS):
        return
    patient, problems = check_patient({name: values[name] for name in PATIENT_FIELDS})
    for problem in problems:
        name, _, message = problem.partition(": ")
        text = _PATIENT_MESSAGES.get(message, message[:1].upper() + message[1:] + ".")
        choice.errors.setdefault(name, text)
    choice.patient = patient
    choice.errors = {name: choice.errors[name] for name in FIELDS if name in choice.errors}  # in the form's order

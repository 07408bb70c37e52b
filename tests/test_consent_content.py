"""The shipped consent: what each treatment's form must say (../shared/reference/clinical-facts.md),
what it must never say, and its fields, read back from the sample build with PDFium and pypdf."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from conftest import CONTENT, pdf_text
from handouts.build import load_inputs

_, CLINICS = load_inputs(CONTENT)
CONSENTS = [(c.id, t, lang) for c in CLINICS for t in c.treatments for lang in c.languages]

# Phrases as printed (PDFium joins wrapped lines with a space), English then Spanish.
EVERY_CONSENT = {
    "en": ["results are not guaranteed", "No treatment.", "I can stop at any time", "I choose this treatment freely",
           "my questions were answered", "Call or text 988"],
    "es": ["no se garantizan resultados", "Ningún tratamiento.", "Puedo dejarlo en cualquier momento",
           "Elijo este tratamiento libremente", "me las respondieron", "Llame o envíe un texto al 988"],
}
ESKETAMINE = {
    "en": ["boxed warning", "REMS", "at least 2 hours", "about 40 minutes", "before you leave",
           "into your own nose while a provider watches", "until the next day, after a restful night’s sleep",
           "not been shown to prevent suicide", "Medication Guide"],
    "es": ["advertencia en recuadro", "REMS", "al menos 2 horas", "unos 40 minutos", "antes de irse",
           "en la nariz mientras un profesional le observa", "hasta el día siguiente, después de dormir bien",
           "No se ha demostrado que Spravato prevenga el suicidio", "Guía del Medicamento"],
}
KETAMINE = {  # iv, im and troche
    "en": ["Schedule III controlled substance", "only for anesthesia", "for at least 24 hours"],
    "es": ["Lista III", "solo ha aprobado la ketamina como anestesia", "durante al menos 24 horas"],
}
OFF_LABEL = {"en": "“off-label.”", "es": "“off-label”"}  # iv and im
TROCHE = {
    "en": ["Not FDA-approved", "compounding pharmacy", "October 2023", "locked up", "never share"],
    "es": ["No está aprobada por la FDA", "farmacia de compuestos", "octubre de 2023", "bajo llave",
           "nunca las compartiré"],
}
NEVER = ["safe and effective", "not addictive", "guaranteed to", "seguro y eficaz", "no es adictiv",
         "no causa adicción", "garantiza que"]
FIELDS = {"patient_name", "patient_dob", "patient_mrn", "condition_treated", "initials_risks_common",
          "initials_risks_less_common", "initials_risks_serious", "initials_risks_misuse", "initials_health_history",
          "initials_visit_rules", "initials_voluntary", "interpreter_id", "interpreter_language",
          *(f"{role}_{key}" for role in ("patient", "provider", "witness", "interpreter")
            for key in ("printed_name", "date", "time"))}
CHECKBOXES = {"interpreter_in_person", "interpreter_phone", "interpreter_video"}


def _consent(sample_build: dict[str, Any], clinic: str, treatment: str, lang: str) -> Path:
    return sample_build["out"] / clinic / f"consent-{treatment}.{lang}.pdf"


@pytest.mark.parametrize(("clinic", "treatment", "lang"), CONSENTS)
def test_each_consent_says_what_its_treatment_requires(sample_build: dict[str, Any], clinic: str, treatment: str,
                                                       lang: str) -> None:
    text = pdf_text(_consent(sample_build, clinic, treatment, lang))
    required = list(EVERY_CONSENT[lang])
    if treatment == "esketamine":
        required += ESKETAMINE[lang]
        assert "24" not in text.replace("(713) 555-0116", "").replace("(619) 555-0142", ""), "24 hours on esketamine"
    else:
        required += KETAMINE[lang]
        required += TROCHE[lang] if treatment == "troche" else [OFF_LABEL[lang]]
    missing = [phrase for phrase in required if phrase not in text]
    assert not missing, (clinic, treatment, lang, missing)
    lowered = text.lower()
    assert not [claim for claim in NEVER if claim in lowered]


@pytest.mark.parametrize(("clinic", "treatment", "lang"), CONSENTS)
def test_each_consent_has_every_field_and_initials_box(sample_build: dict[str, Any], clinic: str, treatment: str,
                                                       lang: str) -> None:
    fields = PdfReader(_consent(sample_build, clinic, treatment, lang)).get_fields() or {}
    status = "initials_boxed_warning" if treatment == "esketamine" else "initials_fda_status"
    assert {n for n, f in fields.items() if f.get("/FT") == "/Tx"} == FIELDS | {status}
    assert {n for n, f in fields.items() if f.get("/FT") == "/Btn"} == CHECKBOXES


def test_the_consent_field_names_are_the_same_in_every_language() -> None:
    content, _ = load_inputs(CONTENT)
    consent = content.documents["consent"]
    assert consent.form and "patient_name" in consent.fields and len(consent.fields) == len(set(consent.fields))

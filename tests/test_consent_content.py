"""The shipped consent: what each treatment's form must say (../shared/reference/clinical-facts.md),
what it must never say, and its fields, read back from the sample build with PDFium and pypdf."""

from __future__ import annotations

import re
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
        said = re.sub(r"#[0-9a-f]{10}\b", "", text)  # the footer's form hash is hex: it may hold a 24
        assert "24" not in said.replace("(713) 555-0116", "").replace("(619) 555-0142", ""), "24 hours on esketamine"
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
    from handouts.blocks import KINDS

    content, _ = load_inputs(CONTENT)
    consent = content.documents["consent"]
    by_lang = {lang: sorted(name for section in consent.sections for block in section.by_lang[lang].blocks
                            for name in KINDS[block.kind].names(block.data))
               for lang in content.languages}
    assert by_lang["en"] == by_lang["es"] and set(by_lang["en"]) >= FIELDS | CHECKBOXES

SIGNERS = {"en": ("Patient", "Provider", "Witness", "Interpreter"),
           "es": ("Paciente", "Profesional de la salud", "Testigo", "Intérprete")}
SIGNATURE = {"en": "Signature", "es": "Firma"}
PRINTED = {"en": "Printed name", "es": "Nombre (letra de molde)"}


@pytest.mark.parametrize("layout", ["standard", "a4", "large-print"])
def test_a_signature_block_is_never_split_nor_alone_on_a_page(tmp_path: Path, layout: str) -> None:
    from conftest import pdf_pages, run

    out = tmp_path / layout
    result = run("build", "consent", "--content", CONTENT, "--clinic", "harbor", "--layout", layout, "--out", out)
    assert result.exit_code == 0, result.output
    for path in sorted(out.rglob("*.pdf")):
        lang = path.stem.rsplit(".", 1)[1]
        pages = [" ".join(page.split()) for page in pdf_pages(path)]
        blocks = 0
        for number, text in enumerate(pages, start=1):
            signed = text.count(f"{SIGNATURE[lang]} {PRINTED[lang]}")  # the line, then the printed name under it
            # Whole: its signature line and printed name are on one page (the statement and title come with them).
            assert text.count(PRINTED[lang]) == signed, (path.name, number)
            blocks += signed
            if signed == 1 and layout != "large-print":  # in large print one block can fill half a page and more
                assert "Initials" in text or "Iniciales" in text, (path.name, number, "a signature block alone")
        assert blocks == 4, path.name
        last = " ".join(pages)
        for signer in SIGNERS[lang]:  # every block's title is printed, in order
            assert signer in last

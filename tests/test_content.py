"""What the sample documents say, read back from the built PDFs with PDFium: the facts a medical
director checks, in English and Spanish, and only for the treatments and conditions a clinic has."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import CONTENT, pdf_pages, pdf_text, run
from handouts.build import load_inputs
from handouts.readability import strip_running_lines

CONTENT_DATA, CLINICS = load_inputs(CONTENT)
BY_ID = {clinic.id: clinic for clinic in CLINICS}

# Claims a handout must never make (Spravato carries a boxed warning for abuse and misuse;
# no ketamine use for mental health is proven safe and effective).
BANNED = {
    "en": ("safe and effective", "not addictive", "not considered addictive", "ketamine is safe", "will cure", "guaranteed to"),
    "es": ("segura y eficaz", "seguro y eficaz", "no es adictiva", "no se considera adictiva", "no causa adicción",
           "la ketamina es segura", "garantizamos", "le garantiza"),
}

# What every handout must say, by language; {phone} is the clinic's phone.
EVERY_HANDOUT = {
    "en": ("pregnant or breastfeeding", "psychosis", "drug or alcohol problem now or in the past",
           "Your blood pressure must be under control", "allergic to",
           "Alcohol, opioids, benzodiazepines and sleep aids", "Stimulants and MAOI antidepressants",
           "does not help everyone, and results are not guaranteed", "does not replace emergency or hospital care",
           "can be misused and can lead to addiction", "very slow breathing", "very sleepy or hard to wake",
           "Call or text 988", "press 2 or text AYUDA", "in danger right now, call 911",
           "Free interpreters, sign language", "call {phone}"),
    "es": ("embarazada o amamantando", "psicosis", "problemas con el alcohol o las drogas",
           "Su presión debe estar bajo control", "alergia a la ketamina",
           "los opioides, las benzodiacepinas y las pastillas para dormir", "los antidepresivos IMAO",
           "no ayuda a todos, y no se garantizan resultados", "No reemplaza la atención de emergencia",
           "puede causar adicción", "respiración muy lenta", "mucho sueño o cuesta despertarle",
           "envíe un texto al 988", "marque 2 o envíe AYUDA", "en peligro ahora mismo, llame al 911",
           "Intérpretes, lengua de señas", "llame al {phone}"),
}

# Only for clinics that give esketamine (Spravato), and never for the others.
ESKETAMINE = {
    "en": ("bleeding in the brain", "aneurysm or AVM", "allergic to ketamine or esketamine",
           "Do not eat for 2 hours or drink for 30 minutes before a dose", "nose spray, use it at least 1 hour before",
           "into your own nose at the clinic while a provider watches", "about 40 minutes after it. It is checked again before you leave, and a finger clip checks your oxygen",
           "You stay at least 2 hours", "Medication Guide. This sheet does not replace it",
           "has not been shown to prevent suicide", "REMS"),
    "es": ("sangrado en el cerebro", "aneurisma o una MAV", "o a la esketamina",
           "no coma 2 horas antes de una dosis ni beba 30 minutos antes", "descongestionante, úselo al menos 1 hora antes",
           "se la pone en la nariz en la clínica, mientras un profesional le observa",
           "unos 40 minutos después", "una pinza en el dedo mide su oxígeno", "se queda al menos 2 horas", "Esta hoja no la reemplaza",
           "No se ha demostrado que la esketamina prevenga el suicidio", "REMS"),
}

# Only for clinics that give troches: compounded, not FDA-approved, and safe at home.
TROCHE = {
    "en": ("compounding pharmacy", "The FDA has not approved any ketamine lozenge", "If you take lozenges at home",
           "with an adult present", "Keep them locked up, and never share them"),
    "es": ("farmacia de compuestos", "La FDA no ha aprobado ninguna pastilla de ketamina",
           "Si toma las pastillas en casa:", "con un adulto presente", "Guárdelas bajo llave y nunca las comparta"),
}

OFF_LABEL = {"en": "“off-label.”", "es": "(“off-label”)"}

CONDITIONS = {  # condition id: how the English handout names it
    "anxiety": "anxiety",
    "ptsd": "PTSD",
    "pain": "long-lasting pain",
}


def _folded(text: str) -> str:
    return " ".join(text.split())


def _body(path: Path) -> str:
    """A PDF's text without its running header and footer, so that a sentence reads on across a page break."""
    return " ".join(" ".join(lines) for lines in strip_running_lines(pdf_pages(path)))


def _handouts(build: dict[str, Any]) -> list[tuple[Any, str, str]]:
    return [(clinic, lang, " ".join(_body(build["out"] / clinic.id / f"handout.{lang}.pdf").split()))
            for clinic in CLINICS for lang in clinic.languages]


def test_no_banned_claims_in_any_document(sample_build: dict[str, Any]) -> None:
    for path in sample_build["out"].rglob("*.pdf"):
        lang = path.stem.rsplit(".", 1)[1]
        text = pdf_text(path).lower()
        for claim in BANNED[lang]:
            assert claim.lower() not in text, (path, claim)


def test_every_handout_has_the_contraindications_interactions_and_crisis_lines(sample_build: dict[str, Any]) -> None:
    for clinic, lang, text in _handouts(sample_build):
        for phrase in EVERY_HANDOUT[lang]:
            assert phrase.format(phone=clinic.fields["phone"]) in text, (clinic.id, lang, phrase)


@pytest.mark.parametrize(("treatment", "facts"), [("esketamine", ESKETAMINE), ("troche", TROCHE)])
def test_treatment_facts_only_where_the_treatment_is_offered(sample_build: dict[str, Any], treatment: str,
                                                             facts: dict[str, tuple[str, ...]]) -> None:
    seen = set()
    for clinic, lang, text in _handouts(sample_build):
        offered = treatment in clinic.treatments
        for phrase in facts[lang]:
            assert (phrase in text) == offered, (clinic.id, lang, phrase)
        seen.add(offered)
    assert seen == {True, False}


def test_off_label_is_said_for_iv_and_im_only(sample_build: dict[str, Any]) -> None:
    # Esketamine is FDA-approved for its use, and no troche is FDA-approved in any form: neither is "off-label".
    seen = set()
    for clinic, lang, text in _handouts(sample_build):
        off_label = any(t in clinic.treatments for t in ("iv", "im"))
        assert (OFF_LABEL[lang] in text) == off_label, (clinic.id, lang)
        seen.add(off_label)
    assert seen == {True, False}


def test_only_the_conditions_a_clinic_treats_are_printed(sample_build: dict[str, Any]) -> None:
    seen = set()
    for clinic in CLINICS:
        text = pdf_text(sample_build["out"] / clinic.id / "handout.en.pdf")
        for condition, words in CONDITIONS.items():
            assert (words in text) == (condition in clinic.conditions), (clinic.id, condition)
            seen.add((condition, condition in clinic.conditions))
    assert {("anxiety", True), ("anxiety", False), ("pain", True)} <= seen


def test_safety_box_is_on_page_one(sample_build: dict[str, Any]) -> None:
    heading = {"en": "Safety at a glance", "es": "Lo más importante para su seguridad"}
    rules = {"en": ("allergic to", "Call 911", "Call or text 988"),
             "es": ("alergia a la ketamina", "Llame al 911", "envíe un texto al 988")}
    for clinic in CLINICS:
        for lang in clinic.languages:
            first = _folded(pdf_pages(sample_build["out"] / clinic.id / f"handout.{lang}.pdf")[0])
            assert heading[lang] in first, (clinic.id, lang)
            # The box comes first: straight after the title, before anything about the treatment.
            assert first.index(heading[lang]) < first.index(rules[lang][0]) < first.index(rules[lang][1])
            for phrase in rules[lang]:
                assert phrase in first, (clinic.id, lang, phrase)
            for treatment in clinic.treatments:
                rule = CONTENT_DATA.treatments[treatment].texts[lang]["driving"].source.replace("**", "")
                assert rule in first, (clinic.id, lang, treatment)


def test_handout_fits_two_pages_aftercare_one_and_consent_six(sample_build: dict[str, Any], tmp_path: Path) -> None:
    a4 = tmp_path / "a4"
    assert run("build", "--content", CONTENT, "--layout", "a4", "--out", a4).exit_code == 0
    budgets = {"handout": 2, "aftercare": 1, "consent": 6}
    for out in (sample_build["out"], a4):
        for path in out.rglob("*.pdf"):
            pages = len(pdf_pages(path))
            budget = budgets[path.name.split(".")[0].split("-")[0]]
            # A sheet fills its pages; a consent may be shorter than its budget.
            assert pages == budget or (budget == 6 and 4 <= pages <= 6), (path, pages)


def test_aftercare_puts_911_first(sample_build: dict[str, Any]) -> None:
    call = {"en": "Call 911", "es": "Llame al 911"}
    for path in sample_build["out"].rglob("aftercare-*.pdf"):
        stem, lang = path.stem.rsplit(".", 1)
        treatment = stem.split("-", 1)[1]
        driving = CONTENT_DATA.treatments[treatment].texts[lang]["driving"].source.replace("**", "")
        text = pdf_text(path)
        assert text.index(call[lang]) < text.index(driving), path


def test_language_help_has_the_other_language_and_clinic_taglines(sample_build: dict[str, Any]) -> None:
    taglines = {"en": "Español: Ayuda gratis en español.", "es": "English: Free help in English."}
    for path in sample_build["out"].rglob("*.pdf"):
        clinic_id, lang = path.parent.name, path.stem.rsplit(".", 1)[1]
        text = pdf_text(path)
        assert taglines[lang] in text, path
        vietnamese = "Tiếng Việt: Chúng tôi có hỗ trợ ngôn ngữ miễn phí."
        assert (vietnamese in text) == (clinic_id == "binh-an"), path


def _one_clinic(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "clinics.yaml"
    path.write_text("clinics:\n  - id: solo\n    name: Solo Clinic\n    phone: '(555) 010-7000'\n"
                    "    address: 7 Main St\n    treatments: [iv]\n" + extra, encoding="utf-8")
    return path


def test_clinic_language_assistance_replaces_the_notice(tmp_path: Path) -> None:
    clinics = _one_clinic(tmp_path, "    language_assistance: Ask any of our staff for a free interpreter.\n")
    assert run("build", "handout", "--content", CONTENT, "--clinics", clinics, "--out", tmp_path / "o").exit_code == 0
    text = pdf_text(tmp_path / "o" / "solo" / "handout.en.pdf")
    assert "Ask any of our staff for a free interpreter." in text and "Free interpreters" not in text
    assert "Español: Ayuda gratis en español. Llame al (555) 010-7000." in text


def test_a_tagline_no_font_covers_fails_that_document_by_name(tmp_path: Path) -> None:
    clinics = _one_clinic(tmp_path, "    language_taglines: |\n      中文: 免费语言帮助。\n")
    result = run("build", "handout", "--content", CONTENT, "--clinics", clinics, "--out", tmp_path / "o")
    assert result.exit_code == 1, result.output
    assert "U+4E2D" in result.output and "clinics[0].language_taglines" in result.output
    assert not (tmp_path / "o" / "solo" / "handout.en.pdf").exists()


def test_unknown_condition_is_refused(tmp_path: Path) -> None:
    clinics = _one_clinic(tmp_path, "    conditions: [depression, insomnia]\n")
    result = run("build", "--content", CONTENT, "--clinics", clinics, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "clinics[0].conditions: unknown condition 'insomnia'" in result.output


@pytest.mark.parametrize("label", ["language_help", "language_tagline"])
def test_language_labels_must_name_the_phone(workspace: Path, label: str) -> None:
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    start = text.index(f"    {label}: ")
    end = text.index("\n", start)
    content.write_text(text[:start] + f'    {label}: "Free help."' + text[end:], encoding="utf-8")
    result = run("build", "--content", content, "--out", workspace / "o")
    assert result.exit_code == 2
    assert f"labels.en.{label}: must contain {{phone}}" in result.output


def test_every_document_meets_its_reading_level(sample_build: dict[str, Any]) -> None:
    # English at Flesch-Kincaid grade 6 or below, Spanish at Fernández-Huerta 70 or above (consents:
    # grade 8, Fernández-Huerta 65), on the text PDFium extracts (running header, footer and sources
    # left out: handouts/readability.py).
    from handouts.readability import body_text, measure

    grades = {doc.id: doc.reading_grade for doc in load_inputs(CONTENT)[0].documents.values()}
    assert grades == {"handout": 6, "aftercare": 6, "consent": 8}
    for path in sorted(sample_build["out"].rglob("*.pdf")):
        name, lang = path.stem.rsplit(".", 1)
        result = measure(body_text(pdf_pages(path)), lang, grades[name.split("-")[0]])
        assert result.meets_target(), (path.relative_to(sample_build["out"]), result.scores)


def test_a_label_tagline_no_font_covers_fails_the_documents_that_print_it(workspace: Path) -> None:
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    old = 'language_tagline: "Español: Ayuda gratis en español. Llame al {phone}."'
    assert old in text
    content.write_text(text.replace(old, 'language_tagline: "中文: 免费帮助. {phone}"'), encoding="utf-8")
    result = run("build", "handout", "--content", content, "--clinic", "harbor", "--out", workspace / "o")
    assert result.exit_code == 1, result.output
    assert "labels.es.language_tagline" in result.output and "U+4E2D" in result.output
    # The English handout prints the Spanish tagline and fails; the Spanish one does not and is built.
    assert not (workspace / "o" / "harbor" / "handout.en.pdf").exists()
    assert (workspace / "o" / "harbor" / "handout.es.pdf").exists()

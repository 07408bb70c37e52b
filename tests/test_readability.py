"""Reading-level measurement: Spanish syllables, the index formulas, sentence units, PDF text."""

from __future__ import annotations

import subprocess
import sys

import pytest

from handouts.readability import (
    FERNANDEZ_HUERTA,
    FLESCH_KINCAID_GRADE,
    FLESCH_READING_EASE,
    SZIGRISZT_PAZOS,
    body_text,
    drop_sources,
    join_lines,
    english_syllables,
    measure,
    sentences,
    spanish_syllables,
    strip_running_lines,
    word_count,
)

# Counted by hand, syllable by syllable, with the hyphenation shown.
SPANISH_WORDS = {
    "agua": 2,          # a-gua: u + a is a diphthong
    "día": 2,           # dí-a: a stressed í parts it from the a
    "país": 2,          # pa-ís
    "ciudad": 2,        # ciu-dad: two weak vowels are a diphthong
    "reír": 2,          # re-ír
    "poeta": 3,         # po-e-ta: two strong vowels are a hiatus
    "leer": 2,          # le-er
    "aéreo": 4,         # a-é-re-o
    "Uruguay": 3,       # U-ru-guay: triphthong, final y is a vowel
    "guerra": 2,        # gue-rra: silent u
    "pingüino": 3,      # pin-güi-no: ü is pronounced
    "cigüeña": 3,       # ci-güe-ña
    "hoy": 1,
    "muy": 1,
    "y": 1,
    "ahora": 3,         # a-ho-ra
    "tratamiento": 4,   # tra-ta-mien-to
    "esketamina": 5,    # es-ke-ta-mi-na
    "ketamina": 4,      # ke-ta-mi-na
    "presión": 2,       # pre-sión
    "arterial": 3,      # ar-te-rial: i + a unaccented is a diphthong
    "ansiedad": 3,      # an-sie-dad
    "oído": 3,          # o-í-do
    "maíz": 2,          # ma-íz
    "huevo": 2,         # hue-vo
    "cuidado": 3,       # cui-da-do
    "ruido": 2,         # rui-do
    "medicamento": 5,   # me-di-ca-men-to
    "náuseas": 3,       # náu-se-as
    "respiración": 4,   # res-pi-ra-ción
    "emergencia": 4,    # e-mer-gen-cia
    "psicosis": 3,      # psi-co-sis
    "embarazo": 4,      # em-ba-ra-zo
    "lactancia": 3,     # lac-tan-cia
    "Guatemala": 4,     # Gua-te-ma-la: the u before a is pronounced
    "quiero": 2,        # quie-ro
    "guitarra": 3,      # gui-ta-rra
    "guion": 1,         # one syllable in the 2010 spelling rules
    "argüir": 2,        # ar-güir
    "baúl": 2,          # ba-úl
    "reúne": 3,         # re-ú-ne
    "leíais": 3,        # le-í-ais
    "buey": 1,
    "rey": 1,
    "reyes": 2,         # re-yes: y before a vowel is a consonant
    "ayuda": 3,         # a-yu-da
    "limpiáis": 2,      # lim-piáis
    "averiguáis": 4,    # a-ve-ri-guáis
    "construí": 2,      # cons-truí
    "chiita": 3,        # chi-i-ta: the same weak vowel twice
    "aceite": 3,        # a-cei-te
    "viuda": 2,         # viu-da
    "zanahoria": 4,     # za-na-ho-ria
    "suicidio": 3,      # sui-ci-dio
    "esquizofrenia": 5,  # es-qui-zo-fre-nia
    "alcohol": 3,       # al-co-hol: h between two strong vowels, still a hiatus
    "búho": 2,          # bú-ho
    "ahí": 2,           # a-hí
    "ahumado": 3,       # ahu-ma-do: h does not part a diphthong
    "prohibir": 2,      # prohi-bir, as "ahu-ma-do" (the tilde of "prohíbe" marks the hiatus)
    "prohíbe": 3,       # pro-hí-be
    "ahuecar": 3,       # a-hue-car: the u glides into the e, not the a
    "mareo": 3,         # ma-re-o
    "oxígeno": 4,       # o-xí-ge-no
    "corazón": 3,       # co-ra-zón
    "TRATAMIENTO": 4,   # capitals count the same
}


@pytest.mark.parametrize(("word", "expected"), SPANISH_WORDS.items())
def test_spanish_syllables(word: str, expected: int) -> None:
    assert spanish_syllables(word) == expected


def test_spanish_letters_are_read_aloud() -> None:
    assert spanish_syllables("mg") == 3           # e-me ge: no vowel, read letter by letter
    assert measure("La FDA.", "es").syllables == 1 + 4  # la + e-fe de a
    assert measure("Vía IV.", "es").syllables == 2 + 2  # ví-a + i ve


@pytest.mark.parametrize(("word", "expected"), [
    ("treatment", 2), ("medicine", 3), ("today", 2), ("night’s", 1), ("off-label", 3),
    ("ketamine", 3), ("esketamine", 4), ("dissociative", 5),
])
def test_english_syllables(word: str, expected: int) -> None:
    assert english_syllables(word) == expected


def test_english_initialisms_are_spelled_out() -> None:
    assert measure("IV.", "en").syllables == 2
    assert measure("FDA.", "en").syllables == 3


def test_flesch_kincaid_and_reading_ease_by_hand() -> None:
    # Ketamine(3) is(1) a(1) medicine(3) | Call(1) us(1) today(2) if(1) you(1) feel(1) sick(1)
    result = measure("Ketamine is a medicine. Call us today if you feel sick.", "en")
    assert (result.words, result.sentences, result.syllables) == (11, 2, 16)
    assert result.scores[FLESCH_KINCAID_GRADE] == pytest.approx(0.39 * 11 / 2 + 11.8 * 16 / 11 - 15.59)
    assert result.scores[FLESCH_KINCAID_GRADE] == pytest.approx(3.7186, abs=1e-4)
    assert result.scores[FLESCH_READING_EASE] == pytest.approx(206.835 - 1.015 * 11 / 2 - 84.6 * 16 / 11)
    assert result.scores[FLESCH_READING_EASE] == pytest.approx(78.1980, abs=1e-4)
    assert result.score == result.scores[FLESCH_KINCAID_GRADE] and result.meets_target()


def test_flesch_kincaid_agrees_with_textstat_where_the_counts_agree() -> None:
    from textstat.textstat import textstatistics  # type: ignore[import-untyped]

    text = "The cat sat on the mat. It was a big dog."
    result = measure(text, "en")
    assert result.scores[FLESCH_KINCAID_GRADE] == pytest.approx(textstatistics().flesch_kincaid_grade(text))
    assert result.scores[FLESCH_READING_EASE] == pytest.approx(textstatistics().flesch_reading_ease(text))


def test_fernandez_huerta_and_szigriszt_pazos_by_hand() -> None:
    # El(1) a-gua(2) es-tá(2) frí-a(2) | El(1) dí-a(2) es(1) muy(1) lar-go(2): 9 words, 14 syllables.
    # textstat's pyphen counts "agua", "fría" and "día" as one syllable each and would say 11.
    result = measure("El agua está fría. El día es muy largo.", "es")
    assert (result.words, result.sentences, result.syllables) == (9, 2, 14)
    assert result.scores[FERNANDEZ_HUERTA] == pytest.approx(206.84 - 0.60 * (100 * 14 / 9) - 1.02 * 9 / 2)
    assert result.scores[FERNANDEZ_HUERTA] == pytest.approx(108.9167, abs=1e-4)
    assert result.scores[SZIGRISZT_PAZOS] == pytest.approx(206.835 - 62.3 * 14 / 9 - 9 / 2)
    assert result.scores[SZIGRISZT_PAZOS] == pytest.approx(105.4239, abs=1e-4)
    assert result.score == result.scores[FERNANDEZ_HUERTA] and result.meets_target()


def test_a_hard_spanish_text_misses_the_target() -> None:
    result = measure("La administración intravenosa de ketamina requiere monitorización "
                     "hemodinámica continua y evaluación psiquiátrica especializada.", "es")
    assert not result.meets_target()


def test_other_languages_and_empty_text_are_refused() -> None:
    with pytest.raises(ValueError, match="'fr'"):
        measure("Bonjour.", "fr")
    with pytest.raises(ValueError, match="no words"):
        measure(" • . ", "en")


def test_words_and_numbers() -> None:
    assert word_count("Don’t drive for 24 hours after off-label use (version 2026.11.1).") == 10
    assert word_count("¿Qué es la ketamina? ¡Llame al 911!") == 7


def test_sentence_ends() -> None:
    text = ("See e.g. the U.S. FDA label. Version 2026.11.1 is out! Dr. Lee said so. "
            "¿Qué es? ¡Llame ya! Es “fácil.” Fin")
    assert sentences(text) == [
        "See e.g. the U.S. FDA label.", "Version 2026.11.1 is out!", "Dr. Lee said so.",
        "¿Qué es?", "¡Llame ya!", "Es “fácil.”", "Fin",
    ]


def test_bullets_and_blank_lines_end_units() -> None:
    text = "It may help with:\n• Depression\n• Anxiety that lasts\nlong. Also pain\n\nA heading\n\nText."
    assert sentences(text) == [
        "It may help with:", "Depression", "Anxiety that lasts long.", "Also pain", "A heading", "Text.",
    ]
    assert measure(text, "en").sentences == 6


FOOTER = "Harbor Clinic · Phone (619) 555-0142 Page {page} of 2\r\nhandout.en · Content version 2026.11.1 · Reviewed 2026-11-20"
PAGES = [
    "Harbor Clinic\r\n"
    "Ketamine: what to know\r\n"
    "Ketamine is a medicine that doctors use so people do not feel pain during surgery and\r\n"
    "emergency care. It can help some people with depression. Ask\r\n"
    "After treatment you may have:\r\n"
    "• Tiredness\r\n"
    "• A mild\r\n"
    "headache\r\n"
    "Most effects go away within a few hours of the treatment. Call us if they do not go\r\n"
    + FOOTER.format(page=1),
    "Harbor Clinic\r\n"
    "away. A follow-\r\n"
    "up visit is booked for you.\r\n"
    "Sources\r\n"
    "• U.S. FDA – What Is Ketamine?\r\n"
    "Content version 2026.11.1. Reviewed 2026-11-20.\r\n"
    + FOOTER.format(page=2),
]


def test_running_header_and_footer_are_stripped() -> None:
    stripped = strip_running_lines(PAGES)
    assert stripped[0][0] == "Ketamine: what to know"
    assert stripped[0][-1].startswith("Most effects")
    assert stripped[1][0] == "away. A follow-"
    assert not any("Harbor Clinic" in line or "Page" in line for page in stripped for line in page)


def test_a_one_page_document_loses_its_header_too() -> None:
    page = PAGES[0].replace("Page 1 of 2", "Page 1 of 1")
    assert strip_running_lines([page])[0][0] == "Ketamine: what to know"


def test_sources_run_to_the_end() -> None:
    assert drop_sources(["Call us.", "Fuentes", "• WebMD", "More."]) == ["Call us."]
    assert drop_sources(["Sources of help are near.", "Call us."]) == ["Sources of help are near.", "Call us."]
    assert drop_sources(["Call us.", "Sources: SPRAVATO label; FDA", "REMS."]) == ["Call us."]
    assert drop_sources(["Llame.", "Fuentes (en inglés): KETALAR"]) == ["Llame."]
    assert drop_sources(["Sources of help: your care team.", "Call us."]) == ["Sources of help: your care team.", "Call us."]


def test_body_text_units() -> None:
    assert sentences(body_text(PAGES)) == [
        "Ketamine: what to know",
        "Ketamine is a medicine that doctors use so people do not feel pain during surgery and emergency care.",
        "It can help some people with depression.",
        "Ask After treatment you may have:",  # a long line going on in lowercase is wrapped text
        "Tiredness",
        "A mild headache",
        "Most effects go away within a few hours of the treatment.",
        "Call us if they do not go away.",  # runs across the page break
        "A follow-up visit is booked for you.",
    ]


def test_measuring_touches_neither_network_nor_warnings() -> None:
    # A fresh interpreter, so textstat and the CMU dictionary load while sockets are refused;
    # -W error because textstat's dependencies once warned on import (pkg_resources).
    code = (
        "import socket, sys\n"
        "def refuse(*args, **kwargs):\n"
        "    raise OSError('network use during measurement')\n"
        "socket.socket = socket.create_connection = socket.getaddrinfo = refuse\n"
        "from handouts.readability import measure\n"
        "assert 'textstat' not in sys.modules, 'textstat is loaded on import'\n"
        "en = measure('Ketamine is a medicine. Call us today if you feel sick.', 'en')\n"
        "es = measure('El agua está fría. El día es muy largo.', 'es')\n"
        "assert 'textstat' in sys.modules\n"
        "print(en.syllables, es.syllables)\n"
    )
    result = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["16", "14"]


def test_a_number_is_one_word_of_one_syllable() -> None:
    # A phone number is looked up, not read: it must not weigh like a 13-syllable word.
    with_phone = measure("Llame al (619) 555-0142.", "es")
    assert (with_phone.words, with_phone.syllables) == (4, 2 + 1 + 1 + 1)  # lla-me al 619 555-0142
    assert measure("Call 911 now.", "en").syllables == 3


def test_a_line_of_label_value_pairs_is_its_own_unit() -> None:
    lines = ["Phone (555) 010-1234 · Email care@clinic.example", "We take most insurance plans."]
    assert sentences(join_lines(lines)) == ["Phone (555) 010-1234 · Email care@clinic.example",
                                            "We take most insurance plans."]


def test_a_wrapped_large_print_footer_is_left_out() -> None:
    pages = [f"Clinic\r\nBody text of page {n}.\r\nClinic · Phone 555 Page {n} of 2\r\n"
             "A Long Document Title\r\nContent version 1 · Reviewed 2026-11-20" for n in (1, 2)]
    assert strip_running_lines(pages) == [["Body text of page 1."], ["Body text of page 2."]]


def test_a_consent_is_held_to_grade_8_and_the_sheets_to_grade_6() -> None:
    from handouts.readability import target_for

    # A text at about grade 7: too hard for a handout, within the consent's target.
    text = ("You may stop this treatment at any time, and your other medical care will continue without any "
            "change. Please ask us about anything on this consent form before you sign it.")
    assert 6.0 < measure(text, "en").score <= 8.0
    assert not measure(text, "en").meets_target() and not measure(text, "en", 6).meets_target()
    assert measure(text, "en", 8).meets_target()
    assert target_for("es", 8).limit == 65.0 and target_for("es", 6).limit == 70.0 == target_for("es").limit

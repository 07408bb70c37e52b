"""Reading level of handout text: Flesch-Kincaid for English, Fernández-Huerta for Spanish.

The clinical target: every English document at Flesch-Kincaid grade 6 or below, every Spanish
one at Fernández-Huerta 70 or above, measured on the text extracted from the built PDFs
(`TARGETS`). `measure(text, lang)` scores plain text; `body_text(pages)` first turns the page
strings a PDF text extractor gives into the patient reading text, by these rules:

1. Running header and footer (`strip_running_lines`). The footer starts at the line, among a
   page's last eight, that names the page ("Page 2 of 6", "Página 2 de 6": the footer's first
   line carries it) and runs to the end, however its lines wrapped; lines just above it that
   carry the content version label, are the clinic name, or start with the clinic name and a
   " · " separator ("Clinic · Phone …") belong to it too. The header is a page's first line
   when it is that clinic name, or when every page of a multi-page document starts with the
   same line.
2. Sources (`drop_sources`): from a line that reads just "Sources" or "Fuentes", or opens with
   that label and a colon ("Sources: …", "Fuentes (en inglés): …"), to the end of the document.
   They are citations, not patient reading text, and the handout prints them last.
3. Units (`join_lines`): extracted lines are joined back into running text. A bullet "•"
   starts a new sentence unit, and so does a line after a short line (under 70% of the
   document's longest line) that ends without . ! or ? when the next line starts with a
   capital, ¿ or ¡: that is how headings, labels and list items without a full stop look once
   extracted. A line of " · "-separated items (the contact block's "Phone … · Email …") ends
   its unit too, however long it is. Units are separated by blank lines, which `measure`
   treats as sentence ends.

Counting (`measure`): words are runs of letters, with inner apostrophes or hyphens, and numbers
("24", "2026.11.1", "555-0142"); a number counts as one word of one syllable, as textstat counts
it: phone numbers, times and doses are looked up, not decoded, and reading a clinic's phone
number digit by digit (13 syllables for "555-0142" in Spanish) would let the phone number,
printed four times on an aftercare sheet, decide the grade. A word of two to four capitals ("IV", "FDA") is spelled out letter by letter.
Sentences end at . ! ? (not before a lowercase word, after a known abbreviation, or inside a
number), at a blank line and at a bullet; Spanish ¿ and ¡ open a sentence and end nothing.
English syllables come from textstat 0.7.8 (the CMU dictionary, pyphen for words it lacks),
except for the clinic words in `EN_SYLLABLES` that pyphen gets wrong. Spanish syllables come
from `spanish_syllables`, which follows the Spanish rules for diphthongs and hiatus.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable, Sequence

# Index names, as keys of Readability.scores; each language's first one is its target index.
FLESCH_KINCAID_GRADE = "flesch_kincaid_grade"
FLESCH_READING_EASE = "flesch_reading_ease"
FERNANDEZ_HUERTA = "fernandez_huerta"
SZIGRISZT_PAZOS = "szigriszt_pazos"

INDEX_LABELS = {
    FLESCH_KINCAID_GRADE: "Flesch-Kincaid grade",
    FLESCH_READING_EASE: "Flesch reading ease",
    FERNANDEZ_HUERTA: "Fernández-Huerta",
    SZIGRISZT_PAZOS: "Szigriszt-Pazos (INFLESZ)",
}


@dataclass(frozen=True)
class Target:
    """A reading-level target: an index and the limit it must stay within."""

    index: str
    limit: float
    higher_is_easier: bool

    def met_by(self, value: float) -> bool:
        """Whether an index value is within the limit."""
        return value >= self.limit if self.higher_is_easier else value <= self.limit


TARGETS = {
    "en": Target(FLESCH_KINCAID_GRADE, 6.0, higher_is_easier=False),
    "es": Target(FERNANDEZ_HUERTA, 70.0, higher_is_easier=True),
}
DEFAULT_GRADE = 6.0  # a document's reading grade when content.yaml names none (documents.<id>.reading_grade)


def target_for(lang: str, grade: float | None = None) -> Target:
    """The target of a document written for US school grade `grade` (default 6): Flesch-Kincaid at
    most `grade` in English; in Spanish, Fernández-Huerta at least 85 - 2.5 x grade (70 for grade 6,
    65 for grade 8: inside the band its author calls normal, the level of grades 8 and 9)."""
    grade = DEFAULT_GRADE if grade is None else grade
    if lang == "en":
        return Target(FLESCH_KINCAID_GRADE, grade, higher_is_easier=False)
    if lang == "es":
        return Target(FERNANDEZ_HUERTA, 85.0 - 2.5 * grade, higher_is_easier=True)
    return TARGETS[lang]


@dataclass(frozen=True)
class Readability:
    """What `measure` counted in a text and the reading-level indices for its language."""

    lang: str
    words: int
    sentences: int
    syllables: int
    scores: dict[str, float]  # index name -> value, the language's target index first
    target: Target  # the document kind's target in this language

    @property
    def score(self) -> float:
        """The value of the index the target is set on."""
        return self.scores[self.target.index]

    def meets_target(self) -> bool:
        """Whether the text is as easy to read as the clinical target asks."""
        return self.target.met_by(self.score)


# --- words and sentences -------------------------------------------------------------------

_LETTERS = r"[^\W\d_]+"
_TOKEN = re.compile(rf"{_LETTERS}(?:['’\-]{_LETTERS})*|\d+(?:[.,:/\-]\d+)*")
_UNIT_BREAK = re.compile(r"\n[ \t\r\f\v]*\n|•")
# Closing quotes and brackets may follow the mark; the end must be followed by space or the end.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)")
_LINE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_ABBREVIATIONS = frozenset({
    "dr", "dra", "drs", "sr", "sra", "srta", "mr", "mrs", "ms", "ud", "uds", "vs", "e.g", "i.e",
    "u.s", "a.m", "p.m", "ej", "aprox", "approx", "tel",
})


def words(text: str) -> list[str]:
    """The words and numbers of a text, in order."""
    return _TOKEN.findall(text)


def word_count(text: str) -> int:
    """How many words and numbers a text has."""
    return len(words(text))


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    after = text[match.end():].lstrip()
    if after[:1].islower():  # "e.g. the", "a. m. y": a full stop that a sentence runs past
        return False
    if match.group().startswith(".") and len(match.group().rstrip("\"'”’»)]")) == 1:
        before = text[:match.start()].split()
        if before and before[-1].lstrip("(\"'“‘«¿¡").lower() in _ABBREVIATIONS:
            return False
    return True


def sentences(text: str) -> list[str]:
    """The sentence units of a text: split at . ! ?, at blank lines and at bullets "•"."""
    units = []
    for block in _UNIT_BREAK.split(text):
        start = 0
        for match in _SENTENCE_END.finditer(block):
            if _ends_sentence(block, match):
                units.append(block[start:match.end()])
                start = match.end()
        units.append(block[start:])
    return [" ".join(unit.split()) for unit in units if words(unit)]


# --- syllables -----------------------------------------------------------------------------

_STRONG = frozenset("aeoáéó")
_WEAK = frozenset("iuü")
_STRESSED_WEAK = frozenset("íú")
_VOWELS = _STRONG | _WEAK | _STRESSED_WEAK
# The u of que, qui, gue, gui is not pronounced (güe, güi keep theirs: ü is another letter).
_SILENT_U = re.compile(r"(?<=[qg])u(?=[eiéí])")
# Y is the vowel i at the end of a word ("hoy", "muy", "y") or before a consonant.
_Y_AS_VOWEL = re.compile(r"y(?![aeiouáéíóúü])")

# Letter names as read aloud; Spanish ones as said in the Americas ("ve", "doble ve").
_LETTER_NAMES_ES = dict(zip(
    "abcdefghijklmnñopqrstuvwxyz",
    "a be ce de e efe ge hache i jota ka ele eme ene eñe o pe cu erre ese te u ve dobleve equis ye zeta".split(),
))
_LETTER_SYLLABLES_EN = {"w": 3}  # "double-u"; every other letter name is one syllable

# Words of this content that the CMU dictionary lacks and pyphen, textstat's fallback, undercounts.
EN_SYLLABLES = {
    "ketamine": 3, "esketamine": 4, "troche": 2, "troches": 2, "dissociative": 5,
    "dissociation": 5, "fibromyalgia": 5, "benzodiazepine": 6, "benzodiazepines": 6,
    "opioid": 3, "opioids": 3, "sleepier": 3,
}


def _vowel_runs(word: str) -> list[str]:
    return re.findall(f"[{''.join(sorted(_VOWELS))}]+", word)


def _nuclei(run: str) -> int:
    """Syllables in one run of adjacent vowels: a, e, o, í and ú each carry one; i and u glide."""
    peaks = sum(1 for vowel in run if vowel in _STRONG or vowel in _STRESSED_WEAK)
    # A weak vowel next to a peak glides into its syllable ("agua", "náu-se-as", "U-ru-guay");
    # a stretch of weak vowels with no peak beside it is one diphthong ("ciu-dad", "muy"),
    # unless the same vowel repeats ("chi-i-ta").
    for stretch in re.finditer(r"[iuü]+", run):
        before = run[stretch.start() - 1:stretch.start()]
        after = run[stretch.end():stretch.end() + 1]
        if not before and not after:
            text = stretch.group().replace("ü", "u")
            peaks += 1 + sum(1 for a, b in zip(text, text[1:]) if a == b)
    return peaks


def spanish_syllables(word: str) -> int:
    """Syllables in one Spanish word, by the rules for diphthongs, triphthongs and hiatus."""
    lower = word.lower()
    # H between vowels does not part them: "ahu-ma-do", "prohi-bir", "ahí" = a-hí.
    lower = _Y_AS_VOWEL.sub("i", _SILENT_U.sub("", lower.replace("h", "")))
    count = sum(_nuclei(run) for run in _vowel_runs(lower))
    if count == 0:  # no vowel at all ("mg", "pdf"): read letter by letter
        return sum(spanish_syllables(_LETTER_NAMES_ES[c]) for c in word.lower() if c in _LETTER_NAMES_ES) or 1
    return count


@functools.lru_cache(maxsize=1)
def _textstat_counter() -> Callable[[str], int]:
    # Imported here, not at the top, so that commands that never measure do not load it.
    from textstat.textstat import textstatistics  # type: ignore[import-untyped]

    stats = textstatistics()  # an instance of our own: textstat.set_lang elsewhere can't reach it
    stats.set_lang("en_US")
    return functools.lru_cache(maxsize=None)(stats.syllable_count)


def english_syllables(word: str) -> int:
    """Syllables in one English word: textstat's count, corrected for a few clinic words."""
    count = _textstat_counter()
    total = 0
    for part in word.replace("’", "'").lower().split("-"):
        total += EN_SYLLABLES.get(part) or max(1, count(part))
    return total


_SYLLABLE_COUNTERS: dict[str, Callable[[str], int]] = {"en": english_syllables, "es": spanish_syllables}


def _token_syllables(token: str, lang: str) -> int:
    if token[0].isdigit():  # a number: one word, one syllable (see the module docstring)
        return 1
    if 2 <= len(token) <= 4 and token.isalpha() and token.isupper():  # "IV", "FDA": spelled out
        if lang == "es":
            return sum(spanish_syllables(_LETTER_NAMES_ES.get(c, c)) for c in token.lower())
        return sum(_LETTER_SYLLABLES_EN.get(c, 1) for c in token.lower())
    return _SYLLABLE_COUNTERS[lang](token)


# --- indices -------------------------------------------------------------------------------

def _english_scores(words: int, sentences: int, syllables: int) -> dict[str, float]:
    per_sentence, per_word = words / sentences, syllables / words
    return {
        FLESCH_KINCAID_GRADE: 0.39 * per_sentence + 11.8 * per_word - 15.59,
        FLESCH_READING_EASE: 206.835 - 1.015 * per_sentence - 84.6 * per_word,
    }


def _spanish_scores(words: int, sentences: int, syllables: int) -> dict[str, float]:
    per_sentence, per_word = words / sentences, syllables / words
    return {
        # Fernández-Huerta as corrected (Law, 2011): P is syllables per 100 words and F words
        # per sentence; the often-quoted "sentences per 100 words" reading scores short
        # sentences as harder.
        FERNANDEZ_HUERTA: 206.84 - 0.60 * (100 * per_word) - 1.02 * per_sentence,
        SZIGRISZT_PAZOS: 206.835 - 62.3 * per_word - per_sentence,
    }


_SCORERS: dict[str, Callable[[int, int, int], dict[str, float]]] = {
    "en": _english_scores,
    "es": _spanish_scores,
}


def measure(text: str, lang: str, grade: float | None = None) -> Readability:
    """Count words, sentences and syllables in text and score it for its language (en or es),
    against the target for a document of reading grade `grade` (`target_for`)."""
    if lang not in _SCORERS:
        raise ValueError(f"no readability formula for language {lang!r}; known: {', '.join(sorted(_SCORERS))}")
    tokens = words(text)
    if not tokens:
        raise ValueError("no words to measure")
    units = len(sentences(text))
    syllables = sum(_token_syllables(token, lang) for token in tokens)
    return Readability(lang, len(tokens), units, syllables, _SCORERS[lang](len(tokens), units, syllables),
                       target_for(lang, grade))


# --- text extracted from PDFs --------------------------------------------------------------

_PAGE_OF = re.compile(r"\b(?:Page|Página)\s+\d+\s+(?:of|de)\s+\d+\b")
_VERSION_LABEL = re.compile(r"\b(?:Content version|Versión del contenido)\b")
SOURCES_HEADINGS = frozenset({"sources", "fuentes"})
_SEPARATOR = " · "
_FOOTER_LINES_MAX = 8  # the footer is looked for among a page's last lines
_SHORT_LINE = 0.7  # of the longest line: a wrapped line of running text is longer than this


def _clinic_name(pages: Sequence[list[str]]) -> str | None:
    """The clinic name, as the footer line with the page number starts ("Clinic · Phone …")."""
    for lines in pages:
        for line in lines:
            if _PAGE_OF.search(line) and _SEPARATOR in line:
                return line.split(_SEPARATOR, 1)[0].strip()
    return None


def _is_footer_line(line: str, clinic: str | None) -> bool:
    if _PAGE_OF.search(line) or _VERSION_LABEL.search(line) or line == clinic:
        return True
    return clinic is not None and line.startswith(clinic + _SEPARATOR)


def strip_running_lines(pages: Sequence[str]) -> list[list[str]]:
    """Each page's non-blank lines without the running header and footer."""
    split = [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]
    clinic = _clinic_name(split)
    firsts = {lines[0] for lines in split if lines}
    shared_first = firsts.pop() if len(split) > 1 and len(firsts) == 1 else None
    stripped = []
    for lines in split:
        end = len(lines)
        # The footer's first line carries "Page X of Y"; all below it is footer, however it wrapped.
        for index in range(len(lines) - 1, max(-1, len(lines) - 1 - _FOOTER_LINES_MAX), -1):
            if _PAGE_OF.search(lines[index]):
                end = index
                break
        while end and _is_footer_line(lines[end - 1], clinic):
            end -= 1
        start = 1 if end and lines[0] in (clinic, shared_first) else 0
        stripped.append(lines[start:end])
    return stripped


def drop_sources(lines: Sequence[str]) -> list[str]:
    """The lines before the sources, which run to the end: a "Sources" or "Fuentes" heading, or a
    line that opens with that label and a colon ("Sources: …", "Fuentes (en inglés): …")."""
    for index, line in enumerate(lines):
        text = line.strip().lower()
        label = text.split(":", 1)[0].split(" (", 1)[0] if ":" in text else None
        if text in SOURCES_HEADINGS or label in SOURCES_HEADINGS:
            return list(lines[:index])
    return list(lines)


def _ends_unit(line: str, next_line: str, longest: int) -> bool:
    if _SEPARATOR in line and not _LINE_END.search(line):  # "Phone … · After hours …": a list, not prose
        return True
    if _LINE_END.search(line) or len(line) >= _SHORT_LINE * longest:
        return False
    first = next_line.lstrip()[:1]
    return first.isupper() or first in "¿¡•"


def join_lines(lines: Sequence[str]) -> str:
    """Extracted lines as running text, one sentence unit per bullet, heading or label."""
    longest = max((len(line) for line in lines), default=0)
    parts: list[str] = []
    for index, line in enumerate(lines):
        parts.append(line)
        if index + 1 == len(lines):
            break
        if _ends_unit(line, lines[index + 1], longest):
            parts.append("\n\n")
        elif not (line.endswith("-") and line[-2:-1].isalpha()):  # "off-" + "label" is one word
            parts.append(" ")
    return "".join(parts).replace("•", "\n\n•")


def body_text(pages: Sequence[str]) -> str:
    """The patient reading text of a document, from its pages' extracted text (see module doc)."""
    lines = [line for page in strip_running_lines(pages) for line in page]
    return join_lines(drop_sources(lines))

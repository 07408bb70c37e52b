"""Reading level: each document against its kind's target; when one misses it, its hardest sections.

The text is what the document prints as sentences (not the contact details, sources or form
labels), one unit per paragraph and list item, measured by handouts.readability.
"""

from __future__ import annotations

from typing import Any

from handouts.check import WARNING, Finding, about, plain_sections
from handouts.model import ResolvedDocument
from handouts.readability import INDEX_LABELS, Readability, Target, measure, target_for

SECTION_WORDS = 60  # shorter sections are too short for a reading-level formula to mean much


def check(doc: ResolvedDocument, levels: list[dict[str, Any]] | None = None) -> list[Finding]:
    """A warning for a document harder to read than its target, and for its sections that miss it
    themselves; every measurement (document and sections, all indices) is added to `levels`."""
    lang, grade = doc.job.lang, doc.job.document.reading_grade
    try:
        target = target_for(lang, grade)
    except KeyError:  # no formula for this language
        return []
    sections = plain_sections(doc, prose_only=True)
    whole = "\n\n".join(f"{heading}\n\n{text}" for _, heading, text in sections)
    if not whole.strip():
        return []
    results = [(None, "", measure(whole, lang, grade))]
    results += [(section, heading, measure(text, lang, grade)) for section, heading, text in sections
                if len(text.split()) >= SECTION_WORDS]  # shorter ones are too short to measure
    if levels is not None:
        levels += [{**about(doc), "section": section.id if section else None, "words": result.words,
                    "scores": {k: round(v, 1) for k, v in result.scores.items()}, "met": result.meets_target()}
                   for section, _, result in results]
    if results[0][2].meets_target():
        return []
    return [Finding(WARNING, "reading-level", _message(f"section {heading!r}" if section else "the document", result,
                                                       target), str(section.where if section else doc.job.document.where),
                    **about(doc))
            for section, heading, result in results if not result.meets_target()]


def _message(what: str, result: Readability, target: Target) -> str:
    others = ", ".join(f"{INDEX_LABELS[k]} {v:.1f}" for k, v in result.scores.items() if k != target.index)
    limit = f"{'at least' if target.higher_is_easier else 'at most'} {target.limit:g}"
    return (f"{what} reads at {INDEX_LABELS[target.index]} {result.score:.1f} ({others}); the target is {limit}: "
            "use shorter sentences and words")

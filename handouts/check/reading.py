"""Reading level: each document against its kind's target; when one misses it, its hardest sections.

The text is what the document prints as sentences (not the contact details, sources or form
labels), one unit per paragraph and list item, measured by handouts.readability.
"""

from __future__ import annotations

from handouts.check import WARNING, Finding, about, plain_sections
from handouts.model import ResolvedDocument
from handouts.readability import INDEX_LABELS, measure, target_for

SECTION_WORDS = 60  # shorter sections are too short for a reading-level formula to mean much


def check(doc: ResolvedDocument) -> list[Finding]:
    """A warning for a document, or a section of it, harder to read than its target."""
    lang, kind = doc.job.lang, doc.job.document.reading_grade
    try:
        target = target_for(lang, kind)
    except KeyError:  # no formula for this language
        return []
    sections = plain_sections(doc, prose_only=True)
    whole = "\n\n".join(f"{heading}\n\n{text}" for _, heading, text in sections)
    if not whole.strip() or measure(whole, lang, kind).meets_target():
        return []
    findings = [Finding(WARNING, "reading-level", _message("the document", measure(whole, lang, kind).score, target),
                        str(doc.job.document.where), **about(doc))]
    for section, heading, text in sections:  # where to start: the sections that miss the target themselves
        if len(text.split()) < SECTION_WORDS:
            continue
        result = measure(text, lang, kind)
        if not result.meets_target():
            findings.append(Finding(WARNING, "reading-level", _message(f"section {heading!r}", result.score, target),
                                    str(section.where), **about(doc)))
    return findings


def _message(what: str, score: float, target: object) -> str:
    index = INDEX_LABELS[target.index]  # type: ignore[attr-defined]
    limit = f"{'at least' if target.higher_is_easier else 'at most'} {target.limit:g}"  # type: ignore[attr-defined]
    return f"{what} reads at {index} {score:.1f}; the target is {limit}: use shorter sentences and words"

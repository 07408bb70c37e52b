"""Treatment facts as declarative rules (facts.yaml, beside this module): phrases a document must
carry or must never carry, per treatment and language, each rule naming its source."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

from handouts.check import ERROR, Finding, about, plain_sections
from handouts.model import ResolvedDocument

RULES_FILE = Path(__file__).with_name("facts.yaml")


@dataclass(frozen=True)
class Rule:
    """One fact rule from facts.yaml."""

    id: str
    source: str
    documents: tuple[str, ...]
    treatment: str | None
    per_treatment_only: bool
    must: Mapping[str, tuple[str, ...]]
    must_not: Mapping[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    """The rules of a facts file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(Rule(
        id=r["id"], source=r["source"], documents=tuple(r["documents"]), treatment=r.get("treatment"),
        per_treatment_only=bool(r.get("per_treatment_only", False)),
        must={lang: tuple(p) for lang, p in (r.get("must") or {}).items()},
        must_not={lang: tuple(p) for lang, p in (r.get("must_not") or {}).items()},
    ) for r in data["rules"])


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("’", "'").replace("\xa0", " ")
    return " ".join(text.split()).casefold()


def applies(rule: Rule, doc: ResolvedDocument) -> bool:
    """Whether a rule is about this document, for its treatment (or the clinic's treatments)."""
    job = doc.job
    if job.document.id not in rule.documents:
        return False
    if rule.treatment is None:
        return True
    if job.treatment is not None:
        return job.treatment == rule.treatment
    return not rule.per_treatment_only and rule.treatment in job.clinic.treatments


def check(doc: ResolvedDocument, rules: tuple[Rule, ...]) -> list[Finding]:
    """An error for each phrase a document must carry and lacks, or must never carry and does."""
    sections = [(str(section.where), _folded(f"{heading} {body}")) for section, heading, body in plain_sections(doc)]
    sections.append((str(doc.job.document.where), _folded(doc.plain_title)))
    text = " ".join(folded for _, folded in sections)
    lang = doc.job.lang
    findings = []
    for rule in rules:
        if not applies(rule, doc):
            continue
        for phrase in rule.must.get(lang, ()):
            if _folded(phrase) not in text:  # missing: the document is where to add it
                findings.append(Finding(ERROR, f"fact:{rule.id}", f"must say {phrase!r} (source: {rule.source})",
                                        str(doc.job.document.where), **about(doc)))
        for phrase in rule.must_not.get(lang, ()):
            # Printed: named at the section that prints it (or the document, for the title).
            places = [where for where, folded in sections if _folded(phrase) in folded]
            findings += [Finding(ERROR, f"fact:{rule.id}", f"must never say {phrase!r} (source: {rule.source})",
                                 where, **about(doc)) for where in places]
    return findings

"""`handouts check`: find what would mislead a patient or embarrass a clinic, before anyone prints.

Every document is resolved for every clinic, language and treatment, without writing a PDF,
and each rule family (one module each) looks at what would be printed: template problems,
reading level, treatment facts, consent elements, colour contrast, logos. A finding names its
severity, rule, document, language, clinic and where it comes from (file:line and YAML path).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from handouts.errors import HandoutsError, Where
from handouts.model import ResolvedDocument

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One thing `handouts check` found."""

    severity: str  # error or warning
    rule: str  # e.g. reading-level, fact, consent-element, contrast, logo, template
    message: str
    where: str = ""  # file:line YAML path
    document: str = ""  # e.g. consent-esketamine
    language: str = ""
    clinic: str = ""

    def __str__(self) -> str:
        about = ", ".join(f"{k} {v}" for k, v in (("clinic", self.clinic), ("document", self.document),
                                                  ("language", self.language)) if v)
        place = f"{self.where}: " if self.where else ""
        return f"{self.severity.upper()} [{self.rule}] {place}{self.message}" + (f" ({about})" if about else "")


@dataclass
class Report:
    """Every finding of one check, and what was looked at."""

    findings: list[Finding] = field(default_factory=list)
    documents: int = 0  # resolved documents checked
    reading: list[dict[str, Any]] = field(default_factory=list)  # every reading-level measurement (JSON only)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    def to_json(self) -> dict[str, Any]:
        return {"documents": self.documents, "errors": len(self.errors), "warnings": len(self.warnings),
                "findings": [asdict(f) for f in self.findings], "reading": self.reading}


def about(doc: ResolvedDocument) -> dict[str, str]:
    """The document, language and clinic fields of a finding about `doc`."""
    name = doc.job.document.id if doc.job.treatment is None else f"{doc.job.document.id}-{doc.job.treatment}"
    return {"document": name, "language": doc.job.lang, "clinic": doc.job.clinic.id}


NOT_PROSE = ("contact", "sources", "language_help", "field", "checkbox")  # lists of details, not sentences


def plain_sections(doc: ResolvedDocument, prose_only: bool = False) -> list[tuple[Any, str, str]]:
    """Each printed section of `doc` as (section, heading, plain text), paragraphs and items apart;
    with `prose_only`, without the blocks that are lists of details (contact, sources, fields)."""
    from handouts.resolve import plain

    by_id = {s.id: s for s in doc.job.document.sections}
    return [(by_id[s.id], plain(s.heading),
             "\n\n".join(plain(t) for block in s.blocks if not (prose_only and block.kind in NOT_PROSE)
                          for t in _texts(block.data)))
            for s in doc.sections]


def _texts(data: Any) -> Iterable[str]:
    """Every piece of printed markup in a resolved block, whatever its kind (not field names or tones)."""
    if isinstance(data, str):
        if data:
            yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            if key not in ("name", "role", "tone", "short", "labels"):
                yield from _texts(value)
    elif isinstance(data, (list, tuple)):
        for item in data:
            yield from _texts(item)


def run_checks(content_path: Path, clinics_path: Path | None = None) -> Report:
    """Load, validate and resolve everything, and run every rule family; a file that cannot be
    loaded at all is reported as findings too (no exception for what a user wrote)."""
    from handouts.build import load_inputs, plan
    from handouts.check import colours, consent, facts, header, logos, reading
    from handouts.resolve import Failure, resolve_job

    report = Report()
    try:
        content, clinics = load_inputs(content_path, clinics_path)
    except HandoutsError as exc:
        report.findings += [_problem("schema", p.where, p.message) for p in exc.problems]
        return report
    resolvers: dict[Any, Any] = {}
    rules = facts.load_rules()
    report.findings += _translations(content, clinics)
    for job in plan(content, clinics, skip_incomplete=True):
        result = resolve_job(content, job, resolvers)
        name = job.document.id if job.treatment is None else f"{job.document.id}-{job.treatment}"
        if isinstance(result, Failure):
            for problem in result.problems:
                rule = "template" if problem in result.template else "glyph"
                report.findings.append(Finding(ERROR, rule, problem.message, str(problem.where), name, job.lang,
                                               job.clinic.id))
            continue
        report.documents += 1
        report.findings += reading.check(result, report.reading)
        report.findings += consent.check(result)
        report.findings += facts.check(result, rules)
    shipped = header.layouts(content)  # read once, not once per clinic
    logo_height = next((layout.header["logo_height"] for layout in shipped if layout.name == "standard"), None)
    for clinic in clinics:
        report.findings += colours.check(clinic, content)
        report.findings += logos.check(clinic, content, logo_height)
        report.findings += header.check(clinic, shipped)
    report.findings = list(dict.fromkeys(report.findings))
    return report


def _translations(content: Any, clinics: Any) -> list[Finding]:
    """A warning for each text missing in a language; an error for each clinic that lists that language."""
    findings = []
    for document in content.documents.values():
        for lang, gaps in document.gaps.items():
            findings += [Finding(WARNING, "translation", p.message, str(p.where), document.id, lang) for p in gaps]
            for clinic in clinics:
                if lang in clinic.languages:
                    findings.append(Finding(ERROR, "translation", f"the clinic lists {lang!r}, and {document.id} is "
                                            f"not translated into it yet ({len(gaps)} text(s) missing): build "
                                            "refuses it", str(clinic.where_of("languages")), document.id, lang,
                                            clinic.id))
    return findings


def _problem(rule: str, where: Where, message: str) -> Finding:
    return Finding(ERROR, rule, message, str(where))

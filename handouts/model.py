"""Plain data passed between the pipeline stages: content, clinics, layouts, resolved documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from handouts.errors import Problem, Where

TREATMENTS = ("iv", "esketamine", "im", "troche")
"""Treatment ids a clinic may offer, in the order documents list them."""

CONDITIONS = ("depression", "anxiety", "ptsd", "pain")
"""Conditions a clinic may treat; content prints only those the clinic lists (default: depression)."""

LABEL_KEYS = ("page_of", "phone", "after_hours", "address", "website", "email", "version", "reviewed",
              "language_help", "language_tagline", "initials", "signature", "printed_name", "date", "time", "form")
"""Short strings the layout prints, required in every language of the content."""


@dataclass(frozen=True)
class Text:
    """A content string (a Jinja2 template) and where it was written."""

    source: str
    where: Where


@dataclass(frozen=True)
class Block:
    """One block of a section in one language: its kind, its texts, an optional condition."""

    kind: str
    data: Any  # what the kind's parse() returned (handouts/blocks/<kind>.py)
    where: Where
    when: Text | None = None


@dataclass(frozen=True)
class SectionText:
    """A section's heading and blocks in one language."""

    heading: Text
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Section:
    """A titled part of a document, written once per language."""

    id: str
    by_lang: Mapping[str, SectionText]
    where: Where
    when: Text | None = None
    role: str | None = None  # what it does for a consent (SECTION_ROLES), checked by `handouts check`


SECTION_ROLES = ("patient", "purpose", "status", "procedure", "benefits", "risks", "responsibilities",
                 "alternatives", "voluntary", "questions", "signatures")
"""What a consent section does; a section may also carry several, e.g. `role: [voluntary, questions]`."""


@dataclass(frozen=True)
class Document:
    """A printable document: handout, aftercare, ...; per_treatment ones are built once per treatment."""

    id: str
    per_treatment: bool
    title: Mapping[str, Text]
    subject: Mapping[str, Text]
    sections: tuple[Section, ...]
    where: Where
    pages: int | None = None  # the most pages it should take below large print; more is a warning
    form: bool = False  # a fillable form: every page carries the form id, content hash and a QR code
    fields: tuple[str, ...] = ()  # its form field names, the same in every language
    gaps: Mapping[str, tuple[Problem, ...]] = field(default_factory=dict)  # lang -> texts it lacks in that language
    reading_grade: int | None = None  # the US school grade its text is written for (handouts check), default 6


@dataclass(frozen=True)
class Treatment:
    """A way ketamine is given, with its per-language texts (name, driving rule, ...)."""

    id: str
    off_label: bool
    texts: Mapping[str, Mapping[str, Text]]  # lang -> key -> text


@dataclass(frozen=True)
class Clinic:
    """One clinic location and every field it supplies to the content."""

    id: str
    fields: Mapping[str, Any]  # every field as given; text fields may be {lang: text}
    languages: tuple[str, ...]
    treatments: tuple[str, ...]
    where: Where  # the record itself
    conditions: tuple[str, ...] = ("depression",)
    field_lines: Mapping[str, int] = field(default_factory=dict)
    logo: Path | None = None

    def value(self, name: str, lang: str) -> Any:
        """A field's value in one language: its own text, or the `lang` (else `default`) entry of a per-language one."""
        value = self.fields.get(name)
        return value.get(lang, value.get("default")) if isinstance(value, dict) else value

    def where_of(self, name: str) -> Where:
        """Where one field of this clinic was written."""
        return self.where.at(f"{self.where.path}.{name}", self.field_lines.get(name, self.where.line))


@dataclass(frozen=True)
class Content:
    """Everything content.yaml holds, validated."""

    path: Path
    version: str
    reviewed: str
    languages: Mapping[str, str]
    labels: Mapping[str, Mapping[str, str]]
    treatments: Mapping[str, Treatment]
    documents: Mapping[str, Document]
    clinics: tuple[Clinic, ...]


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: styles are cached per layout
class Layout:
    """How a page looks: size, margins, type scale, colours, fonts; built from layouts/*.yaml."""

    name: str
    page_size: tuple[float, float]
    margins: Mapping[str, float]  # top, bottom, left, right in points
    type: Mapping[str, float]  # body, leading, title, heading, small
    colors: Mapping[str, str]
    spacing: Mapping[str, float]
    header: Mapping[str, float]
    fonts: Mapping[str, str]  # regular, bold: font file names shipped with the package


@dataclass(frozen=True)
class Job:
    """One PDF to make: a document for a clinic, in a language, for a treatment if per-treatment."""

    clinic: Clinic
    document: Document
    lang: str
    treatment: str | None = None

    @property
    def name(self) -> str:
        """The document's file stem and id, e.g. aftercare-esketamine.es."""
        base = self.document.id if self.treatment is None else f"{self.document.id}-{self.treatment}"
        return f"{base}.{self.lang}"


@dataclass(frozen=True)
class ResolvedBlock:
    """A block ready to lay out: its kind and its texts as ReportLab paragraph markup."""

    kind: str
    data: Any


@dataclass(frozen=True)
class ResolvedSection:
    """A section ready to lay out."""

    id: str
    heading: str
    blocks: tuple[ResolvedBlock, ...]


@dataclass(frozen=True)
class FormMark:
    """What identifies a printed form on every page: its id, the hash of its exact text, its language."""

    form_id: str  # e.g. consent-esketamine
    content_hash: str  # short hex digest of the resolved text (handouts.fingerprint.content_hash)
    language: str  # the language's own name, e.g. Español


@dataclass(frozen=True)
class ResolvedDocument:
    """A document with every placeholder filled for one clinic, language and treatment."""

    job: Job
    title: str  # markup
    plain_title: str
    subject: str
    clinic_name: str  # plain text, for the page header
    phone: str  # plain text, for the page footer
    labels: Mapping[str, str]
    version: str
    reviewed: str
    primary_color: str | None
    accent_color: str | None
    logo: Path | None
    sections: tuple[ResolvedSection, ...]
    form: FormMark | None = None  # set for a fillable form
    logo_alt: str = ""  # the logo's alternative text (the clinic's logo_alt, else its name)

"""The one spec of content.yaml and of a clinic record: each object's keys, which are required,
what each holds, and the enums and patterns they are checked against.

Plain data, read twice: the validators (handouts.validate, handouts.clinics and each block
kind's `parse`) check what it names, and handouts.schema turns it into the JSON Schema that
`handouts schema` prints for editors, so the two cannot drift. A block kind's value is
specified in its own module (`SPEC` in handouts/blocks/<kind>.py), beside its parse step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

# Defined beside the data they describe, and part of the spec: the validators read them from here.
from handouts.model import CONDITIONS, LABEL_KEYS, SECTION_ROLES, TREATMENTS

# What a value may be: Field.type.
TEXT = "text"  # a content string (a Jinja2 template): text or a number, not blank, no < or > outside its tags
TEXTS = "list of text"  # a non-empty list of content strings
TEXT_OR_TEXTS = "text or list of text"
PER_LANGUAGE = "text per language"  # {language code: content string}
PLAIN = "plain text"  # text or a number, not blank, taken as written (a version, a language's own name)
EXPRESSION = "expression"  # a Jinja2 expression (`when:`): not blank; < and > compare, they are not markup
BOOLEAN = "true or false"
WHOLE = "whole number"  # above 0; the loader keeps it as text, so "2" and 2 alike
DATE = "date"  # like 2026-11-20
ENUM = "one of"  # one of Field.enum
ENUMS = "one or more of"  # one of Field.enum, or a non-empty list of them
PATTERN = "pattern"  # text matching Field.pattern
NO_SETTINGS = "no settings"  # `{}`, or nothing
OBJECT = "object"  # of the Shape in Field.of
LIST = "list"  # each item a Field.of; at least Field.min_items
MAPPING = "mapping"  # keys matching Field.pattern or in Field.enum, each value a Field.of; at least Field.min_items
BLOCK = "block"  # exactly one block kind (handouts.blocks.KINDS), besides the keys of BLOCK_KEYS
CODES = "codes"  # a list of Field.pattern or Field.enum, or one text of them separated by , or ;
CLINIC_VALUE = "clinic value"  # text, a number, true or false, or {language code or OTHER_LANGUAGES: text}
PATH = "path"  # a file, relative to the file that names it
NOTHING = "nothing"  # null or blank text: a key whose value counts as not given
ANYTHING = "anything"  # not checked


@dataclass(frozen=True)
class Field:
    """One value: what it may be, whether its key is required, and the values it may take."""

    type: str
    required: bool = False  # absent, null or blank is an error ("required")
    enum: tuple[str, ...] = ()  # ENUM, ENUMS, CODES: the values; MAPPING: the keys
    pattern: re.Pattern[str] | None = None  # PATTERN: the text; CODES: each code; MAPPING: each key
    of: Field | Shape | None = None  # OBJECT: its shape; LIST: each item; MAPPING: each value
    min_items: int = 0  # LIST, MAPPING
    nullable: bool = False  # null counts as not given
    blank: bool = False  # blank text (and null) counts as not given: a clinic's optional fields
    default: Any = None  # what an absent key means
    contains: tuple[str, ...] = ()  # TEXT: placeholders it must contain
    why: str = ""  # said when one of `contains` is missing
    doc: str = ""  # what it is, shown by an editor


@dataclass(frozen=True)
class Shape:
    """An object: its named keys, keys that match a pattern, and what any other key may hold."""

    name: str
    keys: Mapping[str, Field]
    patterns: Mapping[re.Pattern[str], Field] = field(default_factory=dict)  # e.g. language codes
    others: Field | None = None  # None: another key is an error ("unknown key")
    doc: str = ""

    def __getitem__(self, key: str) -> Field:
        return self.keys[key]

    @property
    def allowed(self) -> tuple[str, ...]:
        """The named keys, in order (what an "unknown key" message lists)."""
        return tuple(self.keys)

    @property
    def required(self) -> tuple[str, ...]:
        """The named keys that must be given."""
        return tuple(key for key, value in self.keys.items() if value.required)


ANY = Field(ANYTHING)

ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
"""Ids of clinics, documents and sections: lowercase letters, digits and hyphens."""
CLINIC_ID = SECTION_ID = DOCUMENT_ID = ID
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
"""A language code, as content.yaml's `languages:` names them."""
OTHER_LANGUAGES = "default"
"""In a clinic's {language: text} field, the text for every language not named."""
FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
"""A clinic record's field names (content reaches them as `clinic.<name>`)."""
COLOR_FIELD = re.compile(r"^[a-z_][a-z0-9_]*_color$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
DATE_FORM = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

TEMPLATE_TAGS = (("{{", "}}"), ("{%", "%}"), ("{#", "#}"))
"""Jinja2's delimiters: inside them content text may use < and >, outside it may not."""


def literal(text: str) -> str:
    """`text` as a regular expression that matches it, in the syntax Python and JavaScript share."""
    return "".join(f"\\{c}" if c in r"\^$.|?*+()[]{}/" else c for c in text)


JINJA = re.compile("|".join(f"{literal(start)}.*?{literal(end)}" for start, end in TEMPLATE_TAGS), re.S)
SPAN = re.compile(r"\[\[([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\|(.+?)\]\]", re.S)
"""Words in another language in content text: [[es|AYUDA]] (a language tag, a bar, the words)."""
"""A placeholder, statement or comment in content text."""

TREATMENT_KEYS = ("name", "short", "how", "session", "driving", "ride")


_MUST_CONTAIN = {  # label: the placeholders it must carry, and why
    "page_of": (("{page}", "{pages}"), ""),
    "language_help": (("{phone}",), "the clinic's phone number"),  # the notice must say whom to call
    "language_tagline": (("{phone}",), "the clinic's phone number"),
}


def _label(key: str) -> Field:
    contains, why = _MUST_CONTAIN.get(key, ((), ""))
    return Field(TEXT, required=True, contains=contains, why=why)


LABELS = Shape("labels", {key: _label(key) for key in LABEL_KEYS}, others=ANY,
               doc="Short strings the page itself prints, in one language.")
TREATMENT_TEXTS = Shape("treatment-texts", {key: Field(TEXT, required=True) for key in TREATMENT_KEYS}, others=ANY,
                        doc="A treatment's texts in one language, reached as treatment.<key>.")
TREATMENT = Shape(
    "treatment",
    {"off_label": Field(BOOLEAN, required=True, doc="Whether this use of it is off-label.")},
    {LANGUAGE: Field(OBJECT, of=TREATMENT_TEXTS)},  # any other key (`offlabel:`) is an error
    doc="A way ketamine is given: off-label or not, and its texts in every language.",
)

BLOCK_KEYS = Shape("block-keys", {"when": Field(EXPRESSION, doc="Print the block only when this is true.")})
"""What a block may carry besides its one kind."""
SECTION_TEXT = Shape("section-text", {
    "heading": Field(TEXT, required=True),
    "blocks": Field(LIST, required=True, of=Field(BLOCK)),
}, doc="A section's heading and blocks in one language.")
SECTION = Shape(
    "section",
    {"id": Field(PATTERN, required=True, pattern=SECTION_ID),
     "when": Field(EXPRESSION, doc="Print the section only when this is true."),
     "role": Field(ENUMS, enum=SECTION_ROLES, doc="What the section does for a consent (handouts check).")},
    {LANGUAGE: Field(OBJECT, of=SECTION_TEXT)},
    doc="A titled part of a document, written once per language.",
)
DOCUMENT = Shape("document", {
    "per_treatment": Field(BOOLEAN, default=False, doc="Built once per treatment the clinic offers."),
    "pages": Field(WHOLE, nullable=True, doc="The most pages it should take below large print."),
    "reading_grade": Field(WHOLE, nullable=True, doc="The school grade its text is written for (default 6)."),
    "form": Field(BOOLEAN, default=False, doc="A fillable form: every page carries its id, hash and QR code."),
    "title": Field(PER_LANGUAGE, required=True),
    "subject": Field(PER_LANGUAGE, required=True),
    "sections": Field(LIST, required=True, of=Field(OBJECT, of=SECTION)),
}, doc="A printable document: handout, aftercare, consent, ...")


def _optional(type_: str, **more: Any) -> Field:
    """A clinic's optional field: null or blank counts as not given."""
    return Field(type_, nullable=True, blank=True, **more)


CLINIC = Shape(
    "clinic",
    {"id": Field(PATTERN, required=True, pattern=CLINIC_ID),
     "name": Field(CLINIC_VALUE, required=True),
     "phone": Field(CLINIC_VALUE, required=True),
     "address": Field(CLINIC_VALUE, required=True),
     "after_hours_phone": _optional(CLINIC_VALUE),
     "website": _optional(CLINIC_VALUE),
     "email": _optional(CLINIC_VALUE),
     "logo": _optional(PATH, doc="A PNG or JPEG, relative to the file that names it."),
     "logo_alt": _optional(CLINIC_VALUE, doc="What the logo says, read out by screen readers (default: the name)."),
     "primary_color": _optional(PATTERN, pattern=COLOR),
     "accent_color": _optional(PATTERN, pattern=COLOR),
     "insurance_wording": _optional(CLINIC_VALUE),
     "language_assistance": _optional(CLINIC_VALUE, doc="The clinic's own language-help notice."),
     "language_taglines": _optional(CLINIC_VALUE, doc="More taglines, one per line."),
     "languages": Field(CODES, pattern=LANGUAGE, nullable=True, default=("en",)),
     "treatments": Field(CODES, enum=TREATMENTS, nullable=True, default=("iv",)),
     "conditions": Field(CODES, enum=CONDITIONS, nullable=True, default=("depression",))},
    {FIELD_NAME: _optional(CLINIC_VALUE, doc="Any other field, reached in content as clinic.<name>."),
     COLOR_FIELD: _optional(PATTERN, pattern=COLOR)},
    others=Field(NOTHING),
    doc="One clinic location and every field it supplies to the content.",
)

CONTENT = Shape("content", {
    "version": Field(PLAIN, required=True, doc="Printed in every footer and in the manifest."),
    "reviewed": Field(DATE, required=True, doc="The review date, like 2026-11-20."),
    "languages": Field(MAPPING, required=True, pattern=LANGUAGE, of=Field(PLAIN), min_items=1,
                       doc="Language code: the language's own name."),
    "labels": Field(MAPPING, required=True, pattern=LANGUAGE, of=Field(OBJECT, of=LABELS)),
    "treatments": Field(MAPPING, required=True, enum=TREATMENTS, of=Field(OBJECT, of=TREATMENT)),
    "documents": Field(MAPPING, required=True, pattern=DOCUMENT_ID, of=Field(OBJECT, of=DOCUMENT)),
    "clinics": Field(LIST, nullable=True, of=Field(OBJECT, of=CLINIC), doc="Sample clinics."),
}, doc="handouts content: the clinical text, documents and sample clinics.")

CLINICS_FILE = Shape("clinics-file", {
    "clinics": Field(LIST, required=True, of=Field(OBJECT, of=CLINIC), min_items=1),
}, others=ANY, doc="A list of clinics, for --clinics.")

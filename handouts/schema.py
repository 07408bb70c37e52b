"""JSON Schema for content.yaml and clinics files, generated from handouts.spec (what the validators check).

Draft 2020-12, written with only the keywords draft-07 shares (no prefixItems, no
unevaluatedProperties, nothing beside a $ref but annotations), so that an editor whose YAML
language server knows draft-07 alone reads it the same way. The loader keeps numbers as
text, so wherever the validator takes text the schema takes a number too.

What JSON Schema cannot say is left to the validator: that a text names every language of
`languages:`, ids are unique, a clinic's languages are the content's, a logo file exists.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from handouts import spec
from handouts.spec import Field, Shape, literal

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS = ("content", "clinics")
"""What `handouts schema` can print: content.yaml, or a clinics YAML file."""
SCHEMA_FILE = "layouts/content.schema.json"
"""Where the content folder keeps the content schema: content.yaml's first line points editors to it."""
MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"

_ANY_TEXT = r"[\s\S]"  # any character, newlines too (JavaScript has no re.S)
_NOT_BLANK = r"\S"
_BLANK = r"^\s*$"


def schema(which: str = "content") -> dict[str, Any]:
    """The JSON Schema of content.yaml (`content`) or of a clinics YAML file (`clinics`)."""
    if which not in SCHEMAS:
        raise ValueError(f"no schema {which!r} (known: {', '.join(SCHEMAS)})")
    builder = _Builder()
    top, title = (spec.CONTENT, "handouts content.yaml") if which == "content" else \
        (spec.CLINICS_FILE, "handouts clinics file")
    body = builder.object(top)
    return {"$schema": DIALECT, "title": title, **body, "$defs": dict(sorted(builder.defs.items()))}


def schema_text(which: str = "content") -> str:
    """The schema as the JSON text `handouts schema` prints and the content folder keeps."""
    return json.dumps(schema(which), indent=2, ensure_ascii=False) + "\n"


def text_pattern() -> str:
    """A content string as a regular expression: not blank, and no < or > outside Jinja2's tags.

    The same reading as handouts.checker (which removes each tag, leftmost first, then looks
    for < and >): a character may stand alone only where no tag starts, and a tag ends at the
    first closing delimiter.
    """
    tags = [(literal(start), literal(end)) for start, end in spec.TEMPLATE_TAGS]
    whole = "|".join(f"{start}(?:(?!{end}){_ANY_TEXT})*{end}" for start, end in tags)
    any_tag = "|".join(f"{start}{_ANY_TEXT}*?{end}" for start, end in tags)
    return f"^(?={_ANY_TEXT}*{_NOT_BLANK})(?:{whole}|(?!{any_tag})[^<>])*$"


def _whole(pattern: re.Pattern[str]) -> str:
    """A pattern that must match the whole value (the spec's are anchored, or used with fullmatch)."""
    source = pattern.pattern
    return source if source.startswith("^") and source.endswith("$") else f"^(?:{source})$"


def _part(pattern: re.Pattern[str]) -> str:
    """A pattern without its anchors, as a group to build a larger one from."""
    source = pattern.pattern
    if source.startswith("^") and source.endswith("$"):
        source = source[1:-1]
    return f"(?:{source})"


def _string(pattern: str) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern}


class _Builder:
    """Turns spec Fields and Shapes into JSON Schema, each named Shape once under $defs."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}
        self._owners: dict[str, object] = {}  # what each definition was made from

    def ref(self, name: str, owner: object, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """A reference to a definition under $defs, made the first time it is asked for."""
        if name not in self._owners:
            self._owners[name] = owner
            self.defs[name] = {}  # reserved first: a shape may contain itself
            self.defs[name] = make()
        elif self._owners[name] is not owner:
            raise ValueError(f"two definitions in the spec are named {name!r}")
        return {"$ref": f"#/$defs/{name}"}

    def shape(self, shape: Shape) -> dict[str, Any]:
        """A reference to the shape's definition."""
        return self.ref(shape.name, shape, lambda: self.object(shape))

    def object(self, shape: Shape) -> dict[str, Any]:
        """An object of this shape: its keys, required ones, keys by pattern, and other keys."""
        out: dict[str, Any] = {"type": "object"}
        if shape.doc:
            out["description"] = shape.doc
        if shape.keys:
            out["properties"] = {key: self.field(value) for key, value in shape.keys.items()}
        if shape.required:
            out["required"] = list(shape.required)
        if shape.patterns:
            # A named key follows its own spec only, not also a pattern it happens to match (`id` is
            # shaped like a language code).
            named = "|".join(literal(key) for key in shape.keys)
            out["patternProperties"] = {f"^(?!(?:{named})$){_part(pattern)}$": self.field(value)
                                        for pattern, value in shape.patterns.items()}
        if shape.others is None:
            out["additionalProperties"] = False
        elif shape.others.type != spec.ANYTHING:
            out["additionalProperties"] = self.field(shape.others)
        return out

    def field(self, value: Field | Shape) -> dict[str, Any]:
        """One value's schema, with its description and default, and null or blank when they mean 'not given'."""
        if isinstance(value, Shape):
            return self.shape(value)
        out = _TYPES[value.type](self, value)
        if value.nullable or value.blank:
            given = out["anyOf"] if list(out) == ["anyOf"] else [out]
            out = {"anyOf": [{"type": "null"}, *([_string(_BLANK)] if value.blank else []), *given]}
        if value.doc:
            out = {**out, "description": value.doc}
        if value.default is not None:
            out = {**out, "default": list(value.default) if isinstance(value.default, tuple) else value.default}
        return out


def _text(b: _Builder, f: Field) -> dict[str, Any]:
    text = b.ref(spec.TEXT, spec.TEXT, lambda: {
        "type": ["string", "number"], "pattern": text_pattern(),
        "description": "Text (a Jinja2 template): not blank; write **bold** for emphasis, "
                       "no < or > outside {{ }}, {% %} and {# #}.",
    })
    if f.contains:  # placeholders it must carry: text only
        return {"allOf": [text, {"type": "string"}, *({"pattern": literal(part)} for part in f.contains)]}
    return text


def _texts(b: _Builder, f: Field) -> dict[str, Any]:
    return {"type": "array", "items": _text(b, Field(spec.TEXT)), "minItems": 1}


def _text_or_texts(b: _Builder, f: Field) -> dict[str, Any]:
    return {"anyOf": [_text(b, Field(spec.TEXT)), _texts(b, f)]}


def _per_language(b: _Builder, f: Field) -> dict[str, Any]:
    return {"type": "object", "propertyNames": {"pattern": _whole(spec.LANGUAGE)},
            "additionalProperties": _text(b, Field(spec.TEXT))}


def _plain(b: _Builder, f: Field) -> dict[str, Any]:
    return {"type": ["string", "number"], "pattern": _NOT_BLANK}


def _boolean(b: _Builder, f: Field) -> dict[str, Any]:
    return {"type": "boolean"}


def _whole_number(b: _Builder, f: Field) -> dict[str, Any]:
    return {"anyOf": [{"type": "integer", "minimum": 1}, _string("^[0-9]*[1-9][0-9]*$")]}


def _date(b: _Builder, f: Field) -> dict[str, Any]:
    return {**_string(spec.DATE_FORM.pattern), "format": "date"}


def _enum(b: _Builder, f: Field) -> dict[str, Any]:
    return {"enum": list(f.enum)}


def _enums(b: _Builder, f: Field) -> dict[str, Any]:
    return {"anyOf": [_enum(b, f), {"type": "array", "items": _enum(b, f), "minItems": 1}]}


def _pattern(b: _Builder, f: Field) -> dict[str, Any]:
    assert f.pattern is not None
    text = _string(_whole(f.pattern))
    if f.pattern.fullmatch("0123456789"):  # digits are a valid value: the loader keeps a number as its digits
        return {"anyOf": [text, {"type": "integer", "minimum": 0}]}
    return text


def _no_settings(b: _Builder, f: Field) -> dict[str, Any]:
    return {"type": ["object", "null"], "maxProperties": 0}


def _object(b: _Builder, f: Field) -> dict[str, Any]:
    assert isinstance(f.of, Shape)
    return b.shape(f.of)


def _list(b: _Builder, f: Field) -> dict[str, Any]:
    assert f.of is not None
    out: dict[str, Any] = {"type": "array", "items": b.field(f.of)}
    if f.min_items:
        out["minItems"] = f.min_items
    return out


def _mapping(b: _Builder, f: Field) -> dict[str, Any]:
    assert f.of is not None
    keys = {"enum": list(f.enum)} if f.enum else {"pattern": _whole(f.pattern)} if f.pattern else {}
    out: dict[str, Any] = {"type": "object", "propertyNames": keys, "additionalProperties": b.field(f.of)}
    if f.min_items:
        out["minProperties"] = f.min_items
    return out


def _block(b: _Builder, f: Field) -> dict[str, Any]:
    from handouts.blocks import KINDS  # the block kinds, each with its own spec

    def make() -> dict[str, Any]:
        kinds = {name: {**b.field(kind.spec), "description": kind.doc} for name, kind in KINDS.items()}
        extra = {key: b.field(value) for key, value in spec.BLOCK_KEYS.keys.items()}
        return {
            "type": "object",
            "description": f"One block: exactly one of {', '.join(KINDS)}; and optionally {', '.join(extra)}.",
            "properties": {**kinds, **extra},
            "additionalProperties": False,
            "oneOf": [{"required": [name]} for name in KINDS],
        }

    return b.ref(spec.BLOCK, spec.BLOCK_KEYS, make)


def _codes(b: _Builder, f: Field) -> dict[str, Any]:
    if f.enum:
        item: dict[str, Any] = {"enum": list(f.enum)}
        code = "(?:" + "|".join(literal(v) for v in f.enum) + ")"
    else:
        assert f.pattern is not None
        item, code = _string(_whole(f.pattern)), _part(f.pattern)
    separated = rf"^[\s,;]*{code}(?:\s*[,;][\s,;]*{code})*[\s,;]*$"  # "en; es", as a CSV cell has them
    return {"anyOf": [{"type": "array", "items": item, "minItems": 1}, _string(separated)]}


def _clinic_value(b: _Builder, f: Field) -> dict[str, Any]:
    per_language = {
        "type": "object",
        "propertyNames": {"pattern": f"^(?:{_part(spec.LANGUAGE)}|{literal(spec.OTHER_LANGUAGES)})$"},
        "additionalProperties": {"type": ["string", "number"], "pattern": _NOT_BLANK},
        "minProperties": 1,
    }
    return b.ref(spec.CLINIC_VALUE.replace(" ", "-"), spec.CLINIC_VALUE, lambda: {
        "description": f"Text, or a text per language (and `{spec.OTHER_LANGUAGES}` for the others); "
                       "printed as written.",
        "anyOf": [_string(_NOT_BLANK), {"type": ["number", "boolean"]}, per_language],
    })


def _path(b: _Builder, f: Field) -> dict[str, Any]:
    return {"type": "string"}


def _nothing(b: _Builder, f: Field) -> dict[str, Any]:
    return {"anyOf": [{"type": "null"}, _string(_BLANK)]}


def _anything(b: _Builder, f: Field) -> dict[str, Any]:
    return {}


_TYPES: dict[str, Callable[[_Builder, Field], dict[str, Any]]] = {
    spec.TEXT: _text, spec.TEXTS: _texts, spec.TEXT_OR_TEXTS: _text_or_texts, spec.PER_LANGUAGE: _per_language,
    spec.PLAIN: _plain, spec.EXPRESSION: _plain, spec.BOOLEAN: _boolean, spec.WHOLE: _whole_number, spec.DATE: _date, spec.ENUM: _enum,
    spec.ENUMS: _enums, spec.PATTERN: _pattern, spec.NO_SETTINGS: _no_settings, spec.OBJECT: _object,
    spec.LIST: _list, spec.MAPPING: _mapping, spec.BLOCK: _block, spec.CODES: _codes,
    spec.CLINIC_VALUE: _clinic_value, spec.PATH: _path, spec.NOTHING: _nothing, spec.ANYTHING: _anything,
}
"""One function per kind of value in the spec: what it looks like in JSON Schema."""

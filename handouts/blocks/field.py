"""`field: [{name, label, short}, ...]`: a row of labelled lines to write on, each a fillable form field.

`short: true` marks a field with little to write (a date of birth): its line is short and
the others on its row share the rest.

The field names are what a filled or merged consent is keyed on (`patient_name`, `patient_dob`),
so they are the same in every language and unique in a document (handouts.validate checks both).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from handouts.checker import Checker, line_of, required_read
from handouts.spec import BOOLEAN, LIST, OBJECT, PATTERN, TEXT, Field, Shape

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver

KIND = "field"
NAME = re.compile(r"[a-z][a-z0-9_]{0,47}")  # full match: lowercase, digits, underscores, at most 48
CHECKBOX = Shape("checkbox", {"name": Field(PATTERN, required=True, pattern=NAME), "label": Field(TEXT, required=True)})
FIELD = Shape("field", {**CHECKBOX.keys, "short": Field(BOOLEAN, default=False, doc="Little to write: a short line.")})
SPEC = Field(LIST, of=Field(OBJECT, of=FIELD), min_items=1)


def parse_name(ch: Checker, value: Any, line: int, path: str) -> str | None:
    """A field name as content writes it, or None after reporting it."""
    if not isinstance(value, str) or not NAME.fullmatch(value):
        ch.add(line, path, "a field name is a lowercase letter, then lowercase letters, digits or "
                           f"underscores (at most 48), like patient_name; not {value!r}")
        return None
    return value


def parse_labelled(ch: Checker, value: Any, line: int, path: str, short: bool = False) -> tuple[dict[str, Any], ...] | None:
    """A non-empty list of `{name, label}` entries (the shape of fields and of checkboxes);
    with `short`, each may also say `short: true`."""
    items = ch.sequence(value, line, path)
    if not items:
        if items is not None:
            ch.add(line, path, "must not be empty")
        return None
    result: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        ipath = f"{path}[{i}]"
        entry = ch.shaped(item, line_of(items, i), ipath, (FIELD if short else CHECKBOX).allowed)
        if entry is None:
            continue
        is_short = entry.get("short", FIELD["short"].default)
        if is_short not in (True, False):
            ch.add(line_of(entry, "short"), f"{ipath}.short", "must be true or false")
        name = required_read(ch, entry, "name", ipath, parse_name)
        label = required_read(ch, entry, "label", ipath, Checker.text)
        if name and label:
            result.append({"name": name, "label": label, "short": is_short is True})
    return tuple(result) if len(result) == len(items) else None


def resolve_labelled(r: Resolver, entries: tuple[dict[str, Any], ...], context: dict[str, Any]) -> tuple[dict[str, str], ...]:
    """Each entry's label as markup, its name as written."""
    return tuple({**e, "label": r.render(e["label"], context)} for e in entries)


def parse(ch: Checker, value: Any, line: int, path: str) -> dict[str, Any] | None:
    """One or more `{name, label}` fields, each optionally `short: true`."""
    fields = parse_labelled(ch, value, line, path, short=True)
    return {"fields": fields} if fields else None


def names(data: dict[str, Any]) -> list[str]:
    """The form field names this block makes."""
    return [f["name"] for f in data["fields"]]


def resolve(r: Resolver, data: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """Labels as markup."""
    return {"fields": resolve_labelled(r, data["fields"], context)}


def draw(data: dict[str, Any], kit: Kit) -> list[Flowable]:
    """The fields in rows, as many to a row as leave each a line long enough to write on."""
    from reportlab.platypus import Spacer

    from handouts.blocks.flow import Kept
    from handouts.blocks.formflow import field_rows

    return [Kept([field_rows([(f["label"], f["name"], f["short"]) for f in data["fields"]], kit)]),
            Spacer(1, kit.body * 0.6)]

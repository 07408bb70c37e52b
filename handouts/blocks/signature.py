"""`signature: {role, title, statement, fields, choices}`: what a signer attests, and where they sign.

The statement, any extra fields and checkboxes (an interpreter's ID, language and mode), a
signature line tall enough for a pen, and the printed name, date and time fields are kept
together: a signature never sits apart from the statement it signs; and handouts.layout keeps
signature blocks in pairs, so none stands alone on a page. The fields are named
`<role>_printed_name`, `<role>_date` and `<role>_time`; the signature itself is ink on paper,
not a field, and date and time are never filled in by this tool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handouts.blocks.field import CHECKBOX, FIELD, parse_labelled, resolve_labelled
from handouts.checker import Checker, line_of, required, required_read, text_list
from handouts.spec import ENUM, LIST, OBJECT, TEXT, TEXTS, Field, Shape

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver

KIND = "signature"
ROLES = ("patient", "provider", "witness", "interpreter", "guardian")
SIGNED = ("printed_name", "date", "time")  # each signer's own fields, after the role: patient_date
VALUE = Shape("signature", {
    "role": Field(ENUM, required=True, enum=ROLES),
    "title": Field(TEXT, required=True),
    "statement": Field(TEXTS, required=True),
    "fields": Field(LIST, of=Field(OBJECT, of=FIELD), min_items=1),
    "choices": Field(LIST, of=Field(OBJECT, of=CHECKBOX), min_items=1),
})
SPEC = Field(OBJECT, of=VALUE)


def parse(ch: Checker, value: Any, line: int, path: str) -> dict[str, Any] | None:
    """A role, a title, the statement, and optional extra fields and checkboxes."""
    data = ch.shaped(value, line, path, VALUE.allowed)
    if data is None:
        return None
    role = required(ch, data, "role", path)
    roles = VALUE["role"].enum
    if role is not None and role not in roles:
        ch.add(line_of(data, "role"), f"{path}.role", f"must be one of: {', '.join(roles)}")
        role = None
    title = required_read(ch, data, "title", path, Checker.text)
    statement = required_read(ch, data, "statement", path, text_list)
    fields = parse_labelled(ch, data["fields"], line_of(data, "fields"), f"{path}.fields", short=True) \
        if "fields" in data else ()
    choices = parse_labelled(ch, data["choices"], line_of(data, "choices"), f"{path}.choices") \
        if "choices" in data else ()
    if not (role and title and statement) or fields is None or choices is None:
        return None
    return {"role": role, "title": title, "statement": statement, "fields": fields, "choices": choices}


def names(data: dict[str, Any]) -> list[str]:
    """The form field names this block makes."""
    return [*(f["name"] for f in data["fields"]), *(c["name"] for c in data["choices"]),
            *(f"{data['role']}_{key}" for key in SIGNED)]


def resolve(r: Resolver, data: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """Every text as markup; the line labels from the content's labels."""
    return {
        "role": data["role"],
        "title": r.render(data["title"], context),
        "statement": r.render_all(data["statement"], context),
        "fields": resolve_labelled(r, data["fields"], context),
        "choices": resolve_labelled(r, data["choices"], context),
        "labels": {key: r.label(key) for key in ("signature", *SIGNED)},
    }


def draw(data: dict[str, Any], kit: Kit) -> list[Flowable]:
    """Title, statement, extra fields and checkboxes, the signature line, then printed name, date and time."""
    from reportlab.platypus import Spacer

    from handouts.blocks.flow import Kept, keep_last_words, para
    from handouts.blocks.formflow import checkbox_rows, field_rows, pack, signature_line

    role, labels = data["role"], data["labels"]
    parts: list[Flowable] = [para(keep_last_words(data["title"]), kit, "callout_title", "H3")]
    parts += [para(keep_last_words(t), kit, "body") for t in data["statement"]]
    if data["fields"]:
        parts.append(field_rows([(f["label"], f["name"], f["short"]) for f in data["fields"]], kit))
    if data["choices"]:
        parts.append(checkbox_rows([(c["label"], c["name"]) for c in data["choices"]], kit))
    parts.append(signature_line(labels["signature"], kit))
    signed = [(labels["printed_name"], f"{role}_printed_name", False),
              (labels["date"], f"{role}_date", True), (labels["time"], f"{role}_time", True)]
    if len(pack(signed, kit)) == 1:
        parts.append(field_rows(signed, kit))
    else:  # the name on its own line, then date and time together: the date stays beside the time
        parts += [field_rows(signed[:1], kit), field_rows(signed[1:], kit)]
    block = Kept([*parts, Spacer(1, kit.body * 0.8)])
    block.signature = True  # type: ignore[attr-defined]  # handouts.layout pairs signature blocks by this
    return [block]

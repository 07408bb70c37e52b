"""`initials: {name, text}`: paragraphs the patient initials, with a fillable initials box beside them.

Each risk group and acknowledgement of a consent is one of these: the field is named
`initials_<name>`, the box stays beside the start of its text, and the two never part.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handouts.blocks.field import NAME, parse_name
from handouts.checker import Checker, required_read, text_list
from handouts.spec import OBJECT, PATTERN, TEXTS, Field, Shape

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver

KIND = "initials"
VALUE = Shape("initials", {"name": Field(PATTERN, required=True, pattern=NAME, doc="The field is initials_<name>."),
                           "text": Field(TEXTS, required=True)})
SPEC = Field(OBJECT, of=VALUE)


def parse(ch: Checker, value: Any, line: int, path: str) -> dict[str, Any] | None:
    """A name (the field is initials_<name>) and one or more paragraphs."""
    data = ch.shaped(value, line, path, VALUE.allowed)
    if data is None:
        return None
    name = required_read(ch, data, "name", path, parse_name)
    text = required_read(ch, data, "text", path, text_list)
    return {"name": f"initials_{name}", "text": text} if name and text else None


def names(data: dict[str, Any]) -> list[str]:
    """The form field names this block makes."""
    return [data["name"]]


def resolve(r: Resolver, data: dict[str, Any], context: dict[str, Any]) -> dict[str, Any] | None:
    """The paragraphs as markup, the label from the content's labels; nothing left to initial: left out."""
    text = r.render_all(data["text"], context)
    return {"name": data["name"], "text": text, "label": r.label("initials")} if text else None


def draw(data: dict[str, Any], kit: Kit) -> list[Flowable]:
    """The text on the left, the labelled initials box on the right, top-aligned."""
    from reportlab.platypus import Spacer

    from handouts.blocks.flow import Kept, keep_last_words, para, table, tagged
    from handouts.blocks.formflow import initials_box

    box, column = initials_box(data["label"], data["name"], kit)
    gap = kit.body
    text = [para(keep_last_words(t), kit, "body") for t in data["text"]]
    grid = table([[text, box]], kit, [kit.width - column - gap, column + gap], [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("ALIGN", (1, 0), (1, 0), "RIGHT"),
    ])
    return [Kept([tagged(grid, None)]), Spacer(1, kit.body * 0.4)]  # a layout grid: no element of its own

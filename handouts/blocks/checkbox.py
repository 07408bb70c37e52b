"""`checkbox: [{name, label}, ...]`: checkboxes on a line, each a fillable form field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handouts.blocks.field import CHECKBOX, parse_labelled, resolve_labelled
from handouts.checker import Checker
from handouts.spec import LIST, OBJECT, Field

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver

KIND = "checkbox"
SPEC = Field(LIST, of=Field(OBJECT, of=CHECKBOX), min_items=1)


def parse(ch: Checker, value: Any, line: int, path: str) -> dict[str, Any] | None:
    """One or more `{name, label}` checkboxes."""
    boxes = parse_labelled(ch, value, line, path)
    return {"boxes": boxes} if boxes else None


def names(data: dict[str, Any]) -> list[str]:
    """The form field names this block makes."""
    return [b["name"] for b in data["boxes"]]


def resolve(r: Resolver, data: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """Labels as markup."""
    return {"boxes": resolve_labelled(r, data["boxes"], context)}


def draw(data: dict[str, Any], kit: Kit) -> list[Flowable]:
    """The checkboxes, wrapping onto more lines when they do not fit on one."""
    from reportlab.platypus import Spacer

    from handouts.blocks.flow import Kept
    from handouts.blocks.formflow import checkbox_rows

    return [Kept([checkbox_rows([(b["label"], b["name"]) for b in data["boxes"]], kit)]), Spacer(1, kit.body * 0.6)]

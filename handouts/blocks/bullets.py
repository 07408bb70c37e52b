"""`bullets: [...]`: a bulleted list, one paragraph per item, so a long list may break between items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handouts.checker import Checker, text_list
from handouts.model import Text
from handouts.spec import TEXTS, Field

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver

KIND = "bullets"
SPEC = Field(TEXTS)


def parse(ch: Checker, value: Any, line: int, path: str) -> tuple[Text, ...] | None:
    """A non-empty list of content strings."""
    return text_list(ch, value, line, path)


def resolve(r: Resolver, data: tuple[Text, ...], context: dict[str, Any]) -> tuple[str, ...]:
    """The items as markup; an item that renders empty is left out."""
    return r.render_all(data, context)


def draw(data: tuple[str, ...], kit: Kit) -> list[Flowable]:
    """One paragraph per item with a bullet at the text's size, then the list's space after."""
    from reportlab.platypus import Paragraph, Spacer

    from handouts.blocks.flow import tagged
    from handouts.tags import Group

    style = kit.styles["bullet"]
    group = Group("L")  # the items are flowables of their own, so the list may break between them; one L holds them
    items: list[Flowable] = [tagged(Paragraph(item, style, bulletText="•"), "LI", group=group) for item in data]
    return [*items, Spacer(1, style.spaceAfter)]

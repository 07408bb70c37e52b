"""`p: "text"`: a paragraph; one that ends with a colon introduces what follows and stays with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handouts.checker import Checker
from handouts.model import Text
from handouts.spec import TEXT, Field

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver

KIND = "p"
SPEC = Field(TEXT)


def parse(ch: Checker, value: Any, line: int, path: str) -> Text | None:
    """One content string."""
    return ch.text(value, line, path)


def resolve(r: Resolver, data: Text, context: dict[str, Any]) -> str:
    """The string as paragraph markup ('' leaves the block out)."""
    return r.render(data, context)


def draw(data: str, kit: Kit) -> list[Flowable]:
    """A plain paragraph; one that introduces a list ("...such as:") stays on the page with it."""
    from handouts.blocks.flow import para

    return [para(data, kit, "lead_in" if data.rstrip().endswith(":") else "body")]

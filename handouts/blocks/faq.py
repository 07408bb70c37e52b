"""`faq: [{q, a}, ...]`: questions in bold, each kept on one page with its answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handouts.checker import Checker, line_of, required
from handouts.model import Text
from handouts.spec import LIST, OBJECT, TEXT, Field, Shape

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver

KIND = "faq"
QUESTION = Shape("question", {"q": Field(TEXT, required=True), "a": Field(TEXT, required=True)})
SPEC = Field(LIST, of=Field(OBJECT, of=QUESTION))


def parse(ch: Checker, value: Any, line: int, path: str) -> tuple[tuple[Text, Text], ...] | None:
    """A list of question-and-answer pairs."""
    items = ch.sequence(value, line, path)
    pairs: list[tuple[Text, Text]] = []
    for i, item in enumerate(items or ()):
        ipath = f"{path}[{i}]"
        item = ch.mapping(item, line_of(items, i), ipath)
        if item is None:
            continue
        ch.unknown_keys(item, QUESTION.allowed, ipath)
        q = ch.text(required(ch, item, "q", ipath), line_of(item, "q"), f"{ipath}.q")
        a = ch.text(required(ch, item, "a", ipath), line_of(item, "a"), f"{ipath}.a")
        if q and a:
            pairs.append((q, a))
    return tuple(pairs)


def resolve(r: Resolver, data: tuple[tuple[Text, Text], ...], context: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The pairs as markup; a pair with an empty question or answer is left out."""
    rendered = ((r.render(q, context), r.render(a, context)) for q, a in data)
    return tuple((q, a) for q, a in rendered if q and a)


def draw(data: tuple[tuple[str, str], ...], kit: Kit) -> list[Flowable]:
    """Each question and its answer kept together."""
    from handouts.blocks.flow import Kept, para

    return [Kept([para(q, kit, "question", "H3"), para(a, kit)]) for q, a in data]

"""Content block kinds, one module each, holding its schema check, resolve step and drawing.

`KINDS` is the one table that names them: validation, resolving and layout look a kind up
here, so a new kind (a signature block, say) is one new module and one line below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from handouts.blocks import (
    box,
    bullets,
    callout,
    checkbox,
    contact,
    faq,
    field,
    initials,
    language_help,
    paragraph,
    signature,
    sources,
)
from handouts.checker import Checker
from handouts.spec import Field

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver


@dataclass(frozen=True)
class BlockKind:
    """A kind of content block: how its YAML is checked, how it is filled in, how it is drawn."""

    name: str
    parse: Callable[[Checker, Any, int, str], Any]  # the YAML value → checked data, or None after a problem
    resolve: Callable[[Resolver, Any, dict[str, Any]], Any]  # checked data → markup, or a false value: leave out
    draw: Callable[[Any, Kit], list[Flowable]]  # markup → ReportLab flowables, each tagged with its role
    names: Callable[[Any], list[str]]  # checked data → the names of the form fields it makes (most make none)
    spec: Field  # what its YAML value may be (handouts.spec): parse checks it, handouts.schema describes it
    doc: str = ""  # what it is, in a line


def _no_fields(data: Any) -> list[str]:  # noqa: ARG001 - the signature every kind shares
    return []


KINDS: dict[str, BlockKind] = {
    module.KIND: BlockKind(module.KIND, module.parse, module.resolve, module.draw,
                           getattr(module, "names", _no_fields), module.SPEC, (module.__doc__ or "").split("\n")[0])
    for module in (paragraph, bullets, callout, faq, contact, language_help, box, sources,
                   field, initials, checkbox, signature)
}
"""Every block kind content.yaml may use, by the key that names it (`p`, `bullets`, ...)."""

"""`sources: [...]`: the sources in small print, run together in one paragraph, separated by semicolons.

Checked and filled in as a list (a source that renders empty, for a treatment the clinic
does not offer, is left out); only the drawing differs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handouts.blocks.bullets import SPEC, parse, resolve

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit

KIND = "sources"
__all__ = ["KIND", "SPEC", "draw", "parse", "resolve"]


def draw(data: tuple[str, ...], kit: Kit) -> list[Flowable]:
    """One small-print paragraph ending in a full stop."""
    from handouts.blocks.flow import para

    return [para("; ".join(item.rstrip(" ;.") for item in data) + ".", kit, "source")]

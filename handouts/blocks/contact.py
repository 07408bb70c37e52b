"""`contact: {}`: the clinic's name, then address, phones, website and email from its record.

A phone number, website or email address that plainly is one becomes a link; clinic values
are escaped for the text and the link target alike, so no quote or tag of theirs gets out.
In the structure tree the name is a P and the rest a Table: one row per detail, its label a
row header (TH, Scope Row) and its value a TD, a link inside it a Link; the separators
between details sharing a line are artifacts.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from handouts.checker import Checker, no_settings
from handouts.links import link_target
from handouts.tags import marker
from handouts.spec import NO_SETTINGS, Field

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver

KIND = "contact"
SPEC = Field(NO_SETTINGS)
FIELDS = (("name", None, None), ("address", "address", None), ("phone", "phone", "tel"),
          ("after_hours_phone", "after_hours", "tel"), ("website", "website", "web"),
          ("email", "email", "mailto"))
"""The contact block's rows: clinic field, label, and the kind of link the value may become."""


def parse(ch: Checker, value: Any, line: int, path: str) -> dict[str, Any] | None:
    """No settings: the clinic record supplies everything."""
    return no_settings(ch, KIND, value, line, path)


def resolve(r: Resolver, data: dict[str, Any], context: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The contact lines as (label, value) markup; the name's line has no label."""
    rows: list[tuple[str, str]] = []
    for name, label, kind in FIELDS:
        value = r.clinic_values.get(name)
        if value:  # an unset optional field is false
            text = str(value)
            r.check_glyphs(text, r.clinic.where_of(name))
            markup = html.escape(text)
            target = link_target(kind, text.strip()) if kind else None
            if target:
                markup = f'{marker("open:Link")}<a href="{html.escape(target, quote=True)}">{markup}</a>{marker("close")}'
            rows.append((r.label(label) if label else "", markup))
    return tuple(rows)


def draw(data: tuple[tuple[str, str], ...], kit: Kit) -> list[Flowable]:
    """The name in bold, then "label value" pairs, as many to a line as fit the width.

    Short pairs share a line (phone beside after-hours phone, website beside email), so the
    block takes three or four lines rather than six; a long pair wraps on its own line.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, Spacer

    from handouts.blocks.flow import Kept, para
    from handouts.tags import Group

    muted = kit.colors["muted"].hexval().replace("0x", "#")  # the layout's own colour, never clinic data
    style = kit.styles["body"]
    lines: list[list[tuple[str, float]]] = []
    for label, value in data:
        if not label:
            continue
        part = (f'{marker("open:TR")}{marker("open:TH:Row")}<font color="{muted}">{label}</font>{marker("close")}'
                f'{marker("open:TD")}\xa0{value}{marker("close")}{marker("close")}')
        width = stringWidth(Paragraph(part, style).getPlainText(), style.fontName, style.fontSize)
        line = lines[-1] if lines else None
        if line is not None and sum(w for _, w in line) + kit.body * 2 * len(line) + width <= kit.width:
            line.append((part, width))
        else:
            lines.append([(part, width)])
    separator = f'<font color="{muted}">\xa0\xa0·\xa0 </font>'
    flowables = [para(value, kit, "contact_name") for label, value in data if not label]
    table = Group("Table")  # the lines' rows, in one table
    flowables += [para(separator.join(part for part, _ in line), kit, "contact_line", None, group=table)
                  for line in lines]
    return [Kept(flowables), Spacer(1, kit.body * 0.4)]

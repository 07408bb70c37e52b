"""`box: {title, fields}`: an empty bordered box with a labelled line to write on for each field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handouts.checker import Checker, line_of, required, text_list
from handouts.spec import OBJECT, TEXT, TEXTS, Field, Shape

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver

KIND = "box"
VALUE = Shape("box", {"title": Field(TEXT), "fields": Field(TEXTS, required=True)})
SPEC = Field(OBJECT, of=VALUE)


def parse(ch: Checker, value: Any, line: int, path: str) -> dict[str, Any] | None:
    """An optional title and a non-empty list of field labels."""
    data = ch.shaped(value, line, path, VALUE.allowed)
    if data is None:
        return None
    title = ch.text(data["title"], line_of(data, "title"), f"{path}.title") if "title" in data else None
    fields = text_list(ch, required(ch, data, "fields", path), line_of(data, "fields"), f"{path}.fields")
    return {"title": title, "fields": fields or ()}


def resolve(r: Resolver, data: dict[str, Any], context: dict[str, Any]) -> dict[str, Any] | None:
    """Title and field labels as markup; a box whose fields all render empty is left out."""
    title = r.render(data["title"], context) if data["title"] else ""
    fields = r.render_all(data["fields"], context)
    return {"title": title, "fields": fields} if fields else None


def draw(data: dict[str, Any], kit: Kit) -> list[Flowable]:
    """The box: when every label is short, fields go two to a row ("Date ____  Time ____");
    otherwise one to a row, and a label too long for its column wraps rather than pushing
    the lines out."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, Spacer

    from handouts.blocks.flow import Kept, keep_last_words, para, table, tagged

    label_style = kit.styles["label"]
    pad = kit.body * 0.9
    inner = kit.width - pad * 2
    widest = max(stringWidth(Paragraph(f, label_style).getPlainText(), label_style.fontName, label_style.fontSize)
                 for f in data["fields"])
    label_width = min(widest + pad, inner * 0.45)
    half = (inner - pad) / 2
    paired = label_width <= half * 0.4
    # Columns: label, line; when paired, then a gap, a label and a line again.
    widths = [label_width, half - label_width, pad, label_width, half - label_width] if paired \
        else [label_width, inner - label_width]
    blank = [""] * (len(widths) - 1)
    rows: list[list[Any]] = []
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), kit.body * 0.6),  # room to write above each line
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if data["title"]:  # optional: under a heading that says it all, the box needs none
        rows.append([para(keep_last_words(data["title"]), kit, "callout_title", "H3"), *blank])
        style += [("SPAN", (0, 0), (-1, 0)), ("VALIGN", (0, 0), (-1, 0), "TOP"), ("TOPPADDING", (0, 0), (-1, 0), 0)]
    fields = list(data["fields"])
    step = 2 if paired else 1
    for i in range(0, len(fields), step):
        row, pair = len(rows), fields[i:i + step]
        if len(pair) == 2:
            rows.append([para(pair[0], kit, "label"), "", "", para(pair[1], kit, "label"), ""])
            style += [("LINEBELOW", (1, row), (1, row), 0.8, kit.colors["muted"]),
                      ("LINEBELOW", (4, row), (4, row), 0.8, kit.colors["muted"])]
        else:  # a lone field's line runs to the right edge
            rows.append([para(pair[0], kit, "label"), *blank])
            style += [("SPAN", (1, row), (-1, row)), ("LINEBELOW", (1, row), (-1, row), 0.8, kit.colors["muted"])]
    grid = table(rows, kit, widths, style)
    frame = table([[grid]], kit, [kit.width], [
        ("BOX", (0, 0), (-1, -1), 1.2, kit.colors["primary"]),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
    ])
    return [Kept([tagged(frame, "Div")]), Spacer(1, kit.body * 0.8)]

"""`callout: {title, text, tone}`: a tinted box with a strong left edge, for driving, safety, emergencies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handouts.checker import Checker, line_of, required, text_list
from handouts.load import YList
from handouts.spec import ENUM, OBJECT, TEXT, TEXT_OR_TEXTS, Field, Shape

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver

KIND = "callout"
TONES = ("info", "warning", "danger")
TINT = 0.1  # how much of its edge colour a callout's background takes (handouts check measures text on it)
VALUE = Shape("callout", {
    "title": Field(TEXT),
    "text": Field(TEXT_OR_TEXTS, required=True),
    "tone": Field(ENUM, enum=TONES, default="info", doc="warning for driving and safety, danger for emergencies"),
})
SPEC = Field(OBJECT, of=VALUE)


def parse(ch: Checker, value: Any, line: int, path: str) -> dict[str, Any] | None:
    """An optional title, one text or a list of texts, and a tone (default info)."""
    data = ch.shaped(value, line, path, VALUE.allowed)
    if data is None:
        return None
    tones = VALUE["tone"]
    tone = data.get("tone", tones.default)
    if tone not in tones.enum:
        ch.add(line_of(data, "tone"), f"{path}.tone", f"must be one of: {', '.join(tones.enum)}")
    title = ch.text(data["title"], line_of(data, "title"), f"{path}.title") if "title" in data else None
    raw_text = required(ch, data, "text", path)
    if isinstance(raw_text, YList):
        text = text_list(ch, raw_text, line_of(data, "text"), f"{path}.text")
    else:
        one = ch.text(raw_text, line_of(data, "text"), f"{path}.text") if raw_text is not None else None
        text = (one,) if one else None
    return {"title": title, "text": text or (), "tone": tone}


def resolve(r: Resolver, data: dict[str, Any], context: dict[str, Any]) -> dict[str, Any] | None:
    """Title and texts as markup; a callout whose texts all render empty is left out."""
    title = r.render(data["title"], context) if data["title"] else ""
    text = r.render_all(data["text"], context)
    return {"title": title, "text": text, "tone": data["tone"]} if text else None


def draw(data: dict[str, Any], kit: Kit) -> list[Flowable]:
    """A one-cell table: tinted background, a bar in the tone's colour down its left edge."""
    from functools import partial

    from reportlab.platypus import Spacer

    from handouts.blocks.flow import Callout, keep_last_words, para, table, tagged, tint

    edge = kit.colors[data["tone"]]
    inner: list[Flowable] = []
    if data["title"]:
        inner.append(para(keep_last_words(data["title"]), kit, "callout_title", "H3"))
    inner.extend(para(text, kit, "callout") for text in data["text"])
    pad = kit.body * 0.9
    tinted = table([[inner]], kit, [kit.width], [
        ("BACKGROUND", (0, 0), (-1, -1), tint(edge, TINT)),
        ("LINEBEFORE", (0, 0), (0, -1), 5, edge, "butt"),  # square ends, flush with the tint (round ones stick out)
        ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.3),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.5),
    ], kind=partial(Callout, least=kit.body * 6))
    return [tagged(tinted, "Div"), Spacer(1, kit.body * 0.8)]

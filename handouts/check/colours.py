"""Colour contrast of what a clinic's pages print: brand colour, muted text, text on callout tints.

WCAG 2.1 AA asks 4.5:1 for text. The layout darkens a brand colour that is too light before
printing text in it; this check says so, with the ratios, so the clinic can choose its own
darker shade. The maths is handouts.contrast.
"""

from __future__ import annotations

from handouts.check import WARNING, Finding
from handouts.contrast import AA_TEXT, hex_of, ratio, readable, rgb, tint
from handouts.model import Clinic, Content


def check(clinic: Clinic, content: Content, layout_colors: dict[str, str] | None = None) -> list[Finding]:
    """A warning for each text colour below 4.5:1 against the background it is printed on."""
    from handouts.blocks.callout import TINT, TONES
    from handouts.layouts import layout_dir, load_layout

    colors = layout_colors or dict(load_layout("standard", layout_dir(content.path)).colors)
    findings = []
    primary = clinic.fields.get("primary_color")
    if isinstance(primary, str):
        value = ratio(rgb(primary))
        if value < AA_TEXT:
            darker = hex_of(readable(rgb(primary)))
            findings.append(Finding(
                WARNING, "contrast", f"primary_color {primary} is {value:.1f}:1 on white, below {AA_TEXT}:1 for text: "
                f"the clinic name and headings print in {darker} instead ({ratio(rgb(darker)):.1f}:1); "
                "choose a darker brand shade to print exactly your own", str(clinic.where_of("primary_color")),
                clinic=clinic.id))
    pairs = [("muted text", colors["muted"], (1.0, 1.0, 1.0), "white paper")]
    pairs += [("body text", colors["text"], tint(rgb(colors[tone]), TINT), f"the {tone} callout's tint")
              for tone in TONES]
    for name, foreground, background, on in pairs:
        value = ratio(rgb(foreground), background)
        if value < AA_TEXT:
            findings.append(Finding(WARNING, "contrast", f"{name} {foreground} is {value:.1f}:1 on {on} "
                                    f"({hex_of(background)}), below {AA_TEXT}:1", "layouts/standard.yaml colors",
                                    clinic=clinic.id))
    return findings

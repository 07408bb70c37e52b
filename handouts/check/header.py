"""Clinic names too long to print whole in the page header of a shipped layout."""

from __future__ import annotations

from handouts.check import ERROR, Finding
from handouts.errors import HandoutsError
from handouts.model import Clinic, Content, Layout


def layouts(content: Content) -> list[Layout]:
    """Every layout in the content's layouts/ folder that loads (building with another says why not)."""
    from handouts.layouts import layout_dir, load_layout

    directory = layout_dir(content.path)
    loaded = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            loaded.append(load_layout(path.stem, directory))
        except HandoutsError:
            continue
    return loaded


def check(clinic: Clinic, shipped: list[Layout]) -> list[Finding]:
    """An error for each language and layout in which the clinic's name needs more header lines than fit."""
    from handouts.preflight import clinic_header_problems

    findings = []
    for layout in shipped:
        for lang in clinic.languages:
            findings += [Finding(ERROR, "header", p.message, str(p.where), language=lang, clinic=clinic.id)
                         for p in clinic_header_problems(clinic, lang, layout)]
    return findings

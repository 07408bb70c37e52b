"""Clinic names too long to print whole in the page header of a shipped layout."""

from __future__ import annotations

from handouts.check import ERROR, Finding
from handouts.errors import HandoutsError
from handouts.model import Clinic, Content


def check(clinic: Clinic, content: Content) -> list[Finding]:
    """An error for each language and layout in which the clinic's name needs more header lines than fit."""
    from handouts.layouts import layout_dir, load_layout
    from handouts.preflight import clinic_header_problems

    findings = []
    directory = layout_dir(content.path)
    for path in sorted(directory.glob("*.yaml")):
        try:
            layout = load_layout(path.stem, directory)
        except HandoutsError:  # not a layout that loads: building with it says why
            continue
        for lang in clinic.languages:
            findings += [Finding(ERROR, "header", p.message, str(p.where), language=lang, clinic=clinic.id)
                         for p in clinic_header_problems(clinic, lang, layout)]
    return findings

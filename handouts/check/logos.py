"""Logos that would print blurred, or are far bigger than print needs."""

from __future__ import annotations

from handouts.check import WARNING, Finding
from handouts.model import Clinic, Content

LEAST_PPI = 200  # below about this, a logo looks soft on a laser print
MOST_BYTES = 2_000_000  # the PDF keeps 300 ppi; a file this big only slows every build


def check(clinic: Clinic, content: Content, logo_height: float | None = None) -> list[Finding]:
    """A warning when the logo has too few pixels for its printed height, or is a needlessly large file."""
    if clinic.logo is None:
        return []
    from PIL import Image

    from handouts.layouts import layout_dir, load_layout

    height = logo_height or load_layout("standard", layout_dir(content.path)).header["logo_height"]
    where = str(clinic.where_of("logo"))
    with Image.open(clinic.logo) as image:
        pixels = image.height
    ppi = pixels / (height / 72)
    findings = []
    if ppi < LEAST_PPI:
        findings.append(Finding(WARNING, "logo", f"{clinic.logo.name} is {pixels} pixels high: printed "
                                f"{height / 72:.2f} in high that is {ppi:.0f} ppi, below {LEAST_PPI}, and will "
                                f"look blurred; use at least {round(LEAST_PPI * height / 72)} pixels",
                                where, clinic=clinic.id))
    size = clinic.logo.stat().st_size
    if size > MOST_BYTES:
        findings.append(Finding(WARNING, "logo", f"{clinic.logo.name} is {size / 1e6:.1f} MB; PDFs keep about "
                                f"{round(300 * height / 72)} pixels of its height, so a smaller file would build "
                                "faster", where, clinic=clinic.id))
    return findings

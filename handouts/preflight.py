"""Problems that would fail every document of a run alike: found before the output folder is touched.

A bad SOURCE_DATE_EPOCH or a page with no room for text is not one document's failure but the
run's: reporting it once (exit 2) keeps the older PDFs in place, where failing each document
would remove each one's older copy.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Mapping

from handouts.errors import Problem, Where
from handouts.model import Clinic, Job, Layout

LAST_SECOND = 253402300799  # 9999-12-31 23:59:59 UTC: a PDF date has four digits for the year
MIN_LINE_EMS = 20  # the body is at least this many times the body size wide: about 40 characters a line
BODY_LINES = 3  # every page has room for the title and this many lines of body text
FOOTER_ROOM_EMS = 10  # beside "Page 999 of 999", the footer keeps this many times its size for the clinic name
_SECONDS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() would take other scripts' digits too


def epoch_problems(environ: Mapping[str, str] = os.environ) -> list[Problem]:
    """What is wrong with SOURCE_DATE_EPOCH (the PDFs' date), if it is set."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return []
    where = Where("SOURCE_DATE_EPOCH")
    if not _SECONDS.fullmatch(epoch):
        return [Problem(where, f"must be whole seconds since 1970-01-01 UTC, like 1767225600, not {epoch!r}")]
    if int(epoch) > LAST_SECOND:
        hint = " (milliseconds? divide by 1000)" if int(epoch) // 1000 <= LAST_SECOND else ""
        return [Problem(where, f"{epoch} is after the year 9999{hint}: it must be whole seconds since 1970-01-01 UTC")]
    return []


def body_room(layout: Layout) -> float:
    """The least height a page must leave between header and footer: the title and BODY_LINES lines of text."""
    return layout.type["title"] * 1.2 + BODY_LINES * layout.type["leading"]


def layout_file(name: str, directory: Path) -> Path:
    """The file a --layout value names, as handouts.layouts reads it (for messages)."""
    return Path(name) if name.endswith((".yaml", ".yml")) else directory / f"{name}.yaml"


def geometry_problems(layout: Layout, labels: Mapping[str, Mapping[str, str]], file: Path) -> list[Problem]:
    """Why the layout's pages would leave too little room for text between margins, header and footer, if they would."""
    # The frames are sized in handouts.layout; these checks use the same measures, so the two agree.
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from handouts.fonts import register
    from handouts.footer import WIDEST_PAGE, Footer
    from handouts.header import header_height, running_header_height

    where = Where(str(file), 0, "margins")
    width, height = layout.page_size
    margins, body, small = layout.margins, layout.type["body"], layout.type["small"]
    text_width = width - margins["left"] - margins["right"]
    if text_width < MIN_LINE_EMS * body:
        side = f"the left and right margins ({margins['left'] + margins['right']:g} pt)"
        if text_width <= 0:
            return [Problem(where, f"{side} are wider than the {width:g} pt page: no room is left for text")]
        return [Problem(where, f"{side} leave {text_width:g} pt of the {width:g} pt wide page for text; "
                               f"{layout.name!r} needs at least {MIN_LINE_EMS * body:g} pt ({MIN_LINE_EMS} × its "
                               f"{body:g} pt body size)")]
    problems: list[Problem] = []
    # The footer has at least two lines (clinic and phone; title, version and date); longer ones take more.
    bottom = max(margins["bottom"], Footer(("", ""), "", small).height)
    need = body_room(layout)
    for page, header in (("page 1", header_height(layout)), ("later pages", running_header_height(layout))):
        room = height - margins["top"] - bottom - header
        if room < need:
            problems.append(Problem(where, f"the top margin ({margins['top']:g} pt), the header ({header:g} pt) and "
                                           f"the bottom margin or footer ({bottom:g} pt) leave {max(room, 0):g} pt of "
                                           f"the {height:g} pt high page for text on {page}; it needs at least "
                                           f"{need:g} pt (the title and {BODY_LINES} lines of body text)"))
    bold = register(layout.fonts["regular"], layout.fonts["bold"])[1]
    for lang, words in labels.items():
        page_of = words["page_of"].replace("{page}", str(WIDEST_PAGE)).replace("{pages}", str(WIDEST_PAGE))
        beside = text_width - stringWidth(page_of, bold, small) - small
        if beside < FOOTER_ROOM_EMS * small:
            problems.append(Problem(where, f"the footer's {page_of!r} ({lang}) leaves {max(beside, 0):g} pt of the "
                                           f"{text_width:g} pt text width for the clinic's name; it needs "
                                           f"{FOOTER_ROOM_EMS * small:g} pt: narrow the margins or make type.small smaller"))
    return problems


def header_problems(jobs: Iterable[Job], layout: Layout) -> list[Problem]:
    """Clinic names too long to print whole in the page headers of `layout`, once per clinic and name."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for job in jobs:
        name = str(job.clinic.value("name", job.lang))
        if (job.clinic.id, name) not in seen:
            seen.add((job.clinic.id, name))
            problems += clinic_header_problems(job.clinic, job.lang, layout)
    return problems


def clinic_header_problems(clinic: Clinic, lang: str, layout: Layout) -> list[Problem]:
    """Why one clinic's name in one language cannot be printed whole in the page headers of `layout`, if it cannot."""
    from handouts.header import name_problems

    return name_problems(clinic, " ".join(str(clinic.value("name", lang)).split()), layout)  # as the header prints it

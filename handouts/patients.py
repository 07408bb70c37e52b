"""Patients for prefilled consents: one from the command line, or a list from a CSV export.

Patient values are data about a person: problems name the field and the row's line, never
the value, so that nothing about a patient reaches a terminal log or a CI transcript.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from handouts.errors import HandoutsError, Problem, Where
from handouts.fonts import missing_glyphs
from handouts.load import read_text

COLUMNS = ("patient_name", "dob", "mrn")
OPTIONAL_COLUMNS = ("provider",)
LIMITS = {"patient_name": 120, "dob": 10, "mrn": 40, "provider": 120}  # characters
_DATE_FORMATS = (("%Y-%m-%d", re.compile(r"\d{4}-\d{2}-\d{2}")), ("%m/%d/%Y", re.compile(r"\d{1,2}/\d{1,2}/\d{4}")))
_MRN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./_-]*")
_HEADER = re.compile(r"[a-z_]{1,40}")  # what a column name looks like; anything else is data, never echoed


@dataclass(frozen=True)
class Patient:
    """One patient's values as printed on a consent (the date of birth as written)."""

    name: str
    dob: str
    mrn: str
    provider: str = ""
    line: int = 0  # the CSV line the row starts on; 0 from the command line


def check_patient(values: dict[str, str], today: datetime.date | None = None) -> tuple[Patient | None, list[str]]:
    """A Patient from raw values (keys as in COLUMNS and OPTIONAL_COLUMNS), or what is wrong, field by field."""
    problems: list[str] = []
    clean: dict[str, str] = {}
    for key in (*COLUMNS, *OPTIONAL_COLUMNS):
        value = unicodedata.normalize("NFC", (values.get(key) or "").strip())
        if not value:
            if key in COLUMNS:
                problems.append(f"{key}: required")
            continue
        if any(unicodedata.category(c).startswith("C") for c in value):
            problems.append(f"{key}: contains a control or invisible formatting character")
        elif missing_glyphs(value):  # named by field only: the characters would spell out the value
            problems.append(f"{key}: has characters the form's font cannot print")
        elif len(value) > LIMITS[key]:
            problems.append(f"{key}: longer than {LIMITS[key]} characters")
        clean[key] = " ".join(value.split())
    if "dob" in clean and not _is_birth_date(clean["dob"], today or datetime.date.today()):
        problems.append("dob: not a date of birth (write it as 1984-03-02 or 03/02/1984)")
    if "mrn" in clean and not _MRN.fullmatch(clean["mrn"]):
        problems.append("mrn: use letters, digits, spaces and . / _ - only")
    if problems:
        return None, problems
    return Patient(clean["patient_name"], clean["dob"], clean["mrn"], clean.get("provider", "")), []


def _is_birth_date(text: str, today: datetime.date) -> bool:
    for pattern, shape in _DATE_FORMATS:
        if shape.fullmatch(text):
            try:
                day = datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                return False
            return datetime.date(1900, 1, 1) <= day <= today
    return False


def read_patients(path: Path) -> tuple[list[Patient], list[Problem]]:
    """The good rows of a patients CSV, and a problem per bad row (its line and fields, never its values).

    A file that cannot be used at all (missing, no header row, a required column missing, an
    unknown column, no patient rows) raises HandoutsError: nothing is built from it.
    """
    text = read_text(path)
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(rows, [])]
    except csv.Error:
        header = []
    where = Where(str(path), 1)
    if not header or not all(_HEADER.fullmatch(h) for h in header):
        # Never echoed: without a header row, line 1 is a patient.
        raise HandoutsError([Problem(where, f"line 1 is not a header row: the first line names the columns "
                                            f"{', '.join(COLUMNS)} (and optionally {', '.join(OPTIONAL_COLUMNS)})")])
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in (*COLUMNS, *OPTIONAL_COLUMNS)]
    if missing or unknown or len(set(header)) != len(header):
        reasons = [f"column {c!r} is missing" for c in missing] + [f"unknown column {h!r}" for h in unknown]
        reasons += ["a column appears more than once"] if len(set(header)) != len(header) else []
        raise HandoutsError([Problem(where, f"{'; '.join(reasons)} (columns: {', '.join(COLUMNS)}, "
                                            f"and optionally {', '.join(OPTIONAL_COLUMNS)})")])
    patients: list[Patient] = []
    problems: list[Problem] = []
    start = rows.line_num + 1
    while True:
        line = start
        try:
            cells = next(rows, None)
        except csv.Error:  # a stray quote: the row's cells cannot be trusted, and the next line starts anew
            problems.append(Problem(Where(str(path), line), "a quote (\") is not closed or is in the wrong place; "
                                                            "row skipped"))
            start = rows.line_num + 1
            continue
        if cells is None:
            break
        start = rows.line_num + 1
        if not any(c.strip() for c in cells):
            continue  # a blank line between rows
        if len(cells) > len(header):
            problems.append(Problem(Where(str(path), line), "more cells than header columns; row skipped"))
            continue
        patient, wrong = check_patient(dict(zip(header, cells)))
        if patient is None:
            problems.append(Problem(Where(str(path), line), f"{'; '.join(wrong)}; row skipped"))
        else:
            patients.append(Patient(patient.name, patient.dob, patient.mrn, patient.provider, line))
    if not patients and not problems:
        raise HandoutsError([Problem(where, "no patient rows after the header")])
    return patients, problems

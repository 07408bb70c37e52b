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
from handouts.load import read_text

COLUMNS = ("patient_name", "dob", "mrn")
OPTIONAL_COLUMNS = ("provider",)
LIMITS = {"patient_name": 120, "dob": 10, "mrn": 40, "provider": 120}  # characters
_DATE_FORMATS = (("%Y-%m-%d", re.compile(r"\d{4}-\d{2}-\d{2}")), ("%m/%d/%Y", re.compile(r"\d{1,2}/\d{1,2}/\d{4}")))
_MRN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./_-]*")


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
    """The good rows of a patients CSV, and a problem per bad row (line and fields, no values).

    A file that cannot be used at all (missing, not CSV, a required column missing, an
    unknown column) raises HandoutsError: nothing is built from it.
    """
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey="\0extra")
    header = [h.strip() for h in reader.fieldnames or []]
    where = Where(str(path), 1)
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in (*COLUMNS, *OPTIONAL_COLUMNS)]
    if missing or unknown or len(set(header)) != len(header):
        reasons = [f"column {c!r} is missing" for c in missing] + [f"unknown column {h!r}" for h in unknown]
        reasons += ["a column appears more than once"] if len(set(header)) != len(header) else []
        raise HandoutsError([Problem(where, f"{'; '.join(reasons)} (columns: {', '.join(COLUMNS)}, "
                                            f"and optionally {', '.join(OPTIONAL_COLUMNS)})")])
    patients: list[Patient] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            line = start
            start = reader.line_num + 1
            if "\0extra" in row:
                problems.append(Problem(Where(str(path), line), "more cells than header columns; row skipped"))
                continue
            if not any((v or "").strip() for v in row.values()):
                continue  # a blank line between rows
            patient, wrong = check_patient({k.strip(): v or "" for k, v in row.items() if k})
            if patient is None:
                problems.append(Problem(Where(str(path), line), f"{'; '.join(wrong)}; row skipped"))
            else:
                patients.append(Patient(patient.name, patient.dob, patient.mrn, patient.provider, line))
    except csv.Error as exc:  # the rest of the file cannot be split into rows
        problems.append(Problem(Where(str(path), start), f"invalid CSV ({exc}); this row and the rest skipped"))
    return patients, problems

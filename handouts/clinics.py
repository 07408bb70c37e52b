"""Validate clinic records, from content.yaml, a clinics YAML file or a clinics CSV file."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from handouts.checker import Checker, is_blank, line_of
from handouts.errors import fail_if
from handouts.load import YList, YMap, load_csv_clinics, load_yaml
from handouts.model import Clinic, Treatment
from handouts.spec import CLINIC, CLINIC_ID, CLINIC_VALUE, CODES, COLOR, COLOR_FIELD, FIELD_NAME, OTHER_LANGUAGES

LIST_FIELDS = tuple(key for key, field in CLINIC.keys.items() if field.type == CODES)
"""languages, treatments, conditions: a list, or one text separated by , or ;."""
OPTIONAL_TEXT = tuple(key for key, field in CLINIC.keys.items() if field.type == CLINIC_VALUE and not field.required)
"""Optional clinic fields content may test with `{% if clinic.X %}` even when a clinic leaves them out."""


def load_clinics(path: Path, languages: Mapping[str, str], treatments: Mapping[str, Treatment]) -> tuple[Clinic, ...]:
    """Read a clinics file (.csv, or YAML with a top-level `clinics:` list) and validate it."""
    ch = Checker(str(path))
    if path.suffix.lower() == ".csv":
        records: Any = load_csv_clinics(path)
        line = 1
    else:
        top = ch.mapping(load_yaml(path), 1, "(top level)")
        fail_if(ch.problems)
        assert top is not None
        if "clinics" not in top:
            ch.add(top.line, "clinics", "required: a list of clinic records")
            fail_if(ch.problems)
        records, line = top["clinics"], line_of(top, "clinics")
    if not records:
        ch.add(line, "clinics", "no clinics in this file")
    clinics = validate_clinics(ch, records, line, path.parent, languages, treatments)
    fail_if(ch.problems)
    return clinics


PHONES = ("phone", "after_hours_phone")
PRINTED = ("name", "address", *PHONES)  # what patients read to find and call the clinic
PHONE_MAX = 80
ID_MAX = 64  # characters: a clinic id is a folder name, and paths under it must stay well inside the limits
RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})


def folder_name_problem(name: str) -> str | None:
    """Why an id cannot name a folder on every system a clinic may use, or None."""
    if len(name) > ID_MAX:
        return f"an id is at most {ID_MAX} characters (this one has {len(name)}): it names a folder"
    if name in RESERVED:
        return f"{name!r} cannot name a folder on Windows: choose another id"
    return None


def validate_clinics(
    ch: Checker,
    raw: Any,
    line: int,
    base_dir: Path,
    languages: Mapping[str, str],
    treatments: Mapping[str, Treatment],
) -> tuple[Clinic, ...]:
    """Check every record; problems go to `ch`, valid clinics are returned."""
    items = ch.sequence(raw, line, "clinics")
    clinics: list[Clinic] = []
    seen: dict[str, int] = {}
    for i, record in enumerate(items or ()):
        clinic = _clinic(ch, record, line_of(items, i), f"clinics[{i}]", base_dir, languages, treatments)
        if clinic is None:
            continue
        if clinic.id in seen:
            ch.add(clinic.where.line, f"clinics[{i}].id", f"duplicate clinic id {clinic.id!r} (first at line {seen[clinic.id]})")
            continue
        seen[clinic.id] = clinic.where.line
        clinics.append(clinic)
    return tuple(clinics)


def _clinic(
    ch: Checker,
    raw: Any,
    line: int,
    path: str,
    base_dir: Path,
    languages: Mapping[str, str],
    treatments: Mapping[str, Treatment],
) -> Clinic | None:
    data = ch.mapping(raw, line, path)
    if data is None:
        return None
    before = len(ch.problems)
    for key in CLINIC.required:
        if is_blank(data.get(key)):
            ch.add(data.line, f"{path}.{key}", "required")
    cid = data.get("id")
    if isinstance(cid, str) and not CLINIC_ID.fullmatch(cid):
        ch.add(line_of(data, "id"), f"{path}.id", "ids are lowercase letters, digits and hyphens (e.g. north-park)")
    elif isinstance(cid, str) and (problem := folder_name_problem(cid)):
        ch.add(line_of(data, "id"), f"{path}.id", problem)
    if not isinstance(cid, (str, type(None))):
        ch.add(line_of(data, "id"), f"{path}.id", "must be text")
    clinic_langs = _codes(ch, data, "languages", path, tuple(languages))
    lacking = [code for code in CLINIC["languages"].default if code not in languages]
    if "languages" not in data and lacking:
        ch.add(data.line, f"{path}.languages",
               f"required: the content has no {lacking[0]!r} (it has {', '.join(languages)})")
    known_treatments, known_conditions = CLINIC["treatments"].enum, CLINIC["conditions"].enum
    clinic_treatments = _codes(ch, data, "treatments", path, known_treatments)
    clinic_conditions = _codes(ch, data, "conditions", path, known_conditions)
    for tid in clinic_treatments:
        if tid in known_treatments and tid not in treatments:
            ch.add(line_of(data, "treatments"), f"{path}.treatments", f"{tid!r} has no texts in the content's treatments")
    fields: dict[str, Any] = {}
    for key, value in data.items():
        fpath, fline = f"{path}.{key}", line_of(data, key)
        if key in LIST_FIELDS or is_blank(value):
            continue
        if not isinstance(key, str) or not FIELD_NAME.fullmatch(key):
            ch.add(fline, fpath, "field names are lowercase letters, digits and underscores")
        elif COLOR_FIELD.fullmatch(key):
            if not isinstance(value, str) or not COLOR.fullmatch(value):
                ch.add(fline, fpath, f"must be a colour like #1a6b8f, not {value!r}")
            fields[key] = value
        elif isinstance(value, YMap):
            fields[key] = _per_lang_field(ch, value, fpath, clinic_langs, languages)
        elif isinstance(value, (YList, list, dict)):
            ch.add(fline, fpath, "must be text, or a mapping of language code to text")
        else:
            if isinstance(value, str):
                ch.visible(value, fline, fpath)
            if key in PRINTED and isinstance(value, str) and not any(unicodedata.category(c)[0] in "LN" for c in value):
                ch.add(fline, fpath, "has no letter or digit: it would print as nothing, or as a stray mark")
            elif key in PHONES and not any(c.isdigit() for c in str(value)):
                ch.add(fline, fpath, "has no digit: write the number a patient dials")
            if key in PHONES and len(str(value)) > PHONE_MAX:
                ch.add(fline, fpath, f"at most {PHONE_MAX} characters, a number and perhaps an extension "
                                     f"(this one has {len(str(value))}): it prints in every page's footer")
            fields[key] = value if isinstance(value, bool) else str(value)
    logo = _logo(ch, fields.get("logo"), base_dir, line_of(data, "logo"), f"{path}.logo")
    if len(ch.problems) > before:
        return None
    return Clinic(
        id=str(cid),
        fields=fields,
        languages=clinic_langs,
        treatments=tuple(t for t in known_treatments if t in clinic_treatments),
        conditions=tuple(c for c in known_conditions if c in clinic_conditions),
        where=ch.where(data.line, path),
        field_lines=dict(data.lines),
        logo=logo,
    )


def _codes(ch: Checker, data: YMap, key: str, path: str, known: tuple[str, ...]) -> tuple[str, ...]:
    """A clinic's languages, treatments or conditions: a list, or one text separated by , or ;."""
    default: tuple[str, ...] = CLINIC[key].default
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        value = [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
    if not isinstance(value, list) or not value:
        ch.add(line_of(data, key), f"{path}.{key}", f"must be a non-empty list (known: {', '.join(known)})")
        return default
    for code in value:
        if code not in known:
            ch.add(line_of(data, key), f"{path}.{key}", f"unknown {key[:-1]} {code!r} (known: {', '.join(known)})")
    return tuple(dict.fromkeys(str(c) for c in value))


def _per_lang_field(
    ch: Checker, value: YMap, path: str, clinic_langs: tuple[str, ...], languages: Mapping[str, str]
) -> dict[str, str]:
    for lang in value:
        if lang not in languages and lang != OTHER_LANGUAGES:
            ch.add(line_of(value, lang), f"{path}.{lang}",
                   f"unknown language (known: {', '.join(languages)}, {OTHER_LANGUAGES})")
    for lang in clinic_langs:
        if lang not in value and OTHER_LANGUAGES not in value:
            ch.add(value.line, f"{path}.{lang}",
                   f"missing: the clinic prints this language (or give a `{OTHER_LANGUAGES}`)")
    for lang, text in value.items():
        if not isinstance(text, str) or is_blank(text):
            ch.add(line_of(value, lang), f"{path}.{lang}", "must be text (not empty, not a list or mapping)")
        else:
            ch.visible(text, line_of(value, lang), f"{path}.{lang}")
    return {str(k): str(v) for k, v in value.items()}


def _logo(ch: Checker, value: Any, base_dir: Path, line: int, path: str) -> Path | None:
    if value is None:
        return None
    logo = (base_dir / str(value)).resolve()
    if not logo.is_file():
        ch.add(line, path, f"logo file not found: {logo}")
        return None
    stat = logo.stat()
    problem = _logo_problem(logo, stat.st_mtime_ns, stat.st_size)
    if problem:
        ch.add(line, path, f"{problem}: {logo}")
        return None
    return logo


@lru_cache(maxsize=256)
def _logo_problem(logo: Path, mtime_ns: int, size: int) -> str | None:  # noqa: ARG001 - mtime, size: the key
    """Why a logo file cannot be used, or None; decoded once however many clinics share it."""
    from PIL import Image  # Pillow comes with ReportLab; only needed when a clinic has a logo

    try:
        with Image.open(logo) as image:
            kind = image.format
            image.load()  # decodes every pixel: a truncated file fails here, not mid-build
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        return f"logo cannot be read as an image ({exc})"
    if kind not in ("PNG", "JPEG"):
        return f"logo must be a PNG or JPEG image, not {kind}"
    return None

"""Check loaded YAML/CSV against the content and clinic schema; collect every problem, then stop."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from handouts import spec
from handouts.blocks import KINDS
from handouts.checker import Checker, line_of, required
from handouts.clinics import validate_clinics
from handouts.errors import Problem, fail_if
from handouts.load import YList, YMap
from handouts.model import (
    Block,
    Clinic,
    Content,
    Document,
    Section,
    SectionText,
    Text,
    Treatment,
)

_TWENTY_FOUR = re.compile(r"\b24\b|twenty-four|veinticuatro", re.I)


TITLE_MAX = 150


def _per_lang(ch: Checker, data: YMap, key: str, path: str, languages: dict[str, str]) -> dict[str, Text]:
    """A {lang: text} mapping that must name every content language."""
    value = ch.mapping(required(ch, data, key, path), line_of(data, key), f"{path}.{key}")
    result: dict[str, Text] = {}
    if value is None:
        return result
    for lang in languages:
        if lang not in value:
            ch.gap(value.line, f"{path}.{key}.{lang}", lang)
        elif (text := ch.text(value[lang], line_of(value, lang), f"{path}.{key}.{lang}")) is not None:
            result[lang] = text
    return result


def validate_content(raw: Any, path: Path) -> Content:
    """Turn parsed content.yaml into a Content, or raise one error listing every problem."""
    ch = Checker(str(path))
    top = ch.mapping(raw, 1, "(top level)")
    fail_if(ch.problems)
    assert top is not None
    version = required(ch, top, "version", "")
    reviewed = required(ch, top, "reviewed", "")
    if reviewed is not None:
        try:
            reviewed = datetime.date.fromisoformat(str(reviewed).strip()).isoformat()
        except ValueError:
            ch.add(line_of(top, "reviewed"), "reviewed", f"must be a date like 2026-11-20, not {reviewed!r}")
    languages: dict[str, str] = {}
    langs = ch.mapping(required(ch, top, "languages", ""), line_of(top, "languages"), "languages")
    for code, name in (langs or {}).items():
        if not isinstance(code, str) or not spec.LANGUAGE.fullmatch(code):
            ch.add(line_of(langs, code), f"languages.{code}", "language codes are 2 or 3 lowercase letters")
        else:
            languages[code] = str(name)
    if langs is not None and not langs:
        ch.add(langs.line, "languages", "name at least one language, e.g. en: English")
    labels = _labels(ch, top, languages)
    treatments = _treatments(ch, top, languages)
    documents = _documents(ch, top, languages)
    clinics: tuple[Clinic, ...] = ()
    if top.get("clinics"):
        clinics = validate_clinics(ch, top["clinics"], line_of(top, "clinics"), path.parent, languages, treatments)
    for key in top:
        if key not in spec.CONTENT.allowed:
            ch.add(top.lines[key], str(key), "unknown key")
    fail_if(ch.problems)
    return Content(path, str(version), str(reviewed), languages, labels, treatments, documents, clinics)


def _labels(ch: Checker, top: YMap, languages: dict[str, str]) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    data = ch.mapping(required(ch, top, "labels", ""), line_of(top, "labels"), "labels")
    if data is None:
        return labels
    for lang in languages:
        per = ch.mapping(required(ch, data, lang, "labels"), line_of(data, lang), f"labels.{lang}")
        if per is None:
            continue
        labels[lang] = {}
        for key in spec.LABELS.required:
            if (text := ch.text(required(ch, per, key, f"labels.{lang}"), line_of(per, key), f"labels.{lang}.{key}")):
                labels[lang][key] = text.source
        for key, field in spec.LABELS.keys.items():  # {page} and {pages}; {phone}: whom to call
            if key in labels[lang] and any(part not in labels[lang][key] for part in field.contains):
                why = f" ({field.why})" if field.why else ""
                ch.add(line_of(per, key), f"labels.{lang}.{key}", f"must contain {' and '.join(field.contains)}{why}")
    return labels


def _treatments(ch: Checker, top: YMap, languages: dict[str, str]) -> dict[str, Treatment]:
    result: dict[str, Treatment] = {}
    data = ch.mapping(required(ch, top, "treatments", ""), line_of(top, "treatments"), "treatments")
    for tid, entry in (data or {}).items():
        path = f"treatments.{tid}"
        if tid not in spec.TREATMENTS:
            ch.add(line_of(data, tid), path, f"unknown treatment (known: {', '.join(spec.TREATMENTS)})")
            continue
        entry = ch.mapping(entry, line_of(data, tid), path)
        if entry is None:
            continue
        ch.unknown_keys(entry, (*spec.TREATMENT.allowed, *languages), path)  # `offlabel:` must not pass unseen
        off_label = entry.get("off_label")
        if not isinstance(off_label, bool):
            ch.add(line_of(entry, "off_label"), f"{path}.off_label", "required: true or false")
        texts: dict[str, dict[str, Text]] = {}
        for lang in languages:
            per = ch.mapping(required(ch, entry, lang, path), line_of(entry, lang), f"{path}.{lang}")
            texts[lang] = {}
            if per is None:
                continue
            for key in spec.TREATMENT_TEXTS.required:
                value = required(ch, per, key, f"{path}.{lang}")
                if value is not None and (text := ch.text(value, line_of(per, key), f"{path}.{lang}.{key}")):
                    texts[lang][key] = text
                    if tid == "esketamine" and key in ("driving", "ride") and _TWENTY_FOUR.search(text.source):
                        ch.add(line_of(per, key), f"{path}.{lang}.{key}",
                               "esketamine's rule is 'not until the next day after a restful sleep', never 24 hours")
        result[tid] = Treatment(tid, bool(off_label), texts)
    return result


def _documents(ch: Checker, top: YMap, languages: dict[str, str]) -> dict[str, Document]:
    result: dict[str, Document] = {}
    data = ch.mapping(required(ch, top, "documents", ""), line_of(top, "documents"), "documents")
    for doc_id, entry in (data or {}).items():
        path = f"documents.{doc_id}"
        entry = ch.mapping(entry, line_of(data, doc_id), path)
        if entry is None:
            continue
        if not isinstance(doc_id, str) or not spec.DOCUMENT_ID.fullmatch(doc_id):
            ch.add(line_of(data, doc_id), path, "document ids are lowercase letters, digits and hyphens")
        ch.unknown_keys(entry, spec.DOCUMENT.allowed, path)
        pages = entry.get("pages")
        if pages is not None and not (isinstance(pages, str) and pages.isdigit() and int(pages) > 0):
            ch.add(line_of(entry, "pages"), f"{path}.pages", f"must be a whole number of pages, like 2, not {pages!r}")
            pages = None
        grade = entry.get("reading_grade")
        if grade is not None and not (isinstance(grade, str) and grade.isdigit() and 0 < int(grade) <= 16):
            ch.add(line_of(entry, "reading_grade"), f"{path}.reading_grade",
                   f"must be a school grade from 1 to 16, like 6, not {grade!r}")
            grade = None
        per_treatment = entry.get("per_treatment", spec.DOCUMENT["per_treatment"].default)
        if not isinstance(per_treatment, bool):
            ch.add(line_of(entry, "per_treatment"), f"{path}.per_treatment", "must be true or false")
        form = entry.get("form", spec.DOCUMENT["form"].default)
        if not isinstance(form, bool):
            ch.add(line_of(entry, "form"), f"{path}.form", "must be true or false")
        before = len(ch.gaps)
        title = _per_lang(ch, entry, "title", path, languages)
        for lang, text in title.items():
            if len(text.source) > TITLE_MAX:
                ch.add(text.where.line, text.where.path, f"a title is at most {TITLE_MAX} characters (this one has "
                                                         f"{len(text.source)}): it heads page 1 and every footer")
        subject = _per_lang(ch, entry, "subject", path, languages)
        sections = _sections(ch, entry, path, languages)
        gaps: dict[str, tuple[Problem, ...]] = {}
        for lang, problem in ch.gaps[before:]:
            gaps[lang] = (*gaps.get(lang, ()), problem)
        fields = _form_fields(ch, sections, entry, path, form is True, set(gaps))
        result[str(doc_id)] = Document(
            str(doc_id), bool(per_treatment), title, subject, sections, ch.where(line_of(data, doc_id), path),
            int(pages) if pages is not None else None, form is True, fields, gaps,
            int(grade) if grade is not None else None,
        )
    return result


def _form_fields(ch: Checker, sections: tuple[Section, ...], entry: YMap, path: str, form: bool,
                 incomplete: set[str]) -> tuple[str, ...]:
    """The document's form field names: the same in every language, and only in a `form: true` document.

    A name may appear twice in one language when `when:` picks one of the two (a rule per
    treatment); that two are printed together is caught when a document is resolved.
    """
    by_lang: dict[str, list[str]] = {}
    for section in sections:
        for lang, text in section.by_lang.items():
            if lang in incomplete:  # compared once its translation is complete
                continue
            for block in text.blocks:
                by_lang.setdefault(lang, []).extend(KINDS[block.kind].names(block.data))
    names = {lang: set(found) for lang, found in by_lang.items()}
    if not any(names.values()):
        return ()
    if not form:
        ch.add(entry.line, path, "has form fields: add `form: true` so that every page carries the form's "
                                 "id, content hash and QR code")
    first, *others = names
    for lang in others:
        if names[lang] != names[first]:
            differ = sorted(names[lang] ^ names[first])
            ch.add(entry.line, path, f"form field names differ between {first} and {lang}: {', '.join(differ)} "
                                     "(a filled form is keyed on them: use the same names in every language)")
    return tuple(dict.fromkeys(by_lang[first]))


def _sections(ch: Checker, entry: YMap, path: str, languages: dict[str, str]) -> tuple[Section, ...]:
    items = ch.sequence(required(ch, entry, "sections", path), line_of(entry, "sections"), f"{path}.sections")
    sections: list[Section] = []
    seen: set[str] = set()
    for i, item in enumerate(items or ()):
        spath = f"{path}.sections[{i}]"
        item = ch.mapping(item, line_of(items, i), spath)
        if item is None:
            continue
        sid = item.get("id")
        if not isinstance(sid, str) or not spec.SECTION_ID.fullmatch(sid):
            ch.add(item.line, f"{spath}.id", "required: lowercase letters, digits and hyphens")
        elif sid in seen:
            ch.add(item.line, f"{spath}.id", f"duplicate section id {sid!r}")
        seen.add(str(sid))
        ch.unknown_keys(item, (*spec.SECTION.allowed, *languages), spath)
        when = ch.text(item["when"], line_of(item, "when"), f"{spath}.when", markup=False) if "when" in item else None
        role = _role(ch, item, spath)
        by_lang: dict[str, SectionText] = {}
        for lang in languages:
            lpath = f"{spath}.{lang}"
            if lang not in item:  # a translation not written yet: the content loads, the language is not built
                ch.gap(item.line, lpath, lang)
                continue
            per = ch.mapping(required(ch, item, lang, spath), line_of(item, lang), lpath)
            if per is None:
                continue
            ch.unknown_keys(per, spec.SECTION_TEXT.allowed, lpath)
            heading = ch.text(required(ch, per, "heading", lpath), line_of(per, "heading"), f"{lpath}.heading")
            raw_blocks = ch.sequence(required(ch, per, "blocks", lpath), line_of(per, "blocks"), f"{lpath}.blocks")
            blocks = [_block(ch, b, line_of(raw_blocks, j), f"{lpath}.blocks[{j}]") for j, b in enumerate(raw_blocks or ())]
            if heading is not None:
                by_lang[lang] = SectionText(heading, tuple(b for b in blocks if b is not None))
        sections.append(Section(str(sid), by_lang, ch.where(item.line, spath), when, role))
    return tuple(sections)


def _role(ch: Checker, item: YMap, path: str) -> str | None:
    """A section's role or roles (`role: risks`, `role: [voluntary, questions]`), joined by spaces."""
    if "role" not in item:
        return None
    raw = item["role"]
    roles = list(raw) if isinstance(raw, YList) else [raw]
    known = spec.SECTION["role"].enum
    unknown = [r for r in roles if r not in known]
    if unknown or not roles:
        ch.add(line_of(item, "role"), f"{path}.role", f"a role is one or more of: {', '.join(known)}")
        return None
    return " ".join(str(r) for r in roles)


def _block(ch: Checker, raw: Any, line: int, path: str) -> Block | None:
    data = ch.mapping(raw, line, path)
    if data is None:
        return None
    kinds = [k for k in data if k in KINDS]
    ch.unknown_keys(data, (*KINDS, *spec.BLOCK_KEYS.allowed), path)
    if len(kinds) != 1:
        ch.add(data.line, path, f"a block has exactly one of: {', '.join(KINDS)}")
        return None
    kind = kinds[0]
    when = ch.text(data["when"], line_of(data, "when"), f"{path}.when", markup=False) if "when" in data else None
    parsed = KINDS[kind].parse(ch, data[kind], line_of(data, kind), f"{path}.{kind}")
    if parsed is None:
        return None
    return Block(kind, parsed, ch.where(line, path), when)

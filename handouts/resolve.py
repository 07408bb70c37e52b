"""Fill the content's Jinja2 placeholders for each clinic, language and treatment.

Content strings are templates; clinic values are data. Templates run in a sandbox with
StrictUndefined and autoescape, so a clinic value reaches ReportLab's paragraph markup only
escaped, and is never itself rendered as a template.
"""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from jinja2 import StrictUndefined, UndefinedError
from markupsafe import Markup

from handouts.blocks import KINDS
from handouts.clinics import OPTIONAL_TEXT
from handouts.errors import Problem, Where, fail_if
from handouts.fingerprint import content_hash
from handouts.fonts import missing_glyphs
from handouts.model import (
    Clinic,
    Content,
    FormMark,
    Job,
    ResolvedBlock,
    ResolvedDocument,
    ResolvedSection,
    Text,
)
from handouts.templates import Budget, environment, prepare, sentence

_TAG = re.compile(r"<[^>]+>")
FOOTER_LABELS = ("page_of", "phone", "version", "reviewed")  # and `form` on a form's pages


@dataclass(frozen=True)
class Failure:
    """A document that cannot be made, and why (each reason names file, line and field)."""

    job: Job
    problems: tuple[Problem, ...]
    template: tuple[Problem, ...] = ()  # of them, the content or clinic mistakes in templates (not missing glyphs)


class _Unset(StrictUndefined):
    """An optional clinic field the clinic left out: false in `{% if %}`, an error however it is printed."""

    def __init__(self, name: str) -> None:
        super().__init__(hint=f"clinic.{name} is empty for this clinic (guard it with {{% if clinic.{name} %}})")

    def __bool__(self) -> bool:  # type: ignore[override]  # StrictUndefined raises here; an unset field is false
        return False


class Fields:
    """Read-only `obj.field` access for templates; no methods a field name could collide with."""

    __slots__ = ("_label", "_values")

    def __init__(self, label: str, values: dict[str, Any]) -> None:
        self._label = label
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __str__(self) -> str:
        raise UndefinedError(f"{{{{ {self._label} }}}} is a group of fields; print one of them")

    def __iter__(self) -> Any:
        raise UndefinedError(f"{{{{ {self._label} }}}} is a group of fields, not a list: loop over a list such as "
                             "clinic.treatments or clinic.conditions, or print one field")


class _Undefined(StrictUndefined):
    """StrictUndefined whose message names the field the way content writes it."""

    @property
    def _undefined_message(self) -> str:  # type: ignore[override]
        obj = self._undefined_obj
        if isinstance(obj, Fields):
            return f"{{{{ {obj._label}.{self._undefined_name} }}}} is not defined"
        return super()._undefined_message


@lru_cache(maxsize=4096)
def _template(source: str) -> Any:
    return environment(_Undefined).from_string(prepare(source))


@lru_cache(maxsize=1024)
def _expression(source: str) -> Callable[..., Any]:
    return environment(_Undefined).compile_expression(source, undefined_to_none=False)


def plain(markup: str) -> str:
    """Paragraph markup as plain text (for PDF metadata and the page header)."""
    return html.unescape(_TAG.sub("", markup)).strip()


class Resolver:
    """Renders one clinic's texts in one language; collects template and glyph problems."""

    def __init__(self, content: Content, clinic: Clinic, lang: str) -> None:
        self.content, self.clinic, self.lang = content, clinic, lang
        self.problems: list[Problem] = []  # the content or clinic data is wrong: exit 2
        self.glyphs: list[Problem] = []  # a character no font has: this document fails
        self.budget = Budget()  # the treatment texts' own; each document gets a fresh one
        values: dict[str, Any] = {name: _Unset(name) for name in OPTIONAL_TEXT}
        for name in clinic.fields:
            if (value := clinic.value(name, lang)) is not None:
                values[name] = value
        values.update(id=clinic.id, languages=clinic.languages, treatments=clinic.treatments,
                      conditions=clinic.conditions)
        self.clinic_values = values
        meta = Fields("content", {"version": content.version, "reviewed": content.reviewed})
        self.context: dict[str, Any] = {"clinic": Fields("clinic", values), "content": meta, "lang": lang}
        treatments = {tid: self._treatment(tid) for tid in content.treatments}
        self.context["treatments"] = Fields("treatments", treatments)
        self.context["offered"] = [treatments[t] for t in clinic.treatments if t in treatments]
        for name in ("name", "phone"):  # printed in every page header and footer
            self.check_glyphs(str(values.get(name, "")), clinic.where_of(name))
        for key in FOOTER_LABELS:  # drawn as written on every page: never as a box
            self.label(key)
        self.header_glyphs = list(self.glyphs)  # every document of this clinic and language has these
        self.treatment_problems = list(self.problems)  # and these: the treatment texts are rendered once, here

    def _treatment(self, tid: str) -> Fields:
        treatment = self.content.treatments[tid]
        values: dict[str, Any] = {"id": tid, "off_label": treatment.off_label}
        for key, text in treatment.texts.get(self.lang, {}).items():
            values[key] = Markup(self.render(text, self.context))
        return Fields(f"treatments.{tid}", values)

    def render(self, text: Text, context: dict[str, Any]) -> str:
        """One content string as paragraph markup ('' after a reported problem, or once the budget is spent)."""
        if self.budget.spent:
            return ""
        try:
            result = self.budget.render(_template(text.source), context)
        except Exception as exc:  # noqa: BLE001 - any failure of a content template is the content's problem
            self._template_problem(text.where, exc)
            return ""
        self.check_glyphs(result, text.where)
        return result.strip()

    def label(self, key: str) -> str:
        """One of the content's short labels in this language, as paragraph markup, its characters
        checked against the shipped fonts."""
        text = self.content.labels[self.lang][key]
        self.check_glyphs(text, Where(str(self.content.path), 0, f"labels.{self.lang}.{key}"))
        return html.escape(text, quote=False)

    def render_all(self, texts: tuple[Text, ...], context: dict[str, Any]) -> tuple[str, ...]:
        """Several content strings as markup, leaving out those that render empty."""
        return tuple(s for s in (self.render(t, context) for t in texts) if s)

    def test(self, when: Text | None, context: dict[str, Any]) -> bool:
        """Whether a `when:` condition holds (a broken condition is reported and counts as false)."""
        if when is None:
            return True
        if self.budget.spent:
            return False
        try:
            return bool(self.budget.watch(lambda: _expression(when.source)(**context)))
        except Exception as exc:  # noqa: BLE001 - as in render()
            self._template_problem(when.where, exc)
            return False

    def _template_problem(self, where: Where, exc: Exception) -> None:
        self.problems.append(Problem(where, f"{sentence(exc)} (clinic {self.clinic.id!r}, language {self.lang})"))

    def check_glyphs(self, text: str, where: Where) -> None:
        """Report characters no shipped font has, naming the clinic field they came from."""
        for char in missing_glyphs(text):
            origin = where
            for name, value in self.clinic.fields.items():
                texts = value.values() if isinstance(value, dict) else (value,)  # str() of a dict escapes
                if any(char in str(text) for text in texts):
                    origin = self.clinic.where_of(name)
                    break
            self.glyphs.append(Problem(origin, f"clinic {self.clinic.id!r}: character U+{ord(char):04X} "
                                               f"{char!r} cannot be printed: no shipped font has it"))


def resolve_job(content: Content, job: Job, resolvers: dict[tuple[str, str], Resolver]) -> ResolvedDocument | Failure:
    """One job resolved, or a Failure naming its template and glyph problems.

    `resolvers` keeps a Resolver per clinic and language, so a clinic's context is built once
    for all its documents; the caller may clear it at any time (it holds every clinic it saw).
    """
    key = (job.clinic.id, job.lang)
    if key not in resolvers:
        resolvers[key] = Resolver(content, job.clinic, job.lang)
    resolver = resolvers[key]
    resolver.glyphs = list(resolver.header_glyphs)
    resolver.problems = list(resolver.treatment_problems)
    resolver.budget = Budget()
    document = _document(resolver, job)
    problems = tuple(dict.fromkeys([*resolver.problems, *resolver.glyphs]))
    return Failure(job, problems, tuple(resolver.problems)) if problems else document


def _kind(clinic: Clinic) -> tuple[Any, ...]:
    """What content templates branch on: the clinic's treatments and conditions, and which of its
    fields are set (in which languages), not what they say."""
    present = tuple(sorted((name, tuple(sorted(value)) if isinstance(value, dict) else ())
                           for name, value in clinic.fields.items() if value not in (None, "", {})))
    return clinic.treatments, clinic.conditions, present


def check_templates(content: Content, jobs: list[Job]) -> None:
    """Resolve one job of each document, language, treatment and kind of clinic; raise one
    HandoutsError for all template problems.

    Clinics of one kind (the same treatments, conditions and set fields) take the same branches
    of every `{% if %}` and `when:`, so a mistake in content.yaml, or one that only clinics
    without an optional field show, is found here and stops the run with nothing written. A
    chain has few kinds, so this stays quick however many clinics it has; the rest are resolved
    as they are made.
    """
    first: dict[tuple[Any, ...], Job] = {}
    for job in jobs:
        first.setdefault((job.document.id, job.lang, job.treatment, _kind(job.clinic)), job)
    resolvers: dict[tuple[str, str], Resolver] = {}
    problems: list[Problem] = []
    for job in first.values():
        result = resolve_job(content, job, resolvers)
        if isinstance(result, Failure):
            problems.extend(p for p in result.template if p not in problems)
    fail_if(problems)


def resolve_jobs(content: Content, jobs: list[Job]) -> list[ResolvedDocument | Failure]:
    """Resolve every job; raise one HandoutsError for all template problems, else return the results."""
    problems: list[Problem] = []
    results: list[ResolvedDocument | Failure] = []
    resolvers: dict[tuple[str, str], Resolver] = {}
    for job in jobs:
        result = resolve_job(content, job, resolvers)
        if isinstance(result, Failure):
            problems.extend(p for p in result.template if p not in problems)
        results.append(result)
    fail_if(problems)
    return results


def _document(r: Resolver, job: Job) -> ResolvedDocument:
    context = dict(r.context)
    if job.treatment is not None:
        context["treatment"] = context["treatments"][job.treatment]
    title = r.render(job.document.title[job.lang], context)
    sections: list[ResolvedSection] = []
    names: list[str] = []
    for section in job.document.sections:
        if not r.test(section.when, context):
            continue
        text = section.by_lang[job.lang]
        blocks = tuple(b for b in (_block(r, block, context, names) for block in text.blocks
                                   if r.test(block.when, context)) if b)
        if blocks:
            sections.append(ResolvedSection(section.id, r.render(text.heading, context), blocks))
    fields = job.clinic.fields
    doc = ResolvedDocument(
        job=job,
        title=title,
        plain_title=plain(title),
        subject=plain(r.render(job.document.subject[job.lang], context)),
        # Header and footer lines are drawn as single lines: a line break in the value would vanish.
        clinic_name=" ".join(str(r.clinic_values["name"]).split()),
        phone=" ".join(str(r.clinic_values["phone"]).split()),
        labels=r.content.labels[job.lang],
        version=r.content.version,
        reviewed=r.content.reviewed,
        primary_color=fields.get("primary_color"),
        accent_color=fields.get("accent_color"),
        logo=job.clinic.logo,
        sections=tuple(sections),
        logo_alt=" ".join(str(r.clinic_values.get("logo_alt") or r.clinic_values["name"]).split()),
    )
    if not job.document.form:
        return doc
    r.label("form")  # in the footer of every page of a form
    form_id = job.document.id if job.treatment is None else f"{job.document.id}-{job.treatment}"
    return dataclasses.replace(doc, form=FormMark(form_id, content_hash(doc), r.content.languages[job.lang]))


def _block(r: Resolver, block: Any, context: dict[str, Any], names: list[str]) -> ResolvedBlock | None:
    data = KINDS[block.kind].resolve(r, block.data, context)
    if not data:
        return None  # a block with nothing to print is left out
    for name in KINDS[block.kind].names(block.data):
        if name in names:  # two fields of one name would share one value: a filled form would lie
            r.problems.append(Problem(block.where, f"form field {name!r} is printed twice in this document "
                                                   f"(clinic {r.clinic.id!r}, language {r.lang}): rename one, or "
                                                   "make their `when:` conditions exclusive"))
        names.append(name)
    return ResolvedBlock(block.kind, data)

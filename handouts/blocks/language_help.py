"""`language_help: {}`: the free-language-help notice (ACA Section 1557) and its taglines.

The notice is the content's `language_help` label in the document's language, or the
clinic's own `language_assistance`; then a tagline (`language_tagline`) in each other content
language; then the clinic's `language_taglines`, one per line. Every character is checked
against the shipped fonts, so a script none covers fails the document by name. Each line
carries its language for the structure tree (/Lang): a content tagline its content language,
a clinic tagline the language its first words name ("Tiếng Việt: ..." is vi, see NAMES).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from handouts.checker import Checker, no_settings
from handouts.errors import Where
from handouts.spec import NO_SETTINGS, Field

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from handouts.blocks.flow import Kit
    from handouts.resolve import Resolver

KIND = "language_help"
SPEC = Field(NO_SETTINGS)


def parse(ch: Checker, value: Any, line: int, path: str) -> dict[str, Any] | None:
    """No settings: the labels and the clinic record supply everything."""
    return no_settings(ch, KIND, value, line, path)


NAMES = {
    "english": "en", "español": "es", "espanol": "es", "tiếng việt": "vi", "中文": "zh", "繁體中文": "zh-Hant",
    "简体中文": "zh-Hans", "한국어": "ko", "tagalog": "tl", "русский": "ru", "العربية": "ar", "kreyòl ayisyen": "ht",
    "français": "fr", "polski": "pl", "português": "pt", "italiano": "it", "deutsch": "de", "日本語": "ja",
    "فارسی": "fa", "हिंदी": "hi", "українська": "uk", "ελληνικά": "el", "język polski": "pl",
}
"""Languages by the name a tagline starts with (in its own script, as HHS's taglines write them)."""


def tagline_lang(line: str) -> str | None:
    """The language a clinic's tagline is in, from the name before its first colon; None when not known."""
    name, colon, _ = line.partition(":")
    return NAMES.get(name.strip().casefold()) if colon else None


def resolve(r: Resolver, data: dict[str, Any], context: dict[str, Any]) -> tuple[tuple[str | None, str], ...]:
    """The notice and taglines as escaped paragraphs, with the clinic's phone in place of {phone}, each
    beside its language (None: the document's)."""
    phone = html.escape(str(r.clinic_values["phone"]))
    own = r.clinic_values.get("language_assistance")
    if own:
        r.check_glyphs(str(own), r.clinic.where_of("language_assistance"))
        notice = html.escape(str(own))
    else:
        notice = _label(r, r.lang, "language_help").replace("{phone}", phone)
    lines: list[tuple[str | None, str]] = [(None, notice)]
    lines += [(lang, _label(r, lang, "language_tagline").replace("{phone}", phone))
              for lang in r.content.languages if lang != r.lang]
    taglines = r.clinic_values.get("language_taglines")
    if taglines:
        r.check_glyphs(str(taglines), r.clinic.where_of("language_taglines"))
        lines += [(tagline_lang(line), html.escape(line.strip())) for line in str(taglines).splitlines() if line.strip()]
    return tuple(lines)


def _label(r: Resolver, lang: str, key: str) -> str:
    """A label of the content, escaped, its characters checked against the shipped fonts."""
    text = r.content.labels[lang][key]
    r.check_glyphs(text, Where(str(r.content.path), 0, f"labels.{lang}.{key}"))
    return html.escape(text)


def draw(data: tuple[tuple[str | None, str], ...], kit: Kit) -> list[Flowable]:
    """One paragraph per line, each in its language, kept together."""
    from handouts.blocks.flow import Kept, para

    return [Kept([para(line, kit, lang=lang) for lang, line in data])]

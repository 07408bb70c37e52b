"""Shape checks shared by the content and clinic validators: each wrong shape becomes a Problem."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable, TypeVar

from handouts import spec
from handouts.errors import Problem, Where
from handouts.load import YList, YMap
from handouts.model import Text

T = TypeVar("T")
_IGNORABLE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0000-\U000e0fff]")
"""Unicode's default-ignorable code points that are not control or format characters (the grapheme
joiner, Hangul fillers, variation selectors, tags): invisible too."""


class Checker:
    """Walks one file's data, turning wrong shapes into Problems with file, line and path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.gaps: list[tuple[str, Problem]] = []  # (language, where a text in it is missing): not an error yet

    def where(self, line: int, path: str) -> Where:
        return Where(self.file, line, path)

    def add(self, line: int, path: str, message: str) -> None:
        self.problems.append(Problem(self.where(line, path), message))

    def gap(self, line: int, path: str, lang: str) -> None:
        """A text missing in one language: the content loads, and that language cannot be built."""
        self.gaps.append((lang, Problem(self.where(line, path), f"missing: no {lang!r} text here")))

    def mapping(self, value: Any, line: int, path: str) -> YMap | None:
        if isinstance(value, YMap):
            return value
        self.add(line, path, "must be a mapping (key: value lines)")
        return None

    def sequence(self, value: Any, line: int, path: str) -> YList | None:
        if isinstance(value, YList):
            return value
        self.add(line, path, "must be a list")
        return None

    def text(self, value: Any, line: int, path: str, markup: bool = True) -> Text | None:
        """A content string: text (numbers allowed) without raw markup outside placeholders; with
        `markup` False, an expression (`when:`), where < and > compare and nothing is printed."""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.add(line, path, "must be text")
            return None
        source = str(value)
        if not source.strip():
            self.add(line, path, "must not be empty")
            return None
        if not self.visible(source, line, path):
            return None
        bare = spec.JINJA.sub("", source)  # outside its tags, content carries no ReportLab markup of its own
        if markup and ("<" in bare or ">" in bare):
            self.add(line, path, "'<' and '>' are not allowed in content text (use **bold** for emphasis)")
            return None
        if markup and ("[[" in (rest := spec.SPAN.sub("", bare)) or "]]" in rest):
            self.add(line, path, "'[[' marks words in another language: write [[es|AYUDA]] "
                                 "(a language code such as es or zh-Hant, a bar, the words, then ']]')")
            return None
        return Text(source, self.where(line, path))

    def visible(self, text: str, line: int, path: str) -> bool:
        """Whether `text` has no control or invisible formatting character (tab and line breaks are layout);
        one is reported. They print as nothing or as a stray mark (a soft hyphen as a hyphen), and a value
        made only of them would count as given and print blank."""
        char = next((c for c in text if (unicodedata.category(c).startswith("C") and c not in "\t\n\r")
                     or _IGNORABLE.match(c)), None)
        if char is None:
            return True
        self.add(line, path, f"has a control or invisible formatting character (U+{ord(char):04X}), "
                             "which would not print as written: remove it")
        return False

    def shaped(self, value: Any, line: int, path: str, allowed: tuple[str, ...]) -> YMap | None:
        """A mapping whose keys are all `allowed` (any other is reported); None after reporting it is not one."""
        data = self.mapping(value, line, path)
        if data is not None:
            self.unknown_keys(data, allowed, path)
        return data

    def unknown_keys(self, data: YMap, allowed: tuple[str, ...], path: str) -> None:
        for key in data:
            if key not in allowed:
                self.add(data.lines[key], f"{path}.{key}", f"unknown key (expected one of: {', '.join(allowed)})")


def line_of(data: YMap | YList | None, key: Any) -> int:
    """The line of a key (mapping) or index (list); the container's own line when unknown; 0 for None."""
    if isinstance(data, YMap):
        return data.lines.get(key, data.line)
    if isinstance(data, YList):
        return data.lines[key] if 0 <= key < len(data.lines) else data.line
    return 0


def is_blank(value: Any) -> bool:
    """Null, or text that is only white space: both count as not given."""
    return value is None or (isinstance(value, str) and not value.strip())


def required(ch: Checker, data: YMap, key: str, path: str) -> Any:
    """`data[key]`, or None after reporting it missing (absent, null or blank)."""
    if is_blank(data.get(key)):
        ch.add(data.line, f"{path}.{key}" if path else key, "required")
        return None
    return data[key]


def required_read(ch: Checker, data: YMap, key: str, path: str, read: Callable[[Checker, Any, int, str], T | None]
                  ) -> T | None:
    """`data[key]` read by `read` at its own line and path, or None after reporting it missing or wrong."""
    raw = required(ch, data, key, path)
    return None if raw is None else read(ch, raw, line_of(data, key), f"{path}.{key}")


def text_list(ch: Checker, value: Any, line: int, path: str) -> tuple[Text, ...] | None:
    """A non-empty list of content strings (None after reporting that it is not one)."""
    items = ch.sequence(value, line, path)
    if not items:
        if items is not None:
            ch.add(line, path, "must not be empty")
        return None
    texts = [ch.text(v, line_of(items, i), f"{path}[{i}]") for i, v in enumerate(items)]
    return tuple(t for t in texts if t is not None)


def no_settings(ch: Checker, kind: str, value: Any, line: int, path: str) -> dict[str, Any]:
    """A block kind that takes no settings: `kind: {}` (a setting is reported)."""
    if value not in (None, {}):
        ch.add(line, path, f"takes no settings: write `{kind}: {{}}`")
    return {}

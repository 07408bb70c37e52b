"""The Jinja2 sandbox content templates run in, their per-document budget, and their mistakes as sentences.

Content strings are templates written by editors; a mistake in one must fail that document
with a message, never hang a batch or fill the memory. So the sandbox has no `|safe`, no
`lipsum` and only the filters content needs; `*`, `**` and `+` refuse results far larger than
any handout; and each document's templates share a budget of time and of characters produced.
"""

from __future__ import annotations

import functools
import re
import sys
import time
from functools import lru_cache
from types import FrameType
from typing import Any, Callable, Iterable

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment

from handouts.spec import SPAN
from handouts.tags import span

SECONDS = 5.0  # per document: its templates take milliseconds; this is a loop gone wrong
CHARACTERS = 1_000_000  # per document: about 300 pages of text, far past any page budget
LARGEST = 100_000  # characters in one value, and the largest number a call or filter is given
MAX_RANGE = 10_000  # items a range() may have
MAX_EXPONENT = 1_000  # for **: 2 ** 1000 is already a 302-digit number
MAX_BITS = 100_000  # the largest number * and ** may make: about 30,000 digits, made in microseconds
TEXT_METHODS_REFUSED = frozenset({"format", "format_map", "expandtabs", "translate", "center", "ljust", "rjust", "zfill"})
"""Text methods that make text of any size from a number or a pattern; content has placeholders instead."""
FILTERS = ("abs", "attr", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first", "float",
           "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr",
           "replace", "reverse", "round", "select", "selectattr", "sort", "string", "striptags", "sum", "title",
           "trim", "truncate", "unique", "upper", "wordcount")
"""The filters content may use: what a handout needs. Gone: `safe` (clinic values are always
escaped) and those that make text of any size from a number (center, indent, format, wordwrap, ...)."""

_JINJA = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.S)
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_MARKER = re.compile("\x00([0-9]+)\x00")
_CHECK_EVERY = 1024  # trace events between two looks at the clock


class OverBudget(Exception):
    """A document's templates took too long, or made too much text."""


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (lists and mappings cannot be changed), with operators and calls kept to
    sizes a handout can have, checked before the value is made: a single C operation such as a
    huge replace is never interrupted by the time budget."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:  # noqa: D102 - Jinja's hook
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"the power {right} is too large (at most {MAX_EXPONENT})")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) \
                and left.bit_length() * right > MAX_BITS:
            raise SecurityError(f"this power makes a number of more than {MAX_BITS:,} bits")
        if operator == "*":
            for value, times in ((left, right), (right, left)):
                if isinstance(value, (str, list, tuple)) and isinstance(times, int) and len(value) * times > LARGEST:
                    raise SecurityError(f"repeating a text or list {times} times makes more than {LARGEST:,} items")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_BITS:
                raise SecurityError(f"this product makes a number of more than {MAX_BITS:,} bits")
        if operator == "+" and isinstance(left, (str, list, tuple)) and hasattr(right, "__len__") \
                and len(left) + len(right) > LARGEST:
            raise SecurityError(f"joining these makes more than {LARGEST:,} characters")
        if operator == "%" and isinstance(left, str):
            raise SecurityError("% formatting of text is not available in content: write {{ placeholders }}")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        _check_arguments(args, kwargs)
        method = getattr(__obj, "__wrapped__", __obj)  # Jinja wraps str.format in a function of its own
        owner, name = getattr(method, "__self__", None), getattr(method, "__name__", "")
        if isinstance(owner, str):
            if name in TEXT_METHODS_REFUSED:
                raise SecurityError(f"the text method {name}() is not available in content")
            if name == "replace" and len(args) >= 2:
                _foresee_replace(owner, args[0], args[1])
            if name == "join" and args:
                args = (_foresee_join(owner, args[0]), *args[1:])
        return _checked_result(super().call(__context, __obj, *args, **kwargs))


def _foresee_replace(text: Any, old: Any, new: Any) -> None:
    """Refuse a replace whose result would be larger than LARGEST, before it is made."""
    text, old, new = str(text), str(old), str(new)
    count = len(text) + 1 if not old else text.count(old)
    if len(text) + count * (len(new) - len(old)) > LARGEST:
        raise SecurityError(f"this replace makes more than {LARGEST:,} characters")


def _foresee_join(separator: Any, items: Any) -> list[Any]:
    """The items to join, as a list, refused when the joined text would be larger than LARGEST."""
    listed = []
    size = 0
    for item in items:
        listed.append(item)
        size += len(str(item)) + len(str(separator))
        if size > LARGEST or len(listed) > LARGEST:
            raise SecurityError(f"joining these makes more than {LARGEST:,} characters")
    return listed


def _check_arguments(args: Iterable[Any], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST:
            raise SecurityError(f"the number {value} is too large here (at most {LARGEST:,})")


def _checked_result(result: Any) -> Any:
    if isinstance(result, (str, list, tuple)) and len(result) > LARGEST:
        raise SecurityError(f"this makes a value of {len(result):,} characters or items (at most {LARGEST:,})")
    return result


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose numbers and result are kept within LARGEST (Jinja's pass_* marks kept); `replace`
    and `join` are checked before they make their result."""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args, kwargs)
        values = [a for a in args if not hasattr(a, "environment") and not hasattr(a, "autoescape")]
        if function.__name__ == "do_replace" and len(values) >= 3:
            _foresee_replace(*values[:3])
        if function.__name__ == "do_join" and values:
            index = args.index(values[0])
            args = (*args[:index], _foresee_join(values[1] if len(values) > 1 else "", values[0]), *args[index + 1:])
        return _checked_result(function(*args, **kwargs))

    return guarded


def _range(*args: int) -> range:
    _check_arguments(args, {})
    made = range(*args)
    if len(made) > MAX_RANGE:
        raise SecurityError(f"range() of {len(made):,} numbers is too large (at most {MAX_RANGE:,})")
    return made


def _finalize(value: Any) -> Any:
    if value is None:
        raise UndefinedError("a placeholder has no value")
    return value


@lru_cache(maxsize=1)
def environment(undefined: type[StrictUndefined]) -> SandboxedEnvironment:
    """The one sandbox every content template runs in."""
    env = _Sandbox(undefined=undefined, autoescape=True, finalize=_finalize, trim_blocks=True, lstrip_blocks=True)
    env.filters = {name: _guarded(env.filters[name]) for name in FILTERS}
    env.globals = {"range": _range, "dict": dict, "namespace": env.globals["namespace"]}
    return env


def prepare(source: str) -> str:
    """Template source with the content's own `&` escaped, **bold** turned into <b> markup, and
    [[es|AYUDA]] into words marked as another language (a Span with /Lang in tagged PDF).

    Only the text between the template tags is read for `**`: `{{ 2 ** 3 }}` is arithmetic,
    while `**{{ treatment.name }}**` still makes the name bold.
    """
    parts = _JINJA.split(source)
    tags = parts[1::2]
    # Each tag stands in as a marker while the bold is found, so a ** inside one is never read as bold.
    text = "".join(part.replace("&", "&amp;") + (f"\x00{i}\x00" if i < len(tags) else "")
                   for i, part in enumerate(parts[::2]))
    text = _BOLD.sub(r"<b>\1</b>", text)
    text = SPAN.sub(lambda m: span(m.group(1), m.group(2)), text)
    return _MARKER.sub(lambda m: tags[int(m.group(1))], text)


class Budget:
    """One document's allowance: SECONDS of template time and CHARACTERS of text, shared by all its templates.

    Time is watched by a trace function on template code only (Jinja compiles templates to
    Python whose file name is "<template>"), so a loop that produces nothing is stopped too;
    sys.settrace is per thread, so documents made in parallel threads keep their own budgets.
    """

    def __init__(self, seconds: float | None = None, characters: int | None = None) -> None:
        self.seconds = SECONDS if seconds is None else seconds
        self.characters = CHARACTERS if characters is None else characters
        self.deadline = time.monotonic() + self.seconds
        self.used = 0
        self.spent = False  # once over, the document has failed: its other texts are not filled in
        self._events = 0

    def render(self, template: Any, context: dict[str, Any]) -> str:
        """A template's text, streamed so that a runaway loop stops at the budget, not at the end."""

        def run() -> str:
            pieces: list[str] = []
            made = template.generate(context)
            try:
                for piece in made:
                    self.used += len(piece)
                    if self.used > self.characters:
                        self.spent = True
                        raise OverBudget(f"the document's texts come to more than {self.characters:,} characters "
                                         "(a loop far too large?)")
                    pieces.append(piece)
            finally:
                made.close()  # a generator left half-way holds the template's frames
            return "".join(pieces)

        return str(self.watch(run))

    def watch(self, run: Callable[[], Any]) -> Any:
        """What `run()` returns, stopped with OverBudget when the time is up."""
        previous = sys.gettrace()
        sys.settrace(self._call)
        try:
            return run()
        finally:
            sys.settrace(previous)

    def _call(self, frame: FrameType, event: str, arg: Any) -> Any:  # noqa: ARG002 - sys.settrace's signature
        if frame.f_code.co_filename != "<template>":
            return None  # library code: not traced line by line, only template code is
        self._tick()
        return self._line

    def _line(self, frame: FrameType, event: str, arg: Any) -> Any:  # noqa: ARG002 - sys.settrace's signature
        self._tick()
        return self._line

    def _tick(self) -> None:
        self._events += 1
        if self._events % _CHECK_EVERY == 0 and time.monotonic() > self.deadline:
            self.spent = True
            raise OverBudget(f"the document's texts took more than {self.seconds:g} s to fill in "
                             "(a loop that never ends, or one far too large?)")


def sentence(exc: BaseException) -> str:
    """A content template's mistake as a sentence an editor can act on."""
    if isinstance(exc, TemplateSyntaxError):
        where = f" (line {exc.lineno} of this text)" if exc.lineno and exc.lineno > 1 else ""
        return f"this text is not a valid template: {exc.message}{where}"
    if isinstance(exc, (UndefinedError, OverBudget)):
        return str(exc.message if isinstance(exc, UndefinedError) else exc)
    if isinstance(exc, SecurityError):
        return f"not allowed in content: {exc}"
    if isinstance(exc, RecursionError):
        return "this text is nested too deeply, or a macro calls itself without end"
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, KeyError):
        return f"there is no {exc.args[0]!r} here" if exc.args else "a key that does not exist"
    if isinstance(exc, TypeError):
        return f"a value of the wrong kind: {exc}"
    if isinstance(exc, MemoryError):
        return "this text needs more memory than the machine has (a value far too large?)"
    message = str(exc).strip()
    return f"{message} ({type(exc).__name__})" if message and " " in message else f"{type(exc).__name__}: {message}"

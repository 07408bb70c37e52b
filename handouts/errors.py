"""The one exception a user can cause, and the located problems it carries.

Plain Python: no click here, so the library and the front-desk page use it without the command
line; the CLI shows it as a click error with its exit code (handouts.cli).
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Iterable


REASON_MAX = 300  # characters of a library's message kept in a failure's reason
_ADDRESS = re.compile(r"\s*\bat 0x[0-9a-fA-F]+|\b0x[0-9a-fA-F]{6,}")  # "<Paragraph at 0x7f...>" differs every run


@dataclass(frozen=True)
class Where:
    """A place in an input file: file name, 1-based line (0 when unknown) and YAML path."""

    file: str
    line: int = 0
    path: str = ""

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return f"{place} {self.path}" if self.path else place

    def at(self, path: str, line: int | None = None) -> Where:
        """The same file, another path (and line, when known)."""
        return Where(self.file, self.line if line is None else line, path)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where it is."""

    where: Where
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where.file else self.message


class HandoutsError(Exception):
    """Everything a user can cause: bad input, bad usage, a text no font can draw.

    `exit_code` is what the command line exits with: 2 for bad input or usage (nothing
    written), 1 when valid input could not be made into (all) documents.
    """

    exit_code = 2

    def __init__(self, problems: Iterable[Problem | str]) -> None:
        self.problems = [p if isinstance(p, Problem) else Problem(Where(""), p) for p in problems]
        self.message = self._summary()
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its problems and exit code (a worker process sends it back to the page)."""
        return (type(self), (self.problems,), self.__dict__)

    def _summary(self) -> str:
        lines = [str(p) for p in self.problems]
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines)


class RunFailure(HandoutsError):
    """Valid input, but a document or file could not be made or written (exit code 1): unlike exit
    code 2, something may have been written already."""

    exit_code = 1


def fail_if(problems: list[Problem]) -> None:
    """Raise one HandoutsError carrying every collected problem, if there are any."""
    if problems:
        raise HandoutsError(problems)


def stable_reason(message: str) -> str:
    """A library's message without what differs run to run (object addresses), on one line, not too long."""
    message = " ".join(_ADDRESS.sub("", message).split())
    return message if len(message) <= REASON_MAX else message[:REASON_MAX - 1] + "…"


DEBUG_HINT = "run the same command with --debug (or HANDOUTS_DEBUG=1) to see where it happened"


def debugging() -> bool:
    """Whether --debug or HANDOUTS_DEBUG=1 asks for the tracebacks of unexpected errors."""
    return os.environ.get("HANDOUTS_DEBUG", "").strip() not in ("", "0")


def unexpected(exc: BaseException, what: str) -> str:
    """The reason for an unexpected failure of `what`, as one stable line; its traceback goes to
    stderr as well when debugging (in a worker process too: workers share the terminal)."""
    if debugging():
        traceback.print_exception(exc, file=sys.stderr)
        hint = "the traceback is above"
    else:
        hint = DEBUG_HINT
    return f"{what} ({type(exc).__name__}: {stable_reason(str(exc))}); {hint}"

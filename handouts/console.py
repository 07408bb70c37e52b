"""What the command line shows around its commands: errors as click shows its own, --debug, a progress bar."""

from __future__ import annotations

import os
import sys
from typing import Any

import click


class _InputError(click.ClickException):
    """A HandoutsError's exit code 2: invalid input or usage, nothing written."""

    exit_code = 2


class Commands(click.Group):
    """The command group: --debug anywhere on the line; an unexpected error is one line and exit 1."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:  # noqa: D102 - click's entry point
        args = list(sys.argv[1:] if args is None else args)
        before = os.environ.get("HANDOUTS_DEBUG")
        if "--debug" in args[:args.index("--") if "--" in args else len(args)]:
            args.remove("--debug")
            os.environ["HANDOUTS_DEBUG"] = "1"  # worker processes inherit it
        try:
            return super().main(args, *rest, **kwargs)
        finally:
            if before is None:
                os.environ.pop("HANDOUTS_DEBUG", None)
            else:
                os.environ["HANDOUTS_DEBUG"] = before

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a library error (handouts.errors.HandoutsError, which knows nothing of click)
        is shown as click shows its own, `Error: ...` on stderr, and exits with the error's code."""
        from handouts.errors import DEBUG_HINT, HandoutsError, debugging, stable_reason

        try:
            return super().invoke(ctx)
        except HandoutsError as exc:
            raise (_InputError if exc.exit_code == 2 else click.ClickException)(exc.message) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            if debugging():
                raise  # Python prints the traceback; the exit code is 1
            raise click.ClickException(f"unexpected error ({type(exc).__name__}: {stable_reason(str(exc))}). "
                                       f"This is a fault in handouts, not in your files: {DEBUG_HINT}, and "
                                       "include it when you report the problem.") from None


class Progress:
    """click's progress bar on stderr while documents are made, when stderr is a terminal; nothing otherwise."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._done = 0

    def __enter__(self) -> Progress:
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if not sys.stderr.isatty():
                return
            self._bar = click.progressbar(length=total, label="Building", file=sys.stderr, show_pos=True,
                                          show_eta=True).__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

"""`handouts init`: a starting content folder (content.yaml, layouts/, logos/, a sample clinics.csv) from the package.

The files come from `handouts/starter/`, package data that an installed copy carries, so a
clinic chain can start without a checkout of this repository. They are copies of the
repository's content.yaml, layouts/ and logos/ (tests/test_preview_init.py fails when they
differ), and a clinics.csv in the shape of tests/cases/clinics.csv. Beside them goes
layouts/content.schema.json, which content.yaml's first line points editors to: generated
here by handouts.schema from the installed copy's spec, so it matches the validator that
will read the folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from handouts.errors import HandoutsError, Problem, RunFailure, Where, fail_if
from handouts.schema import SCHEMA_FILE, schema_text
from handouts.write import atomic_write, cause

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

STARTER = "starter"  # the folder inside the package


def starter_files() -> dict[str, bytes]:
    """The shipped starter folder's files by relative path (`content.yaml`, `layouts/standard.yaml`, ...)."""
    found: dict[str, bytes] = {}

    def walk(folder: Traversable, prefix: str) -> None:
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            if item.name.startswith((".", "__")):  # __pycache__, editor droppings
                continue
            if item.is_dir():
                walk(item, f"{prefix}{item.name}/")
            else:
                found[f"{prefix}{item.name}"] = item.read_bytes()

    root = files("handouts") / STARTER
    if root.is_dir():
        walk(root, "")
    if "content.yaml" not in found:
        raise HandoutsError([f"this copy of handouts has no starter files ({root}): reinstall it"])
    return found


def init_folder(target: Path, force: bool = False) -> list[Path]:
    """Write the starter files into `target` (made if missing) and return their paths.

    Refuses, before writing anything, a file that is already there unless `force`; other
    files in `target` are left alone.
    """
    starter = {**starter_files(), SCHEMA_FILE: schema_text("content").encode("utf-8")}
    problems: list[Problem] = []
    if target.exists() and not target.is_dir():
        problems.append(Problem(Where(str(target)), "is a file, not a folder"))
    fail_if(problems)
    existing: list[str] = []
    for relative in starter:
        path = target / relative
        for parent in reversed(path.relative_to(target).parents[:-1]):  # layouts/, logos/
            if (target / parent).exists() and not (target / parent).is_dir():
                problems.append(Problem(Where(str(target / parent)), "is a file, not a folder: move it away"))
        if path.is_dir():
            problems.append(Problem(Where(str(path)), "is a folder: move it away"))
        elif path.exists() or path.is_symlink():
            existing.append(relative)
    if existing and not force:
        problems.append(Problem(Where(str(target)), f"already has {', '.join(existing)}: add --force to "
                                                    "overwrite them, or choose a new folder"))
    fail_if(list(dict.fromkeys(problems)))
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HandoutsError([Problem(Where(str(target)), f"cannot create the folder: {cause(exc)}")]) from None
    written: list[Path] = []
    for relative, data in starter.items():
        path = target / relative
        try:
            atomic_write(path, data)
        except OSError as exc:
            # Some files may be written already.
            raise RunFailure([Problem(Where(str(path)), f"could not be written: {cause(exc)}")]) from None
        written.append(path)
    return written

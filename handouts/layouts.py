"""Load a page layout from layouts/NAME.yaml, following `parent:` and checking every value."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from handouts.checker import Checker, line_of
from handouts.errors import HandoutsError, Problem, Where, fail_if
from handouts.fonts import FONT_DIR
from handouts.load import load_yaml
from handouts.model import Layout

PAGE_SIZES = {"letter": (612.0, 792.0), "a4": (595.2756, 841.8898)}
UNITS = {"pt": 1.0, "in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54}
MIN_BODY_PT = 12.0
# Every key a finished layout must have, by group; values are lengths unless named in COLOR_GROUPS.
SCHEMA: dict[str, tuple[str, ...]] = {
    "page": ("size",),
    "margins": ("top", "bottom", "left", "right"),
    "type": ("body", "leading", "title", "heading", "small"),
    "spacing": ("paragraph", "section", "list_indent"),
    "header": ("logo_height", "name_size", "rule", "gap"),
    "colors": ("text", "muted", "rule", "primary", "accent", "info", "warning", "danger"),
    "fonts": ("regular", "bold"),
}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(pt|in|mm|cm)?\s*$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def layout_dir(content_path: Path) -> Path:
    """Layouts live in `layouts/` beside the content file."""
    return content_path.parent / "layouts"


def available(directory: Path) -> list[str]:
    """Names of the layouts in a folder."""
    return sorted(p.stem for p in directory.glob("*.yaml"))


def load_layout(name: str, directory: Path) -> Layout:
    """The named layout (or a path to a layout file), merged over its parents and checked.

    Read afresh on every call (it is a few small files): a layout edited between two builds in
    one process, a test's or a long-running page's, must not be served from a cache.
    """
    path = Path(name) if name.endswith((".yaml", ".yml")) else directory / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(available(directory)) or "none"
        raise HandoutsError([Problem(Where(str(path)), f"no layout {name!r} (layouts in {directory}: {known})")])
    merged, origin = _merged(path, ())
    return _checked(Path(name).stem, merged, origin)


def _merged(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """The layout's values over its parent's, and for each `group.key` the file and line it came from."""
    if path in chain:
        raise HandoutsError([Problem(Where(str(path)), "layouts inherit in a loop: " + " → ".join(p.name for p in (*chain, path)))])
    data = load_yaml(path)
    ch = Checker(str(path))
    top = ch.mapping(data, 1, "(top level)")
    fail_if(ch.problems)
    assert top is not None
    merged: dict[str, Any] = {}
    origin: dict[str, tuple[str, int]] = {}
    if "parent" in top:
        parent = path.parent / f"{top['parent']}.yaml"
        if not parent.is_file():
            raise HandoutsError([Problem(Where(str(path), line_of(top, "parent"), "parent"), f"no layout file {parent.name}")])
        merged, origin = _merged(parent, (*chain, path))
    for group, values in top.items():
        if group == "parent":
            continue
        if group not in SCHEMA:
            ch.add(line_of(top, group), str(group), f"unknown group (expected: {', '.join(SCHEMA)})")
            continue
        values = ch.mapping(values, line_of(top, group), str(group))
        for key, value in (values or {}).items():
            if key not in SCHEMA[group]:
                ch.add(line_of(values, key), f"{group}.{key}", f"unknown key (expected: {', '.join(SCHEMA[group])})")
                continue
            merged.setdefault(group, {})[key] = value
            origin[f"{group}.{key}"] = (str(path), line_of(values, key))
    fail_if(ch.problems)
    return merged, origin


def _checked(name: str, data: dict[str, Any], origin: dict[str, tuple[str, int]]) -> Layout:
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        file, line = origin.get(key, (name, 0))
        problems.append(Problem(Where(file, line, key), message))

    for group, keys in SCHEMA.items():
        for key in keys:
            if key not in data.get(group, {}):
                bad(f"{group}.{key}", "required (here or in a parent layout)")
    fail_if(problems)
    size = str(data["page"]["size"]).lower()
    if size not in PAGE_SIZES:
        bad("page.size", f"must be one of: {', '.join(PAGE_SIZES)}")
    lengths: dict[str, dict[str, float]] = {}
    for group in ("margins", "type", "spacing", "header"):
        lengths[group] = {}
        for key, value in data[group].items():
            points = _points(value)
            if points is None:
                bad(f"{group}.{key}", f"must be a length like 12, 12pt, 0.5in or 18mm, not {value!r}")
            lengths[group][key] = points or 0.0
    if lengths["type"]["body"] < MIN_BODY_PT:
        bad("type.body", f"body text must be at least {MIN_BODY_PT:g} pt for patient materials")
    if lengths["type"]["leading"] < lengths["type"]["body"]:
        bad("type.leading", "line spacing must be at least the body text size")
    for group in ("margins", "spacing", "header"):
        for key, value in lengths[group].items():
            if value < 0:
                bad(f"{group}.{key}", "must not be negative")
    for key in ("title", "heading", "small"):
        if lengths["type"][key] < 6:
            bad(f"type.{key}", "must be at least 6 pt")
    for key, value in data["colors"].items():
        if not isinstance(value, str) or not _COLOR.fullmatch(value):
            bad(f"colors.{key}", f"must be a colour like #1a6b8f, not {value!r}")
    shipped = sorted(p.name for p in FONT_DIR.glob("*.ttf"))
    for key, value in data["fonts"].items():
        if str(value) not in shipped:
            bad(f"fonts.{key}", f"must name a shipped font ({', '.join(shipped)}), not {value!r}")
    fail_if(problems)
    return Layout(
        name=name,
        page_size=PAGE_SIZES[size],
        margins=lengths["margins"],
        type=lengths["type"],
        colors=dict(data["colors"]),
        spacing=lengths["spacing"],
        header=lengths["header"],
        fonts={k: str(v) for k, v in data["fonts"].items()},
    )


def _points(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = _LENGTH.fullmatch(str(value).strip())
    if not match:
        return None
    return float(match.group(1)) * UNITS[match.group(2) or "pt"]

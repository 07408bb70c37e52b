"""Read YAML (keeping line numbers) and CSV clinic lists into plain containers."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from handouts.errors import HandoutsError, Problem, Where


class YMap(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict[Any, int]


class YList(list):  # type: ignore[type-arg]
    """A YAML sequence that remembers the line of itself and of each item."""

    line: int = 0
    lines: list[int]


MAX_DEPTH = 64  # levels of nesting: content.yaml needs about a dozen; Python's own recursion limit is far past this
MAX_VALUES = 2_000_000  # values in one file, aliases expanded: a YAML "billion laughs" stops here
MAX_BYTES = 32 * 1024 * 1024  # an input file larger than this is not a content, clinics or patients file


class _LineLoader(yaml.SafeLoader):
    """Safe loader whose mappings and sequences carry line numbers; duplicate keys are errors,
    and so is nesting deeper than MAX_DEPTH (instead of Python's RecursionError)."""

    depth = 0
    sizes: dict[int, int]  # node id -> how many values it stands for, its aliases expanded

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102 - PyYAML's hook
        mark = self.peek_event().start_mark
        if self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
        if self.depth == 0:
            self.sizes = {}
        self.depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if id(node) not in self.sizes:  # an alias gives back its anchor's node, already counted
            children = node.value if isinstance(node, yaml.SequenceNode) else \
                [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else []
            self.sizes[id(node)] = 1 + sum(self.sizes.get(id(child), 1) for child in children)
        if self.sizes[id(node)] > MAX_VALUES:
            raise yaml.composer.ComposerError(None, None, f"stands for more than {MAX_VALUES:,} values once its "
                                              "aliases (*name) are expanded", mark)
        return node


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> YMap:
    loader.flatten_mapping(node)
    result = YMap()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> YList:
    result = YList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _string(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    # NFC so that decomposed accents (common in pasted Vietnamese) map to the font's glyphs.
    return unicodedata.normalize("NFC", loader.construct_scalar(node))


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
# Numbers and dates stay as written: `phone: 0612345` must not become octal, a version
# `2026.10` must not lose its zero, and the validators parse what they need themselves.
for _tag in ("str", "int", "float", "timestamp"):
    _LineLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _string)


def _boolean(loader: _LineLoader, node: yaml.ScalarNode) -> bool | str:
    """true and false are booleans, as in YAML 1.2; YAML 1.1's yes, no, on and off stay text
    (`name: Yes`, a province `ON` must print as written, not as True)."""
    value = str(loader.construct_scalar(node)).lower()
    if value in ("true", "false"):
        return value == "true"
    return _string(loader, node)


_LineLoader.add_constructor("tag:yaml.org,2002:bool", _boolean)


def read_text(path: Path) -> str:
    """A file's text, or a HandoutsError naming the file."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise HandoutsError([Problem(Where(str(path)), f"larger than {MAX_BYTES // 1024 // 1024} MB: "
                                                           "not a file this tool reads")])
        return data.decode("utf-8-sig")
    except FileNotFoundError:
        raise HandoutsError([Problem(Where(str(path)), "file not found")]) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise HandoutsError([Problem(Where(str(path), line), f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise HandoutsError([Problem(Where(str(path)), exc.strerror or str(exc))]) from None


def load_yaml(path: Path) -> Any:
    """Parse a YAML file with line numbers; a syntax error names the file and line."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        reason = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem:
            reason = f"{reason} ({exc.context} that starts on line {exc.context_mark.line + 1})"
        raise HandoutsError([Problem(Where(str(path), line), f"invalid YAML: {reason}")]) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise HandoutsError([Problem(Where(str(path)), f"invalid YAML: {exc}")]) from None


def load_csv_clinics(path: Path) -> YList:
    """Read a clinics CSV (header row) into the same shape as a YAML `clinics:` list.

    `languages`, `treatments` and `conditions` are split on `;`. A column `FIELD.LANG` (for example
    `insurance_wording.es`) gives that field's text in one language; a plain `FIELD` column
    beside it is the text for every other language.
    """
    text = read_text(path)
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)  # strict: a quote never closed is an error
    try:
        header = [h.strip() for h in next(rows, [])]
    except csv.Error as exc:
        raise HandoutsError([Problem(Where(str(path), 1), f"invalid CSV header row: {exc}")]) from None
    repeated = sorted({h for h in header if header.count(h) > 1 and h})
    if repeated:
        raise HandoutsError([Problem(Where(str(path), 1), f"column {repeated[0]!r} appears more than once")])
    records = YList()
    records.line, records.lines = 1, []
    while True:
        line = rows.line_num + 1  # where the next row starts; a quoted cell may take it over several lines
        try:
            cells = next(rows, None)
        except csv.Error:
            raise HandoutsError([Problem(Where(str(path), line), 'a quote (") in the row that starts on this line is '
                                         "never closed, or is in the middle of a cell: put a quoted cell "
                                         'whole in quotes and write a quote inside it as ""')]) from None
        if cells is None:
            break
        if not cells:
            continue  # a blank line
        if len(cells) > len(header):
            raise HandoutsError([Problem(Where(str(path), line), "more cells than header columns")])
        records.append(_csv_record(dict(zip(header, cells)), line))
        records.lines.append(line)
    return records


def _csv_record(row: dict[str, str], line: int) -> YMap:
    """One CSV row as a clinic record, every value on `line`."""
    record = YMap()
    record.line, record.lines = line, {}
    for column, raw in row.items():
        value = unicodedata.normalize("NFC", raw.strip())
        name = column
        if not value or not name:
            continue
        if name in ("languages", "treatments", "conditions"):
            items = YList(v.strip() for v in value.split(";") if v.strip())
            items.line, items.lines = line, [line] * len(items)
            record[name] = items
        elif "." in name:
            base, lang = name.split(".", 1)
            texts = record.get(base)
            if not isinstance(texts, YMap):  # a plain column of the same name is the default
                texts = YMap({"default": texts} if texts is not None else {})
                texts.line, texts.lines = line, {k: line for k in texts}
                record[base] = texts
            texts[lang] = value
            texts.lines[lang] = line
        elif isinstance(record.get(name), YMap):
            record[name]["default"] = value
            record[name].lines["default"] = line
        else:
            record[name] = value
        record.lines[name.split(".", 1)[0]] = line
    return record

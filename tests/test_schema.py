"""`handouts schema`: JSON Schema made from the spec the validator checks, and the same verdict from both."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import CASES, CONTENT, ROOT, run
from handouts import spec
from handouts.blocks import KINDS, callout
from handouts.checker import Checker
from handouts.clinics import validate_clinics
from handouts.errors import HandoutsError
from handouts.layouts import available
from handouts.load import YList, YMap, load_yaml
from handouts.schema import MODELINE, SCHEMA_FILE, schema, schema_text, text_pattern
from handouts.spec import Field, Shape
from handouts.validate import validate_content

DRAFTS = (jsonschema.Draft202012Validator, jsonschema.Draft7Validator)  # editors' YAML servers may know draft-07 only
REFRESH = f"python -m handouts schema content -o {SCHEMA_FILE}"


def schema_errors(data: Any, which: str | dict[str, Any] = "content", draft: Any = jsonschema.Draft202012Validator
                  ) -> list[str]:
    """What the schema (`content`, `clinics` or one given) finds wrong with `data`, each as 'path: message'."""
    validator = draft(schema(which) if isinstance(which, str) else which, format_checker=draft.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def handouts_errors(path: Path) -> str:
    """What handouts' own validator finds wrong with a content file ('' when nothing)."""
    try:
        validate_content(load_yaml(path), path)
    except HandoutsError as error:
        return str(error)
    return ""


def ymap(value: Any) -> Any:
    """Plain data in the shape handouts' loader gives (YMap, YList, with lines)."""
    if isinstance(value, dict):
        result = YMap({k: ymap(v) for k, v in value.items()})
        result.line, result.lines = 1, {k: 1 for k in value}
        return result
    if isinstance(value, list):
        items = YList(ymap(v) for v in value)
        items.line, items.lines = 1, [1] * len(value)
        return items
    return value


# the schema itself

@pytest.mark.parametrize("which", ["content", "clinics"])
@pytest.mark.parametrize("draft", DRAFTS)
def test_the_schema_is_valid_json_schema(which: str, draft: Any) -> None:
    draft.check_schema(schema(which))
    assert schema(which)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("draft", DRAFTS)
def test_the_shipped_content_passes_the_schema(draft: Any) -> None:
    data = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))  # numbers stay numbers here: the schema takes both
    assert schema_errors(data, draft=draft) == []
    assert handouts_errors(CONTENT) == ""


def test_the_committed_schema_file_is_what_handouts_schema_prints() -> None:
    committed = (ROOT / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == schema_text("content"), f"the spec changed: refresh the file ({REFRESH})"
    result = run("schema")
    assert result.exit_code == 0 and result.output == committed
    assert json.loads(result.output)["title"] == "handouts content.yaml"


def test_content_yaml_starts_with_the_modeline_that_finds_the_schema() -> None:
    for content in (CONTENT, ROOT / "handouts" / "starter" / "content.yaml"):
        first = content.read_text(encoding="utf-8").splitlines()[0]
        assert first == MODELINE
    target = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", MODELINE)
    assert target and (CONTENT.parent / target.group(1)).is_file()  # relative to content.yaml, as editors read it


def test_schema_writes_a_file_and_prints_the_clinics_schema(tmp_path: Path) -> None:
    out = tmp_path / "clinics.schema.json"
    result = run("schema", "clinics", "-o", out)
    assert result.exit_code == 0 and result.output.strip() == str(out)
    assert out.read_text(encoding="utf-8") == schema_text("clinics")
    assert json.loads(out.read_text())["properties"]["clinics"]["minItems"] == 1
    result = run("schema", "layouts")
    assert result.exit_code == 2 and "'layouts' is not one of 'content', 'clinics'" in result.output
    (tmp_path / "folder").mkdir()
    result = run("schema", "-o", tmp_path / "folder")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_init_writes_the_schema_beside_the_layouts_and_layouts_ignore_it(tmp_path: Path) -> None:
    assert run("init", tmp_path).exit_code == 0
    assert (tmp_path / SCHEMA_FILE).read_text(encoding="utf-8") == schema_text("content")
    assert available(tmp_path / "layouts") == ["a4", "large-print", "standard"]
    assert available(ROOT / "layouts") == ["a4", "large-print", "standard"]
    result = run("list", "--content", tmp_path / "content.yaml")
    assert result.exit_code == 0 and "content.schema" not in result.output


# the same verdict: a broken content fails the schema and handouts' validator alike

BROKEN = [
    pytest.param('per_treatment: false\n    pages: 2', 'per_treatment: false\n    colour: blue\n    pages: 2',
                 "documents.handout.colour: unknown key", id="unknown-key-in-a-document"),
    pytest.param('reviewed: "2026-11-27"\n', 'reviewed: "2026-11-27"\nreviewer: me\n', "reviewer: unknown key",
                 id="unknown-top-level-key"),
    pytest.param("tone: warning", "tone: loud", "tone: must be one of: info, warning, danger", id="bad-tone"),
    pytest.param("  esketamine:\n    off_label: false", "  ketamine-pill:\n    off_label: false",
                 "treatments.ketamine-pill: unknown treatment", id="bad-treatment-id"),
    pytest.param("            - callout:\n                tone: warning",
                 '            - p: "Also this."\n              callout:\n                tone: warning',
                 "a block has exactly one of: p, bullets", id="block-with-two-kinds"),
    pytest.param("Ketamine does not help everyone", "<b>Ketamine</b> does not help everyone",
                 "'<' and '>' are not allowed", id="markup-in-text"),
    pytest.param("role: patient", "role: patients", "role: a role is one or more of", id="bad-section-role"),
    pytest.param("pages: 1", "pages: 0", "pages: must be a whole number of pages", id="zero-pages"),
    pytest.param("{name: patient_name,", "{name: Patient-Name,", "a field name is a lowercase letter",
                 id="bad-form-field-name"),
    pytest.param('primary_color: "#0b5c7a"', 'primary_color: "teal"', "must be a colour like #1a6b8f",
                 id="bad-clinic-colour"),
    pytest.param('    page_of: "Page {page} of {pages}"\n', '    page_of: "Page {page}"\n',
                 "labels.en.page_of: must contain {page} and {pages}", id="label-without-placeholder"),
    pytest.param('    page_of: "Page {page} of {pages}"\n', "", "labels.en.page_of: required", id="label-missing"),
    pytest.param("per_treatment: false", "per_treatment: sometimes", "must be true or false", id="not-a-boolean"),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN)
def test_a_broken_content_fails_both_the_schema_and_the_validator(workspace: Path, old: str, new: str,
                                                                 message: str) -> None:
    content = workspace / "content.yaml"
    text = content.read_text(encoding="utf-8")
    assert old in text, old
    content.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert message in handouts_errors(content)
    assert schema_errors(yaml.safe_load(content.read_text(encoding="utf-8"))) != []


OBJECTS = [  # where in the shipped content an object of each shape is
    ((), spec.CONTENT), (("labels", "en"), spec.LABELS), (("treatments", "iv"), spec.TREATMENT),
    (("treatments", "iv", "en"), spec.TREATMENT_TEXTS), (("documents", "handout"), spec.DOCUMENT),
    (("documents", "handout", "sections", 0), spec.SECTION),
    (("documents", "handout", "sections", 0, "en"), spec.SECTION_TEXT),
    (("clinics", 0), spec.CLINIC),
]


def edits() -> list[Any]:
    """Each required key left out, and a key no spec names added: what both must refuse, or take."""
    cases = []
    for where, shape in OBJECTS:
        for key in shape.required:
            cases.append(pytest.param(where, key, None, f"{key}: required", id=f"{shape.name}-without-{key}"))
        takes = shape.others is not None and shape.others.type == spec.ANYTHING
        cases.append(pytest.param(where, "Colour", "blue", "" if takes else "Colour", id=f"{shape.name}-with-Colour"))
    return cases


@pytest.mark.parametrize(("where", "key", "value", "message"), edits())
def test_the_spec_of_each_object_reaches_the_validator_and_the_schema(workspace: Path, where: tuple[Any, ...],
                                                                      key: str, value: Any, message: str) -> None:
    data = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    target = data
    for step in where:
        target = target[step]
    if value is None:
        del target[key]
    else:
        target[key] = value
    content = workspace / "content.yaml"
    content.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found = handouts_errors(content)
    assert message in found if message else found == "", found
    assert (schema_errors(data) != []) is bool(message)


CLINICS = [  # a clinic record, and whether it is valid
    ({"id": "north-park", "name": "North Park", "phone": "555-0100", "address": "1 Main St"}, True),
    ({"id": "north-park", "name": "North Park", "phone": "555-0100"}, False),
    ({"id": "North Park", "name": "N", "phone": "1", "address": "A"}, False),
    ({"id": "n", "name": "N", "phone": "", "address": "A"}, False),
    ({"id": "n", "name": {"en": "N", "default": "N"}, "phone": "1", "address": "A"}, True),
    ({"id": "n", "name": {"EN": "N"}, "phone": "1", "address": "A"}, False),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "primary_color": "#12ab3F"}, True),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "brand_color": "red"}, False),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "website": "  "}, True),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "Fax": "1"}, False),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "Fax": None}, True),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "parking": ["lot"]}, False),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "parking": "Free", "wheelchair": True}, True),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "treatments": "iv; esketamine,"}, True),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "treatments": "iv esketamine"}, False),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "treatments": []}, False),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "treatments": ["iv", "pill"]}, False),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "conditions": ["pain"], "languages": None}, True),
    ({"id": "n", "name": "N", "phone": "1", "address": "A", "languages": ""}, False),
]


@pytest.mark.parametrize(("record", "valid"), CLINICS)
def test_a_clinic_record_gets_the_same_verdict_from_both(record: dict[str, Any], valid: bool, tmp_path: Path) -> None:
    ch = Checker("clinics.yaml")
    everything: Any = {t: None for t in spec.TREATMENTS}  # every treatment has texts
    validate_clinics(ch, ymap([record]), 1, tmp_path, {"en": "English", "es": "Español"}, everything)
    assert (ch.problems == []) is valid, ch.problems
    assert (schema_errors({"clinics": [record]}, "clinics") == []) is valid


def test_the_clinics_in_the_test_cases_get_the_same_verdict(tmp_path: Path) -> None:
    for case in ("missing-phone.yaml", "unknown-treatment.yaml"):
        assert schema_errors(yaml.safe_load((CASES / case).read_text(encoding="utf-8")), "clinics") != []
    good = {"clinics": yaml.safe_load(CONTENT.read_text(encoding="utf-8"))["clinics"]}
    assert schema_errors(good, "clinics") == []
    assert schema_errors({"clinics": []}, "clinics") != []  # "no clinics in this file"


# the text rule, as the checker reads it and as the schema's pattern does

TEXTS = ["Plain", "", "  \n", "a < b", "{{ a < b }}", "{% if a > b %}x{% endif %}", "{{ a }} > {{ b }}",
         "{{ a {# b }} > #}", "{{ unclosed < ", "{# c #}<", "{{{ x }}", "{%}", "**bold**", "line\nbreak",
         "{{ a }}}>", "x {{", "{{>}}", "{#>#}", "}} > {{", "{{ 'a' }}\n{{ '<' }}", "{%>", "{{ x }", ">"]


def test_the_schema_reads_content_text_as_the_checker_does() -> None:
    pattern = re.compile(text_pattern())
    rng = random.Random(8)
    samples = [*TEXTS, *("".join(rng.choice("{}%#<> a\n") for _ in range(rng.randrange(14))) for _ in range(3000))]
    for text in samples:
        ch = Checker("content.yaml")
        assert (ch.text(text, 1, "p") is not None) == bool(pattern.search(text)), repr(text)


# every block kind: its spec, its parse step and the schema agree on what is required and allowed

SAMPLES = ("north-park", "patient_name", "en", "#1a6b8f")


def example(value: Field | Shape) -> Any:
    """The smallest valid value of a spec: only required keys, one item per list."""
    if isinstance(value, Shape):
        return {key: example(f) for key, f in value.keys.items() if f.required}
    simple = {spec.TEXT: "Text", spec.TEXTS: ["Text"], spec.TEXT_OR_TEXTS: "Text", spec.BOOLEAN: True,
              spec.NO_SETTINGS: {}, spec.ENUM: value.enum[:1] and value.enum[0], spec.ENUMS: value.enum[:1]}
    if value.type in simple:
        return simple[value.type]
    if value.type == spec.PATTERN:
        assert value.pattern is not None
        return next(s for s in SAMPLES if value.pattern.fullmatch(s))
    if value.type in (spec.OBJECT, spec.LIST):
        assert value.of is not None
        return example(value.of) if value.type == spec.OBJECT else [example(value.of)] * max(1, value.min_items)
    raise AssertionError(f"no example for {value.type}")


def parse_problems(kind: str, value: Any) -> list[str]:
    ch = Checker("content.yaml")
    KINDS[kind].parse(ch, ymap(value), 1, kind)
    return [f"{p.where.path}: {p.message}" for p in ch.problems]


def block_schema_errors(block: dict[str, Any]) -> list[str]:
    definitions = schema("content")["$defs"]
    return schema_errors(block, {**definitions["block"], "$defs": definitions})


def shapes_of(kind: str) -> list[tuple[str, Shape]]:
    """The block's own object and its list items' objects, each with the path to it in an example."""
    value = KINDS[kind].spec
    if value.type == spec.OBJECT and isinstance(value.of, Shape):
        return [("", value.of)]
    if value.type == spec.LIST and isinstance(value.of, Field) and isinstance(value.of.of, Shape):
        return [("[0]", value.of.of)]
    return []


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_block_kind_agrees_with_its_spec(kind: str) -> None:
    value = example(KINDS[kind].spec)
    assert parse_problems(kind, value) == []
    assert block_schema_errors({kind: value}) == []
    assert block_schema_errors({kind: value, "when": "clinic.website"}) == []
    for where, shape in shapes_of(kind):
        def target(data: Any) -> dict[str, Any]:
            return data[0] if where else data

        for key, field in shape.keys.items():
            edited = example(KINDS[kind].spec)
            if field.required:  # leave it out: both refuse
                del target(edited)[key]
                assert f"{kind}{where}.{key}: required" in parse_problems(kind, edited)
            else:  # give it: both take it
                target(edited)[key] = example(field)
                assert parse_problems(kind, edited) == []
            assert (block_schema_errors({kind: edited}) == []) is not field.required
        edited = example(KINDS[kind].spec)
        target(edited)["colour"] = "blue"
        assert any("colour: unknown key" in p for p in parse_problems(kind, edited))
        assert block_schema_errors({kind: edited}) != []


def test_a_block_has_exactly_one_kind_in_the_schema_too() -> None:
    assert block_schema_errors({"p": "One", "bullets": ["Two"]}) != []
    assert block_schema_errors({"when": "true"}) != []
    assert block_schema_errors({"p": "One", "colour": "blue"}) != []
    assert list(schema("content")["$defs"]["block"]["properties"]) == [*KINDS, *spec.BLOCK_KEYS.allowed]


# one source: changing the spec changes the validator and the schema together

def test_a_new_tone_in_the_spec_reaches_the_validator_and_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    block = {"text": "Breathe.", "tone": "calm"}
    assert parse_problems("callout", block) == ["callout.tone: must be one of: info, warning, danger"]
    assert block_schema_errors({"callout": block}) != []

    tones = callout.VALUE["tone"]
    monkeypatch.setitem(callout.VALUE.keys, "tone", replace(tones, enum=(*tones.enum, "calm")))
    assert parse_problems("callout", block) == []
    assert schema("content")["$defs"]["callout"]["properties"]["tone"]["enum"] == ["info", "warning", "danger", "calm"]
    assert block_schema_errors({"callout": block}) == []


def test_a_new_section_role_in_the_spec_reaches_the_validator_and_the_schema(workspace: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    content = workspace / "content.yaml"
    content.write_text(content.read_text(encoding="utf-8").replace("role: patient", "role: [patient, costs]", 1),
                       encoding="utf-8")
    data = yaml.safe_load(content.read_text(encoding="utf-8"))
    assert "role: a role is one or more of" in handouts_errors(content) and schema_errors(data) != []

    role = spec.SECTION["role"]
    monkeypatch.setitem(spec.SECTION.keys, "role", replace(role, enum=(*role.enum, "costs")))
    assert handouts_errors(content) == "" and schema_errors(data) == []

"""Scenarios from an operation's responses, and the choice of the default scenario."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openmock.delays import Delay, parse_delay
from openmock.importer.progress import read_fault, read_state_rule
from openmock.model import (
    HeaderSpec,
    MatchRule,
    NamedValue,
    Representation,
    Scenario,
    StateRule,
    Stub,
)
from openmock.schema.index import SchemaIndex, UnresolvedRef
from openmock.schema.nodes import child_map
from openmock.schema.pointers import escape_pointer_token
from openmock.spec import Spec, SpecProblem
from openmock.spec.locate import line_of
from openmock.template import TemplateError, find_templates


def status_of(key: str, has_2xx: bool) -> int | None:
    """The HTTP status a response key stands for: '404' -> 404, '4XX' -> 400.

    `default` answers 200 when the operation documents no 2xx (it is then the success
    answer), and 500 otherwise (it is then the catch-all error)."""
    if key.isdigit() and len(key) == 3:
        return int(key) if 100 <= int(key) <= 599 else None  # RFC 9110 §15
    if len(key) == 3 and key[0] in "12345" and key[1:].upper() == "XX":
        return int(key[0]) * 100
    if key == "default":
        return 500 if has_2xx else 200
    return None


def _sort_key(key: str) -> tuple[int, int]:
    status = status_of(key, True)
    ranged = 0 if key.isdigit() else 1
    return (status if status is not None else 999, ranged)


MATCH_KEY = "x-openmock-match"
DELAY_KEY = "x-openmock-delay"
_MATCH_PARTS = {"path", "query", "headers", "cookies", "body"}


class BadMatchRule(ValueError):
    """An `x-openmock-match` that cannot be read; the message says where and why."""


def match_rule(raw: Any, pointer: str) -> MatchRule:
    """`x-openmock-match: {query: {tier: gold}, headers: {X-Plan: pro}, path: {id: 7},
    cookies: {...}, body: {...}}` as a MatchRule."""
    where = f"{pointer}/{MATCH_KEY}"
    if not isinstance(raw, dict):
        raise BadMatchRule(f"{where} must be an object with any of {sorted(_MATCH_PARTS)}")
    unknown = sorted(set(map(str, raw)) - _MATCH_PARTS)
    if unknown:
        raise BadMatchRule(
            f"{where} has {', '.join(unknown)}; it can have {', '.join(sorted(_MATCH_PARTS))}"
        )
    parts: dict[str, dict[str, Any]] = {}
    for part in ("path", "query", "headers", "cookies"):
        value = raw.get(part, {})
        if not isinstance(value, dict):
            raise BadMatchRule(f"{where}/{part} must be an object of name: value")
        parts[part] = {str(k).lower() if part == "headers" else str(k): v for k, v in value.items()}
    return MatchRule(**parts, body=raw.get("body"), has_body="body" in raw)


def example_values(media: dict[str, Any], index: SchemaIndex, pointer: str) -> list[NamedValue]:
    """Named examples of a media type (or parameter) object, in spec order. Raises
    BadMatchRule for an unreadable `x-openmock-match`."""
    found: list[NamedValue] = []
    examples = media.get("examples")
    if isinstance(examples, dict):
        for name, example in examples.items():
            ex_pointer = f"{pointer}/examples/{escape_pointer_token(name)}"
            try:
                example = index.deref(example)
            except UnresolvedRef:  # reported where the reference is resolved
                continue
            if isinstance(example, dict) and "value" in example:
                rule = match_rule(example[MATCH_KEY], ex_pointer) if MATCH_KEY in example else None
                delay = None
                if DELAY_KEY in example:
                    delay = parse_delay(example[DELAY_KEY], f"{ex_pointer}/{DELAY_KEY}")
                state = read_state_rule(example, ex_pointer)
                fault = read_fault(example, ex_pointer)
                value = NamedValue(
                    str(name), example["value"], ex_pointer + "/value", rule, delay, state, fault
                )
                found.append(value)
    elif "example" in media:
        found.append(NamedValue("example", media["example"], pointer + "/example"))
    else:
        found.extend(_schema_example(media.get("schema"), index, pointer + "/schema"))
    return found


def _schema_example(schema: Any, index: SchemaIndex, pointer: str) -> list[NamedValue]:
    """A schema's own top-level `example` (or the first of JSON Schema's `examples`) where the
    media type has none: OpenAPI 3 makes it the payload's example, so it is served as one
    (every time, where a property's example is only a hint for generated values)."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and ref.startswith("#"):
        pointer = ref[1:]
    try:
        target = index.deref(schema)
    except UnresolvedRef:  # reported where the reference is resolved
        return []
    if not isinstance(target, dict):
        return []
    if "example" in target:
        return [NamedValue("example", target["example"], pointer + "/example")]
    examples = target.get("examples")
    if isinstance(examples, list) and examples:
        return [NamedValue("example", examples[0], pointer + "/examples/0")]
    return []


def response_headers(resp: dict[str, Any], index: SchemaIndex, pointer: str) -> list[HeaderSpec]:
    headers = []
    for name, header in (resp.get("headers") or {}).items():
        if name.lower() == "content-type":
            continue  # OpenAPI: a Content-Type header definition is ignored
        header = index.deref(header)
        if not isinstance(header, dict):
            continue
        schema = header.get("schema")
        if schema is None and isinstance(header.get("content"), dict):
            first: Any = next(iter(header["content"].values()), {})
            schema = first.get("schema") if isinstance(first, dict) else None
        h_pointer = f"{pointer}/headers/{escape_pointer_token(name)}"
        examples = example_values(header, index, h_pointer)
        headers.append(
            HeaderSpec(
                name=str(name),
                schema=schema,
                required=bool(header.get("required")),
                example=examples[0] if examples else None,
            )
        )
    return headers


def build_scenarios(
    responses: dict[str, Any], index: SchemaIndex, pointer: str
) -> tuple[list[Scenario], str]:
    """All scenarios of an operation and the id of its default scenario."""
    keys = sorted((str(k) for k in responses if not str(k).startswith("x-")), key=_sort_key)
    has_2xx = any(k.startswith("2") for k in keys)
    scenarios: list[Scenario] = []
    taken: set[str] = set()
    first_of: dict[str, str] = {}
    for key in keys:
        status = status_of(key, has_2xx)
        if status is None or status < 200:
            continue  # 1xx is informational: HTTP cannot send it as the final answer
        r_pointer = f"{pointer}/{escape_pointer_token(key)}"
        resp = index.deref(responses[key])
        if not isinstance(resp, dict):
            continue
        headers = tuple(response_headers(resp, index, r_pointer))
        description = str(resp.get("description") or "")
        response_rule = read_state_rule(resp, r_pointer)
        response_fault = read_fault(resp, r_pointer)
        content = child_map(resp, "content")
        named: dict[str, list[tuple[str, NamedValue]]] = {}
        schemas: dict[str, Any] = {}
        for media_type, media in content.items():
            if not isinstance(media, dict):
                media = {}
            m_pointer = f"{r_pointer}/content/{escape_pointer_token(media_type)}"
            schemas[media_type] = media.get("schema")
            for value in example_values(media, index, m_pointer):
                named.setdefault(value.name, []).append((media_type, value))
        made: list[
            tuple[str, str, tuple[Representation, ...], MatchRule | None, Delay | None, Any]
        ] = []
        if named:
            for name, values in named.items():
                by_media = dict(values)
                reps = tuple(
                    Representation(mt, schemas[mt], by_media.get(mt))
                    for mt in content
                    if mt in by_media or schemas[mt] is not None
                )
                source = "example" if name == "example" else "examples"
                rule = next((v.match for _, v in values if v.match is not None), None)
                delay = next((v.delay for _, v in values if v.delay is not None), None)
                state = next((v.state for _, v in values if v.state is not None), response_rule)
                fault = next((v.fault for _, v in values if v.fault), response_fault)
                made.append((name, source, reps, rule, delay, (state, fault)))
        elif content:
            reps = tuple(Representation(mt, schemas[mt]) for mt in content)
            made.append((key, "schema", reps, None, None, (response_rule, response_fault)))
        else:
            made.append((key, "empty", (), None, None, (response_rule, response_fault)))
        for name, source, reps, rule, delay, (state, fault) in made:
            state = state or StateRule()
            scenario_id = name if name not in taken else f"{key}-{name}"
            suffix = 2
            while scenario_id in taken:
                scenario_id = f"{key}-{name}-{suffix}"
                suffix += 1
            taken.add(scenario_id)
            first_of.setdefault(key, scenario_id)
            scenarios.append(
                Scenario(
                    id=scenario_id,
                    name=name,
                    status=status,
                    status_key=key,
                    source=source,  # type: ignore[arg-type]
                    representations=reps,
                    headers=headers,
                    description=description,
                    match=rule,
                    delay=delay,
                    machine=state.machine,
                    when_state=state.when_state,
                    set_state=state.set_state,
                    fault=fault,
                )
            )
    return scenarios, _default_id(keys, first_of, scenarios)


def _default_id(keys: list[str], first_of: dict[str, str], scenarios: list[Scenario]) -> str:
    """First example of the lowest 2xx, else its schema; else `default`; else the first."""
    for key in keys:
        if key.startswith("2") and key in first_of:
            return first_of[key]
    if "default" in first_of:
        return first_of["default"]
    return scenarios[0].id if scenarios else ""


TEMPLATE_PROBLEM = "the template cannot be used"


def template_problems(stubs: Iterable[Stub], spec: Spec) -> list[SpecProblem]:
    """Every response template (in an example's body or a header's example) that cannot be
    read, where it is: its requests would be answered with a 500 problem."""
    found: list[SpecProblem] = []
    seen: set[str] = set()
    for stub in stubs:
        for scenario in stub.scenarios:
            values = [rep.example for rep in scenario.representations]
            values += [header.example for header in scenario.headers]
            for example in values:
                if example is None or example.pointer in seen:
                    continue
                seen.add(example.pointer)
                try:
                    for _ in find_templates(example.value):
                        pass
                except TemplateError as exc:
                    pointer = example.pointer + exc.pointer
                    source, inner = spec.bundle.source_of(pointer)
                    found.append(
                        SpecProblem(
                            f"{stub.id}: {TEMPLATE_PROBLEM}: {exc.reason}",
                            str(source.path),
                            inner,
                            line_of(source.text, inner),
                            "Fix the template; requests that reach it are answered with a 500 "
                            "problem.",
                        )
                    )
    return found

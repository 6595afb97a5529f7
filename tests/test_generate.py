"""GENERATE: every value valid for its schema (judged by plain jsonschema), deterministic."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from budget import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openmock.generate import GenerationEngine, GenerationError
from openmock.schema.formats import format_checker
from openmock.schema.index import SchemaIndex

FORMATS = ["date", "date-time", "email", "uuid", "ipv4", "ipv6", "uri", "hostname", "time"]
PATTERNS = [
    "^[A-Z]{2}-[0-9]{3}$",
    r"^\d{4}-\d{2}$",
    "^(red|green|blue)$",
    "[a-f0-9]{8}",
    r"^\w+@x\.io$",
]
# The formats as openmock checks them (jsonschema's, IRIs, int32/int64, byte).
CHECKER = format_checker()


def valid(schema: Any, value: Any, document: dict[str, Any] | None = None) -> bool:
    root = dict(document or {})
    root.update({"$defs": (document or {}).get("$defs", {}), **{"x": schema}})
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/x", **{k: v for k, v in root.items() if k != "x"}, "x": schema},
        format_checker=CHECKER,
    )
    return validator.is_valid(value)


def engine(document: dict[str, Any] | None = None, seed: int = 0) -> GenerationEngine:
    return GenerationEngine(SchemaIndex(document or {}), seed=seed)


# One engine for the property test: building Faker's pools per example would dominate.
FAST_ONLY = GenerationEngine(SchemaIndex({}), search=False)
NAMES = ["id", "name", "email", "firstName", "createdAt", "price", "latitude", "tags", "url",
         "kind", "age", "description", "n", "owner_id", "phone"]  # fmt: skip

scalars = st.one_of(
    st.builds(
        lambda lo, span, mult: (
            {"type": "integer", "minimum": lo, "maximum": lo + span + (mult or 0)}
            | ({"multipleOf": mult} if mult else {})
        ),
        st.integers(-1000, 1000),
        st.integers(0, 500),
        st.sampled_from([None, 2, 3, 5]),
    ),
    st.just({"type": "integer"}),
    st.just({"type": "number"}),
    st.builds(
        lambda lo, span, mult, exclusive: (
            {
                "type": "number",
                ("exclusiveMinimum" if exclusive else "minimum"): lo,
                "exclusiveMaximum": lo + span,
            }
            | ({"multipleOf": mult} if mult else {})
        ),
        st.integers(-100, 100),
        st.integers(1, 100),
        st.sampled_from([None, 0.01, 0.5, 0.25, 0.1, 0.05]),
        st.booleans(),
    ),
    st.builds(
        lambda lo, extra: {"type": "string", "minLength": lo, "maxLength": lo + extra},
        st.integers(0, 20),
        st.integers(0, 20),
    ),
    st.just({"type": "string"}),
    st.sampled_from(FORMATS).map(lambda f: {"type": "string", "format": f}),
    st.builds(
        lambda p, hi: {"type": "string", "pattern": p} | ({"maxLength": hi} if hi else {}),
        st.sampled_from([*PATTERNS, "^[a-z]+$", "^v[0-9]+(\\.[0-9]+)*$"]),
        st.sampled_from([None, 12, 40]),
    ),
    st.just({"type": "boolean"}),
    st.just({"type": ["string", "null"]}),
    st.sampled_from(["a", 3, None, True]).map(lambda c: {"const": c}),
    st.lists(st.sampled_from(["a", "b", 1, None, True]), min_size=1, max_size=4, unique=True).map(
        lambda e: {"enum": e}
    ),
    st.builds(
        lambda kind, hint: {"type": kind, "example": hint},
        st.sampled_from(["string", "integer"]),
        st.sampled_from(["1644009612", 7, "x"]),
    ),
    st.sampled_from(["internet.email", "name.firstName", "random.number", "no.suchMethod"]).map(
        lambda f: {"type": "string", "maxLength": 30, "x-faker": f}
    ),
)


def _compose(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    props = st.dictionaries(st.sampled_from(NAMES), children, max_size=4)
    return st.one_of(
        st.builds(
            lambda p, req, extra, lo: (
                {
                    "type": "object",
                    "properties": p,
                    "required": [k for k in p if req],
                    "additionalProperties": extra,
                }
                | ({"minProperties": lo} if lo and extra is not False else {})
            ),
            props,
            st.booleans(),
            st.sampled_from([True, False, {"type": "integer"}]),
            st.integers(0, 3),
        ),
        st.builds(
            lambda p, deps: {
                "type": "object",
                "properties": p,
                "patternProperties": {"^x-[a-z]+$": {"type": "string"}},
                "dependentRequired": {k: ["n"] for k in list(p)[:deps]},
                "propertyNames": {"maxLength": 12},
            },
            props,
            st.integers(0, 2),
        ),
        st.builds(
            lambda item, lo, span, uniq: (
                {
                    "type": "array",
                    "items": item,
                    "minItems": lo,
                    "maxItems": lo + span,
                }
                | ({"uniqueItems": True} if uniq else {})
            ),
            children,
            st.integers(0, 3),
            st.integers(0, 4),
            st.booleans(),
        ),
        st.builds(
            lambda first, rest: {"type": "array", "prefixItems": [first], "items": rest},
            children,
            children,
        ),
        st.builds(
            lambda item: {"type": "array", "contains": {"type": "integer"}, "items": item},
            children,
        ),
        st.lists(children, min_size=1, max_size=3).map(lambda b: {"anyOf": b}),
        st.lists(children, min_size=1, max_size=2).map(lambda b: {"allOf": b}),
        st.lists(children, min_size=1, max_size=3).map(lambda b: {"oneOf": b}),
        children.map(lambda c: {"type": "string", "not": c}),
    )


schemas = st.recursive(scalars, _compose, max_leaves=8)
HARD = ("uniqueItems", "allOf", "oneOf", "'not'", "'minItems'", "contains", "dependentRequired",
        "minProperties", "const")  # fmt: skip


@settings(max_examples=examples(2000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=schemas, seed=st.integers(0, 2**32))
def test_generated_values_are_valid(schema: dict[str, Any], seed: int) -> None:
    """Thousands of random schemas: the compiled generator's value validates with plain
    jsonschema, or it says the schema is hard (the search fallback's job, tested below)."""
    try:
        value = FAST_ONLY.value(schema, "k", seed=seed)
    except GenerationError:
        assert any(word in repr(schema) for word in HARD), schema
        return
    assert valid(schema, value), (schema, value)


def test_same_key_same_value_other_key_other_value() -> None:
    schema = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    }
    assert engine().value(schema, "a") == engine().value(schema, "a")
    assert engine(seed=1).value(schema, "a") != engine(seed=2).value(schema, "a")


def test_multiple_of_a_decimal_passes_the_float_test() -> None:
    schema = {"type": "number", "minimum": 0, "maximum": 1000, "multipleOf": 0.01}
    for i in range(200):
        value = engine().value(schema, str(i))
        assert (value / 0.01) == int(value / 0.01) or valid(schema, value)
        assert valid(schema, value)


RECURSIVE = {
    "$defs": {
        "Node": {
            "type": "object",
            "required": ["name", "children"],
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                "parent": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
            },
        }
    }
}


def test_recursive_schema_terminates() -> None:
    schema = {"$ref": "#/$defs/Node"}
    value = engine(RECURSIVE).value(schema, "tree")
    assert valid(schema, value, RECURSIVE)


def test_discriminated_one_of_picks_exactly_one_branch() -> None:
    document = {
        "$defs": {
            "Cat": {
                "type": "object",
                "required": ["kind", "meows"],
                "properties": {"kind": {"const": "cat"}, "meows": {"type": "boolean"}},
            },
            "Dog": {
                "type": "object",
                "required": ["kind", "barks"],
                "properties": {"kind": {"const": "dog"}, "barks": {"type": "boolean"}},
            },
        }
    }
    schema = {
        "oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
        "discriminator": {"propertyName": "kind"},
    }
    kinds = {engine(document).value(schema, str(i))["kind"] for i in range(30)}
    assert kinds == {"cat", "dog"}


def test_read_only_left_out_of_requests_write_only_out_of_responses() -> None:
    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "password": {"type": "string", "writeOnly": True},
            "name": {"type": "string"},
        },
        "required": ["name"],
    }
    for i in range(20):
        assert "password" not in engine().value(schema, str(i), "response")
        assert "id" not in engine().value(schema, str(i), "request")


def test_unsatisfiable_schema_raises_a_clear_error() -> None:
    with pytest.raises(GenerationError, match="enum"):
        engine().value({"type": "string", "enum": [1, 2]}, "k")


def test_a_string_with_both_a_format_and_a_pattern_is_generated() -> None:
    """`format: date, pattern: ^2024-0[1-3]` answered 500 (issue 17, item 7)."""
    from openmock.generate import GenerationEngine
    from openmock.schema.index import SchemaIndex

    engine = GenerationEngine(SchemaIndex({}), search=False)
    for schema in (
        {"type": "string", "format": "date", "pattern": "^2024-0[1-3]"},
        {"type": "string", "format": "date-time", "pattern": "^20[0-9]{2}-12-"},
        {"type": "string", "format": "uuid", "pattern": "^[0-9a-f]{8}-"},
    ):
        validator = jsonschema.Draft202012Validator(schema, format_checker=CHECKER)
        values = [engine.value(schema, str(n)) for n in range(20)]
        assert all(validator.is_valid(v) for v in values), (schema, values)


def test_an_object_of_optional_properties_is_never_generated_empty() -> None:
    """Each optional property is present nine times in ten at the top: with one, a tenth of
    the answers were `{}`, valid but telling a client nothing (a file upload's `{size}`)."""
    schema = {"type": "object", "properties": {"size": {"type": "integer"}}}
    made = [engine().value(schema, f"key{n}") for n in range(200)]
    assert all(set(value) == {"size"} for value in made)
    bounded = {**schema, "maxProperties": 0}  # where the schema wants it empty, it stays so
    assert engine().value(bounded, "key") == {}

"""The compiled yes/no checks (openmock/schema/checks.py) give jsonschema's answers.

jsonschema is the oracle: for random schemas (the generator's property-test schemas and
more keywords) and instances that are valid (generated), nearly valid (mutated) or random,
`SchemaIndex.checker` must say exactly what `validator.is_valid` says, in every direction.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from budget import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_generate import FAST_ONLY, schemas

from openmock.generate import GenerationError
from openmock.schema.index import SchemaIndex

DIRECTIONS = ("any", "request", "response")
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.sampled_from([1.0, 2.5, -0.0, 1e300])
    | st.sampled_from(["", "a", "x-ab", "2024-01-01", "1.2.3.4", "n"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "n", "name", "x-ab", "tags"]), inner, max_size=3)
    ),
    max_leaves=6,
)
extra_keywords = st.one_of(
    st.builds(
        lambda cond, then, other: {"if": cond, "then": then, "else": other},
        schemas,
        schemas,
        schemas,
    ),
    st.builds(lambda s: {"type": "object", "dependentSchemas": {"n": s}}, schemas),
    st.builds(
        lambda s: {"properties": {"id": s}, "unevaluatedProperties": False}, schemas
    ),  # delegated to jsonschema as a whole
    st.just(
        {
            "type": "object",
            "required": ["id", "name", "secret"],
            "properties": {
                "id": {"type": "integer", "readOnly": True},
                "name": {"type": "string"},
                "secret": {"type": "string", "writeOnly": True},
            },
        }
    ),
    st.just({"type": "integer", "multipleOf": 0.1}),
    st.just({"type": "array", "contains": {"const": 1}, "minContains": 2, "maxContains": 3}),
)


def _mutated(value: Any, data: st.DataObject) -> Any:
    if isinstance(value, dict) and value:
        mutated = copy.deepcopy(value)
        key = data.draw(st.sampled_from(sorted(mutated)))
        if data.draw(st.booleans()):
            del mutated[key]
        else:
            mutated[key] = data.draw(json_values)
        return mutated
    if isinstance(value, list) and value:
        return [*value, data.draw(json_values)]
    return data.draw(json_values)


@settings(max_examples=examples(1500), deadline=None, suppress_health_check=list(HealthCheck))
@given(schema=st.one_of(schemas, extra_keywords), data=st.data())
def test_checks_agree_with_jsonschema(schema: dict[str, Any], data: st.DataObject) -> None:
    index = SchemaIndex({})
    instances = [data.draw(json_values)]
    try:
        generated = FAST_ONLY.value(schema, "k", "response")
        instances += [generated, _mutated(generated, data)]
    except GenerationError:
        pass
    for direction in DIRECTIONS:
        check = index.checker(schema, direction)
        validator = index.validator(schema, direction)
        for value in instances:
            assert check(value) == validator.is_valid(value), (direction, value)


DOCUMENT = {
    "components": {
        "schemas": {
            "Node": {
                "type": "object",
                "required": ["value"],
                "properties": {
                    "value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                },
            }
        }
    }
}


def test_recursive_references_are_followed() -> None:
    index = SchemaIndex(DOCUMENT)
    check = index.checker({"$ref": "#/components/schemas/Node"})
    assert check({"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]})
    assert not check({"value": 1, "children": [{"value": 2, "children": [{"value": "3"}]}]})


def test_json_equality_is_jsonschemas() -> None:
    index = SchemaIndex({})
    assert index.checker({"enum": [1]})(1.0)
    assert not index.checker({"enum": [1]})(True)
    assert index.checker({"type": "integer"})(2.0)
    assert not index.checker({"type": "integer"})(False)
    assert not index.checker({"uniqueItems": True})([1, 1.0])
    assert index.checker({"uniqueItems": True})([1, True])


def test_an_unresolved_reference_raises_like_jsonschema() -> None:
    index = SchemaIndex({})
    schema = {"$ref": "#/components/schemas/Missing"}
    assert not index.is_valid(schema, 1)
    try:
        index.checker(schema)(1)
    except Exception as exc:
        assert "Missing" in str(exc) or exc.__class__.__name__
    else:
        raise AssertionError("an unresolved reference must not pass silently")


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"enum": ["a", "b"]}, "a"),
        ({"enum": ["a", "b"]}, "c"),
        ({"enum": ["a", "1"]}, 1),
        ({"enum": ["true"]}, True),
        ({"enum": ["a"]}, None),
        ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1}),
        ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}),
        ({"required": ["a", "b"]}, {"a": 1, "b": 2}),
        ({"required": ["a", "b"]}, {"a": 1}),
        ({"required": ["a"]}, ["a"]),
        ({"minimum": 2}, True),
        ({"minimum": 2, "type": "integer"}, 1),
        ({"maxLength": 1, "minimum": 2}, "ab"),
    ],
)
def test_the_fast_paths_answer_as_jsonschema_does(schema: dict[str, Any], value: Any) -> None:
    index = SchemaIndex({})
    assert index.checker(schema)(value) == index.validator(schema).is_valid(value)


@pytest.mark.parametrize(
    ("keyword", "value", "said"),
    [
        ("anyOf", [5], "5 is not of type 'object', 'boolean'"),
        ("properties", [], "[] is not of type 'object'"),
        ("enum", None, "None is not of type 'array'"),
        ("if", 5, "5 is not of type 'object', 'boolean'"),
        ("unevaluatedProperties", "x", "'x' is not of type 'object', 'boolean'"),
    ],
)
def test_a_schema_that_is_no_json_schema_is_malformed_not_a_crash(
    keyword: str, value: Any, said: str
) -> None:
    """Served specs may hold such schemas; the compiled checks and jsonschema failed inside
    (AttributeError, TypeError, then an AssertionError from a half-compiled cell). It is a
    MalformedSchema naming the schema, every time, and one of SCHEMA_ERRORS."""
    from openmock.schema.index import SCHEMA_ERRORS
    from openmock.schema.malformed import MalformedSchema

    bad = {"type": "object", keyword: value}
    document = {
        "components": {"schemas": {"Bad": bad, "Uses": {"$ref": "#/components/schemas/Bad"}}}
    }
    index = SchemaIndex(document)
    uses = document["components"]["schemas"]["Uses"]
    assert MalformedSchema in SCHEMA_ERRORS
    for _ in range(2):  # the second time too (no half-compiled cell left behind)
        with pytest.raises(MalformedSchema) as raised:
            index.checker(uses, "response")({"a": 1})
        assert str(raised.value).startswith("the schema at #/components/schemas/Bad")
        assert said in str(raised.value)
        assert index.is_valid(uses, {"a": 1}, "response") is False
        with pytest.raises(MalformedSchema):
            list(index.validator(bad).iter_errors({"a": 1}))


def test_what_is_wrong_with_a_malformed_schema_is_worked_out_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The meta-schema's walk costs milliseconds; a served spec's bad schema pays it on its
    first failure, not on every request."""
    import openmock.schema.index as index_module
    from openmock.schema.malformed import MalformedSchema, malformed_schema

    walks: list[Any] = []

    def counted(index: SchemaIndex, schema: Any) -> MalformedSchema | None:
        walks.append(schema)
        return malformed_schema(index, schema)

    monkeypatch.setattr(index_module, "malformed_schema", counted)
    bad = {"type": "object", "anyOf": [5]}
    index = SchemaIndex({"components": {"schemas": {"Bad": bad}}})
    for _ in range(3):
        with pytest.raises(MalformedSchema, match="is not a JSON Schema"):
            index.checker(bad, "response")({"a": 1})
        with pytest.raises(MalformedSchema, match="is not a JSON Schema"):
            list(index.validator(bad).iter_errors({"a": 1}))
    assert walks == [bad]

"""The search fallback (hypothesis-jsonschema) and the pin that keeps it working."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest

from openmock.generate import GenerationEngine, GenerationError
from openmock.generate.fallback import to_draft7
from openmock.schema.index import SchemaIndex
from openmock.server import create_app

# Strings not starting with a letter: the compiled generator's words all do, so it
# gives up after its bounded retries; the search finds such strings at once.
NOT_A_LETTER = {"type": "string", "minLength": 3, "not": {"pattern": "^[a-zA-Z]"}}
# Swagger-parser's oneof.yaml: untyped, overlapping branches (every object without wrong-typed
# names matches all three). The compiled generator breaks the other branches on purpose.
OVERLAPPING = {
    "oneOf": [
        {"properties": {"firstName": {"type": "string"}, "lastName": {"type": "string"}}},
        {"properties": {"middleName": {"type": "string"}}},
        {"properties": {"age": {"type": "number"}}},
    ]
}


def test_hypothesis_jsonschema_pairing_still_works() -> None:
    """docs/decisions/0005: hypothesis-jsonschema 0.23.1 breaks with hypothesis >= 6.170.10
    ("'many' object has no attribute 'more'"). If this fails after an upgrade, the pin in
    pyproject.toml was loosened past the break."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis_jsonschema import from_schema

    seen: list[Any] = []
    schema = {"type": "array", "items": {"type": "integer"}, "minItems": 2, "uniqueItems": True}

    @settings(max_examples=25, database=None, suppress_health_check=list(HealthCheck))
    @given(from_schema(schema))
    def draw(value: Any) -> None:
        seen.append(value)

    draw()
    assert len(seen) >= 10 and all(jsonschema.validate(v, schema) is None for v in seen)


def test_schema_the_fast_path_cannot_do_is_found_by_the_search() -> None:
    engine = GenerationEngine(SchemaIndex({}))
    fast_only = GenerationEngine(SchemaIndex({}), search=False)
    validator = jsonschema.Draft202012Validator(NOT_A_LETTER)
    got = [engine.value(NOT_A_LETTER, str(i)) for i in range(10)]
    assert all(validator.is_valid(v) for v in got), got
    assert engine.outcome_counts()["fallback"] == 1
    assert engine.value(NOT_A_LETTER, "3") == got[3]  # the same key picks the same value
    with pytest.raises(GenerationError):
        fast_only.value(NOT_A_LETTER, "0")


def test_the_search_is_bounded_by_work_not_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same schema gets the same pool however slow the machine (issue 17, item 22): the
    search counts draws; a clock that races ahead changes nothing."""
    import time

    first = GenerationEngine(SchemaIndex({}))
    pool = [first.value(NOT_A_LETTER, str(i)) for i in range(8)]
    clock = iter(range(0, 10**9, 1000))  # every look at the clock: 1,000 s later
    monkeypatch.setattr(time, "monotonic", lambda: float(next(clock)))
    busy = GenerationEngine(SchemaIndex({}))
    assert [busy.value(NOT_A_LETTER, str(i)) for i in range(8)] == pool
    hopeless = {"type": "string", "pattern": "^a$", "not": {"const": "a"}}
    with pytest.raises(GenerationError, match=r"nothing found in \d+ draws|no valid value"):
        busy.value(hopeless, "k")


def test_overlapping_one_of_branches_are_told_apart_by_the_fast_path() -> None:
    engine = GenerationEngine(SchemaIndex({}), search=False)
    validator = jsonschema.Draft202012Validator(OVERLAPPING)
    for i in range(30):
        value = engine.value(OVERLAPPING, str(i))
        assert validator.is_valid(value), value


def test_unsatisfiable_schema_is_reported_not_served() -> None:
    engine = GenerationEngine(SchemaIndex({}))
    schema = {"allOf": [{"type": "integer", "minimum": 5}, {"type": "integer", "maximum": 1}]}
    with pytest.raises(GenerationError):
        engine.value(schema, "k")
    assert engine.outcome_counts()["unsatisfiable"] == 1


def test_draft7_translation_inlines_refs_and_rewrites_2020_keywords() -> None:
    document = {"$defs": {"Id": {"type": "integer", "minimum": 1}}}
    index = SchemaIndex(document)
    schema = {
        "type": "object",
        "properties": {
            "pair": {"prefixItems": [{"$ref": "#/$defs/Id"}], "items": {"type": "string"}},
            "secret": {"type": "string", "writeOnly": True},
        },
        "required": ["secret", "pair"],
        "dependentRequired": {"pair": ["secret"]},
        "example": {"ignored": True},
    }
    draft7 = to_draft7(schema, index, "response")
    assert draft7["properties"]["pair"] == {
        "items": [{"type": "integer", "minimum": 1}],
        "additionalItems": {"type": "string"},
    }
    assert draft7["required"] == ["pair"]  # a writeOnly property is not required in a response
    assert draft7["dependencies"] == {"pair": ["secret"]}
    assert "example" not in draft7


def test_server_runs_the_search_off_the_event_loop(make_spec: Any) -> None:
    spec = make_spec(
        paths={
            "/thing": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": NOT_A_LETTER}},
                        }
                    }
                }
            }
        }
    )
    transport = httpx.ASGITransport(app=create_app(spec))

    async def call() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            return [await client.get("/thing", params={"n": n}) for n in range(3)]

    import anyio

    responses = anyio.run(call)
    validator = jsonschema.Draft202012Validator(NOT_A_LETTER)
    for response in responses:
        assert response.status_code == 200, response.text
        assert validator.is_valid(response.json())


def test_the_search_invents_no_keys_the_schema_does_not_ask_for() -> None:
    """Issue 17, item 7: values from the search filled open objects with junk keys
    (`"\\u0018": {...}`). Maps (additionalProperties as a schema) keep theirs."""
    engine = GenerationEngine(SchemaIndex({}))
    tagged = {"type": "object", "required": ["code"],
              "properties": {"code": NOT_A_LETTER, "note": {"type": "string"}}}  # fmt: skip
    nested = {"type": "array", "minItems": 1, "items": {"allOf": [tagged]}}
    counts = {"type": "object", "minProperties": 2, "additionalProperties": {"type": "integer"},
              "not": {"required": ["a"]}}  # fmt: skip
    for i in range(12):
        value = engine.value(tagged, str(i))
        assert set(value) <= {"code", "note"} and "code" in value, value
        assert all(set(item) <= {"code", "note"} for item in engine.value(nested, str(i)))
        assert len(engine.value(counts, str(i))) >= 2
    assert engine.outcome_counts()["fallback"] >= 2  # tagged and nested took the search

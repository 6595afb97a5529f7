"""Schemas that are not JSON Schemas: `properties: []`, `anyOf: [5]`, `enum: null`...

A spec with such a schema is served (invalid specs are), and running the schema makes the
compiled checks or jsonschema fail inside with an AttributeError or a TypeError. Where that
happens, `malformed_schema` asks the 2020-12 meta-schema what is wrong with the schema and the
schemas it references, and the failure becomes a `MalformedSchema` (one of SCHEMA_ERRORS:
callers treat the schema as one that cannot be run, as an unresolved reference is). Where the
meta-schema finds nothing wrong, the failure is a bug of ours and is raised as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

from openmock.schema.pointers import UnresolvedRef

if TYPE_CHECKING:
    from openmock.schema.index import SchemaIndex

# What running a malformed schema raises from inside the checks or jsonschema.
CRASHES = (AttributeError, TypeError, KeyError, IndexError, ValueError)
MAX_SCHEMAS = 500  # of a schema's references followed to find what is malformed

_META = Draft202012Validator(Draft202012Validator.META_SCHEMA)


class MalformedSchema(Exception):
    """A schema of the spec is not a JSON Schema; the message says where and why."""


class GuardedValidator:
    """jsonschema's validator for one schema of the spec, failing with `MalformedSchema`
    instead of from inside where the schema is no JSON Schema."""

    def __init__(self, validator: Draft202012Validator, index: SchemaIndex) -> None:
        self.validator = validator
        self._index = index

    def is_valid(self, value: Any) -> bool:
        try:
            return bool(self.validator.is_valid(value))
        except CRASHES as exc:
            raise self._index.malformed(self.validator.schema) or exc from None

    def iter_errors(self, value: Any) -> Iterator[ValidationError]:
        try:
            yield from self.validator.iter_errors(value)
        except CRASHES as exc:
            raise self._index.malformed(self.validator.schema) or exc from None


def guarded_check(
    index: SchemaIndex, schema: Any, compile_check: Callable[[Any], Callable[[Any], bool]]
) -> Callable[[Any], bool]:
    """`compile_check(schema)`, compiling and checking with MalformedSchema in place of a
    failure from inside."""
    try:
        inner = compile_check(schema)
    except CRASHES as exc:
        raise index.malformed(schema) or exc from None

    def check(value: Any) -> bool:
        try:
            return inner(value)
        except CRASHES as exc:
            raise index.malformed(schema) or exc from None

    return check


def malformed_schema(index: SchemaIndex, schema: Any) -> MalformedSchema | None:
    """What is wrong with `schema` or a schema it references (None: nothing the meta-schema
    sees)."""
    seen: set[int] = set()
    todo = [schema]
    while todo and len(seen) < MAX_SCHEMAS:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        error = best_match(_META.iter_errors(node))
        if error is not None:
            inner = "".join(f"/{part}" for part in error.absolute_path)
            where = index.pointer_of(node)
            if where.startswith("#"):
                said = f"the schema at {where}{inner} is not a JSON Schema"
            else:  # a part of a schema made from others (allOf merged)
                said = f"a schema ({_short(node)}) is not a JSON Schema at {inner or '/'}"
            return MalformedSchema(f"{said}: {error.message}")
        todo.extend(_referenced(index, node))
    return None


def _referenced(index: SchemaIndex, node: Any) -> list[Any]:
    found: list[Any] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                with suppress(UnresolvedRef):  # said where the spec is loaded
                    found.append(index.lookup(ref))
            stack.extend(v for k, v in item.items() if k != "$ref")
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _short(node: Any) -> str:
    text = repr(node)
    return text if len(text) <= 60 else text[:57] + "..."

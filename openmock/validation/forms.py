"""VALIDATE: form fields (text) typed by the body schema, so the schema can judge them.

`price=2.5&tags=a&tags=b&card[number]=4242&items[0][qty]=1` becomes
`{"price": 2.5, "tags": ["a", "b"], "card": {"number": "4242"}, "items": [{"qty": 1}]}`:
bracket notation nested (as Stripe's, Rails' and PHP's clients send it), numbers and
booleans from their text, arrays from repeated or indexed fields, objects from nested fields
or JSON text; for anyOf/oneOf, the first reading a branch accepts (an empty field for an array
that may also be the empty string is that string: Stripe's way to clear a list). What each
schema node says about shape is worked out once and kept, and its main-type reading made into
a closure once (the form of a request is typed per request).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from openmock.request.body import unflatten_brackets
from openmock.request.params import coerce_kind, schema_kind
from openmock.schema.index import SchemaIndex, UnresolvedRef
from openmock.schema.merge import declared_properties

MAX_DEPTH = 16
Typer = Callable[[Any, int], Any]  # (value, depth) -> the value typed


@dataclass(frozen=True)
class _Shape:
    """What typing needs to know of one schema node."""

    kind: str  # object | array | integer | number | boolean | string | ...
    branches: tuple[Any, ...] = ()  # anyOf/oneOf alternatives (2 or more)
    properties: dict[str, Any] = field(default_factory=dict)
    extra: Any = None  # the additionalProperties schema
    items: Any = None


class FormTyper:
    def __init__(self, index: SchemaIndex) -> None:
        self.index = index
        self._shapes: dict[int, tuple[Any, _Shape]] = {}
        self._typers: dict[int, tuple[Any, Typer]] = {}

    def typed(self, fields: dict[str, Any], schema: Any) -> tuple[Any, bool]:
        """The fields typed, and whether the schema accepts them. Typed by each node's
        main type first; where that reading breaks the schema, again with every
        anyOf/oneOf branch tried (slower, and rarely needed)."""
        nested = unflatten_brackets(fields, self.shape_of(schema).properties)
        value = self.typer_for(schema)(nested, 0)
        if self.index.is_valid(schema, value, "request"):
            return value, True
        return self._by_branches(nested, schema, 0), False

    def shape_of(self, schema: Any) -> _Shape:
        known = self._shapes.get(id(schema))
        if known is not None and known[0] is schema:
            return known[1]
        shape = self._work_out(schema)
        self._shapes[id(schema)] = (schema, shape)
        return shape

    def _work_out(self, schema: Any) -> _Shape:
        deref = self.index.deref
        try:
            target = deref(schema)
        except UnresolvedRef:
            return _Shape("string")
        if not isinstance(target, dict):
            return _Shape("string")
        branches = tuple(target.get("anyOf") or target.get("oneOf") or ())
        kind, resolved = schema_kind(schema, deref)
        extra = resolved.get("additionalProperties", {}) if isinstance(resolved, dict) else {}
        items = resolved.get("items") if isinstance(resolved, dict) else None
        if items is None:
            items = next((deref(b)["items"] for b in branches if "items" in (deref(b) or {})), {})
        return _Shape(
            kind,
            branches if len(branches) > 1 else (),
            self._properties(schema),
            extra if isinstance(extra, dict) else {},
            items,
        )

    def _properties(self, schema: Any) -> dict[str, Any]:
        """The properties of an object schema, or of its first object branch."""
        try:
            declared = declared_properties(self.index, schema)
            if declared:
                return declared
            target = self.index.deref(schema)
        except UnresolvedRef:
            return {}
        if isinstance(target, dict):
            for key in ("anyOf", "oneOf"):
                for branch in target.get(key) or []:
                    found = self._properties(branch)
                    if found:
                        return found
        return {}

    def typer_for(self, schema: Any) -> Typer:
        """The main-type reading of `schema` (`_by_branches` without the branches) as a
        closure made once per schema node; its children's closures are made on first use,
        and only for declared properties (a client's made-up names share the
        additionalProperties one)."""
        known = self._typers.get(id(schema))
        if known is not None and known[0] is schema:
            return known[1]
        typer = self._make_typer(self.shape_of(schema))
        self._typers[id(schema)] = (schema, typer)
        return typer

    def _make_typer(self, shape: _Shape) -> Typer:
        declared: dict[str, Typer] = {}
        made: dict[str, Typer] = {}  # "extra", "items"
        properties = shape.properties

        def child(key: str) -> Typer:
            found = declared.get(key)
            if found is None:
                if key in properties:
                    found = declared[key] = self.typer_for(properties[key])
                else:
                    found = made.get("extra")
                    if found is None:
                        found = made["extra"] = self.typer_for(shape.extra)
            return found

        def mapping(value: dict[str, Any], depth: int) -> dict[str, Any]:
            return {k: child(k)(v, depth + 1) for k, v in value.items()}

        if shape.kind == "array":
            blank = self._may_be_blank(shape)

            def array(value: Any, depth: int) -> Any:
                if depth > MAX_DEPTH or (blank and value == ""):
                    return value
                if isinstance(value, dict):
                    return mapping(value, depth)
                items = made.get("items")
                if items is None:
                    items = made["items"] = self.typer_for(shape.items)
                values = value if isinstance(value, list) else [value]
                return [items(v, depth + 1) for v in values]

            return array
        leaf = leaf_reader(shape.kind)

        def other(value: Any, depth: int) -> Any:
            if depth > MAX_DEPTH:
                return value
            if isinstance(value, str):
                return value if leaf is None else leaf(value)
            if isinstance(value, dict):
                return mapping(value, depth)
            if isinstance(value, list):
                return [other(v, depth + 1) for v in value]
            return value

        return other

    def _may_be_blank(self, shape: _Shape) -> bool:
        """An array that may also be the empty string (Stripe's `discounts=` clears a list):
        an empty field is that string, not a list of one empty item."""
        for branch in shape.branches:
            try:
                target = self.index.deref(branch)
            except UnresolvedRef:
                continue
            if isinstance(target, dict) and "" in (target.get("enum") or ()):
                return True
        return False

    def _by_branches(self, value: Any, schema: Any, depth: int) -> Any:
        """The slow reading, where the main-type one breaks the schema: at every node with
        anyOf/oneOf branches, the first branch's reading that branch accepts."""
        if depth > MAX_DEPTH:
            return value
        shape = self.shape_of(schema)
        for branch in shape.branches:
            typed = self._by_branches(value, branch, depth + 1)
            if self.index.is_valid(branch, typed, "request"):
                return typed
        if isinstance(value, dict):
            props, extra = shape.properties, shape.extra
            return {
                k: self._by_branches(v, props.get(k, extra), depth + 1) for k, v in value.items()
            }
        if shape.kind == "array":
            values = value if isinstance(value, list) else [value]
            return [self._by_branches(v, shape.items, depth + 1) for v in values]
        if isinstance(value, list):
            return [self._by_branches(v, schema, depth + 1) for v in value]
        leaf = leaf_reader(shape.kind)
        return value if leaf is None or not isinstance(value, str) else leaf(value)


def _json_or_text(text: str) -> Any:
    if text.lstrip().startswith(("{", "[")):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return text
    return text


def _integer(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return text


def leaf_reader(kind: str) -> Callable[[str], Any] | None:
    """How a field's text is read for a schema of this main type (None: as it is)."""
    if kind == "object":
        return _json_or_text
    if kind == "integer":  # coerce_kind's readings, one call instead of two (per field)
        return _integer
    if kind == "boolean":
        booleans = {"true": True, "false": False}
        return lambda text: booleans.get(text, text)
    if kind in ("number", "null"):
        return lambda text: coerce_kind(text, kind)
    return None

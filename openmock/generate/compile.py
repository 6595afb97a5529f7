"""Compile a schema once into a tree of small generator functions.

A compiled generator is called with a `Draw` (a seeded random.Random and the current depth)
and returns a JSON value. It aims at valid values; the engine checks each result with an
independent validator and retries, so the compiler may be simple where the spec is odd.
"""

from __future__ import annotations

import contextlib
import copy
import random
from collections.abc import Callable
from typing import Any

from openmock.generate import formats, regex
from openmock.generate.merge import flatten_all_of, merge
from openmock.generate.scalars import (
    Draw,
    Gen,
    GenerationError,
    fail,
    integer_gen,
    number_gen,
    string_gen,
)
from openmock.spec.nodes import child_map
from openmock.spec.schemas import SchemaIndex, UnresolvedRef

SOFT_DEPTH = 5  # below this, optional properties are left out and arrays keep minItems
HARD_DEPTH = 40  # a schema that still requires nesting here cannot be satisfied
_ANNOTATIONS = frozenset(
    {"title", "description", "example", "examples", "deprecated", "readOnly", "writeOnly",
     "xml", "externalDocs", "$comment", "discriminator", "default", "$schema", "$id"}
)  # fmt: skip
_OBJECT_KEYS = ("properties", "required", "additionalProperties", "patternProperties",
                "minProperties", "maxProperties", "propertyNames", "dependentRequired")  # fmt: skip
_ARRAY_KEYS = ("items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems")
_STRING_KEYS = ("minLength", "maxLength", "pattern", "format")
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


_MISSING = object()


class Compiler:
    """Compiles schemas for one direction: 'response' leaves writeOnly properties out,
    'request' leaves readOnly properties out."""

    def __init__(self, index: SchemaIndex, direction: str = "response") -> None:
        self.index = index
        self.direction = direction
        self.skip_flag = "writeOnly" if direction == "response" else "readOnly"
        self._cache: dict[int, Gen] = {}
        self._alive: list[Any] = []  # schemas made here must outlive their id() cache key

    def compile(self, schema: Any) -> Gen:
        key = id(schema)
        found = self._cache.get(key)
        if found is not None:
            return found
        cell: list[Gen] = []

        def recursive(draw: Draw) -> Any:
            return cell[0](draw)

        self._cache[key] = recursive
        self._alive.append(schema)
        try:
            gen = self._build(schema)
        except UnresolvedRef as exc:
            gen = fail(f"the schema has an unresolved $ref {exc}")
        cell.append(gen)
        self._cache[key] = gen
        return gen

    # ------------------------------------------------------------------ dispatch
    def _build(self, schema: Any) -> Gen:
        if schema is False:
            return fail("the schema is `false`: no value is allowed")
        if not isinstance(schema, dict):
            return lambda draw: formats.word(draw.rng)
        if "x-openmock-unresolved-ref" in schema:
            raise UnresolvedRef(str(schema["x-openmock-unresolved-ref"]))
        if "$ref" in schema:
            target = self.index.lookup(schema["$ref"])
            siblings = {k: v for k, v in schema.items() if k != "$ref" and k not in _ANNOTATIONS}
            if not siblings:
                return self.compile(target)
            return self.compile({"allOf": [target, siblings]})
        if "allOf" in schema:
            merged = merge(flatten_all_of(schema, self.index))
            if merged is False:
                return fail("allOf branches contradict each other")
            assert isinstance(merged, dict)
            if merged.get("allOf"):
                leftovers = merged.pop("allOf")
                gen = self.compile(merged)
                return self._checked(gen, {"allOf": leftovers})
            return self.compile(merged)
        if "const" in schema:
            const = schema["const"]
            if not self._allows(schema, const):
                return fail("`const` contradicts the rest of its schema")
            return lambda draw: copy.deepcopy(const)
        if "enum" in schema and isinstance(schema["enum"], list):
            return self._enum(schema)
        for keyword in ("oneOf", "anyOf"):
            if isinstance(schema.get(keyword), list) and schema[keyword]:
                return self._choice(schema, keyword)
        if "not" in schema:
            base = {k: v for k, v in schema.items() if k != "not"}
            return self._checked(self.compile(base), {"not": schema["not"]})
        return self._typed(schema)

    def _checked(self, gen: Gen, constraint: dict[str, Any]) -> Gen:
        """Draw from `gen` until the value also satisfies `constraint` (bounded)."""
        self._alive.append(constraint)
        index = self.index

        def checked(draw: Draw) -> Any:
            for _ in range(12):
                value = gen(draw)
                if index.is_valid(constraint, value):
                    return value
            raise GenerationError(f"could not satisfy {sorted(constraint)} after 12 draws")

        return checked

    def _allows(self, schema: dict[str, Any], value: Any) -> bool:
        self._alive.append(schema)
        return self.index.is_valid(schema, value, self.direction)

    def _enum(self, schema: dict[str, Any]) -> Gen:
        # Only the values the rest of the schema (type, bounds, pattern...) accepts.
        values = [v for v in schema["enum"] if self._allows(schema, v)]
        if not values:
            return fail("no `enum` value satisfies the rest of its schema")
        non_null = [v for v in values if v is not None] or values

        def enum(draw: Draw) -> Any:
            return copy.deepcopy(draw.rng.choice(non_null))

        return enum

    def _choice(self, schema: dict[str, Any], keyword: str) -> Gen:
        base = {k: v for k, v in schema.items() if k not in (keyword, "discriminator")}
        has_base = any(k not in _ANNOTATIONS for k in base)
        disc = child_map(schema, "discriminator")
        prop = disc.get("propertyName") if isinstance(disc, dict) else None
        mapping = {v: k for k, v in (disc.get("mapping") or {}).items()} if disc else {}
        branches: list[tuple[Gen, int, str | None]] = []
        for raw in schema[keyword]:
            label = None
            if prop and isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
                label = mapping.get(raw["$ref"], raw["$ref"].rsplit("/", 1)[-1])
            target = {"allOf": [base, raw]} if has_base else raw
            branches.append((self.compile(target), _weight(self.index, raw), label))
        whole = schema
        index = self.index
        exclusive = keyword == "oneOf"

        def choose(draw: Draw) -> Any:
            order = list(range(len(branches)))
            draw.rng.shuffle(order)
            if draw.depth >= SOFT_DEPTH:
                order.sort(key=lambda i: branches[i][1])
            last: Exception | None = None
            for i in order:
                gen, _, label = branches[i]
                try:
                    value = gen(draw)
                except GenerationError as exc:
                    last = exc
                    continue
                if label is not None and isinstance(value, dict):
                    # The mapping key selects the branch, when the branch allows it.
                    before = value.get(prop, _MISSING)
                    value[prop] = label
                    if not index.is_valid(whole, value):
                        if before is _MISSING:
                            del value[prop]
                        else:
                            value[prop] = before
                if not exclusive or index.is_valid(whole, value):
                    return value
            raise GenerationError(
                f"no {keyword} branch could be satisfied" + (f": {last}" if last else "")
            )

        return choose

    # ------------------------------------------------------------------ by type
    def _typed(self, schema: dict[str, Any]) -> Gen:
        declared = schema.get("type")
        types = (
            [declared] if isinstance(declared, str) else list(declared or []) or [_infer(schema)]
        )
        gens: dict[str, Gen] = {}
        for kind in types:
            builder = {
                "object": self._object, "array": self._array, "string": string_gen,
                "integer": integer_gen, "number": number_gen,
            }.get(kind)  # fmt: skip
            if builder is not None:
                gens[kind] = builder(schema)
            elif kind == "boolean":
                gens[kind] = lambda draw: draw.rng.random() < 0.7
            elif kind == "null":
                gens[kind] = lambda draw: None
            elif kind == "any":
                gens[kind] = lambda draw: formats.word(draw.rng)
        if not gens:
            return fail(f"unknown type {declared!r}")
        first = next((g for k, g in gens.items() if k != "null"), gens.get("null"))
        null = gens.get("null")
        assert first is not None

        def typed(draw: Draw) -> Any:
            if null is not None and draw.depth >= SOFT_DEPTH:
                return None
            return first(draw)

        return typed

    def _object(self, schema: dict[str, Any]) -> Gen:
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        props_raw = child_map(schema, "properties")
        props: list[tuple[str, Gen, bool]] = []
        for name, sub in props_raw.items():
            try:
                resolved = self.index.deref(sub)
            except UnresolvedRef:
                resolved = {}
            skip = isinstance(resolved, dict) and resolved.get(self.skip_flag) is True
            if skip:
                continue
            props.append((name, self.compile(sub), name in required))
        known = {p[0] for p in props} | set(props_raw)
        additional = schema.get("additionalProperties", True)
        pattern_props = schema.get("patternProperties")
        extra_gens: list[tuple[Callable[[random.Random, int], str], Gen]] = []
        if isinstance(pattern_props, dict):
            for pattern, sub in pattern_props.items():
                extra_gens.append((_pattern_key(regex.compile_pattern(pattern)), self.compile(sub)))
        if additional is not False:
            names = schema.get("propertyNames")
            key_gen = string_gen(self.index.deref(names)) if isinstance(names, dict) else None
            value_gen = self.compile(additional if isinstance(additional, dict) else {})
            extra_gens.append(
                (lambda rng, i: key_gen(Draw(rng)) if key_gen else f"key{i + 1}", value_gen)
            )
        min_props = int(schema.get("minProperties") or 0)
        max_props = schema.get("maxProperties")
        dependent = child_map(schema, "dependentRequired")
        missing = [r for r in required if r not in known]
        is_map = not props_raw and isinstance(additional, dict)

        def obj(draw: Draw) -> Any:
            if draw.depth > HARD_DEPTH:
                raise GenerationError("the schema requires unbounded nesting")
            deep = draw.depth >= SOFT_DEPTH
            inner = draw.deeper()
            out: dict[str, Any] = {}
            for name, gen, is_required in props:
                if is_required:
                    out[name] = gen(inner)
                elif not deep:
                    # An optional property no value can satisfy is left out.
                    with contextlib.suppress(GenerationError):
                        out[name] = gen(inner)
            for name in missing:
                out[name] = formats.word(draw.rng)
            for name in list(out):
                for dep in dependent.get(name) or []:
                    if dep not in out:
                        out[dep] = formats.word(draw.rng)
            want = max(min_props, 1 if is_map and not deep else 0)
            i = 0
            while len(out) < want and extra_gens and i < want * 4 + 4:
                key_of, gen = extra_gens[i % len(extra_gens)]
                key = key_of(draw.rng, i)
                if key not in out:
                    out[key] = gen(inner)
                i += 1
            if isinstance(max_props, int) and len(out) > max_props:
                for name in [n for n in out if n not in required][: len(out) - max_props]:
                    del out[name]
            return out

        return obj

    def _array(self, schema: dict[str, Any]) -> Gen:
        items = schema.get("items", True)
        prefix = [self.compile(p) for p in schema.get("prefixItems") or []]
        item_gen = self.compile(items) if items is not False else None
        lo = int(schema.get("minItems") or 0)
        hi = schema.get("maxItems")
        unique = schema.get("uniqueItems") is True
        contains = schema.get("contains")
        contains_gen = self.compile(contains) if contains is not None else None
        index = self.index
        if contains is not None:
            self._alive.append(contains)

        def array(draw: Draw) -> Any:
            if draw.depth > HARD_DEPTH:
                raise GenerationError("the schema requires unbounded nesting")
            deep = draw.depth >= SOFT_DEPTH
            count = lo if deep else max(lo, len(prefix), 1)
            if isinstance(hi, int):
                count = min(count, hi)
            if item_gen is None:
                count = min(count, len(prefix))
            inner = draw.deeper()
            out: list[Any] = []
            seen: list[Any] = []
            attempts = 0
            while len(out) < count and attempts < count * 6 + 6:
                attempts += 1
                gen = prefix[len(out)] if len(out) < len(prefix) else item_gen
                assert gen is not None
                value = gen(inner)
                if unique and value in seen:
                    continue
                seen.append(value)
                out.append(value)
            if contains_gen is not None and not any(index.is_valid(contains, v) for v in out):
                value = contains_gen(inner)
                if out and isinstance(hi, int) and len(out) >= hi:
                    out[-1] = value
                else:
                    out.append(value)
            return out

        return array


def _infer(schema: dict[str, Any]) -> str:
    for kind, keys in (("object", _OBJECT_KEYS), ("array", _ARRAY_KEYS),
                       ("string", _STRING_KEYS), ("number", _NUMBER_KEYS)):  # fmt: skip
        if any(k in schema for k in keys):
            return kind
    return "any"


def _weight(index: SchemaIndex, schema: Any) -> int:
    """How deep a branch tends to go: null < scalars < arrays < objects."""
    try:
        schema = index.deref(schema)
    except UnresolvedRef:
        return 9
    if not isinstance(schema, dict):
        return 1
    kind = schema.get("type")
    kinds = [kind] if isinstance(kind, str) else list(kind or [_infer(schema)])
    if "null" in kinds:
        return 0
    if "object" in kinds:
        return 3
    return 2 if "array" in kinds else 1


def _pattern_key(parsed: Any) -> Callable[[random.Random, int], str]:
    """A property-name maker for one ``patternProperties`` regex."""

    def key(rng: random.Random, i: int) -> str:
        return regex.generate(parsed, rng)

    return key

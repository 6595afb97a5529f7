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

from openmock.generate import regex
from openmock.generate.combine import choice_gen
from openmock.generate.hints import with_hints, with_x_faker
from openmock.generate.realism import Realism, owned_name
from openmock.generate.scalars import (
    ANNOTATIONS,
    SOFT_DEPTH,
    Draw,
    Gen,
    GenerationError,
    fail,
    infer_type,
    integer_gen,
    number_gen,
    string_gen,
)
from openmock.schema.index import SchemaIndex, UnresolvedRef
from openmock.schema.merge import flatten_all_of, merge
from openmock.schema.nodes import child_map

HARD_DEPTH = 40  # a schema that still requires nesting here cannot be satisfied
# How often an optional property is present, by object depth: mostly at the top, less inside,
# none from depth 3 (a nested object keeps its required properties). Real responses look like
# this, and it keeps generated bodies of specs like Stripe's (expandable everything) small.
OPTIONAL_SHARE_BY_DEPTH = (0.9, 0.9, 0.5)
MAX_ITEMS_BY_DEPTH = (5, 2, 1)  # arrays of 1-5 items at the top, 1-2 inside, then 1


class Compiler:
    """Compiles schemas for one direction: 'response' leaves writeOnly properties out,
    'request' leaves readOnly properties out."""

    def __init__(
        self, index: SchemaIndex, direction: str = "response", realism: Realism | None = None
    ) -> None:
        self.index = index
        self.direction = direction
        self.realism = realism or Realism()
        self.skip_flag = "writeOnly" if direction == "response" else "readOnly"
        self.problems: list[str] = []  # hints the spec carries that cannot be used, and why
        self._cache: dict[tuple[int, str | None], Gen] = {}
        self._alive: list[Any] = []  # schemas made here must outlive their id() cache key
        self._components: dict[int, str] | None = None  # id of a component schema -> its name

    def compile(self, schema: Any, name: str | None = None) -> Gen:
        """The generator of `schema`; `name` is the property it is the value of, if any,
        which picks realistic strings and number ranges (`email`, `createdAt`, `price`)."""
        if name is not None and _is_container(self.index, schema):
            name = None  # only scalars (and array items) look at the name
        key = (id(schema), name)
        found = self._cache.get(key)
        if found is not None:
            return found
        cell: list[Gen] = []

        def recursive(draw: Draw) -> Any:
            return cell[0](draw)

        self._cache[key] = recursive
        self._alive.append(schema)
        try:
            gen = self._build(schema, name)
        except UnresolvedRef as exc:
            gen = fail(f"the schema has an unresolved $ref {exc}")
        except BaseException:  # (RegexUnsupported...): no half-built entry for the next caller
            del self._cache[key]
            raise
        if isinstance(schema, dict) and "$ref" not in schema:
            gen = self._hinted(gen, schema)
        cell.append(gen)
        self._cache[key] = gen
        return gen

    def _hinted(self, gen: Gen, schema: dict[str, Any]) -> Gen:
        def allows(value: Any) -> bool:
            return self._allows(schema, value)

        def report(message: str) -> None:
            self.problems.append(f"{self.index.pointer_of(schema)}: {message}")

        if "x-faker" in schema:
            gen = with_x_faker(gen, schema, self.realism.x_faker, allows, report)
        left_out = self.index.flagged_properties(schema, self.skip_flag)
        return with_hints(gen, schema, allows, report, left_out)

    # ------------------------------------------------------------------ dispatch
    def _build(self, schema: Any, name: str | None = None) -> Gen:
        if schema is False:
            return fail("the schema is `false`: no value is allowed")
        word = self.realism.word
        if not isinstance(schema, dict):
            return lambda draw: word(draw.rng)
        if "x-openmock-unresolved-ref" in schema:
            raise UnresolvedRef(str(schema["x-openmock-unresolved-ref"]))
        if "$ref" in schema:
            target = self.index.lookup(schema["$ref"])
            siblings = {k: v for k, v in schema.items() if k != "$ref" and k not in ANNOTATIONS}
            if not siblings:
                return self.compile(target, name)
            return self.compile({"allOf": [target, siblings]}, name)
        if "allOf" in schema:
            merged = merge(flatten_all_of(schema, self.index))
            if merged is False:
                return fail("allOf branches contradict each other")
            assert isinstance(merged, dict)
            owner = self._owner(schema)
            if owner:  # Pet = allOf [NewPet, {id}] is still a Pet (for its `name`)
                merged = {**merged, "title": owner}
            if merged.get("allOf"):
                leftovers = merged.pop("allOf")
                gen = self.compile(merged, name)
                return self._checked(gen, {"allOf": leftovers})
            return self.compile(merged, name)
        if "const" in schema:
            const = schema["const"]
            if not self._allows(schema, const):
                return fail("`const` contradicts the rest of its schema")
            return lambda draw: copy.deepcopy(const)
        if "enum" in schema and isinstance(schema["enum"], list):
            return self._enum(schema)
        for keyword in ("oneOf", "anyOf"):
            if isinstance(schema.get(keyword), list) and schema[keyword]:
                return choice_gen(self, schema, keyword, name)
        if "not" in schema:
            base = {k: v for k, v in schema.items() if k != "not"}
            return self._checked(self.compile(base, name), {"not": schema["not"]})
        return self._typed(schema, name)

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

    # ------------------------------------------------------------------ by type
    def _typed(self, schema: dict[str, Any], name: str | None = None) -> Gen:
        declared = schema.get("type")
        types = (
            [declared]
            if isinstance(declared, str)
            else list(declared or []) or [infer_type(schema)]
        )
        gens: dict[str, Gen] = {}
        realism = self.realism
        for kind in types:
            if kind == "object":
                gens[kind] = self._object(schema)
            elif kind == "array":
                gens[kind] = self._array(schema, name)
            elif kind == "string":
                realistic = realism.string_for(name, schema.get("format"))
                gens[kind] = string_gen(schema, realistic, realism.text)
            elif kind in ("integer", "number"):
                maker = integer_gen if kind == "integer" else number_gen
                gens[kind] = maker(schema, realism.number_range(name))
            elif kind == "boolean":
                gens[kind] = lambda draw: draw.rng.random() < 0.7
            elif kind == "null":
                gens[kind] = lambda draw: None
            elif kind == "any":
                gens[kind] = lambda draw: realism.word(draw.rng)
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
        left_out = self.index.flagged_properties(schema, self.skip_flag)
        owner = self._owner(schema)
        props = [
            (name, self.compile(sub, owned_name(name, owner)), name in required)
            for name, sub in props_raw.items()
            if name not in left_out
        ]
        known = {p[0] for p in props} | set(props_raw)
        additional = schema.get("additionalProperties", True)
        pattern_props = schema.get("patternProperties")
        extra_gens: list[tuple[Callable[[random.Random, int], str], Gen]] = []
        if isinstance(pattern_props, dict):
            for pattern, sub in pattern_props.items():
                extra_gens.append((_pattern_key(regex.compile_pattern(pattern)), self.compile(sub)))
        if additional is not False:
            names = schema.get("propertyNames")
            key_gen = (
                string_gen(self.index.deref(names), None, self.realism.text)
                if isinstance(names, dict)
                else None
            )
            value_gen = self.compile(additional if isinstance(additional, dict) else {})
            extra_gens.append(
                (lambda rng, i: key_gen(Draw(rng)) if key_gen else f"key{i + 1}", value_gen)
            )
        min_props = int(schema.get("minProperties") or 0)
        max_props = schema.get("maxProperties")
        dependent = child_map(schema, "dependentRequired")
        missing = [r for r in required if r not in known]
        is_map = not props_raw and isinstance(additional, dict)
        word = self.realism.word

        def obj(draw: Draw) -> Any:
            if draw.depth > HARD_DEPTH:
                raise GenerationError("the schema requires unbounded nesting")
            deep = draw.depth >= SOFT_DEPTH
            share = OPTIONAL_SHARE_BY_DEPTH[draw.depth] if draw.depth < 3 else 0.0
            inner = draw.deeper()
            out: dict[str, Any] = {}
            for name, gen, is_required in props:
                if is_required:
                    out[name] = gen(inner)
                elif share and draw.rng.random() < share:
                    # An optional property no value can satisfy is left out.
                    with contextlib.suppress(GenerationError):
                        out[name] = gen(inner)
            if not out and share:  # `{}` fits, but tells a client nothing: one property
                for name, gen, _ in props:
                    with contextlib.suppress(GenerationError):
                        out[name] = gen(inner)
                        break
            for name in missing:
                out[name] = word(draw.rng)
            for name in list(out):
                for dep in dependent.get(name) or []:
                    if dep not in out:
                        out[dep] = word(draw.rng)
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

    def _owner(self, schema: dict[str, Any]) -> str | None:
        """What an object is, for its `name`: its title, else its component's name."""
        title = schema.get("title")
        if isinstance(title, str) and title:
            return title
        if self._components is None:
            found = self.index.document.get("components")
            schemas = child_map(found, "schemas") if isinstance(found, dict) else {}
            self._components = {id(node): str(key) for key, node in schemas.items()}
        return self._components.get(id(schema))

    def _array(self, schema: dict[str, Any], name: str | None = None) -> Gen:
        items = schema.get("items", True)
        prefix = [self.compile(p) for p in schema.get("prefixItems") or []]
        item_name = _singular(name)
        item_gen = self.compile(items, item_name) if items is not False else None
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
            if draw.depth >= SOFT_DEPTH:
                count = lo
            else:
                most = MAX_ITEMS_BY_DEPTH[min(draw.depth, len(MAX_ITEMS_BY_DEPTH) - 1)]
                least = max(lo, len(prefix), 1)
                count = draw.rng.randint(least, max(least, most))
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


def _singular(name: str | None) -> str | None:
    """The name of one item of an array property: `emails` -> `email`, `tags` -> `tag`."""
    if not name:
        return None
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith(("sses", "xes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss") and len(name) > 2:
        return name[:-1]
    return None  # not a plural: the items are not "one <name>"


def _is_container(index: SchemaIndex, schema: Any) -> bool:
    try:
        schema = index.deref(schema)
    except UnresolvedRef:
        return False
    if not isinstance(schema, dict):
        return True
    kind = schema.get("type")
    return kind == "object" or (kind is None and "properties" in schema)


def _pattern_key(parsed: Any) -> Callable[[random.Random, int], str]:
    """A property-name maker for one ``patternProperties`` regex."""

    def key(rng: random.Random, i: int) -> str:
        return regex.generate(parsed, rng)

    return key

"""oneOf and anyOf: choosing a branch, and making a oneOf value match exactly one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openmock.generate.scalars import (
    ANNOTATIONS,
    Draw,
    Gen,
    GenerationError,
    infer_type,
)
from openmock.schema.index import SchemaIndex, UnresolvedRef
from openmock.schema.merge import declared_properties
from openmock.schema.nodes import child_map

if TYPE_CHECKING:
    from openmock.generate.compile import Compiler

_MISSING = object()
# From this depth on, the shallowest branch is tried first: an "expandable" field (`anyOf: [id
# string, whole object]`) nested in a response is then an id, as real APIs return it.
SHALLOW_FROM = 2


def choice_gen(compiler: Compiler, schema: dict[str, Any], keyword: str, name: str | None) -> Gen:
    """oneOf/anyOf: a branch at random (the shallowest first when deep); the discriminator's
    mapping key set on its property; for oneOf, other branches the value also matches are
    broken on purpose (see _break_overlap) so that exactly one matches."""
    base = {k: v for k, v in schema.items() if k not in (keyword, "discriminator")}
    has_base = any(k not in ANNOTATIONS for k in base)
    disc = child_map(schema, "discriminator")
    prop = disc.get("propertyName") if isinstance(disc, dict) else None
    mapping = {v: k for k, v in (disc.get("mapping") or {}).items()} if disc else {}
    branches: list[tuple[Gen, int, str | None]] = []
    for raw in schema[keyword]:
        label = None
        if prop and isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
            label = mapping.get(raw["$ref"], raw["$ref"].rsplit("/", 1)[-1])
        target = {"allOf": [base, raw]} if has_base else raw
        branches.append((compiler.compile(target, name), _weight(compiler.index, raw), label))
    whole = schema
    index = compiler.index
    exclusive = keyword == "oneOf"
    raws = list(schema[keyword])
    compiler._alive.append(raws)

    def choose(draw: Draw) -> Any:
        order = list(range(len(branches)))
        draw.rng.shuffle(order)
        if draw.depth >= SHALLOW_FROM:
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
            broken = isinstance(value, dict) and _break_overlap(value, i, raws, index)
            if broken and index.is_valid(whole, value):
                return value
        raise GenerationError(
            f"no {keyword} branch could be satisfied" + (f": {last}" if last else "")
        )

    return choose


def _break_overlap(value: dict[str, Any], chosen: int, raws: list[Any], index: SchemaIndex) -> bool:
    """oneOf: `value`, made from branch `chosen`, also matches other branches. Give each such
    branch a property it declares (and `chosen` does not) with a value of the wrong type, so
    that exactly one branch matches. Returns whether anything changed."""
    try:
        mine = set(declared_properties(index, raws[chosen]))
    except UnresolvedRef:
        return False
    changed = False
    for j, other in enumerate(raws):
        if j == chosen or not index.is_valid(other, value):
            continue
        try:
            props = declared_properties(index, other)
        except UnresolvedRef:
            continue
        for prop, sub in props.items():
            if prop in mine:
                continue
            wrongs: tuple[Any, ...] = ("x", 0, [], None)
            for wrong in wrongs:
                value[prop] = wrong
                if not index.is_valid(sub, wrong):
                    changed = True
                    break
            else:
                del value[prop]
                continue
            break
    return changed


def _weight(index: SchemaIndex, schema: Any) -> int:
    """How deep a branch tends to go: null < scalars < arrays < objects."""
    try:
        schema = index.deref(schema)
    except UnresolvedRef:
        return 9
    if not isinstance(schema, dict):
        return 1
    kind = schema.get("type")
    kinds = [kind] if isinstance(kind, str) else list(kind or [infer_type(schema)])
    if "null" in kinds:
        return 0
    if "object" in kinds:
        return 3
    return 2 if "array" in kinds else 1

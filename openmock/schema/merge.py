"""Merge `allOf` branches into one schema the generator can work from.

The merge is a generation aid, not a validator: whatever it cannot express exactly is kept
under `allOf` of the merged schema so the independent validation still sees it.
"""

from __future__ import annotations

from typing import Any

from openmock.schema.index import SchemaIndex
from openmock.schema.nodes import child_map

_MAX = {"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains"}
_MIN = {"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains"}
MAX_DEPTH = 16


def _types(value: Any) -> set[str] | None:
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def flatten_all_of(schema: dict[str, Any], index: SchemaIndex, depth: int = 0) -> list[Any]:
    """The schema without its allOf, followed by every (dereferenced) allOf branch, flattened."""
    base = {k: v for k, v in schema.items() if k != "allOf"}
    parts: list[Any] = [base]
    if depth > MAX_DEPTH:
        return parts
    for branch in schema.get("allOf") or []:
        branch = index.deref(branch)
        if isinstance(branch, dict) and ("allOf" in branch or "$ref" in branch):
            if "$ref" in branch:
                target = index.deref({"$ref": branch["$ref"]})
                rest = {k: v for k, v in branch.items() if k != "$ref"}
                parts.extend(
                    flatten_all_of(target, index, depth + 1)
                    if isinstance(target, dict)
                    else [target]
                )
                if rest:
                    parts.extend(flatten_all_of(rest, index, depth + 1))
            else:
                parts.extend(flatten_all_of(branch, index, depth + 1))
        else:
            parts.append(branch)
    return parts


def merge(parts: list[Any]) -> dict[str, Any] | bool:
    merged: dict[str, Any] = {}
    leftovers: list[Any] = []
    for part in parts:
        if part is False:
            return False
        if part is True or not isinstance(part, dict):
            continue
        for key, value in part.items():
            if key not in merged:
                merged[key] = (
                    dict(value)
                    if key == "properties" and isinstance(value, dict)
                    else list(value)
                    if key == "required" and isinstance(value, list)
                    else value
                )
                continue
            current = merged[key]
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    if name in current and current[name] != sub:
                        current[name] = {"allOf": [current[name], sub]}
                    else:
                        current.setdefault(name, sub)
            elif key == "required" and isinstance(value, list):
                current.extend(v for v in value if v not in current)
            elif key == "type":
                a, b = _types(current), _types(value)
                if a is not None and b is not None:
                    both = a & b
                    if not both and "number" in (a | b) and "integer" in (a | b):
                        both = {"integer"}
                    if not both:
                        return False
                    merged[key] = sorted(both, key=lambda t: t == "null")
            elif key == "enum" and isinstance(value, list) and isinstance(current, list):
                merged[key] = [v for v in current if v in value]
            elif key in _MAX and isinstance(value, int | float):
                merged[key] = max(current, value)
            elif key in _MIN and isinstance(value, int | float):
                merged[key] = min(current, value)
            elif key == "additionalProperties" and value is False:
                merged[key] = False
            elif key in ("items", "additionalProperties", "not", "contains", "propertyNames"):
                if current != value:
                    merged[key] = {"allOf": [current, value]}
            elif current != value and key not in ("description", "title", "example", "examples"):
                leftovers.append({key: value})
    if leftovers:
        merged["allOf"] = leftovers
    return merged


def declared_properties(index: SchemaIndex, schema: Any) -> dict[str, Any]:
    """The properties a schema declares at its top level, through $ref and allOf.
    Raises UnresolvedRef when the schema itself cannot be resolved."""
    target = index.deref(schema)
    if not isinstance(target, dict):
        return {}
    found: dict[str, Any] = {}
    for part in flatten_all_of(target, index):
        if isinstance(part, dict):
            found.update(child_map(part, "properties"))
    return found

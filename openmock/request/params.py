"""Parameters of a request, deserialised per OpenAPI `style` and `explode`.

Values are coerced to their schema's types where the text allows it ("42" -> 42 for an
integer); text that does not fit is kept as text so that validation can say what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import unquote

from openmock.model import Parameter
from openmock.schema.index import SCHEMA_ERRORS

Deref = Callable[[Any], Any]
_MISSING = object()


class RequestParts(NamedTuple):
    """The raw parameter sources of one request."""

    path: Mapping[str, str]
    query: list[tuple[str, str]]  # decoded pairs, in order
    headers: Mapping[str, str]  # lower-case names
    cookies: Mapping[str, str]


def cookies_of(header: str | None) -> dict[str, str]:
    """The cookies of a `Cookie` header: `a=1; b="2"` -> {"a": "1", "b": "2"}."""
    cookies: dict[str, str] = {}
    for part in (header or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            cookies[name] = value.strip('"')
    return cookies


@dataclass
class ParsedParameters:
    values: dict[tuple[str, str], Any] = field(default_factory=dict)  # (location, name)
    missing: list[Parameter] = field(default_factory=list)  # required and absent

    def get(self, location: str, name: str, default: Any = None) -> Any:
        return self.values.get((location, name), default)


def schema_kind(schema: Any, deref: Deref) -> tuple[str, Any]:
    """The main type of a parameter schema ('string' when unsure) and the schema."""
    try:
        schema = deref(schema)
    except SCHEMA_ERRORS:  # an unresolved $ref (the importer has said so)
        return "string", {}
    if not isinstance(schema, dict):
        return "string", {}
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), "string")
    if not declared:
        if "properties" in schema or "additionalProperties" in schema:
            declared = "object"
        elif "items" in schema or "prefixItems" in schema:
            declared = "array"
        else:
            for branch_key in ("oneOf", "anyOf", "allOf"):
                for branch in schema.get(branch_key) or []:
                    kind, sub = schema_kind(branch, deref)
                    if kind != "string":
                        return kind, sub
            declared = "string"
    return str(declared), schema


def coerce(text: str, schema: Any, deref: Deref) -> Any:
    """A scalar from its text, per the schema's type; the text itself when it does not fit."""
    kind, _ = schema_kind(schema, deref)
    return coerce_kind(text, kind)


def coerce_kind(text: str, kind: str) -> Any:
    """`coerce` for a schema whose main type is already known."""
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text)
            return int(number) if text.lstrip("-").isdigit() else number
    except ValueError:
        return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind == "null" and text in ("", "null"):
        return None
    return text


def _array(parts: list[str], schema: dict[str, Any], deref: Deref) -> list[Any]:
    """The items typed by their schemas: 3.1's `prefixItems` position by position, then
    `items` (`pair=1,a` for [integer, string] is [1, "a"])."""
    prefix = schema.get("prefixItems")
    positional = prefix if isinstance(prefix, list) else []
    items = schema.get("items", {})
    return [
        coerce(p, positional[i] if i < len(positional) else items, deref)
        for i, p in enumerate(parts)
    ]


def _object_from_pairs(parts: list[str], schema: dict[str, Any], deref: Deref) -> dict[str, Any]:
    props = schema.get("properties") or {}
    out: dict[str, Any] = {}
    for i in range(0, len(parts) - 1, 2):
        out[parts[i]] = coerce(parts[i + 1], props.get(parts[i], {}), deref)
    return out


def _object_from_assignments(
    parts: list[str], schema: dict[str, Any], deref: Deref
) -> dict[str, Any]:
    props = schema.get("properties") or {}
    out: dict[str, Any] = {}
    for part in parts:
        key, _, value = part.partition("=")
        out[key] = coerce(value, props.get(key, {}), deref)
    return out


def _split_value(
    text: str, kind: str, schema: dict[str, Any], sep: str, explode: bool, deref: Deref
) -> Any:
    if kind == "array":
        return _array(text.split(sep) if text else [], schema, deref)
    if kind == "object":
        parts = text.split(sep) if text else []
        if explode and any("=" in p for p in parts):
            return _object_from_assignments(parts, schema, deref)
        return _object_from_pairs(parts, schema, deref)
    return coerce_kind(text, kind)  # `schema` is resolved and `kind` its type already


def _path_value(param: Parameter, text: str, deref: Deref) -> Any:
    kind, schema = schema_kind(param.schema, deref)
    if param.style == "label":
        text = text[1:] if text.startswith(".") else text
        return _split_value(text, kind, schema, "." if param.explode else ",", param.explode, deref)
    if param.style == "matrix":
        prefix = f";{param.name}="
        if kind == "object" and param.explode:
            parts = [p for p in text.split(";") if p]
            return _object_from_assignments(parts, schema, deref)
        if kind == "array" and param.explode:
            return _array([p[len(prefix) - 1 :] for p in text.split(";") if p], schema, deref)
        text = text[len(prefix) :] if text.startswith(prefix) else text.lstrip(";")
        return _split_value(text, kind, schema, ",", False, deref)
    return _split_value(text, kind, schema, ",", param.explode, deref)


def _query_value(param: Parameter, query: list[tuple[str, str]], deref: Deref) -> Any:
    kind, schema = schema_kind(param.schema, deref)
    name = param.name
    if param.style == "deepObject":
        prefix = name + "["
        props = schema.get("properties") or {}
        found = {
            k[len(prefix) : -1]: v for k, v in query if k.startswith(prefix) and k.endswith("]")
        }
        if not found:
            return _MISSING
        return {k: coerce(v, props.get(k, {}), deref) for k, v in found.items()}
    values = [v for k, v in query if k == name]
    if kind == "object" and param.explode and param.style == "form":
        props = schema.get("properties") or {}
        found = {k: coerce(v, props.get(k, {}), deref) for k, v in query if k in props}
        return found if found else _MISSING
    if not values:
        return _MISSING
    if kind == "array":
        if param.explode and param.style == "form":
            return _array(values, schema, deref)
        sep = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(param.style, ",")
        return _array(values[-1].split(sep) if values[-1] else [], schema, deref)
    if kind == "object":
        return _split_value(values[-1], kind, schema, ",", False, deref)
    return coerce_kind(values[-1], kind)


def parse_parameters(
    params: tuple[Parameter, ...], parts: RequestParts, deref: Deref
) -> ParsedParameters:
    parsed = ParsedParameters()
    for param in params:
        value: Any = _MISSING
        if param.content_type is not None:
            raw = _raw(param, parts)
            if raw is not None:
                try:
                    value = json.loads(raw)
                except ValueError:
                    value = raw
        elif param.location == "path":
            if param.name in parts.path:
                value = _path_value(param, parts.path[param.name], deref)
        elif param.location == "query":
            value = _query_value(param, parts.query, deref)
        elif param.location == "header":
            raw = parts.headers.get(param.name.lower())
            if raw is not None:
                kind, schema = schema_kind(param.schema, deref)
                value = _split_value(raw.strip(), kind, schema, ",", param.explode, deref)
        elif param.location == "cookie":
            raw = parts.cookies.get(param.name)
            if raw is not None:
                kind, schema = schema_kind(param.schema, deref)
                value = _split_value(unquote(raw), kind, schema, ",", False, deref)
        if value is _MISSING:
            if param.required:
                parsed.missing.append(param)
            continue
        parsed.values[(param.location, param.name)] = value
    return parsed


def _raw(param: Parameter, parts: RequestParts) -> str | None:
    if param.location == "path":
        return parts.path.get(param.name)
    if param.location == "query":
        values = [v for k, v in parts.query if k == param.name]
        return values[-1] if values else None
    if param.location == "header":
        return parts.headers.get(param.name.lower())
    return parts.cookies.get(param.name)

"""XML bodies as OpenAPI's XML Object describes them: element names from `xml.name` (else the
property's name, else the component's), arrays unwrapped unless `wrapped: true` (a root array
is always wrapped, so the document has one root), `attribute: true` properties as
attributes, `prefix` and `namespace` on the element that declares them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

Deref = Callable[[Any], Any]  # a schema through its $refs (None when it cannot be resolved)
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def to_xml(value: Any, schema: Any, deref: Deref) -> str:
    """An XML document of `value`, a value of `schema` (its $ref kept: the component's name
    names the root when `xml.name` does not)."""
    root = _xml(deref(schema)).get("name") or _component(schema) or "root"
    return DECLARATION + _element(value, schema, str(root), deref, root=True)


def _xml(schema: Any) -> dict[str, Any]:
    found = schema.get("xml") if isinstance(schema, dict) else None
    return found if isinstance(found, dict) else {}


def _component(schema: Any) -> str | None:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) and "/" in ref else None


def _tag(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "item"
    return cleaned if cleaned[0].isalpha() or cleaned[0] == "_" else f"_{cleaned}"


def _qualified(name: str, xml: dict[str, Any]) -> tuple[str, str]:
    """The element's qualified name and its namespace declaration (or '')."""
    prefix = xml.get("prefix")
    tag = f"{_tag(str(prefix))}:{_tag(name)}" if prefix else _tag(name)
    namespace = xml.get("namespace")
    if not isinstance(namespace, str):
        return tag, ""
    declared = f"xmlns:{_tag(str(prefix))}" if prefix else "xmlns"
    return tag, f" {declared}={quoteattr(namespace)}"


def _properties(schema: Any, deref: Deref) -> dict[str, Any]:
    """A schema's properties, through allOf."""
    found: dict[str, Any] = {}
    parts = [schema]
    while parts:
        part = deref(parts.pop())
        if isinstance(part, dict):
            props = part.get("properties")
            if isinstance(props, dict):
                found.update(props)
            all_of = part.get("allOf")
            if isinstance(all_of, list):
                parts.extend(all_of)
    return found


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def _element(value: Any, schema: Any, name: str, deref: Deref, root: bool = False) -> str:
    target = deref(schema)
    xml = _xml(target)
    tag, namespace = _qualified(str(xml.get("name") or name), xml)
    if isinstance(value, list):  # an array as an element of its own: its items inside
        return f"<{tag}{namespace}>{_items(value, target, name, deref)}</{tag}>"
    if isinstance(value, dict):
        props = _properties(schema, deref)
        attributes, children = [], []
        for key, item in value.items():
            sub = props.get(key, {})
            sub_xml = _xml(deref(sub))
            if sub_xml.get("attribute") and not isinstance(item, dict | list):
                attr, _ = _qualified(str(sub_xml.get("name") or key), sub_xml)
                attributes.append(f" {attr}={quoteattr(_text(item))}")
            elif isinstance(item, list):
                children.append(_array(item, sub, str(key), deref))
            else:
                children.append(_element(item, sub, str(key), deref))
        inner = "".join(children)
        return f"<{tag}{namespace}{''.join(attributes)}>{inner}</{tag}>"
    if value is None:
        return f"<{tag}{namespace}/>"
    return f"<{tag}{namespace}>{escape(_text(value))}</{tag}>"


def _items(values: list[Any], array: Any, name: str, deref: Deref) -> str:
    items = array.get("items", {}) if isinstance(array, dict) else {}
    item_name = _xml(deref(items)).get("name") or _component(items) or name
    return "".join(_element(v, items, str(item_name), deref) for v in values)


def _array(values: list[Any], schema: Any, name: str, deref: Deref) -> str:
    """A property's array: its items side by side, or inside one element when `wrapped`."""
    target = deref(schema)
    xml = _xml(target)
    if not xml.get("wrapped"):
        items = target.get("items", {}) if isinstance(target, dict) else {}
        item_name = _xml(deref(items)).get("name") or xml.get("name") or name
        return "".join(_element(v, items, str(item_name), deref) for v in values)
    tag, namespace = _qualified(str(xml.get("name") or name), xml)
    return f"<{tag}{namespace}>{_items(values, target, name, deref)}</{tag}>"

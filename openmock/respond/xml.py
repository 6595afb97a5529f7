"""XML bodies as OpenAPI's XML Object describes them: element names from `xml.name` (else the
property's name, else the component's), arrays unwrapped unless `wrapped: true` (a root array
is always wrapped, so the document has one root), `attribute: true` properties as
attributes, `prefix` and `namespace` on the element that declares them."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from openmock.schema.xmlobject import (
    Deref,
    component_name,
    item_name,
    properties,
    qualified,
    xml_of,
)

Bound = tuple[str, ...]  # the prefixes enclosing elements bind to a namespace
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def to_xml(value: Any, schema: Any, deref: Deref) -> str:
    """An XML document of `value`, a value of `schema` (its $ref kept: the component's name
    names the root when `xml.name` does not)."""
    root = xml_of(deref(schema)).get("name") or component_name(schema) or "root"
    return DECLARATION + _element(value, schema, str(root), deref, root=True)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def _element(
    value: Any, schema: Any, name: str, deref: Deref, root: bool = False, bound: Bound = ()
) -> str:
    target = deref(schema)
    xml = xml_of(target)
    tag, namespace, bound = _open(str(xml.get("name") or name), xml, bound)
    if isinstance(value, list):  # an array as an element of its own: its items inside
        return f"<{tag}{namespace}>{_items(value, target, name, deref, bound)}</{tag}>"
    if isinstance(value, dict):
        props = properties(schema, deref)
        attributes, children = [], []
        for key, item in value.items():
            sub = props.get(key, {})
            sub_xml = xml_of(deref(sub))
            if sub_xml.get("attribute") and not isinstance(item, dict | list):
                attr, _, _ = _open(str(sub_xml.get("name") or key), sub_xml, bound)
                attributes.append(f" {attr}={quoteattr(_text(item))}")
            elif isinstance(item, list):
                children.append(_array(item, sub, str(key), deref, bound))
            else:
                children.append(_element(item, sub, str(key), deref, bound=bound))
        inner = "".join(children)
        return f"<{tag}{namespace}{''.join(attributes)}>{inner}</{tag}>"
    if value is None:
        return f"<{tag}{namespace}/>"
    return f"<{tag}{namespace}>{escape(_text(value))}</{tag}>"


def _open(name: str, xml: dict[str, Any], bound: Bound) -> tuple[str, str, Bound]:
    """An element's qualified name, its namespace declaration and the prefixes bound inside
    it. A `prefix` no enclosing element binds to a namespace is left out (the document would
    not be well-formed XML with it)."""
    prefix = xml.get("prefix")
    if prefix and not isinstance(xml.get("namespace"), str) and str(prefix) not in bound:
        xml = {key: value for key, value in xml.items() if key != "prefix"}
    tag, namespace = qualified(name, xml)
    if prefix and namespace:
        bound = (*bound, str(prefix))
    return tag, namespace, bound


def _items(values: list[Any], array: Any, name: str, deref: Deref, bound: Bound) -> str:
    items = array.get("items", {}) if isinstance(array, dict) else {}
    named = item_name(array, name, deref)
    return "".join(_element(v, items, named, deref, bound=bound) for v in values)


def _array(values: list[Any], schema: Any, name: str, deref: Deref, bound: Bound) -> str:
    """A property's array: its items side by side, or inside one element when `wrapped`."""
    target = deref(schema)
    xml = xml_of(target)
    if not xml.get("wrapped"):
        items = target.get("items", {}) if isinstance(target, dict) else {}
        name_of_items = str(xml_of(deref(items)).get("name") or xml.get("name") or name)
        return "".join(_element(v, items, name_of_items, deref, bound=bound) for v in values)
    tag, namespace, bound = _open(str(xml.get("name") or name), xml, bound)
    return f"<{tag}{namespace}>{_items(values, target, name, deref, bound)}</{tag}>"

"""XML request bodies read into the value their schema describes, by the same XML Object
rules the answers are written with (schema/xmlobject.py), so a JSON Schema can judge them:
`<Pet id="7"><name>Rex</name><tag>a</tag><tag>b</tag></Pet>` is `{"id": 7, "name": "Rex",
"tag": ["a", "b"]}` where `id` is an attribute and `tag` an unwrapped array. Text is typed by
the schema's main type (`7` an integer where it says integer, the text itself where it does
not fit, so the schema reports it); elements no property names are kept as text, so
`additionalProperties: false` still sees them."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from openmock.request.params import coerce, schema_kind
from openmock.schema.xmlobject import Deref, item_name, properties, xml_of

MAX_DEPTH = 32


def read_xml(raw: bytes) -> Element | str:
    """The root element of an XML body, or why it is not well-formed XML (expat refuses entity
    expansion bombs and never fetches external entities)."""
    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        return f"the body is not well-formed XML: {exc}"


def local(name: str) -> str:
    """An element's or attribute's name without its namespace (`{urn:x}pet`, `x:pet` -> pet)."""
    return name.rpartition("}")[2].rpartition(":")[2]


def expected_root(schema: Any, deref: Deref) -> str | None:
    """The root element's name where the schema says it (`xml.name`), else None."""
    name = xml_of(deref(schema)).get("name")
    return str(name) if name else None


def xml_value(element: Element, schema: Any, deref: Deref, depth: int = 0) -> Any:
    """The value of `element` as `schema` reads it."""
    kind, target = schema_kind(schema, deref)
    if depth >= MAX_DEPTH:
        return element.text or ""
    if kind == "array":
        name = item_name(target, local(element.tag), deref)
        items = target.get("items", {}) if isinstance(target, dict) else {}
        children = [c for c in element if local(c.tag) == name] or list(element)
        return [xml_value(c, items, deref, depth + 1) for c in children]
    if kind == "object":
        return _object(element, schema, deref, depth)
    if len(element):  # elements inside a scalar: kept as an object, which the schema refuses
        return {local(child.tag): child.text or "" for child in element}
    text = element.text or ""
    if text == "" and kind != "string":
        return None  # `<price/>`: how the answers write a null
    return coerce(text.strip() if kind != "string" else text, schema, deref)


def _object(element: Element, schema: Any, deref: Deref, depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    claimed: set[int] = set()
    attributes = {local(name): text for name, text in element.attrib.items()}
    for key, sub in properties(schema, deref).items():
        sub_target = deref(sub)
        sub_xml = xml_of(sub_target)
        name = str(sub_xml.get("name") or key)
        if sub_xml.get("attribute"):
            if name in attributes:
                value[key] = coerce(attributes.pop(name), sub, deref)
            continue
        kind, target = schema_kind(sub, deref)
        if kind == "array" and not sub_xml.get("wrapped"):
            items = target.get("items", {}) if isinstance(target, dict) else {}
            wanted = str(xml_of(deref(items)).get("name") or name)
            found = [(i, c) for i, c in enumerate(element) if local(c.tag) == wanted]
            if found:
                claimed.update(i for i, _ in found)
                value[key] = [xml_value(c, items, deref, depth + 1) for _, c in found]
            continue
        for index, child in enumerate(element):
            if index not in claimed and local(child.tag) == name:
                claimed.add(index)
                value[key] = xml_value(child, sub, deref, depth + 1)
                break
    for name, text in attributes.items():
        if not name.startswith("xmlns"):
            value.setdefault(name, text)
    for index, child in enumerate(element):
        if index not in claimed:
            value.setdefault(local(child.tag), child.text or "")
    return value

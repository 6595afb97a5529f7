"""OpenAPI's XML Object, the rules both directions share: an element's name comes from
`xml.name`, else the property's name, else the component's; `prefix` and `namespace` qualify
it; `attribute: true` makes a property an attribute; an array's items stand side by side
unless `wrapped: true` puts them in one element."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import quoteattr

Deref = Callable[[Any], Any]  # a schema through its $refs (None when it cannot be resolved)


def xml_of(schema: Any) -> dict[str, Any]:
    """A schema's XML Object ({} when it has none)."""
    found = schema.get("xml") if isinstance(schema, dict) else None
    return found if isinstance(found, dict) else {}


def component_name(schema: Any) -> str | None:
    """The component a `$ref` names (`#/components/schemas/Pet` -> Pet)."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) and "/" in ref else None


def tag(name: str) -> str:
    """A name made into a valid element name."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "item"
    return cleaned if cleaned[0].isalpha() or cleaned[0] == "_" else f"_{cleaned}"


def qualified(name: str, xml: dict[str, Any]) -> tuple[str, str]:
    """The element's qualified name and its namespace declaration (or '')."""
    prefix = xml.get("prefix")
    qualified_name = f"{tag(str(prefix))}:{tag(name)}" if prefix else tag(name)
    namespace = xml.get("namespace")
    if not isinstance(namespace, str):
        return qualified_name, ""
    declared = f"xmlns:{tag(str(prefix))}" if prefix else "xmlns"
    return qualified_name, f" {declared}={quoteattr(namespace)}"


def properties(schema: Any, deref: Deref) -> dict[str, Any]:
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


def item_name(array: Any, fallback: str, deref: Deref) -> str:
    """The element name of an array's items: their `xml.name`, their component's, else
    `fallback`."""
    items = array.get("items", {}) if isinstance(array, dict) else {}
    return str(xml_of(deref(items)).get("name") or component_name(items) or fallback)

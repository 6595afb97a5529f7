"""An operation's `callbacks` and a 3.1 document's `webhooks`, read into `Callback`s: the calls
openmock makes rather than answers (server/outbound.py makes them)."""

from __future__ import annotations

from typing import Any

from openmock.delays import parse_delay
from openmock.importer.responses import example_values
from openmock.model import Callback
from openmock.schema.index import SchemaIndex
from openmock.schema.nodes import child_map
from openmock.schema.pointers import escape_pointer_token
from openmock.spec.convert import HTTP_METHODS

DELAY_KEY = "x-openmock-delay"


def operation_callbacks(
    op: dict[str, Any], index: SchemaIndex, pointer: str
) -> tuple[Callback, ...]:
    """The callbacks an operation documents: each expression's operations."""
    found: list[Callback] = []
    for name, raw in child_map(op, "callbacks").items():
        callback = index.deref(raw)
        where = f"{pointer}/callbacks/{escape_pointer_token(name)}"
        if not isinstance(callback, dict):
            continue
        for expression, item in callback.items():
            if str(expression).startswith("x-"):
                continue
            item_where = f"{where}/{escape_pointer_token(str(expression))}"
            found.extend(_calls(str(name), str(expression), index.deref(item), index, item_where))
    return tuple(found)


def webhooks(document: dict[str, Any], index: SchemaIndex) -> tuple[Callback, ...]:
    """A 3.1 document's webhooks (sent to a URL the admin call names)."""
    found: list[Callback] = []
    for name, item in child_map(document, "webhooks").items():
        where = f"/webhooks/{escape_pointer_token(name)}"
        found.extend(_calls(str(name), "", index.deref(item), index, where))
    return tuple(found)


def _calls(name: str, url: str, item: Any, index: SchemaIndex, pointer: str) -> list[Callback]:
    if not isinstance(item, dict):
        return []
    made = []
    for method in HTTP_METHODS:
        op = item.get(method)
        if not isinstance(op, dict):
            continue
        where = f"{pointer}/{method}"
        media_type, schema, example = None, None, None
        body = index.deref(op.get("requestBody"))
        content = child_map(body, "content") if isinstance(body, dict) else {}
        for media_type, media in content.items():
            media = media if isinstance(media, dict) else {}
            schema = media.get("schema")
            m_where = f"{where}/requestBody/content/{escape_pointer_token(media_type)}"
            examples = example_values(media, index, m_where)
            example = examples[0] if examples else None
            break
        delay = parse_delay(op[DELAY_KEY], f"{where}/{DELAY_KEY}") if DELAY_KEY in op else None
        made.append(Callback(name, url, method.upper(), media_type, schema, example, delay, where))
    return made

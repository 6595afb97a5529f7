"""Bytes of a value for a media type: JSON, text, XML, forms, YAML, binary; header values in
OpenAPI's `simple` style."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import orjson
import yaml

from openmock.mediatypes import base_type, is_json, is_xml
from openmock.respond.files import FILES, STREAMS
from openmock.respond.xml import to_xml
from openmock.schema.xmlobject import Deref


def _text_media(media_type: str) -> bool:
    base = base_type(media_type)
    return base.startswith("text/") and not base.endswith("xml")


def serialise(value: Any, media_type: str, schema: Any = None, deref: Deref | None = None) -> bytes:
    """Bytes of `value` for `media_type`: JSON for JSON types, text for text types, XML for
    XML types (as `schema`'s XML Object says, `deref` following its $refs), files and streams
    in their own format (files.py), bytes as they are for binary types."""
    if isinstance(value, bytes):
        return value
    base = base_type(media_type)
    if base in FILES and isinstance(value, str):  # a generated stand-in for the file's bytes
        return FILES[base]
    if base in STREAMS:
        return STREAMS[base](value)
    if is_json(base) or base == "application/problem+json":
        try:
            return orjson.dumps(value)
        except TypeError:  # integers beyond 64 bits
            return json.dumps(value).encode()
    if isinstance(value, str):
        return value.encode()
    if is_xml(base):
        return to_xml(value, schema, deref or _as_is).encode()
    if base == "application/x-www-form-urlencoded" and isinstance(value, dict):
        return urlencode(
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}
        ).encode()
    if base in ("application/yaml", "application/x-yaml", "text/yaml"):
        return yaml.safe_dump(value, sort_keys=False).encode()
    if _text_media(base):
        return json.dumps(value).encode()
    return orjson.dumps(value)


def _as_is(schema: Any) -> Any:
    return schema


def header_text(value: Any) -> str:
    """A header value in OpenAPI's `simple` style; never a line break."""
    if isinstance(value, list):
        text = ",".join(header_text(v) for v in value)
    elif isinstance(value, dict):
        text = ",".join(f"{k},{header_text(v)}" for k, v in value.items())
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = ""
    else:
        text = str(value)
    return text.replace("\r", " ").replace("\n", " ")

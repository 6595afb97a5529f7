"""Request bodies: read with a size limit, parsed by media type (JSON, form-urlencoded)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson

from openmock.mediatypes import base_type, is_json

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024  # larger bodies get 413 (MockOptions.max_body_bytes)


class BodyTooLarge(Exception):
    """The request body is over the limit."""


@dataclass(frozen=True)
class ParsedBody:
    value: Any = None
    parsed: bool = False  # False: empty, a media type we do not parse, or malformed
    error: str | None = None  # why a body of a parsed media type could not be read


def parse_body(raw: bytes, content_type: str | None) -> ParsedBody:
    if not raw:
        return ParsedBody()
    base = base_type(content_type or "")
    if is_json(base) or not base:
        try:
            return ParsedBody(orjson.loads(raw), True)
        except orjson.JSONDecodeError as exc:
            if not base:
                return ParsedBody()
            return ParsedBody(error=f"the body is not valid JSON: {exc}")
    if base == "application/x-www-form-urlencoded":
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return ParsedBody(error="the form body is not UTF-8")
        return ParsedBody(dict(parse_qsl(text, keep_blank_values=True)), True)
    return ParsedBody()

"""Request bodies: read with a size limit, parsed by media type (JSON, form-urlencoded,
multipart/form-data). Form fields stay text (a repeated name becomes a list); typing them
is validation's job, which knows the schema."""

from __future__ import annotations

from collections.abc import Container
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, NamedTuple
from urllib.parse import unquote, unquote_plus

import orjson

from openmock.mediatypes import base_type, is_json, is_xml
from openmock.request.multipart import boundary_of, read_plain_multipart
from openmock.request.xml import read_xml

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024  # larger bodies get 413 (MockOptions.max_body_bytes)


class BodyTooLarge(Exception):
    """The request body is over the limit."""


class ParsedBody(NamedTuple):
    """A request body as read (a named tuple: made for every request with a body, and made
    in half a frozen dataclass's time, 0.8 against 1.5 us, timeit)."""

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
        return read_form(raw)
    if base == "multipart/form-data":
        return _multipart(raw, content_type or "")
    if is_xml(base):
        return _xml(raw)
    return ParsedBody()


def _xml(raw: bytes) -> ParsedBody:
    """An XML body, checked to be well-formed; read as a value where validation knows its
    schema (request/xml.py)."""
    root = read_xml(raw)
    return ParsedBody(error=root) if isinstance(root, str) else ParsedBody()


def form_fields(text: str) -> dict[str, Any]:
    """`a=1&b=x+y&c&b=z` -> {"a": "1", "b": ["x y", "z"], "c": ""}: parse_qsl's pairs with
    blank values kept, as `collect_fields` gathers them. A Stripe-style form escapes the
    brackets of every name: those are unescaped once over the whole body; then only the
    names and values that still hold an escape (or a `+`) are unescaped, most of a form's
    being plain."""
    if "%5" in text:
        text = text.replace("%5B", "[").replace("%5D", "]")
        if "%5" in text:
            text = text.replace("%5b", "[").replace("%5d", "]")
    fields: dict[str, Any] = {}
    for part in text.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in value:
            value = unquote(value.replace("+", " "))
        elif "+" in value:
            value = value.replace("+", " ")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if name in fields:
            _repeat(fields, name, value)
        else:
            fields[name] = value
    return fields


def read_form(raw: bytes) -> ParsedBody:
    """An application/x-www-form-urlencoded body's fields."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return ParsedBody(error="the form body is not UTF-8")
    return ParsedBody(form_fields(text), True)


def collect_fields(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Form pairs as a dict; a name sent more than once (an exploded array) gives a list."""
    fields: dict[str, Any] = {}
    for name, value in pairs:
        if name in fields:
            _repeat(fields, name, value)
        else:
            fields[name] = value
    return fields


def _repeat(fields: dict[str, Any], name: str, value: str) -> None:
    """A name sent again: its values become a list."""
    before = fields[name]
    fields[name] = [*before, value] if isinstance(before, list) else [before, value]


def _multipart(raw: bytes, content_type: str) -> ParsedBody:
    if "boundary=" not in content_type.lower():
        return ParsedBody(error="the multipart body's Content-Type has no boundary")
    boundary = boundary_of(content_type)
    plain = read_plain_multipart(raw, boundary) if boundary else None
    if plain is not None:
        return ParsedBody(collect_fields(plain), True)
    return multipart_by_email(raw, content_type)


def multipart_by_email(raw: bytes, content_type: str) -> ParsedBody:
    """Any multipart body, by the stdlib's email parser (slow: the shapes the plain reader
    leaves, and the errors)."""
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    message = BytesParser(policy=policy.HTTP).parsebytes(head + raw)
    boundary = message.get_boundary()
    if boundary and raw.strip() == f"--{boundary}--".encode("latin-1", "replace"):
        return ParsedBody({}, True)  # a form with no fields
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        return ParsedBody(error="the multipart body could not be read")
    for defect in message.defects:  # (a part would then be blamed for the whole body)
        if isinstance(defect, errors.StartBoundaryNotFoundDefect):
            return ParsedBody(error=f"the multipart body does not start with --{boundary}")
        if isinstance(defect, errors.CloseBoundaryNotFoundDefect):
            return ParsedBody(
                error=f"the multipart body is cut short: it does not end with --{boundary}--"
            )
    pairs: list[tuple[str, str]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            return ParsedBody(error="a multipart part has no name in its Content-Disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is None:
            charset = part.get_content_charset() or "utf-8"
            pairs.append((name, data.decode(charset, "replace")))
        else:  # a file: its bytes, as the text a `format: binary` string stands for
            pairs.append((name, data.decode("latin-1")))
    return ParsedBody(collect_fields(pairs), True)


def unflatten_brackets(fields: dict[str, Any], literal: Container[str]) -> dict[str, Any]:
    """Form fields in bracket notation as nested values, as Stripe, Rails and PHP clients
    send them: `card[number]=4242` -> {"card": {"number": "4242"}}, `items[0][price]=p` ->
    {"items": [{"price": "p"}]}, `tags[]=a&tags[]=b` -> {"tags": ["a", "b"]}. Names in
    `literal` (declared with their brackets) are kept as they are."""
    nested: dict[str, Any] = {}
    indexed: set[str] = set()  # the roots with indexes: only they need a second pass
    for key, value in fields.items():
        if key in literal or "[" not in key or not key.endswith("]") or key.startswith("["):
            nested[key] = value
            continue
        root, _, rest = key.partition("[")
        path = rest[:-1].split("][")
        node = nested.setdefault(root, {})
        if isinstance(node, dict):  # else `a=1&a[b]=2`: the flat field wins
            for part in path[:-1]:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    break
                node = child
            else:
                node[path[-1]] = value
        if root not in indexed and ("[]" in key or any(p.isdigit() for p in path)):
            indexed.add(root)
    for root in indexed:
        nested[root] = _listed(nested[root])
    return nested


def _listed(value: Any) -> Any:
    """Nodes keyed by indexes (or `[]`) become lists, in index order."""
    if not isinstance(value, dict):
        return value
    value = {k: _listed(v) for k, v in value.items()}
    if set(value) == {""}:
        only = value[""]
        return only if isinstance(only, list) else [only]
    if value and all(k.isdigit() for k in value):
        return [value[k] for k in sorted(value, key=int)]
    return value

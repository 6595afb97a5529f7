"""Requests the spec calls valid, built from the spec with the generation engine.

The end-to-end tests send one to every operation: the mock must not reject any of them
(a mock that refuses valid requests is worse than one that validates nothing). Parameters
are serialised per their `style`/`explode`, bodies per media type, credentials per the
first security alternative.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from openmock.generate import GenerationEngine, GenerationError
from openmock.mediatypes import base_type, is_json
from openmock.model import Parameter, Stub

CREDENTIAL = "openmock-test-credential"


def simple(value: Any) -> str:
    """A value in OpenAPI's `simple` style (comma-separated arrays and objects)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(simple(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{simple(v)}" for k, v in value.items())
    return "" if value is None else str(value)


@dataclass
class ValidRequest:
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    unbuildable: list[str] = field(default_factory=list)  # what could not be expressed


def _query_pairs(param: Parameter, value: Any) -> list[tuple[str, str]]:
    name = param.name
    if param.content_type is not None:
        return [(name, json.dumps(value))]
    if isinstance(value, list):
        if param.explode and param.style == "form":
            return [(name, simple(v)) for v in value]
        sep = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(param.style, ",")
        return [(name, sep.join(simple(v) for v in value))]
    if isinstance(value, dict):
        if param.style == "deepObject":
            return [(f"{name}[{k}]", simple(v)) for k, v in value.items()]
        if param.explode:
            return [(k, simple(v)) for k, v in value.items()]
        return [(name, simple(value))]
    return [(name, simple(value))]


def _header_safe(text: str) -> bool:
    return text == text.strip() and all(32 <= ord(c) < 127 for c in text)


def build(stub: Stub, engine: GenerationEngine, key: str) -> ValidRequest:
    request = ValidRequest()
    for param in stub.parameters:
        if param.location == "path" or not param.required:
            continue
        try:
            value = engine.value(param.schema, f"{key}:{param.location}:{param.name}", "request")
        except GenerationError as exc:
            request.unbuildable.append(f"{param.location} {param.name}: {exc}")
            continue
        if param.location == "query":
            request.query.extend(_query_pairs(param, value))
            continue
        text = json.dumps(value) if param.content_type is not None else simple(value)
        if not _header_safe(text):
            request.unbuildable.append(f"{param.location} {param.name}: {text!r} is no header")
        elif param.location == "header":
            request.headers[param.name] = text
        else:
            request.cookies[param.name] = text
    if stub.security:
        for scheme in stub.security[0]:
            if scheme.kind == "apiKey":
                target = {"header": request.headers, "cookie": request.cookies}
                if scheme.location == "query":
                    request.query.append((scheme.parameter, CREDENTIAL))
                else:
                    target[scheme.location][scheme.parameter] = CREDENTIAL
            elif scheme.scheme == "basic":
                token = base64.b64encode(b"user:password").decode()
                request.headers["Authorization"] = f"Basic {token}"
            else:
                request.headers["Authorization"] = f"{scheme.scheme.title()} {CREDENTIAL}"
    body = stub.request_body
    if body is None or not body.content:
        return request
    media = next((m for m in body.content if is_json(m.media_type)), body.content[0])
    base = base_type(media.media_type)
    content_type = "application/json" if base == "*/*" else media.media_type
    if "*" in content_type:
        content_type = content_type.replace("*", "octet-stream", 1).replace("*", "x")
    if media.schema is None:
        request.content = b"{}" if is_json(content_type) else b"data"
    else:
        try:
            value = engine.value(media.schema, f"{key}:body", "request")
        except GenerationError as exc:
            request.unbuildable.append(f"body: {exc}")
            return request
        if is_json(content_type):
            request.content = json.dumps(value).encode()
        elif base in _FORMS and isinstance(value, dict) and not _form_expressible(value):
            pruned = _pruned(value)
            if engine.index.is_valid(media.schema, pruned, "request"):
                _, request.content, content_type = _form_body(base, pruned)
            else:
                request.unbuildable.append(f"body: {value!r} needs a null, {{}} or [] in a form")
        elif base in _FORMS and isinstance(value, dict):
            _, request.content, content_type = _form_body(base, value)
        elif isinstance(value, str):
            request.content = value.encode()
        else:
            request.content = json.dumps(value).encode() if not base.endswith("xml") else b"<a/>"
        if not request.content and not body.required:
            request.content = None
    if request.content is not None:
        request.headers["Content-Type"] = content_type
    return request


def with_cookies(request: ValidRequest) -> dict[str, str]:
    """The request's headers, its cookies folded into one Cookie header."""
    headers = dict(request.headers)
    if request.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in request.cookies.items())
    return headers


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _form_body(base: str, value: dict[str, Any]) -> tuple[str, bytes, str]:
    if base == "multipart/form-data":
        content_type, content = _multipart(value)
        return base, content, content_type
    pairs = [p for k, v in value.items() for p in form_pairs(k, v)]
    return base, urllib.parse.urlencode(pairs).encode(), base


def _pruned(value: Any) -> Any:
    """`value` without the nested nulls, {} and [] a form cannot carry."""
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v is not None and v != {} and v != []}
    if isinstance(value, list):
        kept_items = [_pruned(v) for v in value]
        return [v for v in kept_items if v is not None and v != {} and v != []]
    return value


def _form_expressible(value: Any, depth: int = 0) -> bool:
    """Whether a form body can carry `value`: a nested null, {} or [] has no spelling."""
    if isinstance(value, dict):
        return (bool(value) or depth == 0) and all(
            _form_expressible(v, depth + 1) for v in value.values()
        )
    if isinstance(value, list):
        return bool(value) and all(_form_expressible(v, depth + 1) for v in value)
    return value is not None


def form_pairs(name: str, value: Any) -> list[tuple[str, str]]:
    """A form field in bracket notation, as Stripe's and Rails' clients send nested values:
    `card[number]=4242`, `items[0][price]=p`. A null has no form spelling: left out."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in form_pairs(f"{name}[{k}]", v)]
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return [p for v in value for p in form_pairs(name, v)]
        return [p for i, v in enumerate(value) for p in form_pairs(f"{name}[{i}]", v)]
    return [(name, simple(value))]


def _multipart(value: dict[str, Any]) -> tuple[str, bytes]:
    boundary = "openmockboundary7MA4YWxk"
    chunks: list[bytes] = []
    for name, field_value in value.items():
        for item in field_value if isinstance(field_value, list) else [field_value]:
            if item is None:
                continue  # a null has no form spelling
            text = json.dumps(item) if isinstance(item, dict) else simple(item)
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + text.encode()
                + b"\r\n"
            )
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(chunks)


def path_value(param: Parameter, engine: GenerationEngine, key: str) -> str:
    """A concrete, percent-encoded path segment for one path parameter."""
    try:
        value = engine.value(param.schema, key, "request")
    except GenerationError:
        value = "1"
    text = urllib.parse.quote(simple(value), safe="")
    if param.style == "label":
        return "." + text
    if param.style == "matrix":
        return f";{param.name}={text}"
    return text or "1"


def concrete_path(stub: Stub, engine: GenerationEngine) -> str:
    values = {
        p.name: path_value(p, engine, f"{stub.id}:{p.name}")
        for p in stub.parameters
        if p.location == "path"
    }
    return re.sub(r"\{([^{}]+)\}", lambda m: values.get(m.group(1), "1"), stub.path)

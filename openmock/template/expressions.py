"""OpenAPI runtime expressions, as callbacks' URLs use them: `{$request.body#/callbackUrl}`,
`http://host/hook?id={$response.body#/id}`, `{$request.query.url}`, `{$request.header.X}`,
`{$request.path.id}`, `{$url}`, `{$method}`, `{$statusCode}`, `{$response.header.X}`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openmock.schema.pointers import resolve_pointer

_EXPRESSION = re.compile(r"\{(\$[^{}]+)\}")


class ExpressionError(ValueError):
    """An expression with nothing to read (the request has no such part)."""


@dataclass(frozen=True)
class Exchange:
    """What runtime expressions read: one request and the answer the mock gave it."""

    url: str = ""
    method: str = ""
    status: int = 0
    path: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: Any = None
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_body: Any = None


def evaluate(template: str, exchange: Exchange) -> str:
    """`template` with each `{$...}` replaced by what it reads. Raises ExpressionError."""
    return _EXPRESSION.sub(lambda found: _text(_read(found.group(1), exchange)), template)


def _read(expression: str, exchange: Exchange) -> Any:
    source, _, pointer = expression.partition("#")
    simple = {"$url": exchange.url, "$method": exchange.method, "$statusCode": exchange.status}
    if source in simple:
        return simple[source]
    parts = source.split(".", 2)
    if len(parts) >= 2 and parts[1] == "body" and parts[0] in ("$request", "$response"):
        body = exchange.body if parts[0] == "$request" else exchange.response_body
        try:
            return resolve_pointer(body, pointer)
        except KeyError:
            raise ExpressionError(
                f"{{{expression}}}: the body has nothing at {pointer!r}"
            ) from None
    if len(parts) == 3:
        where: Mapping[str, str] | None = {
            ("$request", "path"): exchange.path,
            ("$request", "query"): exchange.query,
            ("$request", "header"): exchange.headers,
            ("$response", "header"): exchange.response_headers,
        }.get((parts[0], parts[1]))
        if where is not None:
            name = parts[2].lower() if parts[1] == "header" else parts[2]
            if name in where:
                return where[name]
            raise ExpressionError(f"{{{expression}}}: the {parts[0][1:]} has no {parts[1]} {name}")
    raise ExpressionError(f"{{{expression}}} is not a runtime expression openmock reads")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)

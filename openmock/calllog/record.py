"""RECORD: one call as the log keeps it, with secrets redacted and bodies truncated."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from openmock.model import Stub

MAX_BODY_CHARS = 16 * 1024  # bodies past this are cut, with their full size kept
REDACTED = "[redacted]"
# Always redacted; the credentials an operation's security documents are added per stub.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})


# Header names (lower case) and query names an operation's security documents: redacted.
Secrets = tuple[frozenset[str], frozenset[str]]
NO_SECRETS: Secrets = (frozenset(), frozenset())


def secrets_of(stub: Stub) -> Secrets:
    """What the call log redacts in this operation's calls (worked out once per stub)."""
    schemes = [s for alternative in stub.security for s in alternative if s.kind == "apiKey"]
    headers = frozenset(s.parameter.lower() for s in schemes if s.location == "header")
    query = frozenset(s.parameter for s in schemes if s.location == "query")
    return headers, query


@dataclass(slots=True)
class CallRecord:
    """One call whole: what `CallStore.add` takes (tests, the embedded API) and what the admin
    API's JSON follows, field by field (the server's path makes rows directly: rows.py)."""

    id: str
    time: float  # seconds since the epoch
    method: str
    url: str  # path and query, secrets in the query redacted
    path: str
    query: dict[str, Any]
    request_headers: dict[str, str]
    request_body: str | None
    request_size: int
    stub: str | None
    scenario: str | None
    reason: str  # why this scenario answered (X-Openmock-Reason), or why nothing did
    status: int
    response_headers: dict[str, str]
    response_body: str | None
    response_size: int
    duration_ms: float
    errors: list[dict[str, Any]] = field(default_factory=list)  # validation violations
    source: str | None = None  # example | generated | problem
    seed: int | None = None
    closest: list[str] = field(default_factory=list)  # for a path that matched nothing


def truncate_body(body: bytes) -> str | None:
    """A body as text for the log: None when empty, cut past MAX_BODY_CHARS (the record
    keeps its full size), binary shown as its size."""
    if not body:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return f"[{len(body)} bytes of binary]"
    if len(text) > MAX_BODY_CHARS:
        return text[:MAX_BODY_CHARS] + f"... [truncated, {len(body)} bytes in all]"
    return text


def redact_headers(headers: Iterable[tuple[str, str]], secret: frozenset[str]) -> dict[str, str]:
    """Headers as a dict (lower-case names); secret ones' values replaced."""
    shown: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        value = REDACTED if key in SECRET_HEADERS or key in secret else value
        shown[key] = f"{shown[key]}, {value}" if key in shown else value
    return shown


def redact_query(query: str, secret: frozenset[str]) -> str:
    """The query string with the values of secret parameters replaced."""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(k in secret for k, _ in pairs):
        return query
    return urlencode([(k, REDACTED if k in secret else v) for k, v in pairs])


def status_range(text: str | int) -> tuple[int, int]:
    """A status filter: `404` -> (404, 404), `4xx` -> (400, 499). ValueError otherwise."""
    text = str(text).strip().lower()
    if len(text) == 3 and text[0] in "12345" and text[1:] == "xx":
        return int(text[0]) * 100, int(text[0]) * 100 + 99
    if len(text) == 3 and text.isdigit():
        return int(text), int(text)
    raise ValueError(f"a status is a code (404) or a class (4xx), not {text!r}")

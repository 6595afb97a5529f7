"""RECORD: one call as the log keeps it, with secrets redacted and bodies truncated."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
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


# Where each of a call's fields is kept (CallRecord's metadata): in its row, in its request
# part (the headers), in its answer part (what the mock answered), or worked out when read.
ROW, REQUEST_PART, ANSWER_PART, DERIVED = "row", "request", "answer", "derived"


IN_ROW, IN_REQUEST, IN_ANSWER = {"kept": ROW}, {"kept": REQUEST_PART}, {"kept": ANSWER_PART}
WORKED_OUT = {"kept": DERIVED}


@dataclass(slots=True)
class CallRecord:
    """One call whole: the one list of a call's fields. What `CallStore.add` takes (tests, the
    embedded API) and what the admin API's JSON follows, field by field; rows.py derives from
    it how a call is stored (its row, its parts) and read back."""

    id: str = field(metadata=IN_ROW)
    time: float = field(metadata=IN_ROW)  # seconds since the epoch
    method: str = field(metadata=IN_ROW)
    url: str = field(metadata=IN_ROW)  # path and query, secrets in the query redacted
    path: str = field(metadata=IN_ROW)
    query: dict[str, Any] = field(metadata=WORKED_OUT)  # from the URL
    request_headers: dict[str, str] = field(metadata=IN_REQUEST)
    request_body: str | None = field(metadata=IN_ROW)
    request_size: int = field(metadata=IN_ROW)
    stub: str | None = field(metadata=IN_ROW)
    scenario: str | None = field(metadata=IN_ANSWER)
    reason: str = field(metadata=IN_ANSWER)  # why this answer (X-Openmock-Reason), or why none
    status: int = field(metadata=IN_ROW)
    response_headers: dict[str, str] = field(metadata=IN_ANSWER)
    response_body: str | None = field(metadata=IN_ANSWER)
    response_size: int = field(metadata=IN_ANSWER)
    duration_ms: float = field(metadata=IN_ROW)
    errors: list[dict[str, Any]] = field(metadata=IN_ANSWER, default_factory=list)  # violations
    source: str | None = field(metadata=IN_ANSWER, default=None)  # example | generated | problem...
    seed: int | None = field(metadata=IN_ANSWER, default=None)
    closest: list[str] = field(metadata=IN_ANSWER, default_factory=list)  # a path that matched none


def kept_in(where: str) -> tuple[str, ...]:
    """The names of the fields a call keeps `where` (ROW, REQUEST_PART, ANSWER_PART...)."""
    return tuple(f.name for f in fields(CallRecord) if f.metadata["kept"] == where)


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

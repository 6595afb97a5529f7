"""What the call log keeps of one request and its answer (see openmock/calllog/)."""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from functools import partial
from typing import TYPE_CHECKING, Any

from openmock.calllog.record import CallRecord, redact_headers, redact_query, truncate_body
from openmock.model import Stub

if TYPE_CHECKING:
    from openmock.server.answer import Answer


# Header names (lower case) and query names an operation's security documents: redacted.
Secrets = tuple[frozenset[str], frozenset[str]]
NO_SECRETS: Secrets = (frozenset(), frozenset())


def secrets_of(stub: Stub) -> Secrets:
    """What the call log redacts in this operation's calls (worked out once per stub)."""
    schemes = [s for alternative in stub.security for s in alternative if s.kind == "apiKey"]
    headers = frozenset(s.parameter.lower() for s in schemes if s.location == "header")
    query = frozenset(s.parameter for s in schemes if s.location == "query")
    return headers, query


def deferred_record(
    call_id: str,
    scope: MutableMapping[str, Any],
    request_body: bytes | None,
    answer: Answer,
    secrets: Secrets,
    duration_ms: float,
) -> Callable[[], CallRecord]:
    """What the request path does for the call log: take what the record needs (cheap);
    the writer thread builds the record (redaction, decoding) when it stores it."""
    request = (scope["method"], scope["path"], scope.get("query_string", b""), scope["headers"])
    return partial(
        call_record, call_id, time.time(), request, request_body, answer, secrets, duration_ms
    )


def call_record(
    call_id: str,
    at: float,
    request: tuple[str, str, bytes, list[tuple[bytes, bytes]]],
    request_body: bytes | None,
    answer: Answer,
    secrets: Secrets,
    duration_ms: float,
) -> CallRecord:
    method, path, raw_query, raw_headers = request
    secret_headers, secret_query = secrets
    query_text, query = (
        redact_query(raw_query.decode("latin-1"), secret_query) if raw_query else ("", {})
    )
    request_headers = redact_headers(
        ((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers), secret_headers
    )
    return CallRecord(
        id=call_id,
        time=at,
        method=method,
        url=path + (f"?{query_text}" if query_text else ""),
        path=path,
        query=query,
        request_headers=request_headers,
        request_body=truncate_body(request_body) if request_body is not None else "[too large]",
        request_size=len(request_body) if request_body is not None else -1,
        stub=answer.stub or None,
        scenario=answer.scenario or None,
        reason=answer.reason,
        status=answer.status,
        response_headers=dict(answer.headers),  # the mock's own: no secrets in them
        response_body=truncate_body(answer.body),
        response_size=len(answer.body),
        duration_ms=round(duration_ms, 3),
        errors=list(answer.errors),
        source=answer.source,
        seed=answer.seed,
        closest=list(answer.closest),
    )

"""What the call log keeps of one request and its answer (see openmock/calllog/)."""

from __future__ import annotations

import time
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

import orjson

from openmock.calllog.record import CallRecord, redact_headers, redact_query, truncate_body
from openmock.model import Stub

if TYPE_CHECKING:
    from openmock.server.mock import Answer


def _secrets(stub: Stub | None) -> tuple[frozenset[str], frozenset[str]]:
    """Header names (lower case) and query names the operation's security documents."""
    if stub is None:
        return frozenset(), frozenset()
    schemes = [s for alternative in stub.security for s in alternative if s.kind == "apiKey"]
    headers = frozenset(s.parameter.lower() for s in schemes if s.location == "header")
    query = frozenset(s.parameter for s in schemes if s.location == "query")
    return headers, query


def call_record(
    call_id: str,
    scope: MutableMapping[str, Any],
    request_body: bytes | None,
    answer: Answer,
    stub: Stub | None,
    duration_ms: float,
) -> CallRecord:
    secret_headers, secret_query = _secrets(stub)
    raw_query = scope.get("query_string", b"").decode("latin-1")
    query_text, query = redact_query(raw_query, secret_query)
    path: str = scope["path"]
    request_headers = redact_headers(
        ((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])),
        secret_headers,
    )
    response_headers: Mapping[str, str] = redact_headers(answer.headers, frozenset())
    reason = response_headers.get("x-openmock-reason") or _problem_slug(answer)
    return CallRecord(
        id=call_id,
        time=time.time(),
        method=scope["method"],
        url=path + (f"?{query_text}" if query_text else ""),
        path=path,
        query=query,
        request_headers=request_headers,
        request_body=truncate_body(request_body) if request_body is not None else "[too large]",
        request_size=len(request_body) if request_body is not None else -1,
        stub=answer.stub or None,
        scenario=answer.scenario or None,
        reason=reason,
        status=answer.status,
        response_headers=dict(response_headers),
        response_body=truncate_body(answer.body),
        response_size=len(answer.body),
        duration_ms=round(duration_ms, 3),
        errors=list(answer.errors),
        source=answer.source,
        seed=answer.seed,
        closest=list(answer.closest),
    )


def _problem_slug(answer: Answer) -> str:
    """`not-found`, `invalid-body`...: why a problem answered, for the record's reason."""
    if answer.source != "problem":
        return ""
    try:
        kind = str(orjson.loads(answer.body).get("type", ""))
    except (orjson.JSONDecodeError, AttributeError):
        return "problem"
    return kind.rsplit("/", 1)[-1]

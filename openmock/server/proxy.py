"""`from-spec SPEC --proxy URL`: every request forwarded to a real backend, its answer returned
as it came, and both checked against the spec on the way (Prism's proxy, Microcks' contract
tests).

- Headers: hop-by-hop ones (RFC 9110 7.6.1) are dropped both ways, `Host` is the upstream's,
  `X-Forwarded-For/-Host/-Proto` tell it who asked; the body goes as it came (encoded or not).
- The answer is read up to the body limit and checked (status, required headers, media type,
  schema), then sent with `X-Openmock-Violations` when it or the request broke a rule; a larger
  answer is streamed on without its body checked (the header says so).
- An upstream that cannot be reached (or times out) is a 502 problem saying why; with
  `--fallback` the mock answers instead, as it does for a 501 or a 404 on a documented path.
- Every exchange is in the call log with its violations; `GET /__openmock/violations` sums them
  by operation (in this process).
"""

from __future__ import annotations

import threading
import zlib
from collections import Counter
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    MutableMapping,
)
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from openmock.answer import Answer, problem_answer
from openmock.calllog.record import NO_SECRETS
from openmock.contract import Reached, check_answer, check_request, request_violation
from openmock.edits.record import StubRecorder
from openmock.mediatypes import is_json
from openmock.mockstate import MockState
from openmock.pipeline import VIOLATIONS_HEADER, violations_header
from openmock.problems import Problem
from openmock.server.upstream import UpstreamClient, UpstreamError
from openmock.validation.verdict import Violation

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
     "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length"}
)  # fmt: skip
SERVER_SETS = frozenset({"date", "server"})  # uvicorn sends its own: not twice


def upstream_unreachable(url: str, why: str) -> Problem:
    return Problem(
        502,
        "The upstream cannot be reached",
        f"openmock forwards this request to {url} (--proxy), which did not answer: {why}. "
        "Start it, check the URL, or add --fallback to answer with the mock meanwhile.",
        "upstream-unreachable",
    )


@dataclass
class _Tally:
    calls: int = 0
    violations: int = 0
    messages: Counter[str] = field(default_factory=Counter)


def _count(by_operation: dict[str, _Tally], operation: str, sentences: Iterable[str]) -> None:
    tally = by_operation.setdefault(operation, _Tally())
    tally.calls += 1
    for sentence in sentences:
        tally.violations += 1
        tally.messages[sentence] += 1


def _summary(by_operation: Mapping[str, _Tally]) -> dict[str, Any]:
    """`GET /__openmock/violations`: the proxied exchanges' violations, summed by operation."""
    operations = [
        {"operation": name, "calls": t.calls, "violations": t.violations,
         "messages": dict(t.messages.most_common(20))}
        for name, t in sorted(by_operation.items())
    ]  # fmt: skip
    return {
        "calls": sum(o["calls"] for o in operations),
        "violations": sum(o["violations"] for o in operations),
        "operations": operations,
    }


def logged_violations(calls: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The summary of a call log's proxied exchanges (every worker's)."""
    by_operation: dict[str, _Tally] = {}
    for call in calls:
        if call.get("source") == "proxy":
            operation = call.get("stub") or f"{call.get('method')} {call.get('path')}"
            errors = call.get("errors") or []
            _count(by_operation, operation, (Violation.from_error(e).sentence() for e in errors))
    return _summary(by_operation)


class ViolationTally:
    """Violations seen in proxied exchanges by this process (what `GET /__openmock/violations`
    sums where there is no call log to read every worker's from)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_operation: dict[str, _Tally] = {}

    def add(self, operation: str, violations: tuple[Violation, ...]) -> None:
        with self._lock:
            _count(self._by_operation, operation, (v.sentence() for v in violations))

    def summary(self) -> dict[str, Any]:
        with self._lock:
            return _summary(self._by_operation)


@dataclass(frozen=True)
class Forwarded:
    """What the proxy did: the answer (for the call log) and whether it was sent already; an
    unsent answer is the mock's to send (a fallback or a problem)."""

    answer: Answer
    sent: bool


class Proxy:
    def __init__(
        self, upstream: str, fallback: bool = False, recorder: StubRecorder | None = None
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.upstream_host = urlsplit(self.upstream).netloc  # the Host it is sent
        self.fallback = fallback
        self.recorder = recorder  # --record: the answers written as stub files
        self.tally = ViolationTally()
        self.client = UpstreamClient(self.upstream)

    async def exchange(
        self,
        state: MockState,
        scope: Message,
        headers: Mapping[str, str],
        body: bytes,
        send: Send,
        mock: Callable[[], Awaitable[Answer]],
    ) -> Forwarded:
        """Forward one request (`headers`: its own, lower-case names, as the adapter read
        them)."""
        method = scope["method"]
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.decode("latin-1").split("?", 1)[0] or "/"
        query = scope.get("query_string", b"").decode("latin-1")
        reached = check_request(state, method, path, query, headers, body)
        asked = [request_violation(v) for v in reached.violations]
        operation = reached.stub.id if reached.stub else f"{method} {path}"
        target = path + (f"?{query}" if query else "")
        outgoing = _outgoing(scope, self.upstream_host)
        try:
            response = await self.client.send(method, target, outgoing, body)
        except UpstreamError as exc:
            why = str(exc)
            if self.fallback:
                return Forwarded(_fell_back(await mock(), f"upstream unreachable ({why})"), False)
            made = problem_answer(upstream_unreachable(self.upstream, why), operation)
            return Forwarded(made, False)
        try:
            status = response.status
            documented = reached.stub is not None
            if self.fallback and (status == 501 or (status == 404 and documented)):
                return Forwarded(_fell_back(await mock(), f"upstream answered {status}"), False)
            limit = state.options.max_body_bytes
            try:
                kept, rest = await _read_up_to(response.body, limit)
            except UpstreamError as exc:
                made = problem_answer(upstream_unreachable(self.upstream, str(exc)), operation)
                return Forwarded(made, False)
            answered = {k.lower(): v for k, v in response.headers}
            found = list(asked)
            readable = None if rest is not None else _decoded(kept, answered)
            if reached.stub is not None:
                found += check_answer(state, reached.stub, status, answered, readable)
            if self.recorder is not None and readable is not None:
                broke = len(found) > len(asked)  # the answer itself broke a rule
                self._record(state, reached, method, path, query, headers, body, status,
                             answered, readable, broke)  # fmt: skip
            violations = tuple(found)
            self.tally.add(operation, violations)
            out = [
                (k, v)
                for k, v in response.headers
                if k.lower() not in HOP_BY_HOP and k.lower() not in SERVER_SETS
            ]
            out.append(("x-openmock-reason", f"proxied to {self.upstream}"))
            if reached.stub is not None:
                out.append(("x-openmock-stub", reached.stub.id))
            if violations:
                out.append((VIOLATIONS_HEADER, violations_header(violations)))
            if rest is not None:
                out.append(("x-openmock-warning", f"the answer is over {limit} bytes: its body "
                            "was streamed on, not checked"))  # fmt: skip
            raw = [(k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in out]
            if rest is None:
                raw.append((b"content-length", str(len(kept)).encode()))
            await send({"type": "http.response.start", "status": status, "headers": raw})
            if scope["method"] == "HEAD":
                await send({"type": "http.response.body", "body": b""})
            elif rest is None:
                await send({"type": "http.response.body", "body": kept})
            else:
                await send({"type": "http.response.body", "body": kept, "more_body": True})
                try:
                    async for chunk in rest:
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                except UpstreamError:  # the upstream broke off: so does the answer
                    broken = Answer(status, out, kept, operation, "", "proxied: the upstream "
                                    "broke off mid-answer", "proxy")  # fmt: skip
                    return Forwarded(broken, True)
                await send({"type": "http.response.body", "body": b""})
        finally:
            response.close()
        made = Answer(status, out, kept, reached.stub.id if reached.stub else "", "",
                      f"proxied to {self.upstream}", "proxy",
                      tuple(v.as_error() for v in violations))  # fmt: skip
        made.repeatable = False
        return Forwarded(made, True)

    def _record(
        self,
        state: MockState,
        reached: Reached,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        status: int,
        answered: Mapping[str, str],
        readable: bytes,
        broke: bool,
    ) -> None:
        assert self.recorder is not None
        sent: Any = None
        if body and is_json(headers.get("content-type", "")):
            try:
                sent = orjson.loads(body)
            except orjson.JSONDecodeError:
                sent = body.decode("utf-8", "replace")
        stub = reached.stub
        secret_query = state.secrets.get(stub.id, NO_SECRETS)[1] if stub else frozenset()
        self.recorder.record(
            method, stub.path if stub else path, reached.path_values,
            parse_qsl(query, keep_blank_values=True), sent, status, answered, readable,
            frozenset(secret_query), broke,
        )  # fmt: skip

    async def close(self) -> None:
        await self.client.close()


def _fell_back(made: Answer, why: str) -> Answer:
    made.reason = f"fallback: {why}; {made.reason}"
    made.headers.append(("x-openmock-warning", f"answered by the mock: {why}"))
    made.repeatable = False
    return made


def _outgoing(scope: Message, upstream_host: str) -> list[tuple[str, str]]:
    """The request's headers as the upstream gets them: hop-by-hop ones dropped (and those the
    `Connection` header names), `Host` its own, X-Forwarded-* added."""
    named: set[str] = set()
    for key, value in scope.get("headers", []):
        if key.lower() == b"connection":
            named.update(p.strip().lower() for p in value.decode("latin-1").split(","))
    out = [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, v in scope.get("headers", [])
        if k.decode("latin-1").lower() not in HOP_BY_HOP | named
    ]
    host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
    client = scope.get("client")
    if client:
        out.append(("x-forwarded-for", str(client[0])))
    if host:
        out.append(("x-forwarded-host", host))
    out.append(("x-forwarded-proto", scope.get("scheme", "http")))
    out.append(("host", upstream_host))
    return out


async def _read_up_to(
    chunks: AsyncIterator[bytes], limit: int
) -> tuple[bytes, AsyncIterator[bytes] | None]:
    """The body when it is at most `limit` bytes (and None); else what was read and the rest
    to stream on."""
    kept = bytearray()
    async for chunk in chunks:
        kept += chunk
        if len(kept) > limit:
            return bytes(kept), chunks
    return bytes(kept), None


def _decoded(body: bytes, headers: Mapping[str, str]) -> bytes | None:
    """The body to check: decoded from gzip or deflate; None for an encoding not read here."""
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return body
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return zlib.decompress(body)
    except zlib.error:
        return None
    return None

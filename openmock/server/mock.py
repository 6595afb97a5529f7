"""The ASGI adapter of the mock: a connection becomes a pipeline `Request` (openmock/pipeline.py)
and the `Answer` becomes the response; around it, what only a server has: the call id, the
memo of repeated GETs, the slow search run off the event loop, CORS headers, delays and the
call log.
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import time
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl

import anyio
import orjson

from openmock import cors
from openmock.answer import Answer, problem_answer
from openmock.calllog import CallStore
from openmock.calllog.record import NO_SECRETS
from openmock.delays import Delay
from openmock.generate import FallbackNeeded
from openmock.mockstate import MockState
from openmock.pipeline import Request, answer
from openmock.problems import internal_error
from openmock.request.body import BodyTooLarge
from openmock.server.outbound import Outbound
from openmock.server.protocol import RawAnswer
from openmock.server.proxy import Proxy
from openmock.server.recording import Recorder
from openmock.server.wire_faults import send_with_fault
from openmock.template.expressions import Exchange

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("openmock")
FALLBACK_ROUNDS = 4  # schemas of one response that may each need the slow search once


class MockApp:
    def __init__(
        self, state: MockState, calls: CallStore | None = None, proxy: Proxy | None = None
    ) -> None:
        self.state = state
        self.calls = calls  # the call log; None: calls are not recorded
        self.proxy = proxy  # --proxy: requests go to the upstream, checked on the way
        self.outbound = Outbound(calls)  # callbacks and webhooks
        self._recorder = None if calls is None else Recorder(calls)
        # Call ids: a random prefix per process (so several workers never collide) and a
        # counter; 0.17 us against uuid4's 1.5 us (timeit, here).
        self._id_prefix = os.urandom(4).hex()
        self._ids = itertools.count(1)
        self._delays = random.Random(state.options.seed)  # where in a MIN-MAX range to wait
        self._before: Callable[[], None] | None = None

    async def aclose(self) -> None:
        """Close the connections it holds to other servers (the proxy's, callbacks')."""
        if self.proxy is not None:
            await self.proxy.close()
        await self.outbound.close()

    def swap(self, state: MockState) -> None:
        self.state = state

    def before_each(self, check: Callable[[], None]) -> None:
        """Run `check` before every request (a worker picking up another worker's runtime
        change); it may swap the state."""
        self._before = check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        ready = scope.pop(PREPARED, None)  # made by answer_now, which could not send it
        if ready is None:
            ready = await self._prepare(scope, receive, send)
            if ready is None:  # the proxy has sent the upstream's answer
                return
        made = ready.made
        delay = _delay(made, ready.state)
        if delay is not None:  # asleep without blocking other requests
            await anyio.sleep(self._delays.uniform(*delay) / 1000)
        start = _start_message(made, ready.call_id)
        send_body = _body_sent(scope, made)
        if made.fault is None:
            await send(start)
            await send({"type": "http.response.body", "body": send_body})
        else:
            await send_with_fault(made.fault, send, start, send_body)
            if made.fault in ("reset", "empty"):  # the client got no status at all
                ready = replace(ready, made=replace(made, status=0))
        self._after(scope, ready)

    def answer_now(self, scope: Scope, body: bytes) -> RawAnswer | None:
        """The answer to a request whose body has all come, made without waiting for anything
        (server/protocol.py sends it), its call logged. None where the answer has to wait (the
        proxy, the slow search) and the ASGI call is to be made instead; an answer made but to
        be sent later (a delay, a fault) is then left in the scope for that call."""
        if self.proxy is not None:
            return None
        call_id, started, state = self._begin()
        request_body = body if len(body) <= state.options.max_body_bytes else None
        try:
            made = self._made(state, scope, request_body)
        except FallbackNeeded:
            return None  # the ASGI call searches off the loop and asks again
        except Exception as exc:  # never let one request take the server down
            made = _failed(call_id, exc)
        ready = Prepared(call_id, started, state, request_body, _with_cors(state, scope, made))
        if made.fault is not None or _delay(made, state) is not None:
            scope[PREPARED] = ready
            return None
        self._after(scope, ready)
        return made.status, _raw_headers(made, call_id), _body_sent(scope, made)

    def _begin(self) -> tuple[str, float, MockState]:
        """A new call: its id, when it started, and the state it is answered from."""
        call_id = f"{self._id_prefix}{next(self._ids):08x}"
        started = time.perf_counter()
        if self._before is not None:
            self._before()
        return call_id, started, self.state  # one version for the whole request

    async def _prepare(self, scope: Scope, receive: Receive, send: Send) -> Prepared | None:
        """The answer to the request on `scope`, read from `receive`; None when the proxy has
        sent the upstream's answer through `send` itself."""
        call_id, started, state = self._begin()
        try:
            request_body = await _read_body(receive, state.options.max_body_bytes)
        except BodyTooLarge:
            request_body = None
        try:
            if self.proxy is not None and request_body is not None:
                forwarded = await self.proxy.exchange(
                    state,
                    scope,
                    _headers(scope),
                    request_body,
                    send,
                    lambda: self._answer(state, scope, request_body),
                )
                if forwarded.sent:
                    self._record(state, call_id, scope, request_body, forwarded.answer, started)
                    return None
                made = forwarded.answer
            else:
                made = await self._answer(state, scope, request_body)
        except Exception as exc:  # never let one request take the server down
            made = _failed(call_id, exc)
        return Prepared(call_id, started, state, request_body, _with_cors(state, scope, made))

    def _after(self, scope: Scope, ready: Prepared) -> None:
        """What follows a sent answer: its call log row, the stub's callbacks."""
        state, made = ready.state, ready.made
        self._record(state, ready.call_id, scope, ready.request_body, made, ready.started)
        if 200 <= made.status < 300 and made.stub and made.fault is None:
            stub = state.catalog.stub(made.stub)
            if stub is not None and stub.callbacks:
                exchange = _exchange(state, scope, ready.request_body or b"", made)
                self.outbound.after_answer(stub, exchange, state.responder.engine)

    def _record(
        self,
        state: MockState,
        call_id: str,
        scope: Scope,
        request_body: bytes | None,
        made: Answer,
        started: float,
    ) -> None:
        if self._recorder is not None:  # queued: the call log's writer thread stores it
            duration = (time.perf_counter() - started) * 1000
            secrets = state.secrets.get(made.stub, NO_SECRETS)
            self._recorder.record(call_id, scope, request_body, made, secrets, duration)

    async def _answer(self, state: MockState, scope: Scope, request_body: bytes | None) -> Answer:
        """The answer to this request, the slow search run off the loop where it is needed."""
        for _ in range(FALLBACK_ROUNDS):
            try:
                return self._made(state, scope, request_body)
            except FallbackNeeded as need:
                # seconds of hypothesis search: in a worker thread, never on the loop
                await anyio.to_thread.run_sync(need.run)
        raise RuntimeError("a response needed the search fallback too many times")

    def _made(self, state: MockState, scope: Scope, request_body: bytes | None) -> Answer:
        """The answer to this request; raises FallbackNeeded. A bodiless GET or HEAD the mock
        has answered before (the same path, query and headers, byte for byte) gets a copy of
        the same answer: routing, validation, pairing and responding are pure functions of
        the request, so only answers with fresh data (`--dynamic`, `Prefer: dynamic=true`)
        are made again."""
        key = None
        if not request_body and scope["method"] in ("GET", "HEAD") and state.memo_usable:
            path = scope.get("raw_path") or scope["path"]
            headers = tuple(scope.get("headers", ()))
            key = (scope["method"], path, scope.get("query_string", b""), headers)
            found = state.memo.get(key)
            if found is not None:
                return found
        made = answer(state, _request(scope, request_body))
        if key is not None and made.repeatable and not state.options.dynamic:
            state.memo.put(key, made)
        return made


@dataclass(slots=True)
class Prepared:
    """An answer made and not yet sent, with what its call log row needs."""

    call_id: str
    started: float  # time.perf_counter() when the request came
    state: MockState  # the state it was answered from
    request_body: bytes | None  # None: past the limit, unread
    made: Answer


# The scope key under which `answer_now` leaves an answer it made but could not send.
PREPARED = "openmock.prepared"


def _delay(made: Answer, state: MockState) -> Delay | None:
    """How long to wait before sending `made` (its own delay, else --delay's); None: not."""
    delay = made.delay or state.options.delay
    return delay if delay is not None and delay[1] > 0 else None


def _body_sent(scope: Scope, made: Answer) -> bytes:
    """The body on the wire: none for HEAD (Content-Length still says the GET's length)."""
    return made.body if scope["method"] != "HEAD" else b""


def _failed(call_id: str, exc: Exception) -> Answer:
    log.error("call %s failed:\n%s", call_id, traceback.format_exc())
    return problem_answer(internal_error(call_id, type(exc).__name__))


def _with_cors(state: MockState, scope: Scope, made: Answer) -> Answer:
    """`made` with the CORS headers a request from a browser's origin needs."""
    if state.options.cors:
        origin = next((v for k, v in scope.get("headers", []) if k == b"origin"), None)
        if origin is not None and not made.has_header("access-control-allow-origin"):
            sent = [k for k, _ in made.headers]
            sent += ["x-openmock-stub", "x-openmock-scenario", "x-openmock-reason"]
            made.headers.extend(cors.response_headers(origin.decode("latin-1"), sent))
    return made


def _start_message(made: Answer, call_id: str) -> Message:
    return {
        "type": "http.response.start",
        "status": made.status,
        "headers": _raw_headers(made, call_id),
    }


def _raw_headers(made: Answer, call_id: str) -> list[tuple[bytes, bytes]]:
    raw_headers = [
        (b"content-length", str(len(made.body)).encode()),
        (b"x-openmock-call-id", call_id.encode()),
    ]
    if made.stub:
        raw_headers.append((b"x-openmock-stub", _latin1(made.stub)))
        raw_headers.append((b"x-openmock-scenario", _latin1(made.scenario)))
    if made.reason:
        raw_headers.append((b"x-openmock-reason", _latin1(made.reason)))
    raw_headers.extend((k.encode("latin-1", "replace"), _latin1(v)) for k, v in made.headers)
    return raw_headers


def _exchange(state: MockState, scope: Scope, body: bytes, made: Answer) -> Exchange:
    """What a callback's runtime expressions read of a request and its answer."""
    request = _request(scope, body)
    route = state.table.match(request.method, request.path)
    query = f"?{request.query_string}" if request.query_string else ""
    answered = dict(made.headers)
    return Exchange(
        url=request.path + query,
        method=request.method,
        status=made.status,
        path=getattr(route, "path_params", {}),
        query=dict(reversed(parse_qsl(request.query_string, keep_blank_values=True))),
        headers=request.headers,
        body=_json_or_none(body),
        response_headers=answered,
        response_body=_json_or_none(made.body),
    )


def _json_or_none(body: bytes) -> Any:
    try:
        return orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None


def _request(scope: Scope, body: bytes | None) -> Request:
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    client = scope.get("client")
    return Request(
        scope["method"],
        path.split("?", 1)[0] or "/",
        scope.get("query_string", b"").decode("latin-1"),
        _headers(scope),
        body,
        str(client[0]) if client else "",
    )


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body; BodyTooLarge past `limit` bytes (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        name = key.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    return headers


def _latin1(text: str) -> bytes:
    return text.encode("latin-1", "replace")

"""Calls openmock makes: an operation's callbacks, after the mock answered it with a 2xx, and
webhooks (3.1's, or any callback) fired through the admin API.

Where to: only the URL the request names (the callback's runtime expression, evaluated on the
request and the answer) or the admin call names; nothing else is ever called. What: the
callback's request example, else a body generated from its schema. When: after the answer is
sent, past the callback's `x-openmock-delay`. Each call times out (5 s to connect, 10 s to
answer), is never retried, and goes into the call log as an outbound call with its answer
(`source: outbound`), shown in the inspector.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
import orjson

from openmock.calllog import CallStore
from openmock.calllog.record import CallRecord, truncate_body
from openmock.generate import GenerationEngine
from openmock.mediatypes import is_json
from openmock.model import Callback, Stub
from openmock.template.expressions import Exchange, ExpressionError, evaluate

CONNECT_SECONDS, ANSWER_SECONDS = 5.0, 10.0


def is_http_url(url: str) -> bool:
    """Whether `url` is one outbound calls go to: http(s), with a host."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@dataclass(frozen=True)
class Fired:
    """One outbound call: where it went, what it sent, what came back (or why nothing)."""

    url: str
    method: str
    sent: Any
    status: int  # 0: no answer
    answer: str | None
    error: str | None = None

    def json(self) -> dict[str, Any]:
        return {"url": self.url, "method": self.method, "sent": self.sent,
                "status": self.status, "answer": self.answer, "error": self.error}  # fmt: skip


class Outbound:
    def __init__(self, calls: CallStore | None) -> None:
        self.calls = calls
        self._client: Any = None  # an httpx.AsyncClient, made (and httpx imported) on first use
        self._tasks: set[asyncio.Task[Any]] = set()  # kept until done (asyncio holds them weakly)
        self._ids = itertools.count(1)
        self._prefix = os.urandom(3).hex()
        self._delays = random.Random(0)

    def after_answer(self, stub: Stub, exchange: Exchange, engine: GenerationEngine) -> None:
        """Schedule the stub's callbacks for an answer just sent (a 2xx)."""
        for callback in stub.callbacks:
            task = asyncio.ensure_future(self._later(stub.id, callback, exchange, engine))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _later(
        self, stub_id: str, callback: Callback, exchange: Exchange, engine: GenerationEngine
    ) -> None:
        if callback.delay is not None:
            await anyio.sleep(self._delays.uniform(*callback.delay) / 1000)
        try:
            url = evaluate(callback.url, exchange)
        except ExpressionError as exc:
            self._record(stub_id, callback, Fired(callback.url, callback.method, None, 0, None,
                                                  f"not called: {exc}"), 0.0)  # fmt: skip
            return
        await self.fire(stub_id, callback, url, engine)

    async def fire(
        self,
        stub_id: str,
        callback: Callback,
        url: str,
        engine: GenerationEngine,
        body: Any = None,
    ) -> Fired:
        """Call `url` as `callback` says (with `body` in place of its example, if given)."""
        started = time.perf_counter()
        if not is_http_url(url):
            fired = Fired(
                url, callback.method, None, 0, None, f"not called: {url!r} is no http URL"
            )
            self._record(stub_id, callback, fired, 0.0)
            return fired
        if body is None:
            body = await self._body(callback, engine)
        media = callback.media_type or "application/json"
        content = b"" if body is None else (
            orjson.dumps(body) if is_json(media) or not isinstance(body, str) else body.encode()
        )  # fmt: skip
        headers = {"content-type": media} if content else {}
        import httpx  # on first use: most mocks never call out

        try:
            answer = await self._http().request(callback.method, url, content=content,
                                                headers=headers)  # fmt: skip
            fired = Fired(url, callback.method, body, answer.status_code,
                          truncate_body(answer.content))  # fmt: skip
        except httpx.HTTPError as exc:
            why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            fired = Fired(url, callback.method, body, 0, None, why)
        self._record(stub_id, callback, fired, (time.perf_counter() - started) * 1000)
        return fired

    async def _body(self, callback: Callback, engine: GenerationEngine) -> Any:
        if callback.example is not None:
            return callback.example.value
        if callback.schema is None:
            return None
        key = f"callback|{callback.pointer}|{next(self._ids)}"
        return await anyio.to_thread.run_sync(engine.value, callback.schema, key, "request")

    def _http(self) -> Any:
        if self._client is None:
            import httpx

            timeout = httpx.Timeout(ANSWER_SECONDS, connect=CONNECT_SECONDS)
            self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        return self._client

    def _record(self, stub_id: str, callback: Callback, fired: Fired, duration: float) -> None:
        if self.calls is None:
            return
        sent = None if fired.sent is None else orjson.dumps(fired.sent)
        parts = urlsplit(fired.url)
        errors = [{"in": "outbound", "message": fired.error}] if fired.error else []
        self.calls.add(
            CallRecord(
                id=f"{self._prefix}o{next(self._ids):07x}", time=time.time(),
                method=fired.method, url=fired.url, path=parts.path or "/", query={},
                request_headers={"content-type": callback.media_type or "application/json"},
                request_body=truncate_body(sent or b""), request_size=len(sent or b""),
                stub=stub_id, scenario=None,
                reason=f"outbound: {callback.name} to {fired.url}", status=fired.status,
                response_headers={}, response_body=fired.answer,
                response_size=len(fired.answer or ""), duration_ms=duration,
                errors=errors, source="outbound",
            )
        )  # fmt: skip

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

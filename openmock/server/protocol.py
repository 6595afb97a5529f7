"""The HTTP/1.1 connection openmock serves on: uvicorn's httptools protocol, with most mock
answers made in the parser's callback instead of an ASGI task.

uvicorn spends more on a request than the mock spends on a simple answer: a task, an ASGI
cycle, two `send`s checking every header, a keep-alive timer armed and cancelled (a trivial
app answered 24,000 requests a second here, a bare httptools protocol 80,000). A mock answer
rarely waits for anything, so once a request's body has all come the app is asked to
`answer_now` (`AnswersNow`: the mock, under uvicorn's proxy-headers wrapper). It declines
(None) where the answer must wait (the admin API, the proxy, the slow search, a delay, a
fault) and uvicorn's ASGI cycle runs as it always does. An answer made is written in one
piece through the `JoiningTransport` (server/wire.py), so it leaves at the end of the loop's
turn with the answers to the other connections' requests: written at once, each answer woke
the client on its own (the CRUD mix: 6,300 requests a second against 8,100, one run here).

uvicorn's way is also taken, without asking the app, for a request pipelined behind an answer
still being made, a body past uvicorn's high-water mark, `Expect: 100-continue`, an upgrade,
`X-Forwarded-*` headers (uvicorn's proxy-headers middleware rewrites the scope for those),
`--limit-concurrency`, and while the client is not reading. Answers written here check their
headers as uvicorn does, say `connection: close` where the connection ends, and count in
uvicorn's request total. An idle connection is closed after uvicorn's keep-alive timeout by
one timer that checks it now and then, instead of a timer a request.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import MutableMapping
from typing import Any, Protocol, cast

import httptools
from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT
from uvicorn.protocols.http.httptools_impl import (
    HEADER_RE,
    HEADER_VALUE_RE,
    STATUS_LINE,
    HttpToolsProtocol,
)

from openmock.server.wire import JoiningTransport

RawAnswer = tuple[int, list[tuple[bytes, bytes]], bytes]  # status, headers, body
Scope = MutableMapping[str, Any]
SERVER_ERROR = (
    STATUS_LINE[500] + b"content-type: text/plain; charset=utf-8\r\ncontent-length: 21\r\n"
    b"connection: close\r\n\r\nInternal Server Error"
)


class AnswersNow(Protocol):
    def answer_now(self, scope: Scope, body: bytes) -> RawAnswer | None: ...


class MockProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a `JoiningTransport`, answering at once where the app
    can."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._now = _answers_now(self.app)
        self._taken = False  # the request being read is to be answered at once
        self._body: list[bytes] = []
        self._body_size = 0
        self._seen = 0.0  # loop time of the last data or answer (the idle check's clock)
        self._idle_check: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        joined = JoiningTransport(cast(asyncio.Transport, transport), self.loop)
        super().connection_made(cast(asyncio.Transport, joined))

    def connection_lost(self, exc: Exception | None) -> None:
        self._taken = False
        if self._idle_check is not None:
            self._idle_check.cancel()
            self._idle_check = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._seen = self.loop.time()
        super().data_received(data)

    def on_headers_complete(self) -> None:
        if self._now is None or not self._may_take():
            super().on_headers_complete()
            return
        self._taken = True
        self._body = []
        self._body_size = 0

    def _may_take(self) -> bool:
        if self.cycle is not None and not self.cycle.response_complete:
            return False  # pipelined behind an answer still being made: keep the order
        if self.expect_100_continue or self.limit_concurrency is not None:
            return False
        if self.parser.should_upgrade():
            return False
        return not any(name.startswith(b"x-forwarded-") for name, _ in self.headers)

    def on_body(self, body: bytes) -> None:
        if not self._taken:
            super().on_body(body)
            return
        self._body.append(body)
        self._body_size += len(body)
        if self._body_size > HIGH_WATER_LIMIT:  # large: read as a stream by the ASGI app
            self._to_asgi()

    def on_message_complete(self) -> None:
        if not self._taken:
            super().on_message_complete()
            return
        self._taken = False
        made = None
        if not self.flow.write_paused:
            self._fill_scope()
            app = cast(AnswersNow, self._now)  # a request is only taken where it is set
            try:
                made = app.answer_now(cast(Scope, self.scope), b"".join(self._body))
            except Exception:  # what uvicorn does for an ASGI app that fails
                self.logger.exception("Exception in ASGI application")
                self._write_and_close(SERVER_ERROR)
                return
        if made is None:
            self._to_asgi()
            super().on_message_complete()
            return
        self._write(*made)

    def _to_asgi(self) -> None:
        """Hand the request to uvicorn's ASGI cycle, with the body read so far."""
        self._taken = False
        super().on_headers_complete()  # the cycle, its task started
        self.cycle.body += b"".join(self._body)
        self.cycle.message_event.set()
        self._body = []

    def _fill_scope(self) -> None:
        """The scope's request line fields, as uvicorn's on_headers_complete sets them."""
        scope = self.scope
        scope["method"] = self.parser.get_method().decode("ascii")
        version = self.parser.get_http_version()
        if version != "1.1":
            scope["http_version"] = version
        url = httptools.parse_url(self.url)
        path = url.path.decode("ascii")
        if "%" in path:
            path = urllib.parse.unquote(path)
        scope["path"] = self.root_path + path
        scope["raw_path"] = self.root_path.encode("ascii") + url.path
        scope["query_string"] = url.query or b""

    def _write(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        keep_alive = self.scope["http_version"] != "1.0" and self.parser.should_keep_alive()
        says_close = False
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content += (name, b": ", value, b"\r\n")
        for name, value in headers:
            if name == b"connection" and b"close" in value.lower():
                keep_alive = False
                says_close = True
            content += (name, b": ", value, b"\r\n")
        if HEADER_RE.search(b"".join(name for name, _ in headers)) or HEADER_VALUE_RE.search(
            b"".join(value for _, value in headers)
        ):  # uvicorn refuses to send these: a 500, as it answers an app that sends them
            self.logger.error("Exception in ASGI application: invalid HTTP header")
            self._write_and_close(SERVER_ERROR)
            return
        if not keep_alive and not says_close:
            content.append(b"connection: close\r\n")
        content += (b"\r\n", body)
        self.server_state.total_requests += 1
        if not keep_alive:
            self._write_and_close(b"".join(content))
            return
        self.transport.write(b"".join(content))
        self._seen = self.loop.time()
        if self._idle_check is None:
            self._idle_check = self.loop.call_later(self.timeout_keep_alive, self._check_idle)

    def _write_and_close(self, data: bytes) -> None:
        self.server_state.total_requests += 1
        self.transport.write(data)
        self.transport.close()  # what the turn holds is sent first

    def _check_idle(self) -> None:
        """Close the connection once nothing has come or gone for the keep-alive timeout and
        no answer is being made (uvicorn's own timer covers its ASGI answers)."""
        self._idle_check = None
        if self.transport.is_closing():
            return
        busy = self._taken or (self.cycle is not None and not self.cycle.response_complete)
        left = self._seen + self.timeout_keep_alive - self.loop.time()
        if busy or left > 0:
            wait = self.timeout_keep_alive if busy else left
            self._idle_check = self.loop.call_later(wait, self._check_idle)
            return
        self.transport.close()


def _answers_now(app: Any) -> AnswersNow | None:
    """The app under uvicorn's wrappers (its proxy-headers middleware) if it can answer at
    once."""
    for _ in range(4):
        if hasattr(app, "answer_now"):
            return cast(AnswersNow, app)
        app = getattr(app, "app", None)
    return None

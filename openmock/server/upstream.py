"""The HTTP/1.1 client `--proxy` forwards with: asyncio connections read by httptools (the
parser uvicorn serves with), kept alive and reused per upstream.

A general client (aiohttp before this one, httpx before that) cost more CPU than the rest of
a proxied exchange together: about 150 us a request here against 40 us for this one, and
the proxy's throughput is its CPU (bench/proxy.py). What it does is what forwarding needs:
the request written in one piece (its body whole, with Content-Length), the answer's head
awaited, its body read as it comes (reading paused past `BUFFERED_BYTES` until the proxy
catches up), framed by Content-Length, chunks or the end of the connection; a connection
goes back to the pool only once its answer was read to the end and the upstream keeps it
alive. Answers are not decompressed, and no header is added that the client did not send.

Timeouts: `connect_seconds` to connect (and for TLS to shake hands), `read_seconds` between
two pieces of an answer. A request on a reused connection that the upstream closed before
answering (it dropped the idle connection as the request left) is sent again on a new one
once, where its method is idempotent; nothing else is retried.

At most `CONNECTIONS` connections are open to the upstream at once, in use or idle (as
aiohttp's pool had it): a request past them waits for one to be free, up to `read_seconds`,
then fails saying so, rather than opening connections without bound under load.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

import httptools

CONNECT_SECONDS = 5.0
READ_SECONDS = 30.0
CONNECTIONS = 100  # open at once, in use or idle
BUFFERED_BYTES = 1 << 20  # of an answer's body read ahead of the proxy
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
Origin = tuple[str, str, int]  # scheme, host, port


class UpstreamError(Exception):
    """The upstream could not be reached or did not answer in time; the message says why."""


class _Closed(UpstreamError):
    """The connection closed before any of the answer came."""


@dataclass
class UpstreamAnswer:
    status: int
    headers: list[tuple[str, str]]  # as sent, repeated ones kept
    body: AsyncIterator[bytes]
    _connection: _Connection = field(repr=False)
    _client: UpstreamClient = field(repr=False)
    _released: bool = field(default=False, repr=False)

    def close(self) -> None:
        """Done with the answer: its connection is reused where that is safe, else closed
        (again: nothing more happens)."""
        if not self._released:
            self._released = True
            self._client.release(self._connection)


class _Connection(asyncio.Protocol):
    """One connection to the upstream, one exchange at a time."""

    def __init__(self, read_seconds: float) -> None:
        self.read_seconds = read_seconds
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reused = False  # taken from the pool: it may have gone stale there
        self._loop = asyncio.get_running_loop()
        self._start(head_only=False)

    def _start(self, head_only: bool) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._head_only = head_only  # HEAD: no body follows, whatever the headers say
        self._status = 0
        self._headers: list[tuple[str, str]] = []
        self._head: asyncio.Future[None] = self._loop.create_future()
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._wake: asyncio.Future[None] | None = None
        self._error: UpstreamError | None = None
        self._any_byte = False
        self.complete = False
        self.keep_alive = False

    # -- asyncio.Protocol ------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._any_byte = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            why = "it switched protocols (101): upgrades such as WebSockets are not proxied"
            self._fail(UpstreamError(why))
            self.close()
        except httptools.HttpParserError as exc:
            self._fail(UpstreamError(f"the answer is not valid HTTP/1.1: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self._head.done():
            why = f": {exc}" if exc else ""
            error = _Closed if not self._any_byte else UpstreamError
            self._fail(error(f"the connection closed before an answer{why}"))
        elif not self.complete:
            if self._until_close():
                self.complete = True  # its body ends with the connection
                self._notify()
            else:
                self._fail(UpstreamError("the answer broke off: the connection closed"))

    # -- httptools callbacks -------------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200 and status != 101:  # 100 Continue and such: the answer follows
            self._headers = []
            return
        if status == 101:
            return  # feed_data raises HttpParserUpgrade next
        self._status = status
        if not self._head.done():
            self._head.set_result(None)
        if self._head_only:
            self._message_complete()

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > BUFFERED_BYTES and self.transport is not None:
            self.transport.pause_reading()
        self._notify()

    def on_message_complete(self) -> None:
        if self._status and not self.complete:
            self._message_complete()

    # -- the exchange ----------------------------------------------------------------
    def _message_complete(self) -> None:
        self.complete = True  # (after a HEAD, the next answer gets a parser of its own)
        self.keep_alive = self._parser.should_keep_alive()
        self._notify()

    def _until_close(self) -> bool:
        names = {name.lower() for name, _ in self._headers}
        return "content-length" not in names and "transfer-encoding" not in names

    def _notify(self) -> None:
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    def _fail(self, error: UpstreamError) -> None:
        self._error = error
        if not self._head.done():
            self._head.set_exception(error)
            self._head.exception()  # retrieved: no "never retrieved" warning if unawaited
        self._notify()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    async def _within(self, waiter: asyncio.Future[None]) -> None:
        timer = self._loop.call_later(self.read_seconds, self._timed_out, waiter)
        try:
            await waiter
        finally:
            timer.cancel()

    def _timed_out(self, waiter: asyncio.Future[None]) -> None:
        if not waiter.done():
            seconds = f"{self.read_seconds:g}"
            self._fail(UpstreamError(f"TimeoutError: no answer within {seconds} s"))
            self.close()

    async def exchange(self, request: bytes, head_only: bool) -> tuple[int, list[tuple[str, str]]]:
        """Send a request; its answer's status and headers once they came."""
        self._start(head_only)
        assert self.transport is not None
        self.transport.write(request)
        await self._within(self._head)
        return self._status, self._headers

    async def body(self) -> AsyncIterator[bytes]:
        while True:
            if self._chunks:
                chunk = self._chunks.popleft()
                self._buffered -= len(chunk)
                if self._buffered <= BUFFERED_BYTES // 2 and self.transport is not None:
                    self.transport.resume_reading()
                yield chunk
                continue
            if self._error is not None:
                raise self._error
            if self.complete:
                return
            self._wake = self._loop.create_future()
            await self._within(self._wake)

    def reusable(self) -> bool:
        return self.complete and self.keep_alive and not self.closed and not self._chunks


class UpstreamClient:
    """Connections to one upstream: `base` is its URL, a path prefix allowed
    (`http://localhost:8080/api`), worked out once."""

    def __init__(
        self,
        base: str,
        connect_seconds: float = CONNECT_SECONDS,
        read_seconds: float = READ_SECONDS,
        connections: int = CONNECTIONS,
    ) -> None:
        parts = urlsplit(base)
        scheme = parts.scheme.lower()
        self.origin: Origin = (
            scheme,
            parts.hostname or "",
            parts.port or (443 if scheme == "https" else 80),
        )
        self.prefix = parts.path.rstrip("/")
        self.connect_seconds = connect_seconds
        self.read_seconds = read_seconds
        self.connections = connections
        self._idle: list[_Connection] = []
        self._slots: asyncio.Semaphore | None = None  # made on the loop that uses it
        self._tls: ssl.SSLContext | None = None

    async def send(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> UpstreamAnswer:
        """Send a request for `target` (a path and query, under the upstream's own path); the
        answer's body is read as it comes. Raises UpstreamError."""
        request = _request_bytes(method, self.prefix + target, headers, body)
        await self._take_slot()
        connection: _Connection | None = None
        headed = False
        try:
            connection = await self._connection()
            try:
                status, answered = await connection.exchange(request, method == "HEAD")
            except _Closed:
                if not connection.reused or method not in IDEMPOTENT:
                    raise
                connection = await self._connect()  # stale in the pool: again
                status, answered = await connection.exchange(request, method == "HEAD")
            headed = True
        finally:
            if not headed:  # an error, a timeout, or the client gone (cancelled): not kept
                if connection is not None:
                    connection.close()
                self._free_slot()
        return UpstreamAnswer(status, answered, connection.body(), connection, self)

    async def _take_slot(self) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.connections)
        try:
            async with asyncio.timeout(self.read_seconds):
                await self._slots.acquire()
        except TimeoutError:
            raise UpstreamError(
                f"all {self.connections} connections to the upstream stayed busy for "
                f"{self.read_seconds:g} s"
            ) from None

    def _free_slot(self) -> None:
        assert self._slots is not None
        self._slots.release()

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed:
                connection.reused = True
                return connection
        return await self._connect()

    async def _connect(self) -> _Connection:
        scheme, host, port = self.origin
        loop = asyncio.get_running_loop()
        tls = None
        if scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            tls = self._tls
        try:
            async with asyncio.timeout(self.connect_seconds):
                _, connection = await loop.create_connection(
                    lambda: _Connection(self.read_seconds),
                    host,
                    port,
                    ssl=tls,
                    server_hostname=host if tls else None,
                )
        except TimeoutError:
            raise UpstreamError(
                f"TimeoutError: could not connect within {self.connect_seconds:g} s"
            ) from None
        except OSError as exc:  # refused, no such host, TLS: ssl.SSLError is an OSError
            raise UpstreamError(f"{type(exc).__name__}: {exc}") from None
        return connection

    def release(self, connection: _Connection) -> None:
        if connection.reusable():
            self._idle.append(connection)  # within the cap: it held a slot until now
        else:
            connection.close()
        self._free_slot()

    async def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()


def _request_bytes(method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    lines = [f"{method} {target} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"content-length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
    return head + body

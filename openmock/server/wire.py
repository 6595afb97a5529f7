"""What one turn of the event loop writes to a connection, sent in one piece; how openmock runs
uvicorn.

uvicorn writes an answer's status line and headers, then its body: two `write` system calls
(strace: 2 a request) and two TCP segments for every answer. `JoiningTransport` holds the
writes of one loop turn and sends them together at the end of that turn, so a head and its
body (sent back to back by the app) go out as one. Nothing waits longer than the current
turn; a close sends what is held first, an abort drops it (the connection is being reset:
nothing more is sent).

`uvicorn_config` is how openmock runs uvicorn everywhere (the CLI, workers, Python's `serve`):
its HTTP protocol `server/protocol.py` over this transport, warnings only, no access log (the
call log is openmock's). httptools comes with uvicorn[standard].
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn


class JoiningTransport:
    """A transport whose writes within one loop turn leave as one write; all else is the
    wrapped transport's."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(bytes(data))

    def writelines(self, pieces: Any) -> None:
        for piece in pieces:
            self.write(piece)

    def flush(self) -> None:
        if not self._held:
            return
        data = self._held[0] if len(self._held) == 1 else b"".join(self._held)
        self._held.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held.clear()
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(p) for p in self._held)

    def __getattr__(self, name: str) -> Any:  # get_extra_info, pause_reading, is_closing...
        return getattr(self._transport, name)


# uvicorn's `http` setting: an import string, so worker processes can load it too.
PROTOCOL = "openmock.server.protocol:MockProtocol"


def uvicorn_config(app: Any, **settings: Any) -> uvicorn.Config:
    """uvicorn's settings for serving `app`; `settings` add to them (lifespan, workers...)."""
    return uvicorn.Config(app, http=PROTOCOL, log_level="warning", access_log=False, **settings)

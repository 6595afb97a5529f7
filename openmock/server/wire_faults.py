"""Answers that fail on the wire (`Prefer: fault=...`, a scenario's `fault`, `--chaos`), as a
client sees them:

- `reset`: the connection is reset (TCP RST: SO_LINGER 0, then abort) before any byte of an
  answer; httpx raises ReadError / RemoteProtocolError, a browser "connection reset";
- `empty`: the connection is closed with no answer ("server disconnected without sending a
  response");
- `malformed`: the status line and headers promise the whole body (Content-Length), half of it
  is sent, then the connection is closed ("incomplete message body");
- `slow-body`: the body arrives in SLOW_CHUNKS pieces SLOW_INTERVAL seconds apart (a client
  with a shorter read timeout times out).

The first three need the connection itself, which ASGI does not give an application: uvicorn's
`send` is a method of the request's cycle, which holds the transport. That reach into uvicorn is
kept in this one module; under another server the answer is cut short as far as ASGI allows.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]

SLOW_CHUNKS = 10
SLOW_INTERVAL = 0.5  # seconds between chunks: 5 s for a whole body


async def send_with_fault(fault: str, send: Send, start: Message, body: bytes) -> None:
    """Send an answer (`start` is its http.response.start message) failing as `fault` says."""
    if fault == "slow-body":
        await send(start)
        size = max(1, -(-len(body) // SLOW_CHUNKS))
        for offset in range(0, max(len(body), 1), size):
            await anyio.sleep(SLOW_INTERVAL)
            piece = body[offset : offset + size]
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    transport = _transport(send)
    if fault == "malformed":
        await send(start)
        half = body[: len(body) // 2] if len(body) > 1 else b""
        await send({"type": "http.response.body", "body": half, "more_body": True})
        if transport is not None:
            transport.close()  # what was written is flushed first
            await _until_gone(send)
        return
    if transport is None:  # not uvicorn: the best ASGI allows is an unfinished answer
        await send(start)
        await send({"type": "http.response.body", "body": b"", "more_body": True})
        return
    if fault == "reset":
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:  # empty
        transport.close()
    await _until_gone(send)


def _transport(send: Send) -> Any:
    """The connection's transport behind uvicorn's `send`, or None under another server."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    needed = ("abort", "close", "get_extra_info")
    return transport if all(hasattr(transport, name) for name in needed) else None


async def _until_gone(send: Send) -> None:
    """Let the event loop tell uvicorn the connection is gone, so it does not answer in our
    place (it sends a 500 for an app that returned without answering)."""
    cycle = getattr(send, "__self__", None)
    for _ in range(100):  # bounded: connection_lost comes within a loop iteration or two
        if getattr(cycle, "disconnected", True):
            return
        await anyio.sleep(0)
    if cycle is not None:
        cycle.disconnected = True  # uvicorn's own flag: nothing more is sent

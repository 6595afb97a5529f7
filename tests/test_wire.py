"""The serving connection's joined writes (openmock/server/wire.py): what one loop turn writes
leaves as one write on the real transport, in order; a close sends it, an abort drops it."""

from __future__ import annotations

import asyncio
from typing import Any

from openmock.server.wire import JoiningTransport


class Counted:
    """A real transport whose writes are counted."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(data)
        self.transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


async def _exchange(then: str) -> tuple[list[bytes], bytes]:
    received = bytearray()
    done = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.extend(await reader.read())  # until the client closes or resets
        done.set()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_connection(
        asyncio.Protocol, "127.0.0.1", server.sockets[0].getsockname()[1]
    )
    counted = Counted(transport)
    joined = JoiningTransport(counted, loop)  # type: ignore[arg-type]
    joined.write(b"HTTP/1.1 200 OK\r\n\r\n")
    joined.write(b"body")
    if then == "close":
        joined.close()
    elif then == "abort":
        joined.abort()
    else:
        await asyncio.sleep(0)  # the end of this turn
        await asyncio.sleep(0)
        joined.close()
    await asyncio.wait_for(done.wait(), 10)
    server.close()
    return counted.writes, bytes(received)


def test_one_turns_writes_leave_as_one() -> None:
    writes, received = asyncio.run(_exchange("wait"))
    assert writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"] and received == writes[0]


def test_a_close_sends_what_is_held_and_an_abort_drops_it() -> None:
    writes, received = asyncio.run(_exchange("close"))
    assert received == b"HTTP/1.1 200 OK\r\n\r\nbody" and len(writes) == 1
    writes, received = asyncio.run(_exchange("abort"))
    assert writes == [] and received == b""

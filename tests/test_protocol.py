"""The HTTP connection openmock serves on (openmock/server/protocol.py), over real sockets: mock
answers are written from the parser's callback without an ASGI task; the admin API, delays,
large bodies, `100-continue` and `X-Forwarded-*` go through uvicorn's ASGI cycle; either way
the bytes on the wire are HTTP/1.1's, in order, with keep-alive and close as uvicorn does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import orjson
import pytest
from conftest import SpecMaker
from uvicorn.server import ServerState

from openmock.server import create_app
from openmock.server.protocol import MockProtocol
from openmock.server.wire import uvicorn_config

ITEM = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
JSON_ITEM = {"application/json": {"schema": ITEM, "example": {"id": 1, "name": "one"}}}
PATHS = {
    "/items": {
        "get": {"responses": {"200": {"description": "ok", "content": JSON_ITEM}}},
        "post": {
            "requestBody": {"content": {"application/json": {"schema": ITEM}}},
            "responses": {"201": {"description": "made", "content": JSON_ITEM}},
        },
    },
    "/slow": {
        "get": {
            "x-openmock-delay": 30,
            "responses": {"200": {"description": "ok", "content": JSON_ITEM}},
        }
    },
}


class Tasks(set[Any]):
    """uvicorn's set of running ASGI tasks, counting every task ever added."""

    started = 0

    def add(self, task: Any) -> None:
        self.started += 1
        super().add(task)


@asynccontextmanager
async def serving(app: Any, **settings: Any) -> AsyncIterator[tuple[int, ServerState]]:
    """`app` served by MockProtocol on a free loopback port, as uvicorn serves it."""
    config = uvicorn_config(app, lifespan="off", **settings)
    config.load()
    state = ServerState()
    state.tasks = Tasks()
    state.default_headers = [(b"server", b"uvicorn")]  # uvicorn's Server adds the date too
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: MockProtocol(config=config, server_state=state, app_state={}), "127.0.0.1", 0
    )
    try:
        yield server.sockets[0].getsockname()[1], state
    finally:
        server.close()
        for connection in list(state.connections):
            connection.shutdown()
        await asyncio.gather(*state.tasks)


async def read_answer(
    reader: asyncio.StreamReader, head: bool = False
) -> tuple[int, dict[str, str], bytes]:
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if line)
    size = 0 if head else int(headers.get("content-length", "0"))
    return status, headers, await reader.readexactly(size)


def request(
    method: str, path: str, body: bytes = b"", extra: str = "", version: str = "1.1"
) -> bytes:
    head = f"{method} {path} HTTP/{version}\r\nHost: 127.0.0.1\r\n{extra}"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def run(test: Callable[[int, ServerState], Any], app: Any, **settings: Any) -> Any:
    async def main() -> Any:
        async with serving(app, **settings) as (port, state):
            return await test(port, state)

    return asyncio.run(main())


@pytest.fixture
def app(make_spec: SpecMaker) -> Any:
    return create_app(make_spec(paths=PATHS), log_db=None)


def test_mock_answers_are_written_without_a_task(app: Any) -> None:
    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request("GET", "/items"))
        status, headers, body = await read_answer(reader)
        assert (status, orjson.loads(body)) == (200, {"id": 1, "name": "one"})
        assert headers["content-type"] == "application/json" and headers["server"] == "uvicorn"
        writer.write(request("POST", "/items", b'{"name": "two"}'))
        status, headers, _ = await read_answer(reader)
        assert status == 201 and headers["x-openmock-stub"] == "post /items"
        assert state.tasks.started == 0 and state.total_requests == 2  # type: ignore[attr-defined]
        writer.close()

    run(test, app)


def test_admin_paths_delays_and_forwarded_headers_take_uvicorns_way(app: Any) -> None:
    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request("GET", "/__openmock/health"))
        status, _, body = await read_answer(reader)
        assert status == 200 and orjson.loads(body)["status"] == "ok"
        writer.write(request("GET", "/slow"))
        status, _, body = await read_answer(reader)
        assert status == 200 and orjson.loads(body)["id"] == 1
        writer.write(request("GET", "/items", extra="X-Forwarded-For: 10.1.2.3\r\n"))
        assert (await read_answer(reader))[0] == 200
        assert state.tasks.started == 3  # type: ignore[attr-defined]
        writer.close()

    run(test, app)


def test_pipelined_requests_are_answered_in_order(app: Any) -> None:
    """A delayed answer (an ASGI task) first: the two behind it wait their turn."""

    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            request("GET", "/slow")
            + request("HEAD", "/items")
            + request("POST", "/items", b'{"name": "x"}')
            + request("GET", "/items")
        )
        answers = [await read_answer(reader, head=n == 1) for n in range(4)]
        assert [a[1]["x-openmock-stub"] for a in answers] == [
            "get /slow", "get /items", "post /items", "get /items"
        ]  # fmt: skip
        assert answers[1][1]["content-length"] == str(len(answers[3][2])) and not answers[1][2]
        writer.close()

    run(test, app)


@pytest.mark.parametrize(
    ("version", "extra"), [("1.0", ""), ("1.1", "Connection: close\r\n")], ids=["http1.0", "close"]
)
def test_a_connection_asked_to_end_is_closed_after_the_answer(
    app: Any, version: str, extra: str
) -> None:
    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request("GET", "/items", extra=extra, version=version))
        status, headers, _ = await read_answer(reader)
        assert status == 200 and headers["connection"] == "close"
        assert await asyncio.wait_for(reader.read(), 10) == b""  # closed by the server
        assert state.tasks.started == 0  # type: ignore[attr-defined]

    run(test, app)


def test_a_large_body_and_100_continue_are_read_by_the_asgi_app(app: Any) -> None:
    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        name = "n" * 200_000
        writer.write(request("POST", "/items", orjson.dumps({"name": name})))
        status, _, _ = await read_answer(reader)
        assert status == 201 and state.tasks.started == 1  # type: ignore[attr-defined]
        body = b'{"name": "x"}'
        writer.write(request("POST", "/items", extra="Expect: 100-continue\r\n")[:-2])
        writer.write(
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        )
        assert await reader.readuntil(b"\r\n\r\n") == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(body)
        assert (await read_answer(reader))[0] == 201
        writer.close()

    run(test, app)


class Broken:
    """An app whose immediate answers break: one raises, one has a header HTTP cannot carry."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
        raise AssertionError("not called: every answer is made at once")

    def answer_now(self, scope: Any, body: bytes) -> Any:
        self.calls += 1
        if scope["path"] == "/raises":
            raise ValueError("a bug")
        if scope["path"] == "/header":
            return 200, [(b"x-note", b"two\nlines"), (b"content-length", b"2")], b"ok"
        return 200, [(b"content-length", b"2")], b"ok"


@pytest.mark.parametrize("path", ["/raises", "/header"])
def test_an_answer_that_cannot_be_written_is_a_500_and_the_server_goes_on(path: str) -> None:
    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request("GET", path))
        status, headers, body = await read_answer(reader)
        assert (status, body, headers["connection"]) == (500, b"Internal Server Error", "close")
        assert await asyncio.wait_for(reader.read(), 10) == b""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request("GET", "/fine"))
        status, _, body = await read_answer(reader)
        assert (status, body) == (200, b"ok")
        writer.close()

    run(test, Broken())


def test_an_idle_connection_is_closed_after_the_keep_alive_timeout(app: Any) -> None:
    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(3):
            writer.write(request("GET", "/items"))
            assert (await read_answer(reader))[0] == 200
        assert await asyncio.wait_for(reader.read(), 30) == b""  # closed: idle past 1 s

    run(test, app, timeout_keep_alive=1)


def test_served_apps_without_answer_now_are_served_as_asgi() -> None:
    async def plain(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-length", b"5")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"plain"})

    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request("GET", "/"))
        _, _, body = await read_answer(reader)
        assert body == b"plain" and state.tasks.started == 1  # type: ignore[attr-defined]
        writer.close()

    run(test, plain)

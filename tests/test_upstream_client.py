"""The proxy's HTTP client (openmock/server/upstream.py) against a real TCP server that answers
with scripted bytes: every way an HTTP/1.1 answer can be framed, kept-alive connections reused,
a stale one retried only for idempotent methods, and the ways an upstream fails."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from openmock.server.upstream import UpstreamClient, UpstreamError

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@dataclass
class Script:
    """What the upstream answers, one entry per request in order: bytes to send, then keep the
    connection open (True) or close it (False); None: close without answering. Past the last
    entry it answers nothing and keeps the connection."""

    answers: list[tuple[bytes, bool] | None]
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0
    dropped: int = 0  # connections the client closed while the upstream kept silent


async def _read_request(reader: asyncio.StreamReader) -> bytes | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return head + (await reader.readexactly(length) if length else b"")


async def run_against(
    script: Script,
    test: Callable[[UpstreamClient], Awaitable[None]],
    read: float = 5.0,
    base_path: str = "",
    connections: int = 100,
) -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        script.connections += 1
        while True:
            request = await _read_request(reader)
            if request is None:
                break
            script.requests.append(request)
            if not script.answers:  # none scripted: silent until the client goes
                await reader.read()
                script.dropped += 1
                break
            answer = script.answers.pop(0)
            if answer is None:
                break
            data, keep = answer
            writer.write(data)
            await writer.drain()
            if not keep:
                break
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}{base_path}"
    client = UpstreamClient(url, read_seconds=read, connections=connections)
    try:
        await test(client)
    finally:
        await client.close()
        server.close()
        await server.wait_closed()


async def fetch(
    client: UpstreamClient, method: str, target: str, body: bytes = b""
) -> tuple[int, bytes]:
    answer = await client.send(method, target, [("host", "upstream")], body)
    try:
        return answer.status, b"".join([chunk async for chunk in answer.body])
    finally:
        answer.close()


def test_the_request_goes_out_as_one_http_1_1_message() -> None:
    script = Script([(OK, True)])

    async def test(client: UpstreamClient) -> None:
        assert await fetch(client, "POST", "/pets?limit=5", b'{"a":1}') == (200, b"ok")

    asyncio.run(run_against(script, test, base_path="/api/"))  # under the upstream's path
    assert script.requests == [
        b'POST /api/pets?limit=5 HTTP/1.1\r\nhost: upstream\r\ncontent-length: 7\r\n\r\n{"a":1}'
    ]


CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"


@pytest.mark.parametrize(
    ("method", "answer", "body", "connections"),
    [
        ("GET", CHUNKED, b"abcde", 1),
        ("GET", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde", b"abcde", 1),
        ("GET", b"HTTP/1.1 204 No Content\r\n\r\n", b"", 1),
        # no body follows a HEAD's head, whatever its Content-Length says
        ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", b"", 1),
        # the body ends with the connection: read to the end, the connection not reused
        ("GET", b"HTTP/1.0 200 OK\r\n\r\nuntil the end", b"until the end", 2),
    ],
)
def test_each_framing_is_read_whole_and_kept_connections_reused(
    method: str, answer: bytes, body: bytes, connections: int
) -> None:
    script = Script([(answer, connections == 1), (OK, True)])

    async def test(client: UpstreamClient) -> None:
        assert (await fetch(client, method, "/a"))[1] == body
        assert await fetch(client, "GET", "/b") == (200, b"ok")

    asyncio.run(run_against(script, test))
    assert script.connections == connections


def test_an_informational_answer_is_skipped() -> None:
    script = Script([(b"HTTP/1.1 100 Continue\r\n\r\n" + OK, True)])

    async def test(client: UpstreamClient) -> None:
        assert await fetch(client, "PUT", "/a", b"x") == (200, b"ok")

    asyncio.run(run_against(script, test))


def test_a_large_answer_streams_through_in_order() -> None:
    body = bytes(range(256)) * 12_000  # 3 MB: reading pauses and resumes on the way
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    script = Script([(answer, True)])

    async def test(client: UpstreamClient) -> None:
        assert await fetch(client, "GET", "/big") == (200, body)

    asyncio.run(run_against(script, test))


def test_a_connection_dropped_in_the_pool_is_retried_only_for_idempotent_methods() -> None:
    script = Script([(OK, True), None, (OK, True), (OK, True), None])

    async def test(client: UpstreamClient) -> None:
        assert await fetch(client, "GET", "/a") == (200, b"ok")
        # the upstream drops the kept connection as the next request arrives: sent again
        assert await fetch(client, "GET", "/b") == (200, b"ok")
        assert await fetch(client, "GET", "/c") == (200, b"ok")
        with pytest.raises(UpstreamError, match="closed before an answer"):
            await fetch(client, "POST", "/d", b"{}")  # maybe done: never twice

    asyncio.run(run_against(script, test))
    assert [r.split(b" ")[1] for r in script.requests] == [b"/a", b"/b", b"/b", b"/c", b"/d"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "broke off"),
        (b"not http at all\r\n\r\n", "not valid HTTP/1.1"),
        (None, "closed before an answer"),
        (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\n\r\n",
            "switched protocols",
        ),
    ],
)
def test_a_broken_answer_is_an_upstream_error(answer: bytes | None, message: str) -> None:
    script = Script([None if answer is None else (answer, False)])

    async def test(client: UpstreamClient) -> None:
        with pytest.raises(UpstreamError, match=message):
            await fetch(client, "GET", "/a")

    asyncio.run(run_against(script, test))


def test_an_upstream_that_never_answers_times_out() -> None:
    async def test(client: UpstreamClient) -> None:
        with pytest.raises(UpstreamError, match=r"no answer within 0\.2 s"):
            await fetch(client, "GET", "/a")

    asyncio.run(run_against(Script([]), test, read=0.2))


def test_an_unreachable_upstream_says_why() -> None:
    async def test() -> None:
        client = UpstreamClient("http://127.0.0.1:9")
        with pytest.raises(UpstreamError, match="ConnectionRefusedError"):
            await client.send("GET", "/", [], b"")

    asyncio.run(test())


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own authority), made by openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the certificate")
def test_an_https_upstream_is_verified_and_spoken_to_over_tls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = _certificate(tmp_path)
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if await _read_request(reader) is not None:
            writer.write(OK)
            await writer.drain()
        writer.close()

    async def test() -> None:
        server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=served)
        url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        try:
            with pytest.raises(UpstreamError, match="CERTIFICATE_VERIFY_FAILED"):
                await fetch(UpstreamClient(url), "GET", "/a")  # not trusted: refused
            monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted from now on
            assert await fetch(UpstreamClient(url), "GET", "/a") == (200, b"ok")
        finally:
            server.close()
            await server.wait_closed()

    asyncio.run(test())


def test_a_request_given_up_on_closes_its_connection() -> None:
    """The client that asked went away (the proxy's task is cancelled): the connection to the
    upstream is closed, not left open or pooled."""
    script = Script([])

    async def test(client: UpstreamClient) -> None:
        asking = asyncio.create_task(fetch(client, "GET", "/slow"))
        for _ in range(1000):  # until the upstream has the request
            if script.requests:
                break
            await asyncio.sleep(0.01)
        asking.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asking
        for _ in range(1000):  # until the upstream sees the connection closed
            if script.dropped:
                break
            await asyncio.sleep(0.01)
        assert script.dropped == 1

    asyncio.run(run_against(script, test))


def test_connections_are_capped_and_a_request_past_them_waits_for_one() -> None:
    """Two connections at most: a third request waits until an answer is done with, then
    goes out on the freed connection; one that waits longer than the read timeout fails."""
    script = Script([(OK, True)] * 4)

    async def test(client: UpstreamClient) -> None:
        first = await client.send("GET", "/1", [("host", "upstream")], b"")
        second = await client.send("GET", "/2", [("host", "upstream")], b"")
        with pytest.raises(UpstreamError, match="all 2 connections to the upstream stayed busy"):
            await client.send("GET", "/3", [("host", "upstream")], b"")
        waiting = asyncio.create_task(fetch(client, "GET", "/4"))
        await asyncio.sleep(0)
        assert b"".join([chunk async for chunk in first.body]) == b"ok"
        first.close()
        first.close()  # done with twice: the slot is freed once
        assert await waiting == (200, b"ok")
        second.close()
        assert script.connections == 2
        assert [r.split(b" ")[1] for r in script.requests] == [b"/1", b"/2", b"/4"]

    async def capped() -> None:
        await run_against(script, test, read=0.3, connections=2)

    asyncio.run(capped())

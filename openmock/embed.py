"""In-process use from Python: a real mock server in a background thread.

    with openmock.serve("api.yaml") as mock:
        httpx.get(f"{mock.url}/pets")
        assert mock.verify(method="GET", path="/pets")["met"]

For an ASGI app without a socket (httpx.ASGITransport, Starlette's TestClient), use
`openmock.create_app`.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openmock.calllog import read_expectation, verify
from openmock.server.run import base_url

if TYPE_CHECKING:  # imported when used: FastAPI only when a mock is made
    from openmock.server.mock import MockApp
    from openmock.spec import Spec

STARTUP_SECONDS = 30.0


@contextmanager
def serve_app(
    app: Any, *, host: str = "127.0.0.1", port: int = 0, timeout: float = STARTUP_SECONDS
) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a background thread; yields its base URL once it
    accepts connections, stops it when the block ends."""
    import uvicorn

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    from openmock.server.wire import uvicorn_config

    server = uvicorn.Server(uvicorn_config(app, lifespan="off"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="openmock-serve", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"uvicorn did not start on {host}:{port}")
        time.sleep(0.01)
    try:
        yield base_url(host, sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


class RunningMock:
    """A mock serving in this process: its URL, its calls, and verification."""

    def __init__(self, url: str, app: Any) -> None:
        self.url = url
        self.app = app
        self._mock: MockApp = app.state.mock

    def calls(self, **filters: Any) -> list[dict[str, Any]]:
        """Recorded calls, newest first (filters as the admin API's: method, path glob,
        status, stub, since, limit)."""
        store = self._mock.calls
        if store is None:
            raise RuntimeError("this mock records no calls (started with log_db=None)")
        return store.calls(**filters)

    def verify(self, **pattern: Any) -> dict[str, Any]:
        """WireMock-style verification: `verify(method="POST", path="/pets", count=1)`;
        the answer has `met`, `matched` and, when not met, `near_misses`."""
        store = self._mock.calls
        if store is None:
            raise RuntimeError("this mock records no calls (started with log_db=None)")
        recorded = store.calls(limit=store.keep)
        return verify(read_expectation(pattern), recorded, self._mock.state.catalog.base_paths)

    def assert_called(self, **pattern: Any) -> None:
        """`verify`, raising AssertionError with the near misses when not met."""
        result = self.verify(**pattern)
        if not result["met"]:
            misses = "\n".join(
                f"  {m['method']} {m['url']} -> {m['status']}: "
                + "; ".join(m.get("differences", ["unexpected"]))
                for m in result.get("near_misses", result.get("unexpected", []))
            )
            raise AssertionError(
                f"expected {result['expected']} call(s) like {result['pattern']}, found "
                f"{result['matched']}" + (f"; closest:\n{misses}" if misses else "")
            )

    def reset_calls(self) -> None:
        if self._mock.calls is not None:
            self._mock.calls.clear()

    def session(self, name: str | None = None) -> dict[str, str]:
        """Headers that give a client a stateful store of its own (`--stateful`), so tests
        sharing one mock do not see each other's data: `httpx.Client(headers=...)`. Without
        `name`, a fresh one; each session starts from the same seed."""
        return {"X-Openmock-Session": name or f"session-{uuid.uuid4().hex[:12]}"}


@contextmanager
def serve(
    spec: str | Path | Spec, *, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> Iterator[RunningMock]:
    """Serve `spec` on `host:port` (0: a free port) in a background thread until the block
    ends. `options` are create_app's (seed, dynamic, validate, delay, log_db...)."""
    from openmock.server import create_app

    app = create_app(spec, **options)
    try:
        with serve_app(app, host=host, port=port) as url:
            yield RunningMock(url, app)
    finally:
        if app.state.mock.calls is not None:
            app.state.mock.calls.close()

"""Running the mock: the listening socket (bound before the ready line is printed), one uvicorn
server in this process, or uvicorn's supervisor over worker processes."""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

from openmock.model import ADMIN_PREFIX


def base_url(host: str, port: int) -> str:
    """`http://127.0.0.1:4010`, `http://[::1]:4010`."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class CannotListen(Exception):
    """The address cannot be listened on; the message says why and what to do."""


def bind(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (port 0: any free one). Raises CannotListen."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        hint = "pass --port with a free port" if exc.errno in (98, 48) else "check --host"
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror}; {hint}") from None
    sock.set_inheritable(True)
    return sock


def serve(
    app: Any,
    sock: socket.socket,
    on_ready: Callable[[], None],
    on_stop: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Serve `app` on `sock` in this process until Ctrl-C or SIGTERM (a graceful stop, not an
    error); `on_ready` once uvicorn has started, `on_stop` (on the loop) once it has stopped."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                on_ready()

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            await super().shutdown(sockets=sockets)
            if on_stop is not None:
                await on_stop()

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # Ctrl-C / SIGTERM is the normal way to stop a mock: shut down gracefully and
            # exit 0, instead of uvicorn re-raising the signal after shutdown.
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    from openmock.server.wire import uvicorn_config

    Server(uvicorn_config(app, lifespan="off")).run(sockets=[sock])


def serve_workers(
    environment: dict[str, str],
    workers: int,
    sock: socket.socket,
    on_ready: Callable[[], None],
) -> None:
    """uvicorn's supervisor over `workers` processes sharing `sock`, each building its app
    from `environment` (server/workers.py); `on_ready` once they answer."""
    from uvicorn.supervisors import Multiprocess

    from openmock.server.wire import uvicorn_config
    from openmock.server.workers import APP_FACTORY

    os.environ.update(environment)
    config = uvicorn_config(APP_FACTORY, factory=True, workers=workers)
    host, port = sock.getsockname()[:2]
    url = base_url(host, port)

    def announce() -> None:
        for _ in range(600):  # up to a minute for the workers to load the spec
            try:
                urllib.request.urlopen(f"{url}{ADMIN_PREFIX}/health", timeout=1).close()
            except urllib.error.HTTPError:
                pass  # answered (404 with --no-admin): serving
            except OSError:
                time.sleep(0.1)
                continue
            on_ready()
            return

    threading.Thread(target=announce, daemon=True).start()
    Multiprocess(config, sockets=[sock]).run()

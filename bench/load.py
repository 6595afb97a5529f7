"""Load tests over loopback: a server pinned to one core, wrk on the other.

`serve()` starts `openmock from-spec` (or any command) and waits for it to answer;
`wrk_run()` replays a list of requests round-robin through a generated Lua script and reads
back requests/s and latency percentiles. wrk comes from Debian's package (`make bench`
installs it where missing).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SERVER_CORE = "0"
CLIENT_CORE = "1"


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors, timeouts and non-2xx/3xx answers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pinned(command: Sequence[str], core: str) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", core, *command]
    return list(command)


@contextmanager
def serve_process(
    command: Sequence[str],
    port: int,
    timeout: float = 120,
    ready_path: str = "/__openmock/health",
    env: dict[str, str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """Run a server command (pinned to the server core) until it answers `ready_path` on
    `port` with any status: (its URL, the process, seconds from start to first answer)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        pinned(command, SERVER_CORE),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                httpx.get(url + ready_path, timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{command} did not answer in {timeout} s") from None
                time.sleep(0.02)
        yield url, process, time.perf_counter() - started
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def serve(command: Sequence[str], port: int, timeout: float = 60) -> Iterator[str]:
    """Run `openmock from-spec ...` (pinned to the server core) until it answers."""
    with serve_process(command, port, timeout) as (url, _, _):
        yield url


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory (VmHWM) of a process and its children, in MB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(c) for c in children.read_text().split()]
    for one in pids:
        try:
            status = Path(f"/proc/{one}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        total += int(found.group(1)) if found else 0
    return total / 1024


def _lua_string(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    out = []
    for byte in raw:
        char = chr(byte)
        if char.isalnum() or char in " -_./:;,=&[]{}()<>?!@#$*+^|~'":
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_script(requests: Sequence[Request]) -> str:
    lines = ["local requests = {}"]
    for i, request in enumerate(requests, start=1):
        # wrk.format sends only the headers it is given: without a Host header, Node's HTTP
        # parser (Prism) answers every request 400 (uvicorn does not mind).
        given = {"Host": "127.0.0.1"} | request.headers
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in given.items())
        body = _lua_string(request.body) if request.body else "nil"
        lines.append(
            f"requests[{i}] = wrk.format({_lua_string(request.method)}, "
            f"{_lua_string(request.path)}, {{{headers}}}, {body})"
        )
    lines += [
        "local i = 0",
        "request = function()",
        "  i = i % #requests + 1",
        "  return requests[i]",
        "end",
    ]
    return "\n".join(lines) + "\n"


_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_warm(url: str, requests: Sequence[Request], rounds: int, most: int = 120) -> None:
    """Replay `requests` until each has been sent about `rounds` times (at most `most`
    seconds): a short run measures the rate, a second one runs for what is left. (wrk has no
    request count, and a Lua `wrk.thread:stop()` leaves it waiting out its duration.)"""
    first = wrk_run(url, requests, seconds=2)
    left = rounds - first.requests_per_second * 2 / len(requests)
    if left > 0:
        seconds = left * len(requests) / first.requests_per_second * 1.2  # some to spare
        wrk_run(url, requests, seconds=min(most, max(1, math.ceil(seconds))))


def wrk_run(
    url: str, requests: Sequence[Request], seconds: int = 5, connections: int = 32
) -> LoadResult:
    """Replay `requests` round-robin (lua_script)."""
    return wrk_script_run(url, lua_script(requests), seconds, connections)


def wrk_script_run(url: str, script: str, seconds: int = 5, connections: int = 32) -> LoadResult:
    """wrk (pinned to the client core) driven by a Lua `script` of its own."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (make bench installs it)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        command = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s"]
        output = subprocess.run(
            pinned([*command, file.name, url], CLIENT_CORE),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(file.name).unlink()
    return parse_wrk(output)


def parse_wrk(output: str) -> LoadResult:
    """requests/s, p50, p99 and errors from wrk's `--latency` report."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latency = {int(p): float(v) * _UNIT_MS[u] for p, v, u in _LATENCY.findall(output)}
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: .*?timeout (\d+)"):
        found = re.search(pattern, output)
        if found:
            errors += int(found.group(1))
    return LoadResult(rate, latency.get(50, 0.0), latency.get(99, 0.0), errors)

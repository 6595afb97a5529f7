"""Request validation cost: requests/s of the mock with validation on vs off, on the largest
corpus spec. Writes bench/results/<date>-<commit>-validation.md.

Every operation gets a request its spec calls valid (built as the end-to-end tests build
them, tests/valid_requests.py). Two measurements:
- over HTTP, as users meet it: `openmock from-spec` pinned to one core, wrk on the other
  replaying the requests round-robin (32 connections), against a server with validation and
  one with `--no-validate` in turn, each keeping its best of HTTP_ROUNDS runs. Target
  (issue 4): with validation, at least 80% of the requests/s without;
- in one process, straight into the mock's ASGI app (no sockets, no HTTP parsing): what is
  left is the mock's own work, so this gives validation's cost per request in microseconds
  (its share here is far larger than over HTTP). The modes alternate for several rounds and
  each keeps its best, to damp the noise of a shared machine.
Both measure a warm server, as one under load soon is: every request is first sent
COMPILE_AFTER + 1 times (an operation's checks are compiled on its first request, a form body
shape after COMPILE_AFTER uses; formshape.py gives what that costs).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
CACHE = ROOT / ".openmock" / "cache"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the request builder the e2e tests use

from load import Request, free_port, serve, wrk_run, wrk_warm  # noqa: E402
from report import write_report  # noqa: E402
from valid_requests import build, concrete_path, with_cookies  # noqa: E402

from openmock.generate import GenerationEngine  # noqa: E402
from openmock.importer import build_catalog  # noqa: E402
from openmock.mockstate import MockOptions, MockState  # noqa: E402
from openmock.schema.index import SchemaIndex  # noqa: E402
from openmock.server.mock import MockApp  # noqa: E402
from openmock.spec import load_spec  # noqa: E402
from openmock.validation.formshape import COMPILE_AFTER  # noqa: E402

ROUNDS = 4
HTTP_ROUNDS = 3  # wrk runs per mode, alternating: single runs varied by 5-8% here
ROUND_SECONDS = 1.5


@dataclass
class Call:
    scope: dict[str, Any]
    body: bytes
    has_body: bool
    request: Request


def largest_spec() -> Path:
    roots = [p for p in CORPUS.rglob("*") if p.suffix in (".json", ".yaml", ".yml")]
    return max(roots, key=lambda p: p.stat().st_size)


def calls_for(path: Path) -> tuple[list[Call], Any, Any]:
    spec = load_spec(path, cache_dir=CACHE)
    index = SchemaIndex(spec.document)
    catalog = build_catalog(spec, index)
    engine = GenerationEngine(index, seed=3, search=False)
    calls: list[Call] = []
    for stub in catalog.stubs:
        if stub.import_error is not None:
            continue
        request = build(stub, engine, stub.id)
        path = concrete_path(stub, engine)
        if request.unbuildable:
            continue
        headers = [
            (k.lower().encode(), v.encode("latin-1")) for k, v in with_cookies(request).items()
        ]
        body = request.content or b""
        scope = {
            "type": "http",
            "method": stub.method,
            "path": unquote(path),
            "raw_path": path.encode(),
            "query_string": urlencode(request.query).encode(),
            "headers": headers,
        }
        query = scope["query_string"].decode()
        http = Request(stub.method, path + (f"?{query}" if query else ""),
                       with_cookies(request), body)  # fmt: skip
        calls.append(Call(scope, body, bool(body), http))
    return calls, catalog, index


async def _one(app: MockApp, call: Call) -> int:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": call.body, "more_body": False}

    status = 0

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(call.scope, receive, send)
    return status


async def _round(app: MockApp, calls: list[Call], seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for call in calls:
            await _one(app, call)
        done += len(calls)
    return done / (time.perf_counter() - started)


async def measure(calls: list[Call], catalog: Any, index: Any) -> dict[str, float]:
    apps = {
        "on": MockApp(MockState.build(catalog, index, MockOptions(seed=1, validate=True))),
        "off": MockApp(MockState.build(catalog, index, MockOptions(seed=1, validate=False))),
    }
    refused = [c.scope["path"] for c in calls if await _one(apps["on"], c) in (400, 401, 415, 422)]
    for call in calls:  # responses generated and cached
        await _one(apps["off"], call)
    for _ in range(COMPILE_AFTER):  # warm: the body shapes compiled (formshape.py)
        for call in calls:
            await _one(apps["on"], call)
    best = {"on": 0.0, "off": 0.0}
    for _ in range(ROUNDS):
        for mode, app in apps.items():
            best[mode] = max(best[mode], await _round(app, calls, ROUND_SECONDS))
    return {**best, "refused": float(len(refused))}


def over_http(spec: Path, groups: list[tuple[str, list[Call]]]) -> list[str]:
    lines = [
        "| requests | req/s validation on | req/s off | on/off | p50 / p99 ms on | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    results: dict[tuple[str, bool], Any] = {}
    command = [sys.executable, "-m", "openmock", "from-spec", str(spec), "--no-log"]
    on_port, off_port = free_port(), free_port()  # --no-log: validation's cost alone
    with (
        serve([*command, "--port", str(on_port)], on_port) as on_url,
        serve([*command, "--port", str(off_port), "--no-validate"], off_port) as off_url,
    ):  # both up on the server core, one loaded at a time
        urls = {True: on_url, False: off_url}
        for label, chosen in groups:
            requests = [c.request for c in chosen]
            for url in urls.values():
                for warm in requests:  # validators compiled, responses generated and cached
                    httpx.request(
                        warm.method, url + warm.path, headers=warm.headers, content=warm.body
                    )
                # each request COMPILE_AFTER times more: the body shapes compiled, as a
                # server under load soon has them (a wrk run of 5 s alone may not get there)
                wrk_warm(url, requests, rounds=COMPILE_AFTER)
            for _ in range(HTTP_ROUNDS):  # alternating, each keeping its best
                for validate, url in urls.items():
                    run = wrk_run(url, requests)
                    best = results.get((label, validate))
                    if best is None or run.requests_per_second > best.requests_per_second:
                        results[(label, validate)] = run
    for label, _ in groups:
        on, off = results[(label, True)], results[(label, False)]
        lines.append(
            f"| {label} | {on.requests_per_second:,.0f} | {off.requests_per_second:,.0f} "
            f"| {on.requests_per_second / off.requests_per_second:.0%} "
            f"| {on.p50_ms:.1f} / {on.p99_ms:.1f} | {on.errors} |"
        )
    return lines


def section(spec: Path, title: str, http: bool) -> list[str]:
    calls, catalog, index = calls_for(spec)
    groups = [
        ("every operation", calls),
        ("operations with a request body", [c for c in calls if c.has_body]),
        ("operations without a body", [c for c in calls if not c.has_body]),
    ]
    lines = [
        f"## `{spec.relative_to(CORPUS)}`: {title}",
        "",
        f"One valid request per operation ({len(calls)} of {len(catalog.stubs)} operations; "
        f"{len(groups[1][1])} with a body).",
        "",
    ]
    if http:
        lines += [
            "Over HTTP: `openmock from-spec` (uvicorn, uvloop, httptools) pinned to one core; "
            "wrk on the other, 32 connections, 5 s, the requests round-robin, each sent "
            f"{COMPILE_AFTER + 1} times before (warm: body shapes compiled); best of "
            f"{HTTP_ROUNDS} runs per mode, alternating. "
            "Target: on/off >= 80%.",
            "",
            *over_http(spec, groups),
            "",
        ]
    lines += [
        "In one process, straight into the mock's ASGI app (no sockets, no HTTP parsing: "
        f"validation's share is far larger than over HTTP; warm as above, best of {ROUNDS} "
        f"alternating rounds of {ROUND_SECONDS} s):",
        "",
        "| requests | req/s validation on | req/s off | on/off | validation µs/req "
        "| valid requests refused |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, chosen in groups:
        result = asyncio.run(measure(chosen, catalog, index))
        on, off = result["on"], result["off"]
        lines.append(
            f"| {label} | {on:,.0f} | {off:,.0f} | {on / off:.0%} "
            f"| {(1 / on - 1 / off) * 1e6:.0f} | {result['refused']:.0f} |"
        )
    return [*lines, ""]


def most_operations() -> Path:
    return CORPUS / "github-rest" / "api.github.com.json"


def main() -> None:
    http = "--no-http" not in sys.argv and shutil.which("wrk") is not None
    lines = [] if http else ["(wrk is not installed: over-HTTP figures skipped.)", ""]
    for spec, title in (
        (largest_spec(), "the largest document (form-encoded bodies)"),
        (most_operations(), "the most operations (JSON bodies)"),
    ):
        if spec.exists():
            lines += section(spec, title, http)
    write_report("validation", "Request validation cost", lines)


if __name__ == "__main__":
    main()

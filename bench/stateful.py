"""openmock --stateful against json-server and Mockoon's CRUD route: the fake REST backends
frontend developers use, on the same machine in the same run (issue 16). Writes
bench/results/<date>-<commit>-stateful.md.

Each server holds the same 100 posts (bench/crud.yaml for openmock) and runs pinned to one
core, wrk (32 connections) on the other, replaying a CRUD mix in equal parts: create, read
one, list a page of 20, replace one, delete one the mix created (ids read from the create
answers, so every request should succeed). Then, in one process, the cost of a page of 20
from 10,000 items (openmock's pipeline, no HTTP).

json-server (0.17.4, its `latest`) and Mockoon CLI (9.9.0) come from the npm registry into
bench/.crud/ (ignored by git), installed here when missing; the Mockoon environment is built
with Mockoon's own builders, so its format is the installed version's.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load import LoadResult, free_port, serve_process, wrk_script_run  # noqa: E402
from report import write_report  # noqa: E402

SPEC = ROOT / "bench" / "crud.yaml"
TOOLS = ROOT / "bench" / ".crud"
BIN = TOOLS / "node_modules" / ".bin"
PACKAGES = ["json-server@0.17.4", "@mockoon/cli@9.9.0"]
SEEDED = 100
SECONDS = 5
ROUNDS = 3  # best of 3 runs a server, the servers alternating (single runs moved 25% here)
PAGE_ITEMS = 10_000
PAGE_CALLS = 2_000


def install() -> bool:
    if (BIN / "json-server").exists() and (BIN / "mockoon-cli").exists():
        return True
    npm = shutil.which("npm")
    if npm is None:
        print("npm is not installed: json-server and Mockoon are not measured")
        return False
    TOOLS.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--loglevel=error",
         *PACKAGES], capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        print(f"json-server and Mockoon could not be installed: {done.stderr[-500:]}")
    return (BIN / "json-server").exists() and (BIN / "mockoon-cli").exists()


def posts(count: int) -> list[dict[str, object]]:
    return [{"id": n, "title": f"post {n}", "views": n % 50} for n in range(1, count + 1)]


MOCKOON_ENV = """
const c = require(process.argv[1] + '/node_modules/@mockoon/commons');
const env = c.BuildEnvironment({hasDefaultRoute: false, hasDefaultHeader: true, port: 3000});
const bucket = c.BuildDatabucket();
bucket.name = 'posts';
bucket.value = require('fs').readFileSync(process.argv[2], 'utf8');
env.data.push(bucket);
const route = c.BuildCRUDRoute(bucket.id);
route.endpoint = 'posts';
route.responses[0].databucketID = bucket.id;
env.routes.push(route);
env.rootChildren.push({type: 'route', uuid: route.uuid});
process.stdout.write(JSON.stringify(env));
"""


def mockoon_environment(folder: Path) -> Path:
    data = folder / "posts.json"
    data.write_text(json.dumps(posts(SEEDED)))
    built = subprocess.run(
        ["node", "-e", MOCKOON_ENV, str(TOOLS), str(data)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    env = folder / "mockoon.json"
    env.write_text(built.stdout)
    return env


def mix_script(list_path: str) -> str:
    """A wrk script: create, read, list, replace, delete (an id a create answered with)."""
    json_headers = '{["Host"] = "127.0.0.1", ["Content-Type"] = "application/json"}'
    return f"""
local created = {{}}
local n = 0
local plain = {{["Host"] = "127.0.0.1"}}
local json = {json_headers}
request = function()
  n = n + 1
  local kind = n % 5
  local id = n % {SEEDED} + 1
  if kind == 0 then
    return wrk.format("POST", "/posts", json, '{{"title":"a new post","views":0}}')
  elseif kind == 1 then
    return wrk.format("GET", "/posts/" .. id, plain)
  elseif kind == 2 then
    return wrk.format("GET", "{list_path}", plain)
  elseif kind == 3 then
    return wrk.format("PUT", "/posts/" .. id, json,
      '{{"id":' .. id .. ',"title":"changed","views":1}}')
  end
  local gone = table.remove(created, 1)
  if gone == nil then return wrk.format("GET", "/posts/" .. id, plain) end
  return wrk.format("DELETE", "/posts/" .. gone, plain)
end
response = function(status, headers, body)
  if status == 201 then
    local id = string.match(body, '"id"%s*:%s*"?([%w%-]+)"?')
    if id then table.insert(created, id) end
  end
end
"""


def wrk_mix(url: str, list_path: str, seconds: int) -> LoadResult:
    return wrk_script_run(url, mix_script(list_path), seconds)


def measure_mix(folder: Path, has_tools: bool) -> tuple[list[str], dict[str, LoadResult]]:
    data = folder / "data.json"
    data.write_text(json.dumps({"posts": posts(SEEDED)}))
    servers: list[tuple[str, list[str], str, str]] = [
        ("openmock --stateful", [sys.executable, "-m", "openmock", "from-spec", str(SPEC),
         "--stateful", "--data", str(data), "--no-log", "--port"],
         "/__openmock/health", "/posts?_page=2&_limit=20"),
    ]  # fmt: skip
    if has_tools:
        db = folder / "db.json"
        db.write_text(json.dumps({"posts": posts(SEEDED)}))
        servers.append(
            ("json-server 0.17.4", [str(BIN / "json-server"), "--quiet", "--host", "127.0.0.1",
             str(db), "--port"], "/posts/1", "/posts?_page=2&_limit=20")
        )  # fmt: skip
        env = mockoon_environment(folder)
        servers.append(
            ("Mockoon CLI 9.9.0", [str(BIN / "mockoon-cli"), "start", "--data", str(env),
             "--port"], "/posts/1", "/posts?page=2&limit=20")
        )  # fmt: skip
    results: dict[str, LoadResult] = {}
    with ExitStack() as running:  # all up at once (idle but the one under load), alternated
        urls = {}
        for name, command, ready, list_path in servers:
            port = free_port()
            started = serve_process([*command, str(port)], port, ready_path=ready)
            urls[name] = (running.enter_context(started)[0], list_path)
            wrk_mix(urls[name][0], list_path, 3)  # warm-up
        for _ in range(ROUNDS):
            for name, (url, list_path) in urls.items():
                result = wrk_mix(url, list_path, SECONDS)
                best = results.get(name)
                if best is None or result.requests_per_second > best.requests_per_second:
                    results[name] = result
    base = results.get("json-server 0.17.4")
    lines = [
        f"## CRUD mix over HTTP ({SEEDED} posts to start; create, read, list a page of 20, "
        "replace, delete in equal parts; 32 connections, server and wrk on a core each; "
        f"best of {ROUNDS} {SECONDS} s runs, the servers alternating)",
        "",
        "| server | requests/s | p50 ms | p99 ms | non-2xx or errors | vs json-server |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, result in results.items():
        ratio = f"{result.requests_per_second / base.requests_per_second:.2f}x" if base else "-"
        lines.append(
            f"| {name} | {result.requests_per_second:,.0f} | {result.p50_ms:.2f} | "
            f"{result.p99_ms:.2f} | {result.errors} | {ratio} |"
        )
    return lines, results


def measure_page() -> list[str]:
    """A page of 20 from 10,000 items, through openmock's pipeline in this process."""
    from openmock.pipeline import Request, answer
    from openmock.server import create_app

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data.json"
        data.write_text(json.dumps({"posts": posts(PAGE_ITEMS)}))
        app = create_app(SPEC, stateful=True, data=data, log_db=None)
    state = app.state.mock.state
    headers = {"host": "127.0.0.1"}
    timings = []
    for n in range(PAGE_CALLS):
        request = Request("GET", "/posts", f"_page={n % 500 + 1}&_limit=20", headers, b"")
        started = time.perf_counter()
        made = answer(state, request)
        timings.append((time.perf_counter() - started) * 1e6)
        assert made.status == 200 and made.body.count(b'"id"') == 20
    timings.sort()
    return [
        f"## A page of 20 from {PAGE_ITEMS:,} items, in one process",
        "",
        f"openmock's pipeline (`answer()`, no HTTP), {PAGE_CALLS:,} pages: median "
        f"{statistics.median(timings):.0f} us, p99 {timings[int(len(timings) * 0.99)]:.0f} us.",
    ]


def main() -> None:
    has_tools = install()
    with tempfile.TemporaryDirectory() as folder:
        lines, _ = measure_mix(Path(folder), has_tools)
    lines += ["", *measure_page()]
    write_report("stateful", "Stateful CRUD: openmock --stateful, json-server, Mockoon", lines)


if __name__ == "__main__":
    main()

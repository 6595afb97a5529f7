"""`--proxy` overhead (issue 19): an upstream alone against the same upstream behind
`openmock from-spec SPEC --proxy URL` (validation on: every request and answer checked),
side by side in one run. Writes bench/results/<date>-<commit>-proxy.md.

Two upstreams: an openmock serving the same spec (the fastest HTTP backend at hand: its whole
pipeline costs less than the proxy's forwarding), and a backend-like one (bench/backend.py:
valid JSON after 5 ms, as a database round trip would take). Each upstream is pinned to the
server core with the proxy beside it, wrk (1 thread, 32 connections) on the other core. The
requests are the bundled petstore's reads and a validated create. Best of ROUNDS, alternating.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load import LoadResult, Request, free_port, serve_process, wrk_run  # noqa: E402
from report import write_report  # noqa: E402

SPEC = ROOT / "specs" / "petstore.yaml"
OPENMOCK = [sys.executable, "-m", "openmock", "from-spec", str(SPEC), "--no-log", "--port"]
BACKEND = [sys.executable, str(ROOT / "bench" / "backend.py")]
ROUNDS = 3
SECONDS = 5
JSON = {"Content-Type": "application/json"}
REQUESTS = [
    Request("GET", "/v1/pets", {}),
    Request("GET", "/v1/pets/42", {}),
    Request("GET", "/v1/pets?limit=5", {}),
    Request("POST", "/v1/pets", JSON, b'{"name": "Zorro", "tag": "fox"}'),
]
ALONE, PROXIED = "upstream alone", "behind openmock --proxy"


def measure(upstream_cmd: list[str], upstream_port: int, ready: str) -> dict[str, LoadResult]:
    """Best of ROUNDS for the upstream alone and behind the proxy, alternating."""
    proxy_port = free_port()
    best: dict[str, LoadResult] = {}
    with serve_process(upstream_cmd, upstream_port, ready_path=ready) as (upstream, _, _):
        proxy_cmd = [*OPENMOCK, str(proxy_port), "--proxy", f"{upstream}/v1"]
        with serve_process(proxy_cmd, proxy_port) as (proxy, _, _):
            targets = {ALONE: (upstream, REQUESTS), PROXIED: (proxy, [
                Request(r.method, r.path.removeprefix("/v1"), r.headers, r.body)
                for r in REQUESTS])}  # fmt: skip
            for url, requests in targets.values():  # warm both
                wrk_run(url, requests, seconds=2)
            for _ in range(ROUNDS):
                for name, (url, requests) in targets.items():
                    result = wrk_run(url, requests, seconds=SECONDS)
                    rate = result.requests_per_second
                    if name not in best or rate > best[name].requests_per_second:
                        best[name] = result
    return best


def main() -> None:
    listed = ", ".join(f"{r.method} {r.path}" for r in REQUESTS)
    lines = [
        f"Proxy: `openmock from-spec specs/petstore.yaml --no-log --proxy URL`, validation on, "
        f"on core 0 beside its upstream; wrk (1 thread, 32 connections, {SECONDS} s) on core 1; "
        f"requests: {listed}, round-robin. Best of {ROUNDS}, alternating.",
        "",
        "| upstream | target | requests/s | p50 ms | p99 ms | errors | share of the upstream |",
        "|---|---|---|---|---|---|---|",
    ]
    runs: dict[str, dict[str, LoadResult]] = {}
    port = free_port()
    runs["openmock (in memory)"] = measure([*OPENMOCK, str(port)], port, "/__openmock/health")
    port = free_port()
    runs["backend-like (5 ms a request)"] = measure([*BACKEND, str(port)], port, "/v1/pets")
    summary = []
    for upstream, best in runs.items():
        alone = best[ALONE].requests_per_second
        for name, result in best.items():
            share = result.requests_per_second / alone
            lines.append(
                f"| {upstream} | {name} | {result.requests_per_second:,.0f} | "
                f"{result.p50_ms:.2f} | {result.p99_ms:.2f} | {result.errors} | {share:.0%} |"
            )
        summary.append(f"{best[PROXIED].requests_per_second / alone:.0%} ({upstream})")
    lines += ["", "Target: at least 60% of the upstream's requests/s; measured "
              + " and ".join(summary) + "."]  # fmt: skip
    write_report("proxy", "Proxy overhead", lines)


if __name__ == "__main__":
    main()

"""What the call log costs: requests/s of `openmock from-spec specs/petstore.yaml` with the log
in a SQLite file (the default), in memory, and off. Writes
bench/results/<date>-<commit>-calllog.md. Target (issue 5): the file log costs less than 15%.

The server is pinned to one core and wrk runs on the other (bench/load.py), 32 connections,
after a warm-up round. Two loads: GETs of 50 pets and the pet list round-robin (answers repeat,
so the log stores each answer once), and GETs with `Prefer: dynamic=true` (every answer is
generated afresh, so every call stores its own answer: the log's worst case).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load import LoadResult, Request, free_port, serve, wrk_run  # noqa: E402
from report import write_report  # noqa: E402

SPEC = ROOT / "specs" / "petstore.yaml"
REPEATED = [Request("GET", f"/v1/pets/{n}", {}) for n in range(1, 51)] + [
    Request("GET", "/v1/pets", {})
]
FRESH = [Request("GET", f"/v1/pets/{n}", {"Prefer": "dynamic=true"}) for n in range(1, 51)]


def measure(requests: list[Request], modes: list[tuple[str, list[str]]]) -> list[LoadResult]:
    results = []
    for _, options in modes:
        port = free_port()
        command = [sys.executable, "-m", "openmock", "from-spec", str(SPEC)]
        with serve([*command, "--port", str(port), *options], port) as url:
            wrk_run(url, requests, seconds=2)  # warm-up: bodies generated and cached
            results.append(wrk_run(url, requests, seconds=5))
    return results


def table(modes: list[tuple[str, list[str]]], results: list[LoadResult]) -> list[str]:
    base = results[0].requests_per_second
    return [
        "| call log | req/s | of off | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {label} | {r.requests_per_second:,.0f} | {r.requests_per_second / base:.0%} "
            f"| {r.p50_ms:.1f} | {r.p99_ms:.1f} |"
            for (label, _), r in zip(modes, results, strict=True)
        ],
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        modes = [
            ("off (--no-log)", ["--no-log"]),
            ("in memory (--log-db :memory:)", ["--log-db", ":memory:"]),
            ("SQLite file (the default)", ["--log-db", f"{scratch}/calls.db"]),
        ]
        repeated = measure(REPEATED, modes)
        fresh_modes = [modes[0], ("SQLite file (the default)", ["--log-db", f"{scratch}/f.db"])]
        fresh = measure(FRESH, fresh_modes)
    write_report(
        "calllog",
        "Call log cost",
        [
            "`openmock from-spec specs/petstore.yaml` pinned to one core, wrk on the other "
            "(32 connections, 5 s).",
            "",
            "GETs of 50 pets and the list, round-robin (answers repeat):",
            "",
            *table(modes, repeated),
            "",
            "Target: the file log costs less than 15% of the requests/s.",
            "",
            "GETs of 50 pets with `Prefer: dynamic=true` (every answer generated afresh and "
            "stored on its own):",
            "",
            *table(fresh_modes, fresh),
        ],
    )


if __name__ == "__main__":
    main()

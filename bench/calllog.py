"""What the call log costs: requests/s of `openmock from-spec specs/petstore.yaml` with the log
in a SQLite file (the default), in memory, and off. Writes
bench/results/<date>-<commit>-calllog.md. Target (issue 5): the file log costs less than 15%.

The server is pinned to one core and wrk runs on the other (bench/load.py), 32 connections,
replaying GETs of 50 pets and the pet list round-robin after a warm-up round.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load import Request, free_port, serve, wrk_run  # noqa: E402
from report import write_report  # noqa: E402

SPEC = ROOT / "specs" / "petstore.yaml"


def main() -> None:
    requests = [Request("GET", f"/v1/pets/{n}", {}) for n in range(1, 51)]
    requests.append(Request("GET", "/v1/pets", {}))
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for label, options in (
            ("off (--no-log)", ["--no-log"]),
            ("in memory (--log-db :memory:)", ["--log-db", ":memory:"]),
            ("SQLite file (the default)", ["--log-db", f"{scratch}/calls.db"]),
        ):
            port = free_port()
            command = [sys.executable, "-m", "openmock", "from-spec", str(SPEC)]
            with serve([*command, "--port", str(port), *options], port) as url:
                wrk_run(url, requests, seconds=2)  # warm-up: bodies generated and cached
                rows.append((label, wrk_run(url, requests, seconds=5)))
    base = rows[0][1].requests_per_second
    write_report(
        "calllog",
        "Call log cost",
        [
            "`openmock from-spec specs/petstore.yaml` pinned to one core, wrk on the other "
            "(32 connections, 5 s): GETs of 50 pets and the list, round-robin.",
            "",
            "| call log | req/s | of off | p50 ms | p99 ms |",
            "|---|---:|---:|---:|---:|",
            *[
                f"| {label} | {r.requests_per_second:,.0f} | {r.requests_per_second / base:.0%} "
                f"| {r.p50_ms:.1f} | {r.p99_ms:.1f} |"
                for label, r in rows
            ],
            "",
            "Target: the file log costs less than 15% of the requests/s.",
        ],
    )


if __name__ == "__main__":
    main()

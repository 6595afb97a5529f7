"""RECORD: the call log in SQLite, written off the request path.

`add()` only puts the record on a queue; a writer thread stores them in batches (one
transaction per batch), so a slow disk never slows a response. Reads flush first, so a test
that has just made a call finds it. A file database runs in WAL mode with a busy timeout, so
several server processes (`--workers N`) can write to one file. Retention keeps the newest
`keep` calls and, when `max_age_seconds` is set, none older than that. `close()` (on shutdown)
writes what is still queued.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from openmock.calllog.record import CallRecord, status_range

Pending = CallRecord | Callable[[], CallRecord]

log = logging.getLogger("openmock")
DEFAULT_KEEP = 10_000
BATCH = 5000
GATHER_SECONDS = 0.1  # how long the writer lets calls gather before storing a batch

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    time REAL NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    stub TEXT,
    record TEXT NOT NULL
);
"""
# No secondary indexes: every insert would pay for them, while the admin API's reads scan at
# most `keep` rows (10,000 by default: milliseconds).


class CallStore:
    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        keep: int = DEFAULT_KEEP,
        max_age_seconds: float | None = None,
    ) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.keep = keep
        self.max_age_seconds = max_age_seconds
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 10000")
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._stored_cond = threading.Condition()
        self._added = 0  # records queued, and stored: a read waits until it has them all
        self._stored = 0
        self._queue: queue.SimpleQueue[Pending | None] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._closed = False
        self._writer = threading.Thread(target=self._write_loop, name="openmock-calllog")
        self._writer.daemon = True
        self._writer.start()

    def add(self, record: CallRecord | Callable[[], CallRecord]) -> None:
        """Queue a call for the writer thread; never blocks on the disk. A callable is a
        record the writer builds (so the request path does not pay for it)."""
        if not self._closed:
            self._added += 1  # only the server's event loop adds: no lock needed
            self._queue.put(record)

    def _write_loop(self) -> None:
        """Wake on the first queued call, let a batch gather for a moment, store it all in one
        transaction: few wake-ups and few transactions under load."""
        while True:
            first = self._queue.get()
            if first is None:
                return
            self._wake.wait(GATHER_SECONDS)  # a reader waiting cuts this short
            self._wake.clear()
            batch = [first]
            stop = False
            while len(batch) < BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._store(batch)
            if stop:
                return

    def _store(self, batch: list[Pending]) -> None:
        rows = []
        for item in batch:
            try:
                r = item() if callable(item) else item
            except Exception:  # a bug in recording must not stop the log
                log.exception("call log: a call could not be recorded")
                continue
            rows.append(
                (r.id, r.time, r.method, r.path, r.status, r.stub, orjson.dumps(r).decode())
            )
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(
                    "INSERT INTO calls (id, time, method, path, status, stub, record) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                self._retain()
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:  # a full disk must not take the server down
                log.error(
                    "call log %s: %d calls could not be stored: %s", self.path, len(rows), exc
                )
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
        with self._stored_cond:
            self._stored += len(batch)  # stored, or given up on (and logged)
            self._stored_cond.notify_all()

    def _retain(self) -> None:
        self._db.execute(
            "DELETE FROM calls WHERE seq <= (SELECT seq FROM calls ORDER BY seq DESC "
            "LIMIT 1 OFFSET ?)",
            (self.keep,),
        )
        if self.max_age_seconds is not None:
            self._db.execute(
                "DELETE FROM calls WHERE time < ?", (time.time() - self.max_age_seconds,)
            )

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every call added so far is stored. Only the writer thread stores, so
        calls are stored in the order they were added."""
        with self._stored_cond:
            target = self._added
            if self._stored >= target:
                return
        self._wake.set()
        with self._stored_cond:
            self._stored_cond.wait_for(lambda: self._stored >= target, timeout)

    def close(self) -> None:
        """Write everything still queued and stop the writer (clean shutdown)."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._wake.set()
        self._writer.join(timeout=30)
        with self._lock:
            self._db.close()

    def calls(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        status: str | int | None = None,
        stub: str | None = None,
        since: float | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Calls newest first. `path` is a glob (`/pets/*`); `status` a code or a class
        (`4xx`; ValueError for anything else); `since` seconds since the epoch."""
        self.flush()
        where: list[str] = []
        args: list[Any] = []
        if method:
            where.append("method = ?")
            args.append(method.upper())
        if path:
            where.append("path GLOB ?")
            args.append(path)
        if status is not None and str(status):
            where.append("status BETWEEN ? AND ?")
            args += status_range(status)
        if stub:
            where.append("stub = ?")
            args.append(stub)
        if since is not None:
            where.append("time >= ?")
            args.append(since)
        sql = "SELECT record FROM calls"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq DESC LIMIT ?"
        args.append(max(0, limit))
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [orjson.loads(row["record"]) for row in rows]

    def call(self, call_id: str) -> dict[str, Any] | None:
        self.flush()
        with self._lock:
            row = self._db.execute(
                "SELECT record FROM calls WHERE id = ? ORDER BY seq DESC LIMIT 1", (call_id,)
            ).fetchone()
        return None if row is None else dict(orjson.loads(row["record"]))

    def clear(self) -> int:
        self.flush()
        with self._lock:
            return self._db.execute("DELETE FROM calls").rowcount

    def count(self) -> int:
        self.flush()
        with self._lock:
            found: int = self._db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
            return found

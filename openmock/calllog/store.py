"""RECORD: the call log in SQLite, written off the request path.

`add_row()` only appends a row to a buffer (a deque: a SimpleQueue's put cost the server's
core about 2 us more a call: per-thread CPU under load, two runs each); a writer thread
stores what gathered as one batch (one SQLite row, one transaction: rows.py), so a slow disk
never slows a response. Reads flush first, so a test that has just made a call finds it;
they read the batches newest first and filter in Python (at most `keep` calls: with 10,000
kept, the newest 100 in 0.7 ms, the oldest by id in 4.5 ms, a filter over all in 10 ms;
timed once). A file database runs in WAL mode with a busy timeout, so several server
processes (`--workers N`) can write to one file. Retention keeps the newest `keep` calls and,
when `max_age_seconds` is set, none older than that: whole batches are deleted once newer
ones hold `keep` calls, and reads never show more. `close()` (on shutdown) writes what is
still buffered.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import suppress
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import orjson

from openmock.calllog import rows
from openmock.calllog.record import CallRecord, status_range
from openmock.calllog.rows import CallRow, StoredRow

log = logging.getLogger("openmock")
DEFAULT_KEEP = 10_000
BATCH = 5000
GATHER_SECONDS = 0.02  # how long the writer lets calls gather before storing a batch
# Parts no call refers to any more are dropped once this many new ones were stored, or a
# quarter of `keep` when that is more (a read of every kept call: milliseconds).
PART_SWEEP = 256
# Deletes every batch older than the newest one at which the newer batches hold `keep` calls.
_RETAIN = """DELETE FROM call_batches WHERE seq < (
    SELECT seq FROM (
        SELECT seq, SUM(count) OVER (ORDER BY seq DESC) AS held FROM call_batches
    ) WHERE held >= ? ORDER BY seq DESC LIMIT 1)"""

Filter = Callable[[StoredRow], bool]


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
        self._db.execute("PRAGMA busy_timeout = 10000")
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
        self._lock = threading.Lock()
        self._create()
        self._stored_cond = threading.Condition()
        self._added = 0  # rows buffered, and stored: a read waits until it has them all
        self._stored = 0
        self._new_parts = 0  # parts stored since unused ones were last dropped
        self._buffer: deque[CallRow] = deque()  # appended by the loop, popped by the writer
        self._ready = threading.Event()  # set when the buffer gets a row after being empty
        self._wake = threading.Event()
        self._closed = False
        self._writer = threading.Thread(target=self._write_loop, name="openmock-calllog")
        self._writer.daemon = True
        self._writer.start()

    def add(self, record: CallRecord) -> None:
        """Buffer a call for the writer thread; never blocks on the disk."""
        self.add_row(rows.row_of(record))

    def add_row(self, row: CallRow) -> None:
        """Buffer a call already made into a row (the server's path: server/recording.py)."""
        if not self._closed:
            self._added += 1  # only the server's event loop adds: no lock needed
            if not self._buffer:
                self._ready.set()
            self._buffer.append(row)

    def _write_loop(self) -> None:
        """Wake on the first buffered call, let a batch gather for a moment, store it all in one
        transaction: few wake-ups and few transactions under load."""
        while True:
            # Rows added while the writer drains do not set `_ready` again: they are found
            # when it looks again after storing, or within a second at worst (reads flush).
            self._ready.wait(1.0)
            self._ready.clear()
            if not self._closed:
                self._wake.wait(GATHER_SECONDS)  # a reader waiting cuts this short
                self._wake.clear()
            while self._buffer:
                count = min(len(self._buffer), BATCH)
                self._store([self._buffer.popleft() for _ in range(count)])
            if self._closed:
                return

    def _store(self, batch: list[CallRow]) -> None:
        try:
            self._insert(batch)
        except Exception:  # a bug in recording must not stop the log
            log.exception("call log: %d calls could not be recorded", len(batch))
        with self._stored_cond:
            self._stored += len(batch)  # stored, or given up on (and logged)
            self._stored_cond.notify_all()

    def _insert(self, batch: list[CallRow]) -> None:
        values, parts = rows.batch_values(batch), rows.parts_of(batch)
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                before = self._db.total_changes
                self._db.executemany(rows.INSERT_PART, parts)
                self._new_parts += self._db.total_changes - before
                self._db.execute(rows.INSERT_BATCH, values)
                self._retain()
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:  # a full disk must not take the server down
                log.error(
                    "call log %s: %d calls could not be stored: %s", self.path, len(batch), exc
                )
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")

    def _retain(self) -> None:
        """In the writer's transaction: old batches out, and now and then unused parts."""
        self._db.execute(_RETAIN, (self.keep,))
        if self.max_age_seconds is not None:
            cutoff = time.time() - self.max_age_seconds
            self._db.execute("DELETE FROM call_batches WHERE last_time < ?", (cutoff,))
        if self._new_parts >= max(PART_SWEEP, self.keep // 4):
            used = {key for row in self._rows() for key in rows.keys_of(row)}
            stale = [k for (k,) in self._db.execute("SELECT key FROM call_parts") if k not in used]
            self._db.executemany("DELETE FROM call_parts WHERE key = ?", [(k,) for k in stale])
            self._new_parts = 0

    def _create(self) -> None:
        """Create the tables; a log written by openmock before rows.py (a table `calls` of
        one JSON record per call) is moved into one batch, so no call is lost on an upgrade."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # one process creates, the others wait
            try:
                kind = self._db.execute(
                    "SELECT type FROM sqlite_master WHERE name = 'calls'"
                ).fetchone()
                if kind == ("table",):
                    self._db.execute("ALTER TABLE calls RENAME TO calls_v1")
                for statement in rows.TABLES:
                    self._db.execute(statement)
                if kind == ("table",):
                    old = self._db.execute("SELECT record FROM calls_v1 ORDER BY seq")
                    moved = [rows.row_of_dict(orjson.loads(record)) for (record,) in old]
                    if moved:
                        self._db.executemany(rows.INSERT_PART, rows.parts_of(moved))
                        self._db.execute(rows.INSERT_BATCH, rows.batch_values(moved))
                    self._db.execute("DROP TABLE calls_v1")
                with suppress(sqlite3.OperationalError):  # an SQLite without JSON functions
                    self._db.execute(rows.CALLS_VIEW)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every call added so far is stored. Only the writer thread stores, so
        calls are stored in the order they were added."""
        with self._stored_cond:
            target = self._added
            if self._stored >= target:
                return
        self._ready.set()
        self._wake.set()
        with self._stored_cond:
            self._stored_cond.wait_for(lambda: self._stored >= target, timeout)

    def close(self) -> None:
        """Write everything still buffered and stop the writer (clean shutdown)."""
        if self._closed:
            return
        self._closed = True
        self._ready.set()
        self._wake.set()
        self._writer.join(timeout=30)
        with self._lock:
            self._db.close()

    def _rows(self, since: float | None = None) -> Iterator[StoredRow]:
        """The kept calls, newest first (the newest `keep`, none past `max_age_seconds`);
        `since` skips batches all older. Call with the lock held."""
        oldest = since if since is not None else float("-inf")
        if self.max_age_seconds is not None:
            oldest = max(oldest, time.time() - self.max_age_seconds)
        batches = self._db.execute(
            "SELECT rows FROM call_batches WHERE last_time >= ? ORDER BY seq DESC", (oldest,)
        ).fetchall()
        left = self.keep
        for (stored,) in batches:
            for row in reversed(orjson.loads(stored)):
                if left <= 0:
                    return
                left -= 1
                if row[rows.TIME] >= oldest:
                    yield row

    def _records(self, wanted: Filter, limit: int, since: float | None = None) -> list[Any]:
        self.flush()
        with self._lock:
            found = []
            if limit > 0:
                for row in self._rows(since):
                    if wanted(row):
                        found.append(row)
                        if len(found) >= limit:
                            break
            parts = self._parts({key for row in found for key in rows.keys_of(row)})
        return [rows.record_of(row, parts) for row in found]

    def _parts(self, keys: set[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        listed = list(keys)
        for start in range(0, len(listed), 500):  # SQLite's parameter limit is 999
            chunk = listed[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            query = f"SELECT key, json FROM call_parts WHERE key IN ({marks})"
            found.update(self._db.execute(query, chunk).fetchall())
        return found

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
        """Calls newest first. `path` is a glob (`/pets/*`, `[...]` and `?` as in SQLite's
        GLOB); `status` a code or a class (`4xx`; ValueError for anything else); `since`
        seconds since the epoch."""
        tests: list[Filter] = []
        if method:
            upper = method.upper()
            tests.append(lambda row: bool(row[rows.METHOD] == upper))
        if path:
            glob = path.replace("[^", "[!")
            tests.append(lambda row: fnmatchcase(row[rows.PATH], glob))
        if status is not None and str(status):
            low, high = status_range(status)
            tests.append(lambda row: bool(low <= row[rows.STATUS] <= high))
        if stub:
            tests.append(lambda row: bool(row[rows.STUB] == stub))
        if since is not None:
            tests.append(lambda row: bool(row[rows.TIME] >= since))
        return self._records(lambda row: all(test(row) for test in tests), limit, since)

    def call(self, call_id: str) -> dict[str, Any] | None:
        found = self._records(lambda row: bool(row[rows.ID] == call_id), 1)
        return dict(found[0]) if found else None

    def clear(self) -> int:
        self.flush()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            deleted = sum(1 for _ in self._rows())
            self._db.execute("DELETE FROM call_batches")
            self._db.execute("DELETE FROM call_parts")
            self._db.execute("COMMIT")
            return deleted

    def count(self) -> int:
        self.flush()
        with self._lock:
            return sum(1 for _ in self._rows())

"""The journal of runtime changes: every accepted change, in order, in the call log's SQLite
database, so the same spec served again (after a restart) comes back with them, and every
worker of `--workers N` sees a change another worker accepted.

Changes are few and small: each is written at once (not batched like calls), under a lock,
from the admin API's thread pool.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from openmock.edits.apply import Edit

SCHEMA = """
CREATE TABLE IF NOT EXISTS stub_edits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    spec TEXT NOT NULL,          -- which spec (its resolved path) the change was made to
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    stub TEXT,
    scenario TEXT,
    payload TEXT NOT NULL,
    force INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stub_edits_spec ON stub_edits (spec, seq);
"""


class Journal:
    """Runtime changes of one spec in a SQLite file (or ":memory:": kept for this process)."""

    def __init__(self, path: str | Path, spec_key: str) -> None:
        self.spec_key = spec_key
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 5000")
        if str(path) != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._data_version = self._read_data_version()

    def _read_data_version(self) -> int:
        row = self._db.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def edits(self) -> list[tuple[int, Edit]]:
        """Every change of this spec, oldest first, with its sequence number."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, kind, stub, scenario, payload, force FROM stub_edits "
                "WHERE spec = ? ORDER BY seq",
                (self.spec_key,),
            ).fetchall()
        return [
            (seq, Edit(kind, stub, json.loads(payload), scenario, bool(force)))
            for seq, kind, stub, scenario, payload, force in rows
        ]

    def append(self, edit: Edit) -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO stub_edits (spec, at, kind, stub, scenario, payload, force) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    self.spec_key,
                    time.time(),
                    edit.kind,
                    edit.stub,
                    edit.scenario,
                    json.dumps(edit.payload),
                    int(edit.force),
                ),
            )
            return int(cursor.lastrowid or 0)

    def clear(self) -> int:
        with self._lock:
            cursor = self._db.execute("DELETE FROM stub_edits WHERE spec = ?", (self.spec_key,))
            return cursor.rowcount

    def last(self) -> int:
        """The sequence number of the newest change of this spec (0: none)."""
        with self._lock:
            row = self._db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM stub_edits WHERE spec = ?", (self.spec_key,)
            ).fetchone()
        return int(row[0])

    def touched(self) -> bool:
        """Whether another connection (another worker, the call log) committed anything since
        the last time this asked: a cheap test before reading `last()`."""
        with self._lock:
            version = self._read_data_version()
            changed = version != self._data_version
            self._data_version = version
        return changed

    def close(self) -> None:
        with self._lock:
            self._db.close()

"""The stateful store shared by the worker processes of `--workers N`: SQLite, in the call
log's file (WAL mode takes several processes).

Every request's work on the store is one transaction taken with `BEGIN IMMEDIATE` (the
write lock, across processes), so two workers never hand out the same id and never lose an
update: a PATCH reads and writes its item under one lock. Items are kept as JSON rows with
their position in the collection; a collection row keeps the largest integer id it has held.
Rows are filed under a namespace (the spec's key), so one file serves several mocks, and a
server starting afresh clears its own namespace (`clear_namespace`) before its workers start.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from openmock.state.store import (
    MAX_ITEMS,
    MAX_SESSIONS,
    CollectionInfo,
    Item,
    Scope,
    Seeder,
    StoreFull,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS state_collections (
    namespace TEXT NOT NULL, session TEXT NOT NULL, resource TEXT NOT NULL, scope TEXT NOT NULL,
    high INTEGER NOT NULL,       -- the largest integer id held so far (deleted ones too)
    used REAL NOT NULL,          -- when last used: the least recent session goes first
    PRIMARY KEY (namespace, session, resource, scope)
);
CREATE TABLE IF NOT EXISTS state_items (
    namespace TEXT NOT NULL, session TEXT NOT NULL, resource TEXT NOT NULL, scope TEXT NOT NULL,
    key TEXT NOT NULL, position INTEGER NOT NULL, item BLOB NOT NULL,
    PRIMARY KEY (namespace, session, resource, scope, key)
);
CREATE INDEX IF NOT EXISTS state_items_order
    ON state_items (namespace, session, resource, scope, position);
"""


def clear_namespace(path: str | Path, namespace: str) -> None:
    """Forgets what an earlier run of the same spec kept in `path`: a mock starts from its
    seed."""
    with _connect(path) as db:
        db.execute("DELETE FROM state_items WHERE namespace = ?", (namespace,))
        db.execute("DELETE FROM state_collections WHERE namespace = ?", (namespace,))
    db.close()


def _connect(path: str | Path) -> sqlite3.Connection:
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
    db.execute("PRAGMA busy_timeout = 30000")
    if str(path) != ":memory:":
        db.execute("PRAGMA journal_mode = WAL")
    db.executescript(SCHEMA)
    return db


def _scope(scope: Scope) -> str:
    return orjson.dumps(list(scope)).decode()


class SqliteStore:
    """StateStore over one SQLite file, shared by processes."""

    def __init__(
        self,
        path: str | Path,
        namespace: str,
        seeder: Seeder,
        max_items: int = MAX_ITEMS,
        max_sessions: int = MAX_SESSIONS,
    ) -> None:
        self._db = _connect(path)
        self.namespace = namespace
        self._seeder = seeder
        self.max_items = max_items
        self.max_sessions = max_sessions
        self._depth = 0
        self._lock = threading.RLock()  # one transaction at a time on this connection

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction (the write lock across processes) for everything inside; nested
        uses join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def _where(self, session: str, resource: str, scope: Scope) -> tuple[str, str, str, str]:
        return (self.namespace, session, resource, _scope(scope))

    def _ensure(self, session: str, resource: str, scope: Scope) -> None:
        """The collection exists (seeded on first use); its session marked as used."""
        where = self._where(session, resource, scope)
        now = time.time()
        found = self._db.execute(
            "UPDATE state_collections SET used = ? WHERE namespace = ? AND session = ? "
            "AND resource = ? AND scope = ?",
            (now, *where),
        )
        if found.rowcount:
            return
        seeded = self._seeder(resource, scope)  # may raise FallbackNeeded: nothing written
        self._drop_idle_sessions(session)
        high = max((int(k) for k, _ in seeded if _is_int(k)), default=0)
        self._db.execute(
            "INSERT INTO state_collections VALUES (?, ?, ?, ?, ?, ?)", (*where, high, now)
        )
        self._db.executemany(
            "INSERT OR REPLACE INTO state_items VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(*where, key, n, orjson.dumps(item)) for n, (key, item) in enumerate(seeded)],
        )

    def _drop_idle_sessions(self, session: str) -> None:
        rows = self._db.execute(
            "SELECT session, MAX(used) FROM state_collections WHERE namespace = ? "
            "GROUP BY session ORDER BY MAX(used)",
            (self.namespace,),
        ).fetchall()
        names = [name for name, _ in rows]
        if session in names:
            return
        for name in names[: max(len(names) - self.max_sessions + 1, 0)]:
            self._clear_session(name, None)

    def items(self, session: str, resource: str, scope: Scope) -> list[Item]:
        with self.transaction():
            self._ensure(session, resource, scope)
            rows = self._db.execute(
                "SELECT item FROM state_items WHERE namespace = ? AND session = ? "
                "AND resource = ? AND scope = ? ORDER BY position",
                self._where(session, resource, scope),
            ).fetchall()
        return [orjson.loads(row[0]) for row in rows]

    def get(self, session: str, resource: str, scope: Scope, key: str) -> Item | None:
        with self.transaction():
            self._ensure(session, resource, scope)
            row = self._db.execute(
                "SELECT item FROM state_items WHERE namespace = ? AND session = ? "
                "AND resource = ? AND scope = ? AND key = ?",
                (*self._where(session, resource, scope), key),
            ).fetchone()
        return None if row is None else dict(orjson.loads(row[0]))

    def _count(self, where: tuple[str, str, str, str]) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM state_items WHERE namespace = ? AND session = ? "
            "AND resource = ? AND scope = ?",
            where,
        ).fetchone()
        return int(row[0])

    def _raise_high(self, where: tuple[str, str, str, str], key: str) -> None:
        if _is_int(key):
            self._db.execute(
                "UPDATE state_collections SET high = MAX(high, ?) WHERE namespace = ? "
                "AND session = ? AND resource = ? AND scope = ?",
                (int(key), *where),
            )

    def add(self, session: str, resource: str, scope: Scope, key: str, item: Item) -> bool:
        where = self._where(session, resource, scope)
        with self.transaction():
            self._ensure(session, resource, scope)
            if self.get(session, resource, scope, key) is not None:
                return False
            if self._count(where) >= self.max_items:
                raise StoreFull(resource)
            self._db.execute(
                "INSERT INTO state_items SELECT ?, ?, ?, ?, ?, COALESCE(MAX(position), -1) + 1, ? "
                "FROM state_items WHERE namespace = ? AND session = ? AND resource = ? "
                "AND scope = ?",
                (*where, key, orjson.dumps(item), *where),
            )
            self._raise_high(where, key)
        return True

    def replace(self, session: str, resource: str, scope: Scope, key: str, item: Item) -> None:
        where = self._where(session, resource, scope)
        with self.transaction():
            self._ensure(session, resource, scope)
            changed = self._db.execute(
                "UPDATE state_items SET item = ? WHERE namespace = ? AND session = ? "
                "AND resource = ? AND scope = ? AND key = ?",
                (orjson.dumps(item), *where, key),
            )
            if not changed.rowcount:
                self.add(session, resource, scope, key, item)
            self._raise_high(where, key)

    def remove(self, session: str, resource: str, scope: Scope, key: str) -> bool:
        with self.transaction():
            self._ensure(session, resource, scope)
            gone = self._db.execute(
                "DELETE FROM state_items WHERE namespace = ? AND session = ? "
                "AND resource = ? AND scope = ? AND key = ?",
                (*self._where(session, resource, scope), key),
            )
        return bool(gone.rowcount)

    def next_number(self, session: str, resource: str, scope: Scope, floor: int) -> int:
        where = self._where(session, resource, scope)
        with self.transaction():
            self._ensure(session, resource, scope)
            row = self._db.execute(
                "UPDATE state_collections SET high = MAX(high + 1, ?) WHERE namespace = ? "
                "AND session = ? AND resource = ? AND scope = ? RETURNING high",
                (floor, *where),
            ).fetchone()
        return int(row[0])

    def set_items(
        self, session: str, resource: str, scope: Scope, items: list[tuple[str, Item]]
    ) -> None:
        if len(items) > self.max_items:
            raise StoreFull(resource)
        where = self._where(session, resource, scope)
        with self.transaction():
            self._ensure(session, resource, scope)
            self._db.execute(
                "DELETE FROM state_items WHERE namespace = ? AND session = ? "
                "AND resource = ? AND scope = ?",
                where,
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO state_items VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(*where, key, n, orjson.dumps(item)) for n, (key, item) in enumerate(items)],
            )
            for key, _ in items:
                self._raise_high(where, key)

    def _clear_session(self, session: str, resource: str | None) -> None:
        for table in ("state_items", "state_collections"):
            if resource is None:
                self._db.execute(
                    f"DELETE FROM {table} WHERE namespace = ? AND session = ?",
                    (self.namespace, session),
                )
            else:
                self._db.execute(
                    f"DELETE FROM {table} WHERE namespace = ? AND session = ? AND resource = ?",
                    (self.namespace, session, resource),
                )

    def clear(self, session: str | None = None, resource: str | None = None) -> None:
        with self.transaction():
            if session is None:
                sessions = [
                    row[0]
                    for row in self._db.execute(
                        "SELECT DISTINCT session FROM state_collections WHERE namespace = ?",
                        (self.namespace,),
                    )
                ]
            else:
                sessions = [session]
            for name in sessions:
                self._clear_session(name, resource)

    def collections(self) -> list[CollectionInfo]:
        with self.transaction():
            rows = self._db.execute(
                "SELECT c.session, c.resource, c.scope, COUNT(i.key) FROM state_collections c "
                "LEFT JOIN state_items i ON i.namespace = c.namespace AND i.session = c.session "
                "AND i.resource = c.resource AND i.scope = c.scope WHERE c.namespace = ? "
                "GROUP BY c.session, c.resource, c.scope ORDER BY MAX(c.used)",
                (self.namespace,),
            ).fetchall()
        return [
            CollectionInfo(session, resource, tuple(orjson.loads(scope)), count)
            for session, resource, scope, count in rows
        ]

    def close(self) -> None:
        self._db.close()


def _is_int(key: Any) -> bool:
    text = str(key)
    return text.isdigit() or (text.startswith("-") and text[1:].isdigit())

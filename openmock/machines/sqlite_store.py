"""The machines' progress shared by the worker processes of `--workers N`: SQLite, in the call
log's file, each step one `BEGIN IMMEDIATE` transaction (so two workers never answer the same
step of a sequence). Rows are filed under a namespace (the spec's key), cleared when a server
starts afresh."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from openmock.machines.store import START

SCHEMA = """
CREATE TABLE IF NOT EXISTS machine_states (
    namespace TEXT NOT NULL, session TEXT NOT NULL, machine TEXT NOT NULL, state TEXT NOT NULL,
    PRIMARY KEY (namespace, session, machine)
);
CREATE TABLE IF NOT EXISTS machine_steps (
    namespace TEXT NOT NULL, session TEXT NOT NULL, stub TEXT NOT NULL, done INTEGER NOT NULL,
    PRIMARY KEY (namespace, session, stub)
);
"""


def _connect(path: str | Path) -> sqlite3.Connection:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA journal_mode = WAL")
    db.executescript(SCHEMA)
    return db


def clear_machines(path: str | Path, namespace: str) -> None:
    """Forgets an earlier run's progress: a mock starts with every machine at START."""
    db = _connect(path)
    try:
        db.execute("DELETE FROM machine_states WHERE namespace = ?", (namespace,))
        db.execute("DELETE FROM machine_steps WHERE namespace = ?", (namespace,))
    finally:
        db.close()


class SqliteMachineStore:
    """MachineStore over one SQLite file, shared by processes."""

    def __init__(self, path: str | Path, namespace: str) -> None:
        self._db = _connect(path)
        self._namespace = namespace
        self._lock = threading.Lock()  # one connection: one statement at a time

    def state(self, session: str, machine: str) -> str:
        with self._lock:
            row = self._db.execute(
                "SELECT state FROM machine_states WHERE namespace = ? AND session = ? "
                "AND machine = ?",
                (self._namespace, session, machine),
            ).fetchone()
        return str(row[0]) if row else START

    def set_state(self, session: str, machine: str, state: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO machine_states VALUES (?, ?, ?, ?) ON CONFLICT "
                "(namespace, session, machine) DO UPDATE SET state = excluded.state",
                (self._namespace, session, machine, state),
            )

    def states(self, session: str) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT machine, state FROM machine_states WHERE namespace = ? AND session = ?",
                (self._namespace, session),
            ).fetchall()
        return {str(machine): str(state) for machine, state in rows}

    def step(self, session: str, stub_id: str) -> int:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT done FROM machine_steps WHERE namespace = ? AND session = ? "
                    "AND stub = ?",
                    (self._namespace, session, stub_id),
                ).fetchone()
                done = int(row[0]) if row else 0
                self._db.execute(
                    "INSERT INTO machine_steps VALUES (?, ?, ?, ?) ON CONFLICT "
                    "(namespace, session, stub) DO UPDATE SET done = excluded.done",
                    (self._namespace, session, stub_id, done + 1),
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return done

    def reset(self, session: str | None = None) -> None:
        with self._lock:
            for table in ("machine_states", "machine_steps"):
                if session is None:
                    self._db.execute(f"DELETE FROM {table} WHERE namespace = ?", (self._namespace,))
                else:
                    self._db.execute(
                        f"DELETE FROM {table} WHERE namespace = ? AND session = ?",
                        (self._namespace, session),
                    )

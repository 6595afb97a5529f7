"""Where sequences and state machines keep their progress, per session: how many requests a
stub's sequence has answered, and each named machine's state. One small interface
(`MachineStore`), in memory by default; `sqlite_store.py` shares it between the processes of
`--workers N` (a server database would be a third)."""

from __future__ import annotations

import threading
from typing import Protocol

START = "Started"  # every machine's state until a scenario moves it (WireMock's name)
MAX_SESSIONS = 1000  # sessions kept; the least recently used one goes first


class MachineStore(Protocol):
    def state(self, session: str, machine: str) -> str:
        """The machine's state (START when nothing moved it)."""
        ...

    def set_state(self, session: str, machine: str, state: str) -> None: ...

    def states(self, session: str) -> dict[str, str]:
        """Every machine a scenario moved (or an admin set) in this session."""
        ...

    def step(self, session: str, stub_id: str) -> int:
        """How many requests the stub's sequence answered before this one (counted)."""
        ...

    def reset(self, session: str | None = None) -> None:
        """Every machine back to START and every sequence to its first step (one session's,
        or all)."""
        ...


class MemoryMachineStore:
    """MachineStore in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, dict[str, str]] = {}
        self._steps: dict[str, dict[str, int]] = {}

    def _session(
        self, table: dict[str, dict[str, int]] | dict[str, dict[str, str]], session: str
    ) -> None:
        if session not in table and len(table) >= MAX_SESSIONS:
            table.pop(next(iter(table)))

    def state(self, session: str, machine: str) -> str:
        with self._lock:
            return self._states.get(session, {}).get(machine, START)

    def set_state(self, session: str, machine: str, state: str) -> None:
        with self._lock:
            self._session(self._states, session)
            self._states.setdefault(session, {})[machine] = state

    def states(self, session: str) -> dict[str, str]:
        with self._lock:
            return dict(self._states.get(session, {}))

    def step(self, session: str, stub_id: str) -> int:
        with self._lock:
            self._session(self._steps, session)
            counts = self._steps.setdefault(session, {})
            done = counts.get(stub_id, 0)
            counts[stub_id] = done + 1
            return done

    def reset(self, session: str | None = None) -> None:
        with self._lock:
            if session is None:
                self._states.clear()
                self._steps.clear()
            else:
                self._states.pop(session, None)
                self._steps.pop(session, None)

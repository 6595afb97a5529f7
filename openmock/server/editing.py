"""Runtime changes applied to a serving mock: each accepted change is journalled and the mock's
state swapped at once, so the next request sees it; a restart with the same spec (or a reload
under --watch) replays the journal onto the freshly imported catalog.
"""

from __future__ import annotations

import logging
import threading

from openmock.edits import Edit, Journal, Refused, apply_edit
from openmock.edits.apply import changed_stub
from openmock.mockstate import MockState
from openmock.model import Catalog, Stub
from openmock.server.mock import MockApp

log = logging.getLogger("openmock")


class Editor:
    """Owns the catalog as imported (the base) and the journal of changes made to it."""

    def __init__(self, mock: MockApp, journal: Journal, *, follow: bool = False) -> None:
        """`follow`: other processes (workers) write to the same journal; look for their
        changes before every request."""
        self.mock = mock
        self.journal = journal
        self.base = mock.state.catalog
        self._lock = threading.Lock()
        self._seen = -1
        self.refresh(force=True)
        self.restored = sum(1 for _ in journal.edits())  # changes made before this start
        if follow:
            mock.before_each(self.refresh)

    def refresh(self, force: bool = False) -> None:
        """Replay the journal when it has changes this process has not applied."""
        if not force and not self.journal.touched():
            return
        last = self.journal.last()
        if last == self._seen and not force:
            return
        with self._lock:
            self.mock.swap(self._replayed(self.mock.state, self.base))
            self._seen = last

    def _replayed(self, state: MockState, base: Catalog) -> MockState:
        catalog = base
        for seq, edit in self.journal.edits():
            try:
                catalog = apply_edit(catalog, base, state.index, edit)
            except Refused as refused:
                where = edit.stub or "a new stub"
                log.warning(
                    "runtime change #%d (%s of %s) no longer applies and is skipped: %s",
                    seq, edit.kind, where, refused.detail,
                )  # fmt: skip
        return state.edited(catalog)

    def submit(self, edit: Edit) -> Stub | None:
        """Make `edit`, journal it and serve the result; the stub it changed (None when it
        was deleted). Raises Refused, changing nothing."""
        self.refresh()
        with self._lock:
            state = self.mock.state
            catalog = apply_edit(state.catalog, self.base, state.index, edit)
            self._seen = self.journal.append(edit)
            self.mock.swap(state.edited(catalog))
        return changed_stub(catalog, edit)

    def reset(self) -> int:
        """Drop every runtime change; how many there were."""
        with self._lock:
            dropped = self.journal.clear()
            self.mock.swap(self.mock.state.edited(self.base))
            self._seen = 0
        return dropped

    def rebase(self, state: MockState) -> None:
        """Serve `state` (a fresh import of the spec, under --watch) with the journal's
        changes replayed onto it."""
        with self._lock:
            self.base = state.catalog
            self.mock.swap(self._replayed(state, self.base))

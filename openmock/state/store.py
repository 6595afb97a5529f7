"""Where stateful resources keep their items: one small interface, `StateStore`, and the
in-memory store every process has by default.

Items live in collections keyed by session (`X-Openmock-Session`; "" is the default store),
resource name and scope (a nested resource's parent ids). A collection is seeded on first use
from `Seeder`, so every session starts from the same data. The store holds JSON values and
ids as strings; what an item means is crud.py's business, so a store for a server database
implements these few methods and nothing of the semantics.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

Item = dict[str, Any]
Scope = tuple[str, ...]  # a nested resource's parent ids, outermost first; () when flat
Seeder = Callable[[str, Scope], list[tuple[str, Item]]]  # (resource, scope) -> (id, item)

MAX_ITEMS = 100_000  # per collection: one more is a 507
MAX_SESSIONS = 256  # past this, the session used least recently is dropped


class StoreFull(Exception):
    """A collection holds as many items as the store keeps (MAX_ITEMS)."""


@dataclass(frozen=True)
class CollectionInfo:
    session: str
    resource: str
    scope: Scope
    count: int


class StateStore(Protocol):
    """The stored items of every session. Ids are strings (the path's text); items are
    JSON objects. What `items` and `get` hand out is the store's own, and what `add` and
    `replace` are given becomes the store's: read them, never change them (a change is a new
    object given to `replace`)."""

    def transaction(self) -> AbstractContextManager[None]:
        """What is done inside happens as one change: no other process (or worker) sees it
        half done, or changes the same items meanwhile."""
        ...

    def items(self, session: str, resource: str, scope: Scope) -> list[Item]:
        """Every item, in the order they were added."""
        ...

    def get(self, session: str, resource: str, scope: Scope, key: str) -> Item | None: ...

    def add(self, session: str, resource: str, scope: Scope, key: str, item: Item) -> bool:
        """Stores a new item; False (nothing stored) when `key` is taken. Raises StoreFull."""
        ...

    def replace(self, session: str, resource: str, scope: Scope, key: str, item: Item) -> None:
        """Stores `item` under `key`, in place of what was there (its position kept)."""
        ...

    def remove(self, session: str, resource: str, scope: Scope, key: str) -> bool: ...

    def next_number(self, session: str, resource: str, scope: Scope, floor: int) -> int:
        """An integer id never handed out in this collection: past the largest one it
        has held (deleted ones included) and at least `floor`."""
        ...

    def set_items(
        self, session: str, resource: str, scope: Scope, items: list[tuple[str, Item]]
    ) -> None:
        """Replaces a collection's items (the admin API's PUT)."""
        ...

    def clear(self, session: str | None = None, resource: str | None = None) -> None:
        """Forgets collections (all sessions, or one; all resources, or one), so their next
        use starts again from the seed."""
        ...

    def collections(self) -> list[CollectionInfo]: ...


class _Collection:
    __slots__ = ("high", "items")

    def __init__(self, seeded: list[tuple[str, Item]]) -> None:
        self.items: dict[str, Item] = {}
        self.high = 0  # the largest integer id held so far
        for key, item in seeded:
            self.items[key] = item
            self._saw(key)

    def _saw(self, key: str) -> None:
        if key.isdigit() or (key.startswith("-") and key[1:].isdigit()):
            self.high = max(self.high, int(key))


class MemoryStore:
    """The store of one process: dictionaries, bounded (MAX_ITEMS, MAX_SESSIONS)."""

    def __init__(
        self, seeder: Seeder, max_items: int = MAX_ITEMS, max_sessions: int = MAX_SESSIONS
    ) -> None:
        self._seeder = seeder
        self.max_items = max_items
        self.max_sessions = max_sessions
        # session -> (resource, scope) -> collection; sessions in order of last use
        self._sessions: OrderedDict[str, dict[tuple[str, Scope], _Collection]] = OrderedDict()

    def transaction(self) -> AbstractContextManager[None]:
        return nullcontext()  # one process, one event loop: every change is whole already

    def _collection(self, session: str, resource: str, scope: Scope) -> _Collection:
        collections = self._sessions.get(session)
        if collections is None:
            while len(self._sessions) >= self.max_sessions:
                self._sessions.popitem(last=False)  # the one idle the longest
            collections = self._sessions[session] = {}
        else:
            self._sessions.move_to_end(session)
        found = collections.get((resource, scope))
        if found is None:
            seeded = copy.deepcopy(self._seeder(resource, scope))
            found = collections[(resource, scope)] = _Collection(seeded)
        return found

    def items(self, session: str, resource: str, scope: Scope) -> list[Item]:
        return list(self._collection(session, resource, scope).items.values())

    def get(self, session: str, resource: str, scope: Scope, key: str) -> Item | None:
        return self._collection(session, resource, scope).items.get(key)

    def add(self, session: str, resource: str, scope: Scope, key: str, item: Item) -> bool:
        collection = self._collection(session, resource, scope)
        if key in collection.items:
            return False
        if len(collection.items) >= self.max_items:
            raise StoreFull(resource)
        collection.items[key] = item
        collection._saw(key)
        return True

    def replace(self, session: str, resource: str, scope: Scope, key: str, item: Item) -> None:
        collection = self._collection(session, resource, scope)
        if key not in collection.items and len(collection.items) >= self.max_items:
            raise StoreFull(resource)
        collection.items[key] = item
        collection._saw(key)

    def remove(self, session: str, resource: str, scope: Scope, key: str) -> bool:
        return self._collection(session, resource, scope).items.pop(key, None) is not None

    def next_number(self, session: str, resource: str, scope: Scope, floor: int) -> int:
        collection = self._collection(session, resource, scope)
        number = max(collection.high + 1, floor)
        collection.high = number
        return number

    def set_items(
        self, session: str, resource: str, scope: Scope, items: list[tuple[str, Item]]
    ) -> None:
        if len(items) > self.max_items:
            raise StoreFull(resource)
        collection = self._collection(session, resource, scope)
        high = collection.high
        collection.items.clear()
        for key, item in items:
            collection.items[key] = copy.deepcopy(item)
            collection._saw(key)
        collection.high = max(high, collection.high)

    def clear(self, session: str | None = None, resource: str | None = None) -> None:
        sessions = list(self._sessions) if session is None else [session]
        for name in sessions:
            collections = self._sessions.get(name)
            if collections is None:
                continue
            if resource is None:
                del self._sessions[name]
                continue
            for key in [k for k in collections if k[0] == resource]:
                del collections[key]

    def collections(self) -> list[CollectionInfo]:
        return [
            CollectionInfo(session, resource, scope, len(collection.items))
            for session, collections in self._sessions.items()
            for (resource, scope), collection in collections.items()
        ]

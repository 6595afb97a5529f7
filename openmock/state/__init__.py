"""STATE: with `--stateful`, the spec's collections behave like a small backend: what is
created can be read back, listed, changed and deleted, per `X-Openmock-Session`.

resources.py infers the resources from the spec at import, seed.py what they start with,
store.py keeps the items (one small interface; in memory by default), crud.py says what each
operation does to them. The pipeline's state step (openmock/stateful.py) serves the outcome
through the operation's documented responses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from openmock.generate import GenerationEngine
from openmock.model import Catalog
from openmock.schema.index import SchemaIndex, UnresolvedRef
from openmock.state.crud import Call, Crud, Outcome
from openmock.state.resources import Resource, Resources, Role, infer_resources
from openmock.state.seed import DataError, Seeds, item_key, read_data
from openmock.state.sqlite_store import SqliteStore, clear_namespace
from openmock.state.store import Item, MemoryStore, StateStore, StoreFull

SESSION_HEADER = "x-openmock-session"


class StateKeeper:
    """The state of one mock: its resources, their seed and the store of every session."""

    def __init__(
        self,
        catalog: Catalog,
        index: SchemaIndex,
        engine: GenerationEngine,
        data_file: str | Path | None = None,
        shared_file: str | Path | None = None,
    ) -> None:
        """The store is this process's, or with `shared_file` a SQLite file that processes
        share (`--workers`). Raises DataError for a `data_file` that cannot be used."""
        self.index = index
        self.engine = engine
        self.resources = infer_resources(catalog, index)
        data = None
        if data_file is not None:
            data = read_data(data_file, self.resources, self.why_invalid)
        stubs = {stub.id: stub for stub in catalog.stubs}
        self.seeds = Seeds(self.resources, stubs, self.make_value, self.is_valid, data)
        self.store: StateStore = MemoryStore(self.seeds)
        if shared_file is not None:
            self.store = SqliteStore(shared_file, catalog.key(), self.seeds)
        self._known: dict[tuple[str, bool], Callable[[Any], bool]] = {}
        self.crud = Crud(self.store, self.make_value, self.is_valid, self._deref)

    def make_value(self, schema: Any, key: str) -> Any:
        """A generated value (raises FallbackNeeded: the server searches off the loop and
        asks again, before anything was stored)."""
        return self.engine.value(schema, key, "response", blocking=False)

    def is_valid(self, schema: Any, value: Any) -> bool:
        return self.index.is_valid(schema, value, "response")

    def why_invalid(self, schema: Any, value: Any) -> str | None:
        """`/name: 3 is not of type 'string'`, or None when `value` fits `schema`."""
        try:
            error = next(iter(self.index.validator(schema, "response").iter_errors(value)), None)
        except UnresolvedRef as exc:
            return f": the schema cannot be resolved ({exc})"
        if error is None:
            return None
        where = "".join(f"/{p}" for p in error.absolute_path)
        return f"{where}: {error.message[:200]}"

    def _deref(self, schema: Any) -> Any:
        try:
            return self.index.deref(schema)
        except UnresolvedRef:
            return None

    def known_valid(self, resource: Resource, listed: bool) -> Callable[[Any], bool]:
        """Whether a response schema needs no check for stored data: the store holds only
        items valid for their resource's schema (every way in checks them), so an item
        answered under that same schema, or a page of them under a plain array of it, is
        valid already. Worked out once per resource and kind of answer."""
        found = self._known.get((resource.name, listed))
        if found is None:
            found = self._known[(resource.name, listed)] = self._known_valid(resource, listed)
        return found

    def _known_valid(self, resource: Resource, listed: bool) -> Callable[[Any], bool]:
        item = self._deref(resource.schema)
        answers: dict[int, tuple[Any, bool]] = {}  # by identity, the schema kept alive

        def plain_array_of_items(schema: Any) -> bool:
            target = self._deref(schema)
            if not isinstance(target, dict) or set(target) - {"type", "items", "xml"}:
                return False  # length bounds, uniqueness...: checked
            return target.get("type") == "array" and self._deref(target.get("items")) is item

        def known(schema: Any) -> bool:
            kept = answers.get(id(schema))
            if kept is None or kept[0] is not schema:
                fits = plain_array_of_items(schema) if listed else self._deref(schema) is item
                kept = answers[id(schema)] = (schema, fits)
            return kept[1]

        return known

    def view(
        self, stub_path: str, path_values: Mapping[str, Any], session: str
    ) -> tuple[Item | None, int | None]:
        """What templates read as `state.item` and `state.count` for an operation at
        `stub_path`: the stored item its path names (its own, or its parent's for an action
        such as /orders/{id}/pay) and how many items that collection holds."""
        under = [
            resource
            for resource in self.resources.resources.values()
            if stub_path in (resource.item, resource.collection)
            or stub_path.startswith(resource.item + "/")
        ]
        best = max(under, key=lambda resource: len(resource.item), default=None)
        if best is None:
            return None, None
        scope = tuple(str(path_values.get(p, "")) for p in best.parents)
        count = len(self.store.items(session, best.name, scope))
        if best.id_param not in path_values:
            return None, count
        key = str(path_values[best.id_param])
        return self.store.get(session, best.name, scope, key), count

    def role(self, stub_id: str) -> Role | None:
        return self.resources.roles.get(stub_id)

    def resource(self, name: str) -> Resource:
        return self.resources.resources[name]


__all__ = [
    "SESSION_HEADER",
    "Call",
    "DataError",
    "Outcome",
    "Resource",
    "Resources",
    "Role",
    "StateKeeper",
    "StateStore",
    "StoreFull",
    "clear_namespace",
    "item_key",
]

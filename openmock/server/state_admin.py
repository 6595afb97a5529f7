"""The admin API's paths over `--stateful` data: what the resources hold, per session; read,
replace or clear a collection or one item; back to the seed.

    GET    /__openmock/state                      resources, counts, sessions
    GET    /__openmock/state/{resource}           its items (?session=, ?scope=1/2 if nested)
    PUT    /__openmock/state/{resource}           replace them (a list of items; validated)
    DELETE /__openmock/state/{resource}           empty it
    GET|PUT|DELETE /__openmock/state/{resource}/{id}
    POST   /__openmock/state/reset                every session (or ?session=) back to the seed

The routes are `async`: they run on the event loop, as the mock does, so the store is never
used from two threads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from openmock.generate import FallbackNeeded
from openmock.problems import insufficient_storage, not_found_item
from openmock.server.json_body import json_body
from openmock.server.mock import MockApp
from openmock.server.problems_out import problem_reply, problem_response
from openmock.state import Resource, StateKeeper, StoreFull, item_key
from openmock.state.store import Item, Scope

PAYLOAD = Depends(json_body)
SESSION = Query("", description="the X-Openmock-Session whose data to use; default: none")
SCOPE = Query("", description="a nested resource's parent ids, outermost first: `1/7`")
SEARCH_ROUNDS = 8
T = TypeVar("T")


async def _seeded(work: Callable[[], T]) -> T:
    """`work()`, after any slow search its seed needs (run off the event loop)."""
    for _ in range(SEARCH_ROUNDS):
        try:
            return work()
        except FallbackNeeded as need:
            await anyio.to_thread.run_sync(need.run)
    return work()


def _reader(kept: StateKeeper, session: str, name: str) -> Callable[[], list[Item]]:
    return lambda: kept.store.items(session, name, ())


@dataclass(frozen=True)
class _Target:
    kept: StateKeeper
    resource: Resource
    scope: Scope


def add_state_routes(router: APIRouter, mock: MockApp) -> None:
    def keeper() -> StateKeeper | Response:
        found = mock.state.keeper
        if found is None:
            detail = "This server keeps no state: start it with --stateful."
            return problem_reply(404, "Not stateful", detail, "state-off")
        return found

    def resource_of(kept: StateKeeper, name: str) -> Resource | Response:
        found = kept.resources.resources.get(name)
        if found is None:
            known = ", ".join(sorted(kept.resources.resources)) or "none"
            detail = f"No stateful resource is called {name!r}; there are: {known}."
            return problem_reply(404, "No such resource", detail, "no-resource")
        return found

    def scope_of(resource: Resource, scope: str) -> Scope:
        parts = tuple(p for p in scope.split("/") if p)
        return parts if len(parts) == len(resource.parents) else ("",) * len(resource.parents)

    def target(name: str, scope: str) -> _Target | Response:
        """The keeper, the resource called `name` and the scope asked for, or the problem
        that says why there is none."""
        kept = keeper()
        if isinstance(kept, Response):
            return kept
        resource = resource_of(kept, name)
        if isinstance(resource, Response):
            return resource
        return _Target(kept, resource, scope_of(resource, scope))

    def checked(kept: StateKeeper, resource: Resource, items: Any) -> list[Item] | Response:
        if isinstance(items, dict) and isinstance(items.get("items"), list):
            items = items["items"]
        if not isinstance(items, list):
            detail = 'Send a list of items (or {"items": [...]}).'
            return problem_reply(422, "Not a list of items", detail, "bad-state")
        errors = []
        seen: set[str] = set()
        for position, item in enumerate(items):
            key = item_key(resource, item) if isinstance(item, dict) else None
            why = None if key is None else kept.why_invalid(resource.schema, item)
            message = None
            if key is None:
                message = f"an item must be an object with its id in {resource.id_property!r}"
            elif key in seen:
                message = f"the id {key!r} is there twice"
            elif why is not None:
                pointer, _, message = why.partition(": ")
                errors.append({"pointer": f"/{position}{pointer}", "message": message})
                continue
            if message is not None:
                errors.append({"pointer": f"/{position}", "message": message})
            seen.add(key or "")
        if errors:
            detail = f"{len(errors)} item(s) do not fit the {resource.name} schema."
            return problem_reply(422, "Invalid items", detail, "bad-state", errors)
        return list(items)

    @router.get("/state", summary="The stateful resources, their counts and the sessions")
    async def state_overview(session: str = SESSION) -> Any:
        kept = keeper()
        if isinstance(kept, Response):
            return kept
        listed = []
        for resource in kept.resources.resources.values():
            count = None
            if not resource.parents:  # a nested resource has a count per parent
                items = await _seeded(_reader(kept, session, resource.name))
                count = len(items)
            listed.append(
                {
                    "name": resource.name,
                    "collection": resource.collection,
                    "item": resource.item,
                    "id": resource.id_property,
                    "scoped_by": list(resource.parents),
                    "count": count,
                }
            )
        sessions: dict[str, int] = {}
        for info in kept.store.collections():
            sessions[info.session] = sessions.get(info.session, 0) + info.count
        return {
            "resources": listed,
            "sessions": [{"name": name, "items": count} for name, count in sessions.items()],
        }

    @router.get("/state/{name}", summary="A resource's items")
    async def state_items(name: str, session: str = SESSION, scope: str = SCOPE) -> Any:
        found = target(name, scope)
        if isinstance(found, Response):
            return found
        kept, where = found.kept, found.scope
        items = await _seeded(lambda: kept.store.items(session, name, where))
        return {"resource": name, "session": session, "count": len(items), "items": items}

    @router.put("/state/{name}", summary="Replace a resource's items (validated)")
    async def state_replace(
        name: str, session: str = SESSION, scope: str = SCOPE, payload: Any = PAYLOAD
    ) -> Any:
        found = target(name, scope)
        if isinstance(found, Response):
            return found
        kept, resource, where = found.kept, found.resource, found.scope
        items = checked(kept, resource, payload)
        if isinstance(items, Response):
            return items
        pairs = [(item_key(resource, i) or "", i) for i in items]
        try:
            await _seeded(lambda: kept.store.set_items(session, name, where, pairs))
        except StoreFull:
            return problem_response(insufficient_storage(name))
        return {"resource": name, "session": session, "count": len(items)}

    @router.delete("/state/{name}", summary="Empty a resource (until a reset)")
    async def state_empty(name: str, session: str = SESSION, scope: str = SCOPE) -> Any:
        found = target(name, scope)
        if isinstance(found, Response):
            return found
        kept, where = found.kept, found.scope
        await _seeded(lambda: kept.store.set_items(session, name, where, []))
        return {"resource": name, "session": session, "count": 0}

    @router.get("/state/{name}/{item_id}", summary="One item")
    async def state_item(
        name: str, item_id: str, session: str = SESSION, scope: str = SCOPE
    ) -> Any:
        found = target(name, scope)
        if isinstance(found, Response):
            return found
        kept, where = found.kept, found.scope
        item = await _seeded(lambda: kept.store.get(session, name, where, item_id))
        if item is None:
            return problem_response(not_found_item(f"{name}/{item_id} (session {session!r})"))
        return item

    @router.put("/state/{name}/{item_id}", summary="Store one item (validated)")
    async def state_put_item(
        name: str, item_id: str, session: str = SESSION, scope: str = SCOPE, payload: Any = PAYLOAD
    ) -> Any:
        found = target(name, scope)
        if isinstance(found, Response):
            return found
        kept, resource, where = found.kept, found.resource, found.scope
        items = checked(kept, resource, [payload])
        if isinstance(items, Response):
            return items
        if item_key(resource, payload) != item_id:
            detail = f"The item's {resource.id_property!r} must be {item_id!r}, as in the path."
            return problem_reply(422, "Id mismatch", detail, "bad-state")
        known = await _seeded(lambda: kept.store.get(session, name, where, item_id))
        try:
            kept.store.replace(session, name, where, item_id, payload)
        except StoreFull:
            return problem_response(insufficient_storage(name))
        return JSONResponse(payload, status_code=200 if known is not None else 201)

    @router.delete("/state/{name}/{item_id}", summary="Delete one item")
    async def state_delete_item(
        name: str, item_id: str, session: str = SESSION, scope: str = SCOPE
    ) -> Any:
        found = target(name, scope)
        if isinstance(found, Response):
            return found
        kept, where = found.kept, found.scope
        if not await _seeded(lambda: kept.store.remove(session, name, where, item_id)):
            return problem_response(not_found_item(f"{name}/{item_id} (session {session!r})"))
        return {"deleted": f"{name}/{item_id}"}

    @router.post("/state/reset", summary="Every session (or ?session=) back to the seed")
    async def state_reset(session: str | None = None) -> Any:
        kept = keeper()
        if isinstance(kept, Response):
            return kept
        kept.store.clear(session)
        return {"reset": "all sessions" if session is None else session}

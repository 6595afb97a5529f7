"""What a stateful operation does to its resource's items: create, read, list (paged,
filtered, sorted), replace, update (JSON Merge Patch or JSON Patch) and delete.

`Crud.apply` returns an `Outcome`: the items to answer with, and what happened, in words for
`X-Openmock-Reason` and the call log. It never renders a response: the pipeline serves the
outcome through the operation's own documented statuses and schemas.
"""

from __future__ import annotations

import hashlib
import random
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple
from urllib.parse import quote, quote_plus

import orjson

from openmock.state.patch import PatchFailed, json_patch, merge_patch
from openmock.state.resources import Resource, Role
from openmock.state.store import Item, Scope, StateStore

ID_ATTEMPTS = 8  # generated string ids tried before falling back to a counter
DEFAULT_PAGE = 20  # a paged list's size when the client gives no limit and the spec no default

OutcomeKind = Literal["item", "list", "deleted", "not-found", "conflict", "invalid"]
# Makes a value valid for a schema, the same for the same key (the generation engine).
MakeValue = Callable[[Any, str], Any]
IsValid = Callable[[Any, Any], bool]


@dataclass
class Outcome:
    kind: OutcomeKind
    reason: str  # "state: created pets/7"
    item: Item | None = None
    items: list[Item] = field(default_factory=list)  # a list's page
    total: int = 0  # a list's items before paging
    next_query: dict[str, str] | None = None  # a list's next page, as its query
    pages: dict[str, dict[str, str]] = field(default_factory=dict)  # self, prev, first, last
    location: str | None = None  # a created item's path
    created: bool = False


class Call(NamedTuple):
    """What a stateful request brings: the session, the path's values, the query and body."""

    session: str
    path: str  # the concrete path as the client sent it
    path_values: Mapping[str, Any]
    query: Mapping[str, Any]  # typed query parameters by name
    body: Any
    patch_kind: Literal["merge", "json-patch"] = "merge"


class Crud:
    def __init__(
        self,
        store: StateStore,
        make_value: MakeValue,
        is_valid: IsValid,
        deref: Callable[[Any], Any],
    ) -> None:
        self.store = store
        self.make_value = make_value
        self.is_valid = is_valid
        self.deref = deref  # a schema through its $refs

    def apply(self, resource: Resource, role: Role, call: Call) -> Outcome:
        with self.store.transaction():  # a read-modify-write is one change
            return self._apply(resource, role, call)

    def _apply(self, resource: Resource, role: Role, call: Call) -> Outcome:
        scope = tuple(str(call.path_values.get(p, "")) for p in resource.parents)
        if role.action == "list":
            return self._list(resource, scope, call)
        if role.action == "create":
            return self._create(resource, scope, call)
        key = str(call.path_values.get(resource.id_param, ""))
        where = f"{resource.name}/{key}"
        found = self.store.get(call.session, resource.name, scope, key)
        if found is None and role.action == "replace" and isinstance(call.body, dict):
            return self._create(resource, scope, call, key)  # PUT: the client names the id
        if found is None:
            return Outcome("not-found", f"state: {where} not found")
        if role.action == "read":
            return Outcome("item", f"state: read {where}", item=found)
        if role.action == "delete":
            self.store.remove(call.session, resource.name, scope, key)
            return Outcome("deleted", f"state: deleted {where}", item=found)
        if not isinstance(call.body, dict | list):
            return Outcome("invalid", f"state: {where} not changed (the body is no object)")
        if role.action == "replace" and isinstance(call.body, dict):
            kept = {k: v for k, v in found.items() if k in resource.read_only}
            changed = kept | _writable(resource, call.body)
        elif call.patch_kind == "json-patch":
            try:
                changed = json_patch(found, call.body)
            except PatchFailed as exc:
                return Outcome("invalid", f"state: {where} not changed: {exc}")
        elif isinstance(call.body, dict):
            changed = merge_patch(found, _writable(resource, call.body))
        else:
            return Outcome("invalid", f"state: {where} not changed (the body is no object)")
        if not isinstance(changed, dict):
            return Outcome("invalid", f"state: {where} not changed (it would be no object)")
        changed[resource.id_property] = found.get(resource.id_property)
        changed = _without(changed, resource.write_only)
        if not self.is_valid(resource.schema, changed):
            return Outcome("invalid", f"state: {where} not changed (it would break its schema)")
        self.store.replace(call.session, resource.name, scope, key, changed)
        verb = "replaced" if role.action == "replace" else "updated"
        return Outcome("item", f"state: {verb} {where}", item=changed)

    def _create(
        self, resource: Resource, scope: Scope, call: Call, key: str | None = None
    ) -> Outcome:
        if not isinstance(call.body, dict):
            return Outcome(
                "invalid", f"state: no {resource.name} item made (the body is no object)"
            )
        from_path = key is not None  # PUT on an unknown item: the path names it
        body = call.body

        def digest() -> str:  # what generated server fields are seeded by: the body
            return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()

        base: dict[str, Any] = {}
        missing = resource.server_fields - body.keys() - {resource.id_property}
        if missing - resource.stamped.keys():  # generated only when there is something to take
            made = self.make_value(resource.schema, f"state|{resource.name}|{digest()[:16]}")
            base = made if isinstance(made, dict) else {}
        item = {k: v for k, v in base.items() if k in resource.server_fields}
        for name, schema in resource.stamped.items():
            stamp = self._now(schema)
            if stamp is not None:
                item[name] = stamp
            elif name not in item:
                item[name] = self.make_value(schema, f"state|{resource.name}|{digest()}|{name}")
        item.update(_writable(resource, call.body))
        chosen = call.body.get(resource.id_property) if resource.client_ids else None
        if from_path:
            chosen = call.path_values.get(resource.id_param)
        if chosen is not None:
            item[resource.id_property] = chosen
            key = str(chosen)
        else:
            key, item[resource.id_property] = self._new_id(resource, scope, call.session)
        id_first = {resource.id_property: item[resource.id_property]}
        item = _without(id_first | item, resource.write_only)
        where = f"{resource.name}/{key}"
        if not self.is_valid(resource.schema, item):  # needs more of a generated item
            made = self.make_value(resource.schema, f"state|{resource.name}|{digest()[:16]}")
            item = (made if isinstance(made, dict) else {}) | item
        if not self.is_valid(resource.schema, item):
            return Outcome("invalid", f"state: {where} not made (it would break its schema)")
        if not self.store.add(call.session, resource.name, scope, key, item):
            return Outcome("conflict", f"state: {where} exists already")
        location = call.path if from_path else f"{call.path.rstrip('/')}/{quote(key, safe='')}"
        return Outcome(
            "item", f"state: created {where}", item=item, location=location, created=True
        )

    def _now(self, schema: Any) -> str | None:
        """The time of the request for a server-set date-time or date, else None."""
        target = self.deref(schema)
        kind = target.get("format") if isinstance(target, dict) else None
        now = datetime.now(UTC).replace(microsecond=0)
        if kind == "date-time":
            return now.isoformat().replace("+00:00", "Z")
        if kind == "date":
            return now.date().isoformat()
        return None

    def _new_id(self, resource: Resource, scope: Scope, session: str) -> tuple[str, Any]:
        schema = resource.id_schema if isinstance(resource.id_schema, dict) else {}
        kind = schema.get("type")
        if kind == "integer" or (isinstance(kind, list) and "integer" in kind):
            floor = schema.get("minimum", 1)
            number = self.store.next_number(session, resource.name, scope, int(floor))
            return str(number), number
        number = self.store.next_number(session, resource.name, scope, 1)
        if schema.get("format") == "uuid":
            rng = random.Random(f"{resource.name}|{scope}|{session}|{number}")
            made = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            return made, made
        for attempt in range(ID_ATTEMPTS):
            value = self.make_value(schema, f"state|id|{resource.name}|{number}|{attempt}")
            text = str(value)
            if self.store.get(session, resource.name, scope, text) is None:
                return text, value
        return str(number), str(number)

    def _list(self, resource: Resource, scope: Scope, call: Call) -> Outcome:
        listing = resource.listing
        items = self.store.items(call.session, resource.name, scope)
        for name in listing.filters:
            wanted = call.query.get(name)
            if wanted is not None:
                accepted = {_text(v) for v in (wanted if isinstance(wanted, list) else [wanted])}
                items = [item for item in items if _text(item.get(name)) in accepted]
        if listing.sort and call.query.get(listing.sort):
            items = _sorted(items, str(call.query[listing.sort]), call.query, listing.direction)
        total = len(items)
        if not (listing.limit or listing.offset or listing.page or listing.cursor):
            return Outcome(
                "list", f"state: listed {resource.name} ({total})", items=items, total=total
            )
        limit = _int(call.query.get(listing.limit) if listing.limit else None)
        if limit is None:
            limit = listing.limit_default or DEFAULT_PAGE
        limit = max(limit, 0)
        offset = 0
        asked = {k: _text(v) for k, v in call.query.items() if v is not None}
        next_query = dict(asked)
        pages: dict[str, dict[str, str]] = {"self": asked}
        last = max(total - 1, 0) // limit if limit else 0  # the last page's index
        if listing.offset:
            offset = max(_int(call.query.get(listing.offset)) or 0, 0)
            next_query[listing.offset] = str(offset + limit)
            pages["first"] = asked | {listing.offset: "0"}
            pages["last"] = asked | {listing.offset: str(last * limit)}
            if offset > 0:
                pages["prev"] = asked | {listing.offset: str(max(offset - limit, 0))}
        elif listing.page:
            page = _int(call.query.get(listing.page))
            page = listing.page_base if page is None else page
            offset = max(page - listing.page_base, 0) * limit
            next_query[listing.page] = str(page + 1)
            pages["first"] = asked | {listing.page: str(listing.page_base)}
            pages["last"] = asked | {listing.page: str(listing.page_base + last)}
            if page > listing.page_base:
                pages["prev"] = asked | {listing.page: str(page - 1)}
        elif listing.cursor:
            after = call.query.get(listing.cursor)
            if after is not None:
                keys = [_text(item.get(resource.id_property)) for item in items]
                text = _text(after)
                offset = keys.index(text) + 1 if text in keys else _int(after) or 0
        page_items = items[offset : offset + limit]
        if listing.cursor and page_items:
            next_query[listing.cursor] = _text(page_items[-1].get(resource.id_property))
        # a next page the client can ask for (a limit alone only shortens the list)
        more = offset + limit < total and bool(listing.offset or listing.page or listing.cursor)
        return Outcome(
            "list",
            f"state: listed {resource.name} ({len(page_items)} of {total} from {offset})",
            items=page_items,
            total=total,
            next_query=next_query if more else None,
            pages=pages,
        )


def page_urls(path: str, pages: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The URL of each page (by kind: next, prev...), its query encoded as `urlencode` does;
    each key and value encoded once (the pages of a list share most of them: urlencode took
    a tenth of a listing's time)."""
    encoded: dict[str, str] = {}

    def form(text: str) -> str:
        found = encoded.get(text)
        if found is None:
            found = encoded[text] = text if FORM_PLAIN.fullmatch(text) else quote_plus(text)
        return found

    return {
        kind: path + "?" + "&".join(f"{form(k)}={form(v)}" for k, v in query.items())
        if query
        else path
        for kind, query in pages.items()
    }


FORM_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")  # what quote_plus leaves as it is


def _writable(resource: Resource, body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in resource.read_only}


def _without(item: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in names} if names else item


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return None


def _sorted(
    items: list[Item], sort: str, query: Mapping[str, Any], direction_param: str | None
) -> list[Item]:
    """`sort=name`, `sort=-name`, `sort=name:desc` or `sort=name,desc`; a documented
    `order=desc` reverses too. Items without the field come last."""
    field_name, descending = sort.strip(), False
    if field_name.startswith("-"):
        field_name, descending = field_name[1:], True
    for separator in (":", ",", " "):
        if separator in field_name:
            field_name, _, way = field_name.partition(separator)
            descending = way.strip().lower() in ("desc", "descending")
    if direction_param and str(query.get(direction_param, "")).lower() in ("desc", "descending"):
        descending = True
    present = [i for i in items if i.get(field_name) is not None]
    missing = [i for i in items if i.get(field_name) is None]

    def key(item: Item) -> tuple[int, Any]:
        value = item[field_name]
        return (0, value) if isinstance(value, int | float) else (1, _text(value))

    return sorted(present, key=key, reverse=descending) + missing

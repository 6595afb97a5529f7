"""Which operations are stateful, as which resource: inferred from the spec at import.

A resource is a collection path and its item path (`/pets` + `/pets/{petId}`), nested ones
scoped by their parents' ids (`/users/{userId}/orders/{orderId}`). Its schema is the item
GET's 200 schema, else the create response's, else the create request body's; its id
property is the one the item path parameter names, else `id`, `<name>Id`, `<name>_id`,
`uuid`, or a single readOnly property (`x-openmock-id` on the schema and
`x-openmock-resource` on a path item override the inference). What its list answers look
like (a bare array or an envelope with its count and paging fields) and how its list is
paged, filtered and sorted are read from the list operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from openmock.mediatypes import is_json
from openmock.model import Catalog, Stub
from openmock.schema.index import SchemaIndex, UnresolvedRef
from openmock.schema.merge import declared_properties, flatten_all_of

Action = Literal["list", "create", "read", "replace", "update", "delete"]

# Query parameter names, by what they do to a list (compared in lower case, without - and _).
LIMIT_NAMES = ("limit", "perpage", "pagesize", "size", "maxresults", "top", "$top", "count")
OFFSET_NAMES = ("offset", "skip", "start", "$skip")
PAGE_NAMES = ("page", "pagenumber", "pageno")
CURSOR_NAMES = ("cursor", "startingafter", "after", "pagetoken", "nexttoken")
SORT_NAMES = ("sort", "orderby", "sortby", "$orderby")
DIRECTION_NAMES = ("order", "direction", "sortorder", "sortdirection", "dir")
# Properties a server stamps: createdAt, created_at, updated, modified...
STAMP_WORDS = ("created", "updated", "modified", "createdon", "updatedon", "lastmodified")
QUERY_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("limit", LIMIT_NAMES),
    ("offset", OFFSET_NAMES),
    ("page", PAGE_NAMES),
    ("cursor", CURSOR_NAMES),
    ("sort", SORT_NAMES),
    ("direction", DIRECTION_NAMES),
)
# Envelope properties, by what they hold (compared the same way).
ITEMS_NAMES = ("items", "data", "results", "records", "content", "list", "entries", "values")
TOTAL_NAMES = ("total", "totalcount", "count", "totalitems", "totalresults", "totalsize")
HAS_MORE_NAMES = ("hasmore", "hasnext", "more")
NEXT_NAMES = ("next", "nexturl", "nextpage", "nextpageurl", "nextlink", "nextcursor")


COLLECTION_ACTIONS: dict[str, Action] = {"GET": "list", "POST": "create"}
ITEM_ACTIONS: dict[str, Action] = {
    "GET": "read",
    "PUT": "replace",
    "PATCH": "update",
    "DELETE": "delete",
}


def _plain(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


@dataclass(frozen=True)
class Listing:
    """How a resource's list operation answers and reads its query."""

    items: str | None = None  # the envelope's array property; None: a bare array
    total: str | None = None  # envelope properties, where it has them
    has_more: str | None = None
    next: str | None = None
    limit: str | None = None  # query parameter names, where documented
    limit_default: int | None = None
    offset: str | None = None
    page: str | None = None
    page_base: int = 1  # the first page's number
    cursor: str | None = None
    sort: str | None = None
    direction: str | None = None
    filters: tuple[str, ...] = ()  # query parameters named like item properties
    total_header: str | None = None  # a documented count header (X-Total-Count)
    links: str | None = None  # an envelope object of page links ({self, next, prev...})
    link_kinds: tuple[str, ...] = ()  # its properties that are such links
    link_href: bool = False  # each link an object with `href` (HAL) rather than a URL


@dataclass(frozen=True)
class Resource:
    name: str  # "pets"; unique in the catalog
    collection: str  # the collection path template, "/pets"
    item: str  # the item path template, "/pets/{petId}"
    id_param: str  # the item path's own parameter, "petId"
    parents: tuple[str, ...]  # the collection path's parameters (nested resources)
    id_property: str  # the item's property that holds its id
    schema: Any  # the item schema ($ref kept)
    id_schema: Any  # the id property's schema, dereferenced
    listing: Listing = field(default_factory=Listing)
    read_only: frozenset[str] = frozenset()  # properties only the server sets
    write_only: frozenset[str] = frozenset()  # properties never stored nor served
    # What a created item takes from generated data besides the client's body: required,
    # readOnly and timestamp properties (the rest of a generated item would be noise).
    server_fields: frozenset[str] = frozenset()
    # readOnly and timestamp properties, by name: a created item gets each one its generated
    # item left out (a timestamp takes the time of the request, as a backend's would)
    stamped: Mapping[str, Any] = field(default_factory=dict)
    client_ids: bool = False  # the id is writable: a client may choose it


@dataclass(frozen=True)
class Role:
    """What one stateful operation does, to which resource."""

    resource: str
    action: Action


@dataclass(frozen=True)
class Resources:
    """The stateful part of a catalog: its resources, the role of each stateful operation,
    and why each other operation is not stateful."""

    resources: Mapping[str, Resource] = field(default_factory=dict)
    roles: Mapping[str, Role] = field(default_factory=dict)  # stub id -> role
    skipped: Mapping[str, str] = field(default_factory=dict)  # stub id -> why not stateful


def success_schema(stub: Stub) -> Any:
    """The JSON schema of the operation's first documented 2xx answer, or None."""
    ordered = sorted(
        (s for s in stub.scenarios if 200 <= s.status < 300 and s.source != "runtime"),
        key=lambda s: s.status,
    )
    for scenario in ordered:
        for rep in scenario.representations:
            if rep.schema is not None and is_json(rep.media_type):
                return rep.schema
    return None


def request_schema(stub: Stub) -> Any:
    if stub.request_body is None:
        return None
    for media in stub.request_body.content:
        if media.schema is not None and is_json(media.media_type):
            return media.schema
    return None


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _param(segment: str) -> str | None:
    if segment.startswith("{") and segment.endswith("}"):
        return segment[1:-1]
    return None


def infer_resources(catalog: Catalog, index: SchemaIndex) -> Resources:
    """The resources `catalog` describes (spec operations only, not runtime stubs)."""
    by_path: dict[str, dict[str, Stub]] = {}
    for stub in catalog.stubs:
        if stub.origin == "spec" and stub.import_error is None:
            by_path.setdefault(stub.path, {})[stub.method] = stub
    overrides = _overrides(catalog)
    resources: dict[str, Resource] = {}
    roles: dict[str, Role] = {}
    for item_path, item_ops in sorted(by_path.items()):
        segments = _segments(item_path)
        if len(segments) < 2 or _param(segments[-1]) is None or _param(segments[-2]):
            continue
        collection_path = "/" + "/".join(segments[:-1])
        collection_ops = by_path.get(collection_path, {})
        found = _resource(
            collection_path, item_path, collection_ops, item_ops, index, overrides, resources
        )
        if found is None:
            continue
        resources[found.name] = found
        for ops, actions in ((collection_ops, COLLECTION_ACTIONS), (item_ops, ITEM_ACTIONS)):
            for method, action in actions.items():
                if method in ops:
                    roles[ops[method].id] = Role(found.name, action)
    skipped = {
        stub.id: _why_not(stub, by_path)
        for stub in catalog.stubs
        if stub.id not in roles and stub.origin == "spec"
    }
    return Resources(resources, roles, skipped)


def _why_not(stub: Stub, by_path: Mapping[str, Mapping[str, Stub]]) -> str:
    if stub.import_error is not None:
        return "not imported"
    segments = _segments(stub.path)
    if not segments:
        return "the root path is no collection"
    if _param(segments[-1]) is not None:
        return "no collection path beside this item path, or no schema with an id"
    depth = len(segments) + 1
    item_like = [
        p
        for p in by_path
        if p.startswith(stub.path.rstrip("/") + "/{") and len(_segments(p)) == depth
    ]
    if not item_like:
        if len(segments) >= 2 and _param(segments[-2]) is not None:
            return "a sub-resource or action of an item, not a collection"
        return "no item path (`" + stub.path.rstrip("/") + "/{id}`) documented"
    return "its resource has no schema with an id property"


def _overrides(catalog: Catalog) -> dict[str, str]:
    """`x-openmock-resource` names on path items: collection or item path -> name."""
    paths = catalog.spec.document.get("paths")
    if not isinstance(paths, dict):
        return {}
    return {
        path: str(item["x-openmock-resource"])
        for path, item in paths.items()
        if isinstance(item, dict) and isinstance(item.get("x-openmock-resource"), str)
    }


def _resource(
    collection_path: str,
    item_path: str,
    collection_ops: Mapping[str, Stub],
    item_ops: Mapping[str, Stub],
    index: SchemaIndex,
    overrides: Mapping[str, str],
    taken: Mapping[str, Resource],
) -> Resource | None:
    schema = None
    for stub in (item_ops.get("GET"), collection_ops.get("POST")):
        if stub is not None and schema is None:
            schema = success_schema(stub)
    if schema is None and "POST" in collection_ops:
        schema = request_schema(collection_ops["POST"])
    if schema is None and "GET" in collection_ops:
        listed = success_schema(collection_ops["GET"])
        schema = _list_items_schema(listed, index)
    if schema is None:
        return None
    try:
        target = index.deref(schema)
        properties = declared_properties(index, schema)
    except UnresolvedRef:
        return None
    if not isinstance(target, dict) or not properties:
        return None
    segments = _segments(item_path)
    id_param = _param(segments[-1]) or ""
    literal = [s for s in segments[:-1] if _param(s) is None]
    name = overrides.get(collection_path) or overrides.get(item_path) or literal[-1]
    if name in taken:
        name = ".".join(literal)
    id_property = _id_property(target, properties, id_param, literal[-1], index)
    if id_property is None:
        return None
    try:
        id_schema = index.deref(properties[id_property])
    except UnresolvedRef:
        return None
    read_only = frozenset(index.flagged_properties(target, "readOnly"))
    write_only = frozenset(index.flagged_properties(target, "writeOnly"))
    stamps = {name for name in properties if _is_timestamp(name)}
    server_fields = read_only | _required(target, index) | stamps
    listing = Listing()
    if "GET" in collection_ops:
        listing = _listing(collection_ops["GET"], schema, properties, index)
    return Resource(
        name=name,
        collection=collection_path,
        item=item_path,
        id_param=id_param,
        parents=tuple(p for s in segments[:-1] if (p := _param(s)) is not None),
        id_property=id_property,
        schema=schema,
        id_schema=id_schema,
        listing=listing,
        read_only=read_only,
        write_only=write_only,
        server_fields=frozenset(server_fields),
        stamped={n: properties[n] for n in sorted(read_only | stamps) if n != id_property},
        client_ids=id_property not in read_only
        and _client_picks(collection_ops, id_property, index),
    )


def _is_timestamp(name: str) -> bool:
    plain = _plain(name)
    return (plain.endswith("at") and plain[:-2] in STAMP_WORDS) or plain in STAMP_WORDS


def _required(target: dict[str, Any], index: SchemaIndex) -> set[str]:
    names: set[str] = set()
    for part in flatten_all_of(target, index):
        if isinstance(part, dict) and isinstance(part.get("required"), list):
            names.update(str(n) for n in part["required"])
    return names


def _client_picks(collection_ops: Mapping[str, Stub], id_property: str, index: SchemaIndex) -> bool:
    """Whether the create request body documents the id (a `sku`, a `code`)."""
    stub = collection_ops.get("POST")
    schema = request_schema(stub) if stub is not None else None
    if schema is None:
        return False
    try:
        return id_property in declared_properties(index, schema)
    except UnresolvedRef:
        return False


def _id_property(
    target: Mapping[str, Any],
    properties: Mapping[str, Any],
    id_param: str,
    collection_name: str,
    index: SchemaIndex,
) -> str | None:
    chosen = target.get("x-openmock-id")
    if isinstance(chosen, str) and chosen in properties:
        return chosen
    singular = collection_name[:-1] if collection_name.endswith("s") else collection_name
    plain_param = _plain(id_param)
    candidates = [id_param, "id", f"{singular}Id", f"{singular}_id", "uuid"]
    for name in candidates:
        if name in properties:
            return name
    for name in properties:  # `order-id` in the path, `order_id` or `orderId` in the body
        if _plain(name) == plain_param or _plain(name) == _plain(f"{singular}id"):
            return name
    read_only = [
        name
        for name in index.flagged_properties(dict(target), "readOnly")
        if name.lower().endswith("id")
    ]
    return read_only[0] if len(read_only) == 1 else None


def _list_items_schema(listed: Any, index: SchemaIndex) -> Any:
    try:
        target = index.deref(listed)
    except UnresolvedRef:
        return None
    if not isinstance(target, dict):
        return None
    if target.get("type") == "array" or "items" in target:
        return target.get("items")
    for sub in declared_properties(index, target).values():
        try:
            node = index.deref(sub)
        except UnresolvedRef:
            continue
        if isinstance(node, dict) and (node.get("type") == "array" and "items" in node):
            return node["items"]
    return None


LINKS_NAMES = ("links", "link", "pagelinks")
LINK_KINDS = ("self", "next", "prev", "previous", "first", "last")


def _links(envelope: Mapping[str, Any], index: SchemaIndex) -> dict[str, Any]:
    """An envelope's object of page links (`links: {self, next, prev}`, HAL's `_links` with
    `{href}` objects), where it has one."""
    for name, sub in envelope.items():
        if _plain(name) not in LINKS_NAMES:
            continue
        try:
            kinds = declared_properties(index, sub)
        except UnresolvedRef:
            continue
        named = tuple(k for k in kinds if _plain(k) in LINK_KINDS)
        if named:
            try:
                first = declared_properties(index, kinds[named[0]])
            except UnresolvedRef:
                first = {}
            return {"links": name, "link_kinds": named, "link_href": "href" in first}
    return {}


def _listing(
    stub: Stub, item_schema: Any, item_properties: Mapping[str, Any], index: SchemaIndex
) -> Listing:
    found: dict[str, Any] = {}
    listed = success_schema(stub)
    try:
        target = index.deref(listed) if listed is not None else None
    except UnresolvedRef:
        target = None
    if isinstance(target, dict) and not (target.get("type") == "array" or "items" in target):
        envelope = declared_properties(index, target)
        arrays = [name for name, sub in envelope.items() if _is_array(sub, index)]
        same = [n for n in arrays if _items_are(envelope[n], item_schema, index)]
        named = [n for n in arrays if _plain(n) in ITEMS_NAMES]
        found["items"] = next(iter(same or named or arrays), None)
        for key, words in (
            ("total", TOTAL_NAMES),
            ("has_more", HAS_MORE_NAMES),
            ("next", NEXT_NAMES),
        ):
            found[key] = next((n for n in envelope if _plain(n) in words), None)
        found.update(_links(envelope, index))
    filters = []
    for parameter in stub.parameters:
        if parameter.location != "query":
            continue
        plain = _plain(parameter.name)
        for key, aliases in QUERY_ROLES:
            if plain in aliases and key not in found and parameter.name not in item_properties:
                found[key] = parameter.name
                break
        else:
            if parameter.name in item_properties:
                filters.append(parameter.name)
        schema = parameter.schema if isinstance(parameter.schema, dict) else {}
        if found.get("limit") == parameter.name and isinstance(schema.get("default"), int):
            found["limit_default"] = schema["default"]
        if found.get("page") == parameter.name and schema.get("minimum") == 0:
            found["page_base"] = 0
    for scenario in stub.scenarios:
        for header in scenario.headers:
            if _plain(header.name) in ("xtotalcount", "xtotal"):
                found["total_header"] = header.name.lower()
    return Listing(filters=tuple(filters), **found)


def _is_array(schema: Any, index: SchemaIndex) -> bool:
    try:
        node = index.deref(schema)
    except UnresolvedRef:
        return False
    return isinstance(node, dict) and (node.get("type") == "array" or "items" in node)


def _items_are(array: Any, item_schema: Any, index: SchemaIndex) -> bool:
    try:
        node = index.deref(array)
        items = node.get("items") if isinstance(node, dict) else None
        return items is item_schema or index.deref(items) is index.deref(item_schema)
    except UnresolvedRef:
        return False

"""STATE (`--stateful`): collections inferred from the spec behave like a small backend.

Every answer of the flows below comes from a real server and is judged by the independent
oracle (openapi-core, or jsonschema for 2.0) against the operation it answered."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from conftest import CORPUS, SPECS, SpecMaker, running_server
from hypothesis import given
from hypothesis import strategies as st
from oracle import Oracle
from test_cli import assert_clean_failure, run, serving

from openmock.importer import build_catalog
from openmock.schema.index import SchemaIndex
from openmock.server import create_app
from openmock.spec import load_spec
from openmock.state import DataError, StoreFull, clear_namespace
from openmock.state.crud import page_urls
from openmock.state.resources import infer_resources
from openmock.state.sqlite_store import SqliteStore
from openmock.state.store import MemoryStore


class Judged:
    """An httpx client whose every answer the oracle judges against `template`'s operation."""

    def __init__(self, client: httpx.Client, oracle: Oracle, base: str = "") -> None:
        self.client = client
        self.oracle = oracle
        self.base = base  # the base path the client calls through ("" : none)
        self.judged = 0

    def call(self, method: str, template: str, path: str, **kwargs: Any) -> httpx.Response:
        answer = self.client.request(method, self.base + path, **kwargs)
        verdict = self.oracle.check(
            method, template, path, answer.status_code, dict(answer.headers), answer.content
        )
        assert verdict is None, f"{method} {path} -> {answer.status_code}: {verdict}"
        self.judged += 1
        return answer


@contextmanager
def judged(spec: Path, cache_dir: Path, **options: Any) -> Iterator[Judged]:
    app = create_app(spec, stateful=True, cache_dir=cache_dir, **options)
    oracle = Oracle(load_spec(spec, cache_dir=cache_dir))
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        yield Judged(client, oracle)


def _reason(answer: httpx.Response) -> str:
    return answer.headers.get("x-openmock-reason", "")


# --- the full flow on every kind of spec ------------------------------------------------------


def test_petstore_create_read_list_delete(cache_dir: Path) -> None:
    with judged(SPECS / "petstore.yaml", cache_dir) as api:
        seeded = api.call("GET", "/pets", "/pets").json()
        assert [p["name"] for p in seeded] == ["Tom", "Felix", "Rex"]  # the spec's examples
        made = api.call("POST", "/pets", "/pets", json={"name": "Zorro", "tag": "fox"})
        assert made.status_code == 201 and _reason(made) == "state: created pets/4"
        zorro = made.json()
        assert zorro["id"] == 4 and zorro["name"] == "Zorro" and zorro["tag"] == "fox"
        assert made.headers["location"] == "/pets/4"
        assert api.call("GET", "/pets/{id}", "/pets/4").json() == zorro
        listed = api.call("GET", "/pets", "/pets")
        assert zorro in listed.json() and listed.headers["x-total-count"] == "4"
        assert api.call("GET", "/pets", "/pets?limit=2").json() == seeded[:2]
        assert api.call("DELETE", "/pets/{id}", "/pets/4").status_code == 204
        gone = api.call("GET", "/pets/{id}", "/pets/4")
        assert gone.status_code == 404 and _reason(gone) == "state: pets/4 not found"
        assert zorro not in api.call("GET", "/pets", "/pets").json()
        again = api.call("POST", "/pets", "/pets", json={"name": "Nova"})
        assert again.json()["id"] == 5  # a deleted id is never handed out again


def test_paths_with_the_base_path_share_the_state(cache_dir: Path) -> None:
    with judged(SPECS / "petstore.yaml", cache_dir) as api:
        made = api.client.post("/v1/pets", json={"name": "Based"})
        assert made.headers["location"] == "/v1/pets/4"
        assert api.client.get("/pets/4").json()["name"] == "Based"


def test_swagger2_client_chosen_ids_and_conflicts(cache_dir: Path) -> None:
    with judged(SPECS / "inventory-swagger2.yaml", cache_dir) as api:
        item = {"sku": "ZZ-0001", "name": "Gadget", "quantity": 2}
        made = api.call("POST", "/items", "/items", json=item)
        assert made.status_code == 201 and made.json()["sku"] == "ZZ-0001"
        assert api.call("GET", "/items/{sku}", "/items/ZZ-0001").json()["name"] == "Gadget"
        taken = api.client.post("/items", json=item)  # no 409 documented: the truth, unjudged
        assert taken.status_code == 409
        assert taken.headers["content-type"] == "application/problem+json"
        skus = [i["sku"] for i in api.call("GET", "/items", "/items").json()]
        assert skus == ["AB-1234", "ZZ-0001"]
        missing = api.call("GET", "/items/{sku}", "/items/QQ-9999")
        assert missing.status_code == 404


def test_openapi31_envelope_with_total(cache_dir: Path) -> None:
    with judged(SPECS / "bookshop-3.1.yaml", cache_dir) as api:
        first = api.call("GET", "/books", "/books").json()
        book = {"kind": "ebook", "title": "Solaris", "isbn": "978-0156027601", "sizeMb": 1.5}
        made = api.call("POST", "/books", "/books", json=book)
        assert made.status_code == 201 and made.json()["title"] == "Solaris"
        listed = api.call("GET", "/books", "/books").json()
        assert listed["total"] == first["total"] + 1
        assert "978-0156027601" in [b["isbn"] for b in listed["items"]]
        assert api.call("GET", "/books/{isbn}", "/books/978-0156027601").json()["title"] == (
            "Solaris"
        )


def test_train_travel_bookings(cache_dir: Path) -> None:
    auth = {"Authorization": "Bearer t"}
    with judged(CORPUS / "train-travel" / "openapi.yaml", cache_dir) as api:
        before = api.call("GET", "/bookings", "/bookings", headers=auth).json()
        booking = {
            "trip_id": "efdbb9d1-02c2-4bc3-afb7-6788d8782b1e",
            "passenger_name": "Ada Lovelace",
            "has_bicycle": True,
            "has_dog": False,
        }
        made = api.call("POST", "/bookings", "/bookings", json=booking, headers=auth)
        assert made.status_code == 201
        created = made.json()
        assert created["passenger_name"] == "Ada Lovelace" and created["id"]
        path = f"/bookings/{created['id']}"
        read = api.call("GET", "/bookings/{bookingId}", path, headers=auth).json()
        assert read["passenger_name"] == "Ada Lovelace"
        listed = api.call("GET", "/bookings", "/bookings?limit=100", headers=auth).json()
        assert created["id"] in [b["id"] for b in listed["data"]]
        assert len(listed["data"]) == len(before["data"]) + 1
        # The envelope's links follow the pages (they were made-up URLs: miller.com...).
        base = str(api.client.base_url).rstrip("/")
        first = api.call("GET", "/bookings", "/bookings?page=1&limit=2", headers=auth).json()
        assert first["links"] == {
            "self": f"{base}/bookings?page=1&limit=2",
            "next": f"{base}/bookings?page=2&limit=2",
        }
        second = api.call("GET", "/bookings", "/bookings?page=2&limit=2", headers=auth).json()
        assert second["links"] == {  # three bookings: the last page has no next
            "self": f"{base}/bookings?page=2&limit=2",
            "prev": f"{base}/bookings?page=1&limit=2",
        }
        assert len(first["data"]) == 2 and len(second["data"]) == 1
        deleted = api.call("DELETE", "/bookings/{bookingId}", path, headers=auth)
        assert deleted.status_code == 204
        gone = api.call("GET", "/bookings/{bookingId}", path, headers=auth)
        assert gone.status_code == 404


def test_museum_events_patch_merges(cache_dir: Path) -> None:
    spec = CORPUS / "redocly-museum" / "openapi.yaml"
    with judged(spec, cache_dir) as api:
        api.client.headers["Authorization"] = "Basic dXNlcjpwYXNz"
        event = {
            "name": "Night of Clocks",
            "location": "Hall B",
            "eventDescription": "Every clock in the museum, wound at once.",
            "dates": ["2027-03-01"],
            "price": 12.5,
        }
        made = api.call("POST", "/special-events", "/special-events", json=event)
        assert made.status_code == 201
        event_id = made.json()["eventId"]
        path = f"/special-events/{event_id}"
        patched = api.call("PATCH", "/special-events/{eventId}", path, json={"price": 15})
        assert patched.status_code == 200
        assert patched.json()["price"] == 15 and patched.json()["name"] == "Night of Clocks"
        assert _reason(patched) == f"state: updated special-events/{event_id}"
        assert api.call("GET", "/special-events/{eventId}", path).json()["price"] == 15
        assert api.call("DELETE", "/special-events/{eventId}", path).status_code == 204
        assert api.call("GET", "/special-events/{eventId}", path).status_code == 404


def test_swagger2_petstore_expanded_allof_items_and_default_errors(cache_dir: Path) -> None:
    spec = CORPUS / "oai-v2.0-petstore-expanded" / "petstore-expanded.yaml"
    with judged(spec, cache_dir) as api:
        assert len(api.call("GET", "/pets", "/pets").json()) == 3  # generated: no examples
        made = api.call("POST", "/pets", "/pets", json={"name": "Kiwi", "tag": "bird"})
        assert made.status_code == 200  # the documented success of addPet
        kiwi = made.json()
        assert kiwi["name"] == "Kiwi" and kiwi["id"] == 4
        assert api.call("GET", "/pets/{id}", "/pets/4").json() == kiwi
        assert api.call("GET", "/pets", "/pets?limit=10").json()[-1] == kiwi
        assert api.call("DELETE", "/pets/{id}", "/pets/4").status_code == 204
        gone = api.call("GET", "/pets/{id}", "/pets/4")  # `default` documents the error
        assert gone.status_code == 404 and _reason(gone) == "state: pets/4 not found"


# --- shapes: nested collections, hyphenated and non-`id` identifiers, envelopes, paging --------

ORDER = {
    "type": "object",
    "required": ["order_id", "item", "quantity"],
    "properties": {
        "order_id": {"type": "string", "format": "uuid", "readOnly": True},
        "item": {"type": "string", "minLength": 1},
        "quantity": {"type": "integer", "minimum": 1},
        "status": {"type": "string", "enum": ["open", "paid"]},
        "created_at": {"type": "string", "format": "date-time", "readOnly": True},
    },
}
PAGE = {
    "type": "object",
    "required": ["data", "total", "has_more"],
    "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}},
        "total": {"type": "integer", "minimum": 0},
        "has_more": {"type": "boolean"},
        "next": {"type": ["string", "null"]},
    },
}


def _json(schema: Any, status: str = "200") -> dict[str, Any]:
    return {status: {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def _orders_spec(make_spec: SpecMaker) -> Path:
    ref = {"$ref": "#/components/schemas/Order"}
    user = {"name": "user-id", "in": "path", "required": True, "schema": {"type": "integer"}}
    order = {"name": "order-id", "in": "path", "required": True, "schema": {"type": "string"}}
    page = [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "default": 2}},
        {"name": "status", "in": "query", "schema": {"type": "string"}},
        {"name": "sort", "in": "query", "schema": {"type": "string"}},
    ]
    body = {"required": True, "content": {"application/json": {"schema": ref}}}
    patch_body = {
        "required": True,
        "content": {
            "application/merge-patch+json": {"schema": {"type": "object"}},
            "application/json-patch+json": {"schema": {"type": "array"}},
        },
    }
    missing = {"404": {"description": "no such order"}}
    return make_spec(
        version="3.1.0",
        paths={
            "/users/{user-id}/orders": {
                "parameters": [user],
                "get": {"operationId": "listOrders", "parameters": page, "responses": _json(PAGE)},
                "post": {
                    "operationId": "createOrder",
                    "requestBody": body,
                    "responses": _json(ref, "201"),
                },
            },
            "/users/{user-id}/orders/{order-id}": {
                "parameters": [user, order],
                "get": {"operationId": "getOrder", "responses": _json(ref) | missing},
                "put": {
                    "operationId": "putOrder",
                    "requestBody": body,
                    "responses": _json(ref) | missing,
                },
                "patch": {
                    "operationId": "patchOrder",
                    "requestBody": patch_body,
                    "responses": _json(ref) | missing,
                },
                "delete": {
                    "operationId": "deleteOrder",
                    "responses": {"204": {"description": "gone"}},
                },
            },
        },
        components={"schemas": {"Order": ORDER}},
    )


def test_inference_of_a_nested_collection(make_spec: SpecMaker, cache_dir: Path) -> None:
    spec = load_spec(_orders_spec(make_spec), cache_dir=cache_dir)
    index = SchemaIndex(spec.document)
    found = infer_resources(build_catalog(spec, index), index)
    orders = found.resources["orders"]
    assert orders.id_property == "order_id"  # `order-id` in the path, `order_id` in the body
    assert orders.parents == ("user-id",) and orders.id_param == "order-id"
    listing = orders.listing
    assert (listing.items, listing.total, listing.has_more, listing.next) == (
        "data",
        "total",
        "has_more",
        "next",
    )
    assert (listing.page, listing.limit, listing.limit_default) == ("page", "per_page", 2)
    assert listing.filters == ("status",) and listing.sort == "sort"
    assert {r.action for r in found.roles.values()} == {
        "list",
        "create",
        "read",
        "replace",
        "update",
        "delete",
    }


def test_nested_orders_paged_scoped_replaced_and_patched(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    with judged(_orders_spec(make_spec), cache_dir) as api:
        collection = "/users/{user-id}/orders"
        item = "/users/{user-id}/orders/{order-id}"
        seeded = api.call("GET", collection, "/users/1/orders?per_page=50").json()
        assert seeded["total"] == 3  # no examples: three generated orders
        for n in range(4):
            made = api.call(
                "POST", collection, "/users/1/orders", json={"item": f"book {n}", "quantity": n + 1}
            )
            assert made.status_code == 201
        created = made.json()
        assert len(created["order_id"]) == 36  # a uuid, set by the server
        assert created["created_at"].startswith(str(datetime.now(UTC).year))  # stamped now
        page = api.call("GET", collection, "/users/1/orders?page=2").json()
        assert page["total"] == 7 and len(page["data"]) == 2 and page["has_more"] is True
        assert page["next"] == "/users/1/orders?page=3"
        last = api.call("GET", collection, "/users/1/orders?page=4").json()
        assert len(last["data"]) == 1 and last["has_more"] is False and last["next"] is None
        link = api.call("GET", collection, "/users/1/orders?page=1").headers["link"]
        assert link == '</users/1/orders?page=2>; rel="next", </users/1/orders?page=4>; rel="last"'
        link = api.call("GET", collection, "/users/1/orders?page=4").headers["link"]
        assert link == '</users/1/orders?page=1>; rel="first", </users/1/orders?page=3>; rel="prev"'
        # another user's orders are another collection
        other = api.call("GET", collection, "/users/2/orders?per_page=50").json()
        assert created["order_id"] not in [o["order_id"] for o in other["data"]]
        path = f"/users/1/orders/{created['order_id']}"
        assert api.call("GET", item, f"/users/2/orders/{created['order_id']}").status_code == 404
        # PUT replaces (server fields kept), PATCH merges, JSON Patch applies
        put = api.call("PUT", item, path, json={"item": "atlas", "quantity": 9}).json()
        assert put["item"] == "atlas" and put["created_at"] == created["created_at"]
        assert "status" not in put or put["status"] == created.get("status")
        merged = api.call(
            "PATCH",
            item,
            path,
            content=json.dumps({"status": "paid"}),
            headers={"content-type": "application/merge-patch+json"},
        ).json()
        assert merged["status"] == "paid" and merged["item"] == "atlas"
        patched = api.call(
            "PATCH",
            item,
            path,
            content=json.dumps([{"op": "replace", "path": "/quantity", "value": 3}]),
            headers={"content-type": "application/json-patch+json"},
        ).json()
        assert patched["quantity"] == 3 and patched["status"] == "paid"
        everything = api.call("GET", collection, "/users/1/orders?per_page=50").json()["data"]
        paid = api.call("GET", collection, "/users/1/orders?status=paid&per_page=50").json()
        assert paid["data"] == [o for o in everything if o.get("status") == "paid"]
        assert created["order_id"] in [o["order_id"] for o in paid["data"]]
        ordered = api.call("GET", collection, "/users/1/orders?sort=-quantity&per_page=50")
        quantities = [o["quantity"] for o in ordered.json()["data"]]
        assert quantities == sorted(quantities, reverse=True)
        assert api.call("DELETE", item, path).status_code == 204
        # deleting again is idempotent where the operation documents no 404
        again = api.call("DELETE", item, path)
        assert again.status_code == 204 and "idempotent" in _reason(again)
        assert api.call("GET", item, path).status_code == 404


def test_a_put_on_an_unknown_id_creates_it(make_spec: SpecMaker, cache_dir: Path) -> None:
    with judged(_orders_spec(make_spec), cache_dir) as api:
        item = "/users/{user-id}/orders/{order-id}"
        chosen = "0b7c2f9e-5d5e-4e4e-9a1c-0d6a8f1e2b3c"
        path = f"/users/1/orders/{chosen}"
        made = api.call("PUT", item, path, json={"item": "pen", "quantity": 1})
        assert made.status_code == 200 and made.json()["order_id"] == chosen
        assert _reason(made) == f"state: created orders/{chosen}"
        assert api.call("GET", item, path).json()["item"] == "pen"
        # an id its schema refuses (order_id is a uuid): the stateless answer, and why
        refused = api.call("PUT", item, "/users/1/orders/mine", json={"item": "a", "quantity": 1})
        assert "would break its schema" in refused.headers["x-openmock-warning"]
        assert api.call("GET", item, "/users/1/orders/mine").status_code == 404


def test_a_get_of_an_unknown_id_with_no_documented_404(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    ref = {"$ref": "#/components/schemas/Thing"}
    thing = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
    thing_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    body = {"content": {"application/json": {"schema": ref}}}
    spec = make_spec(
        paths={
            "/things": {"post": {"requestBody": body, "responses": _json(ref, "201")}},
            "/things/{id}": {"get": {"parameters": [thing_id], "responses": _json(ref)}},
        },
        components={"schemas": {"Thing": thing}},
    )
    app = create_app(spec, stateful=True, cache_dir=cache_dir)
    with running_server(app) as url:
        missing = httpx.get(f"{url}/things/77")
        assert missing.status_code == 404  # the truth beats the contract, and says so
        assert missing.headers["content-type"] == "application/problem+json"
        assert "documents no 404" in missing.headers["x-openmock-warning"]


def test_hal_page_links_follow_offset_paging(make_spec: SpecMaker, cache_dir: Path) -> None:
    ref = {"$ref": "#/components/schemas/Thing"}
    thing = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
    href = {"type": "object", "properties": {"href": {"type": "string"}}}
    kinds = ("self", "next", "prev", "first", "last")
    links = {"type": "object", "properties": {kind: href for kind in kinds}}
    page = {"type": "object", "properties": {"items": {"type": "array", "items": ref},
                                             "_links": links}}  # fmt: skip
    query = [{"name": n, "in": "query", "schema": {"type": "integer"}} for n in ("limit", "offset")]
    thing_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    spec = make_spec(
        paths={
            "/things": {
                "get": {"parameters": query, "responses": _json(page)},
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": ref}}},
                    "responses": _json(ref, "201"),
                },
            },
            "/things/{id}": {"get": {"parameters": [thing_id], "responses": _json(ref)}},
        },
        components={"schemas": {"Thing": thing}},
    )
    app = create_app(spec, stateful=True, cache_dir=cache_dir)
    with running_server(app) as url:
        count = httpx.get(f"{url}/things", params={"limit": 100}).json()["items"]
        listed = httpx.get(f"{url}/things", params={"limit": 1, "offset": 1}).json()
        assert listed["_links"] == {
            "self": {"href": f"{url}/things?limit=1&offset=1"},
            "next": {"href": f"{url}/things?limit=1&offset=2"},
            "prev": {"href": f"{url}/things?limit=1&offset=0"},
            "first": {"href": f"{url}/things?limit=1&offset=0"},
            "last": {"href": f"{url}/things?limit=1&offset={len(count) - 1}"},
        }


def test_a_resource_no_value_fits_is_served_stateless_with_a_warning(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    """A schema whose `enum` contradicts its `type`: no seed item can be made (that raised
    out of the store: a 500 internal error); the stateless answer is served, saying why."""
    ref = {"$ref": "#/components/schemas/Thing"}
    thing = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string", "enum": [5]}},
    }
    thing_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    listed = _json({"type": "array", "items": ref})
    spec = make_spec(
        paths={
            "/things": {"get": {"responses": listed}},
            "/things/{id}": {"get": {"parameters": [thing_id], "responses": _json(ref)}},
        },
        components={"schemas": {"Thing": thing}},
    )
    app = create_app(spec, stateful=True, cache_dir=cache_dir)
    with running_server(app) as url:
        for path in ("/things", "/things/1"):
            answer = httpx.get(f"{url}{path}")
            assert answer.headers.get("x-openmock-reason") != "internal-error", answer.text
            assert "no value fits the things schema" in answer.headers["x-openmock-warning"]


# --- what stays as it was ---------------------------------------------------------------------


def test_explicit_asks_win_and_sessions_are_isolated(cache_dir: Path) -> None:
    with judged(SPECS / "petstore.yaml", cache_dir) as api:
        asked = api.call("GET", "/pets", "/pets", headers={"Prefer": "example=dogs"})
        assert [p["name"] for p in asked.json()] == ["Rex"] and _reason(asked) != ""
        assert not _reason(asked).startswith("state:")
        mine = {"x-openmock-session": "test-a"}
        api.call("POST", "/pets", "/pets", json={"name": "Only-A"}, headers=mine)
        names_a = [p["name"] for p in api.call("GET", "/pets", "/pets", headers=mine).json()]
        names = [p["name"] for p in api.call("GET", "/pets", "/pets").json()]
        other = {"x-openmock-session": "test-b"}
        names_b = [p["name"] for p in api.call("GET", "/pets", "/pets", headers=other).json()]
        assert "Only-A" in names_a and "Only-A" not in names and "Only-A" not in names_b
        assert names == names_b == ["Tom", "Felix", "Rex"]  # every session starts from the seed


def test_without_stateful_nothing_changes(cache_dir: Path) -> None:
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir)
    with running_server(app) as url:
        made = httpx.post(f"{url}/pets", json={"name": "Zorro"})
        assert made.json()["name"] == "Tom"  # the spec's example, as before
        assert "Zorro" not in httpx.get(f"{url}/pets").text
        assert httpx.get(f"{url}/__openmock/state").status_code == 404


def test_invalid_requests_still_get_their_errors(cache_dir: Path) -> None:
    with judged(SPECS / "petstore.yaml", cache_dir) as api:
        bad = api.call("POST", "/pets", "/pets", json={"tag": "no name"})
        assert bad.status_code == 422
        assert len(api.call("GET", "/pets", "/pets").json()) == 3


def test_five_hundred_concurrent_creates_get_distinct_ids(cache_dir: Path) -> None:
    app = create_app(SPECS / "petstore.yaml", stateful=True, cache_dir=cache_dir, log_db=None)
    with running_server(app) as url, httpx.Client(base_url=url) as client:

        def create(n: int) -> int:
            answer = client.post("/pets", json={"name": f"pet {n}"})
            assert answer.status_code == 201
            return int(answer.json()["id"])

        with ThreadPoolExecutor(16) as pool:
            ids = list(pool.map(create, range(500)))
        assert len(set(ids)) == 500
        listed = client.get("/pets").json()  # the petstore's list takes only a limit
        assert len(listed) == 20  # its documented default
        everything = client.get("/__openmock/state/pets").json()
        assert everything["count"] == 503


# --- the admin API and --data -----------------------------------------------------------------


def test_admin_reads_replaces_clears_and_resets(cache_dir: Path) -> None:
    app = create_app(SPECS / "petstore.yaml", stateful=True, cache_dir=cache_dir)
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        overview = client.get("/__openmock/state").json()
        assert overview["resources"][0]["name"] == "pets"
        assert overview["resources"][0]["count"] == 3
        refused = client.put("/__openmock/state/pets", json=[{"id": 9, "name": 3}])
        assert refused.status_code == 422
        assert refused.json()["errors"] == [
            {"pointer": "/0/name", "message": "3 is not of type 'string'"}
        ]
        nine = {"id": 9, "name": "Nine", "status": "available"}
        assert client.put("/__openmock/state/pets", json=[nine]).status_code == 200
        assert client.get("/pets").json() == [nine]
        assert client.get("/__openmock/state/pets/9").json() == nine
        ten = nine | {"id": 10, "name": "Ten"}
        assert client.put("/__openmock/state/pets/10", json=ten).status_code == 201
        assert client.get("/pets/10").json()["name"] == "Ten"
        assert client.delete("/__openmock/state/pets/9").status_code == 200
        assert client.get("/pets/9").status_code == 404
        assert client.delete("/__openmock/state/pets").json()["count"] == 0
        assert client.get("/pets").json() == []
        assert client.post("/__openmock/state/reset").status_code == 200
        assert len(client.get("/pets").json()) == 3
        assert client.get("/__openmock/state/nope").status_code == 404
        described = client.get("/__openmock/openapi.json").json()["paths"]
        assert "/__openmock/state/{name}" in described


def test_data_file_replaces_the_seed(tmp_path: Path, cache_dir: Path) -> None:
    data = tmp_path / "data.yaml"
    data.write_text("pets:\n  - {id: 40, name: Luna, status: available}\n")
    app = create_app(SPECS / "petstore.yaml", stateful=True, data=data, cache_dir=cache_dir)
    with running_server(app) as url:
        assert httpx.get(f"{url}/pets").json() == [
            {"id": 40, "name": "Luna", "status": "available"}
        ]
        assert httpx.post(f"{url}/pets", json={"name": "Sol"}).json()["id"] == 41


def test_a_bad_data_file_names_the_pointer(tmp_path: Path, cache_dir: Path) -> None:
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"pets": [{"id": 1, "name": 7}], "dogs": []}))
    with pytest.raises(DataError) as refused:
        create_app(SPECS / "petstore.yaml", stateful=True, data=data, cache_dir=cache_dir)
    text = "\n".join(refused.value.problems)
    assert f"{data}#/pets/0/name: 7 is not of type 'string'" in text
    assert "no stateful resource is called 'dogs' (there are: pets)" in text


# --- the command line ------------------------------------------------------------------------


def test_from_spec_stateful_says_what_is_stateful(tmp_path: Path) -> None:
    data = tmp_path / "pets.json"
    data.write_text(json.dumps({"pets": [{"id": 7, "name": "Seven", "status": "sold"}]}))
    spec = str(SPECS / "petstore.yaml")
    with serving(spec, "--stateful", "--data", str(data)) as (url, lines):
        printed = "".join(lines)
        assert "stateful: pets at /pets and /pets/{id} (id: id; list, create, read, delete)" in (
            printed
        )
        assert httpx.post(f"{url}/pets", json={"name": "Eight"}).json()["id"] == 8
        assert [p["id"] for p in httpx.get(f"{url}/pets").json()] == [7, 8]


def test_bad_stateful_options_are_clear_errors(tmp_path: Path) -> None:
    spec = str(SPECS / "petstore.yaml")
    data = tmp_path / "pets.yaml"
    data.write_text("pets:\n  - {id: 1, name: 1}\n")
    result = run("from-spec", spec, "--stateful", "--data", str(data), "--port", "0")
    assert_clean_failure(result, f"{data}#/pets/0/name: 1 is not of type 'string'")
    result = run("from-spec", spec, "--data", str(data), "--port", "0")
    assert_clean_failure(result, "add --stateful")
    result = run("from-spec", spec, "--stateful", "--workers", "2", "--no-log", "--port", "0")
    assert_clean_failure(result, "--stateful")


# --- the stores: one contract, two implementations ----------------------------------------------


def _stores(tmp_path: Path) -> dict[str, Any]:
    seed = [("1", {"id": 1, "name": "a"}), ("2", {"id": 2, "name": "b"})]

    def seeder(resource: str, scope: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
        return seed if resource == "pets" else []

    return {
        "memory": lambda **kw: MemoryStore(seeder, **kw),
        "sqlite": lambda **kw: SqliteStore(tmp_path / "state.db", "spec", seeder, **kw),
    }


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_store_keeps_items_per_session_and_scope(kind: str, tmp_path: Path) -> None:
    store = _stores(tmp_path)[kind](max_items=4, max_sessions=2)
    assert [i["name"] for i in store.items("", "pets", ())] == ["a", "b"]  # seeded
    assert store.next_number("", "pets", (), 1) == 3  # past the seed's largest id
    assert store.add("", "pets", (), "3", {"id": 3, "name": "c"})
    assert not store.add("", "pets", (), "3", {"id": 3, "name": "again"})  # taken
    store.replace("", "pets", (), "1", {"id": 1, "name": "A"})
    assert [i["name"] for i in store.items("", "pets", ())] == ["A", "b", "c"]  # order kept
    assert store.remove("", "pets", (), "3") and not store.remove("", "pets", (), "3")
    assert store.next_number("", "pets", (), 1) == 4  # a removed id is not handed out again
    assert store.get("", "pets", (), "3") is None and store.get("", "pets", (), "2") is not None
    assert store.items("", "pets", ("7",)) == store.items("", "pets", ("8",))  # seeded alike
    store.add("", "pets", ("7",), "9", {"id": 9})
    assert len(store.items("", "pets", ("7",))) == 3 and len(store.items("", "pets", ("8",))) == 2
    store.add("s1", "pets", (), "5", {"id": 5})
    assert len(store.items("s1", "pets", ())) == 3 and len(store.items("", "pets", ())) == 2
    store.add("", "pets", (), "6", {"id": 6})
    store.add("", "pets", (), "7", {"id": 7})
    with pytest.raises(StoreFull):
        store.add("", "pets", (), "8", {"id": 8})
    store.items("s2", "pets", ())  # a third session: the one idle the longest (s1) goes
    assert {c.session for c in store.collections()} == {"", "s2"}
    store.set_items("", "pets", (), [("42", {"id": 42})])
    assert store.items("", "pets", ()) == [{"id": 42}]
    assert store.next_number("", "pets", (), 1) == 43
    store.clear("")
    assert [i["name"] for i in store.items("", "pets", ())] == ["a", "b"]  # from the seed


def test_the_sqlite_store_is_shared_and_atomic(tmp_path: Path) -> None:
    make = _stores(tmp_path)["sqlite"]
    one, other = make(), make()
    one.add("", "pets", (), "3", {"id": 3})
    assert other.get("", "pets", (), "3") == {"id": 3}
    numbers = {one.next_number("", "pets", (), 1) for _ in range(5)}
    numbers |= {other.next_number("", "pets", (), 1) for _ in range(5)}
    assert len(numbers) == 10
    with pytest.raises(RuntimeError), one.transaction():
        one.add("", "pets", (), "50", {"id": 50})
        raise RuntimeError("a request that fails halfway")
    assert other.get("", "pets", (), "50") is None  # rolled back whole
    clear_namespace(tmp_path / "state.db", "spec")
    assert [i["id"] for i in other.items("", "pets", ())] == [1, 2]


def test_workers_share_one_store(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    spec = str(SPECS / "petstore.yaml")
    with serving(spec, "--stateful", "--workers", "2", "--log-db", str(db)) as (url, lines):
        assert any(line.startswith("stateful: pets") for line in lines)
        with httpx.Client(base_url=url) as client:

            def create(n: int) -> int:  # a connection per call: either worker may answer
                answer = client.post(
                    "/pets", json={"name": f"pet {n}"}, headers={"Connection": "close"}
                )
                assert answer.status_code == 201, answer.text
                return int(answer.json()["id"])

            with ThreadPoolExecutor(16) as pool:
                ids = list(pool.map(create, range(500)))
            assert len(set(ids)) == 500 and min(ids) == 4
            assert client.get("/__openmock/state/pets").json()["count"] == 503
            assert client.get(f"/pets/{ids[-1]}").json()["name"] == "pet 499"


def test_a_worker_reads_what_another_worker_created(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openmock.mockstate import MockOptions
    from openmock.server.config import ServeConfig
    from openmock.server.workers import worker_app, worker_environment

    db = str(tmp_path / "calls.db")
    options = MockOptions(stateful=True, state_db=db)
    specs = (str(SPECS / "petstore.yaml"),)
    config = ServeConfig(specs, options=options, log_db=db, cache_dir=str(cache_dir))
    environment = worker_environment(config)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with running_server(worker_app()) as one, running_server(worker_app()) as other:
        made = httpx.post(f"{one}/pets", json={"name": "Shared"}).json()
        assert httpx.get(f"{other}/pets/{made['id']}").json()["name"] == "Shared"
        assert httpx.delete(f"{other}/pets/{made['id']}").status_code == 204
        assert httpx.get(f"{one}/pets/{made['id']}").status_code == 404


@given(st.dictionaries(st.text(max_size=12), st.text(max_size=12), max_size=4))
def test_page_links_encode_their_query_as_urlencode_does(query: dict[str, str]) -> None:
    expected = f"/posts?{urlencode(query)}" if query else "/posts"
    assert page_urls("/posts", {"next": query, "self": {}}) == {"next": expected, "self": "/posts"}

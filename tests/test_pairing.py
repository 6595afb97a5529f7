"""Request-to-example pairing: the response example named like the request example sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SPECS, SpecMaker, running_server

from openmock.importer import build_catalog
from openmock.schema.index import SchemaIndex
from openmock.server import MockOptions, app_from_catalog, create_app
from openmock.spec import load_spec

BOOKS = {
    "/books": {
        "get": {
            "parameters": [
                {
                    "name": "format",
                    "in": "query",
                    "schema": {"type": "string"},
                    "examples": {"ebook": {"value": "epub"}, "paper": {"value": "hardcover"}},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer"},
                    "examples": {"paper": {"value": 5}},
                },
            ],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {
                            "schema": {"type": "array", "items": {"type": "string"}},
                            "examples": {
                                "paper": {"value": ["Dune (hardcover)"]},
                                "ebook": {"value": ["Dune (epub)"]},
                            },
                        }
                    },
                }
            },
        },
        "post": {
            "parameters": [
                {
                    "name": "format",
                    "in": "query",
                    "schema": {"type": "string"},
                    "examples": {"ebook": {"value": "epub"}},
                }
            ],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {"type": "object"},
                        "examples": {
                            "ebook": {"value": {"title": "Dune", "format": "epub"}},
                            "paper": {"value": {"title": "Dune", "format": "hardcover"}},
                        },
                    }
                }
            },
            "responses": {
                "201": {
                    "description": "created",
                    "content": {
                        "application/json": {
                            "schema": {"type": "object"},
                            "examples": {
                                "paper": {"value": {"id": 1, "format": "hardcover"}},
                                "ebook": {"value": {"id": 2, "format": "epub"}},
                            },
                        }
                    },
                }
            },
        },
    }
}


@pytest.fixture
def books(make_spec: SpecMaker, cache_dir: Path) -> Iterator[httpx.Client]:
    app = create_app(make_spec(paths=BOOKS), cache_dir=cache_dir)
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        yield client


def scenario(response: httpx.Response) -> str:
    return response.headers["x-openmock-scenario"]


def test_named_request_body_example_pairs_with_the_response_example(books: httpx.Client) -> None:
    response = books.post("/books", json={"title": "Dune", "format": "epub"})
    assert response.status_code == 201
    assert scenario(response) == "ebook" and response.json() == {"id": 2, "format": "epub"}
    assert "paired with request example 'ebook'" in response.headers["x-openmock-reason"]


def test_a_body_with_the_example_fields_and_more_still_pairs(books: httpx.Client) -> None:
    response = books.post("/books", json={"title": "Dune", "format": "epub", "gift": True})
    assert scenario(response) == "ebook"


def test_an_unknown_body_gets_the_default(books: httpx.Client) -> None:
    response = books.post("/books", json={"title": "Emma"})
    assert scenario(response) == "paper"  # the first example is the default
    assert response.headers["x-openmock-reason"] == "default"


def test_body_matching_as_a_filter(books: httpx.Client) -> None:
    # ?format=epub pairs with `ebook` by the query alone; a different body only rules it out
    # when body matching is asked for.
    params, body = {"format": "epub"}, {"title": "Emma"}
    assert scenario(books.post("/books", params=params, json=body)) == "ebook"
    # Body matching asked for and no scenario's body matches: a 404 saying which scenarios
    # differ and how, never the default (Postman's behaviour; issue 17, item 15).
    headers = {"x-mock-match-request-body": "true"}
    filtered = books.post("/books", params=params, json=body, headers=headers)
    assert filtered.status_code == 404
    problem = filtered.json()
    assert problem["type"].endswith("/no-matching-scenario")
    assert {c["scenario"] for c in problem["candidates"]} >= {"ebook"}
    assert all(c["differs"] for c in problem["candidates"])


def test_match_body_option_makes_the_body_a_filter(make_spec: SpecMaker, cache_dir: Path) -> None:
    app = create_app(make_spec(paths=BOOKS), match_body=True, cache_dir=cache_dir)
    params, body = {"format": "epub"}, {"title": "Emma"}
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        assert client.post("/books", params=params, json=body).status_code == 404
        off = {"x-mock-match-request-body": "false"}
        assert scenario(client.post("/books", params=params, json=body, headers=off)) == "ebook"


def test_query_parameter_example_pairs(books: httpx.Client) -> None:
    assert books.get("/books", params={"format": "epub"}).json() == ["Dune (epub)"]
    assert books.get("/books", params={"format": "hardcover"}).json() == ["Dune (hardcover)"]


def test_partial_and_conflicting_query(books: httpx.Client) -> None:
    # limit=5 alone pairs with `paper` (partial); format=epub with limit=5 conflicts with
    # `paper` (format differs) and pairs with `ebook` (its limit example does not exist).
    assert scenario(books.get("/books", params={"limit": "5"})) == "paper"
    assert scenario(books.get("/books", params={"format": "epub", "limit": "5"})) == "ebook"
    assert scenario(books.get("/books", params={"format": "pdf"})) == "paper"  # default


def test_control_headers_win_over_pairing(books: httpx.Client) -> None:
    response = books.post(
        "/books", json={"title": "Dune", "format": "epub"}, headers={"Prefer": "example=paper"}
    )
    assert scenario(response) == "paper"


def test_petstore_cat_and_dog(cache_dir: Path) -> None:
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir)
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        dog: Any = client.post("/v1/pets", json={"name": "Rex", "tag": "dog"}).json()
        cat: Any = client.post("/v1/pets", json={"name": "Tom", "tag": "cat"}).json()
    assert (dog["name"], cat["name"]) == ("Rex", "Tom")


def test_body_over_the_limit_is_a_413(make_spec: SpecMaker, cache_dir: Path) -> None:
    spec = load_spec(make_spec(paths=BOOKS), cache_dir=cache_dir)
    index = SchemaIndex(spec.document)
    app = app_from_catalog(build_catalog(spec, index), index, MockOptions(max_body_bytes=100))
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        response = client.post("/books", content=b"x" * 500, headers={"content-type": "text/plain"})
        small = client.post("/books", json={"title": "Dune", "format": "epub"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert small.status_code == 201


PLANS = {
    "/plans/{id}": {
        "get": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                {
                    "name": "X-Tier",
                    "in": "header",
                    "schema": {"type": "string"},
                    "examples": {"gold": {"value": "gold"}},
                },
                {
                    "name": "promo",
                    "in": "query",
                    "schema": {"type": "string"},
                    "examples": {"gold": {"value": "yes"}},
                },
            ],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {
                            "schema": {"type": "object"},
                            "examples": {
                                "basic": {"value": {"plan": "basic"}},
                                "gold": {"value": {"plan": "gold"}},
                                "vip": {
                                    "x-openmock-match": {
                                        "path": {"id": 7},
                                        "query": {"ref": "partner"},
                                        "headers": {"X-Customer": "42"},
                                    },
                                    "value": {"plan": "vip"},
                                },
                            },
                        }
                    },
                }
            },
        }
    }
}


@pytest.fixture
def plans(make_spec: SpecMaker, cache_dir: Path) -> Iterator[httpx.Client]:
    app = create_app(make_spec(paths=PLANS), cache_dir=cache_dir)
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        yield client


def test_x_openmock_match_criteria_must_all_hold(plans: httpx.Client) -> None:
    vip = plans.get("/plans/7?ref=partner", headers={"X-Customer": "42"})
    assert vip.json() == {"plan": "vip"}
    assert "x-openmock-match" not in vip.headers["x-openmock-reason"]
    assert "path id" in vip.headers["x-openmock-reason"]
    for url, headers in (
        ("/plans/8?ref=partner", {"X-Customer": "42"}),  # another path id
        ("/plans/7", {"X-Customer": "42"}),  # the query criterion missing
        ("/plans/7?ref=partner", {"X-Customer": "41"}),  # another header value
    ):
        assert plans.get(url, headers=headers).json() == {"plan": "basic"}, url


def test_match_request_headers_makes_a_header_a_filter(plans: httpx.Client) -> None:
    assert plans.get("/plans/1", headers={"X-Tier": "gold"}).json() == {"plan": "gold"}
    assert plans.get("/plans/1?promo=yes").json() == {"plan": "gold"}  # partial: still pairs
    listed = {"x-mock-match-request-headers": "X-Tier"}
    assert plans.get("/plans/1?promo=yes", headers=listed).json() == {"plan": "basic"}
    both = {**listed, "X-Tier": "gold"}
    assert plans.get("/plans/1?promo=yes", headers=both).json() == {"plan": "gold"}


def test_an_unreadable_match_rule_says_where(make_spec: SpecMaker, cache_dir: Path) -> None:
    broken = json.loads(json.dumps(PLANS))
    examples = broken["/plans/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    examples["examples"]["vip"]["x-openmock-match"] = {"header": {"X-Customer": "42"}}
    spec = load_spec(make_spec(paths=broken), cache_dir=cache_dir)
    catalog = build_catalog(spec)
    [problem] = catalog.problems
    assert "examples/vip/x-openmock-match has header" in problem.message
    assert "it can have body, cookies, headers, path, query" in problem.message

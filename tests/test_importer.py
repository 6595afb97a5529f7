"""IMPORT stage: stubs and scenarios from operations, default scenarios, error stubs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import SpecMaker

from openmock.importer import build_catalog
from openmock.importer.responses import status_of
from openmock.model import Catalog
from openmock.spec import load_spec

PET = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}


def catalog_of(make_spec: SpecMaker, cache_dir: Path, paths: dict[str, Any], **top: Any) -> Catalog:
    spec = load_spec(make_spec(paths=paths, **top), cache_dir=cache_dir, lenient=True)
    return build_catalog(spec)


def op(responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"responses": responses, **extra}


def json_response(**media: Any) -> dict[str, Any]:
    return {"description": "d", "content": {"application/json": media}}


@pytest.mark.parametrize(
    ("key", "has_2xx", "status"),
    [("200", True, 200), ("4XX", True, 400), ("default", True, 500), ("default", False, 200),
     ("888", True, None), ("x-foo", True, None)],
)  # fmt: skip
def test_status_of(key: str, has_2xx: bool, status: int | None) -> None:
    assert status_of(key, has_2xx) == status


def test_one_scenario_per_named_example_and_default_first(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    examples = {"cats": {"value": [{"name": "Tom"}]}, "dogs": {"value": [{"name": "Rex"}]}}
    paths = {
        "/pets": {
            "get": op(
                {
                    "404": json_response(schema=PET),
                    "200": json_response(schema={"type": "array", "items": PET}, examples=examples),
                }
            )
        }
    }
    stub = catalog_of(make_spec, cache_dir, paths).stubs[0]
    assert [(s.id, s.status, s.source) for s in stub.scenarios] == [
        ("cats", 200, "examples"),
        ("dogs", 200, "examples"),
        ("404", 404, "schema"),
    ]
    assert stub.default_scenario.id == "cats"


def test_example_scenario_and_schema_fallback(make_spec: SpecMaker, cache_dir: Path) -> None:
    paths = {
        "/a": {"get": op({"200": json_response(schema=PET, example={"name": "Tom"})})},
        "/b": {"get": op({"201": json_response(schema=PET), "default": json_response(schema=PET)})},
        "/c": {"get": op({"default": json_response(schema=PET)})},
        "/d": {"delete": op({"204": {"description": "gone"}})},
    }
    stubs = {s.path: s for s in catalog_of(make_spec, cache_dir, paths).stubs}
    assert stubs["/a"].default_scenario.source == "example"
    assert stubs["/a"].default_scenario.representations[0].example.value == {"name": "Tom"}  # type: ignore[union-attr]
    assert (stubs["/b"].default_scenario.status, stubs["/b"].default_scenario.source) == (
        201,
        "schema",
    )
    assert stubs["/c"].default_scenario.status == 200  # `default` alone is the success answer
    assert not stubs["/d"].default_scenario.has_body


def test_same_example_name_across_media_types_is_one_scenario(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    content = {
        "application/json": {"schema": PET, "examples": {"tom": {"value": {"name": "Tom"}}}},
        "application/xml": {"schema": PET, "examples": {"tom": {"value": "<pet>Tom</pet>"}}},
    }
    paths = {"/pet": {"get": op({"200": {"description": "d", "content": content}})}}
    stub = catalog_of(make_spec, cache_dir, paths).stubs[0]
    assert len(stub.scenarios) == 1
    assert [r.media_type for r in stub.scenarios[0].representations] == [
        "application/json",
        "application/xml",
    ]


def test_ids_and_parameters(make_spec: SpecMaker, cache_dir: Path) -> None:
    paths = {
        "/owners/{owner-id}/pets": {
            "parameters": [
                {"name": "owner-id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": op(
                {"200": json_response(schema=PET)},
                operationId="listOwnerPets",
                parameters=[{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
            ),
            "post": op({"201": json_response(schema=PET)}),
        }
    }
    stubs = catalog_of(make_spec, cache_dir, paths).stubs
    assert [s.id for s in stubs] == ["listOwnerPets", "POST /owners/{owner-id}/pets"]
    assert [(p.name, p.location) for p in stubs[0].parameters] == [
        ("owner-id", "path"),
        ("limit", "query"),
    ]
    assert stubs[0].parameters[0].style == "simple"


def test_duplicate_operation_id_is_warned_and_renamed(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    paths = {
        "/a": {"get": op({"200": json_response(schema=PET)}, operationId="same")},
        "/b": {"get": op({"200": json_response(schema=PET)}, operationId="same")},
    }
    catalog = catalog_of(make_spec, cache_dir, paths)
    assert [s.id for s in catalog.stubs] == ["same", "GET /b"]
    assert any("used more than once" in p.message for p in catalog.problems)


def test_broken_operation_becomes_error_stub(make_spec: SpecMaker, cache_dir: Path) -> None:
    paths = {
        "/ok": {"get": op({"200": json_response(schema=PET)})},
        "/empty": {"get": op({})},
        "/informational": {"get": op({"101": {"description": "switch"}})},
    }
    catalog = catalog_of(make_spec, cache_dir, paths)
    stubs = {s.path: s for s in catalog.stubs}
    assert stubs["/ok"].import_error is None
    assert "no responses" in (stubs["/empty"].import_error or "")
    assert "informational" in (stubs["/informational"].import_error or "")
    assert sum("answers 500" in p.message for p in catalog.problems) == 2


def test_admin_prefix_is_reserved(make_spec: SpecMaker, cache_dir: Path) -> None:
    paths = {"/__openmock/health": {"get": op({"200": json_response(schema=PET)})}}
    catalog = catalog_of(make_spec, cache_dir, paths)
    assert not catalog.stubs
    assert "reserves" in catalog.problems[0].message


def test_what_is_written_so_it_is_not_served_is_a_located_problem(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    """A path without its '/', a method in upper case, a method OpenAPI 3.1 lacks and an empty
    path item were skipped without a word; each is a problem with its pointer now, while
    extensions and a path item's own fields stay quiet."""
    ok = op({"200": json_response(schema=PET)})
    paths = {
        "pets": {"get": ok},
        "/owners": {"GET": ok, "query": ok, "x-note": 1, "summary": "s", "parameters": []},
        "/empty": None,
        "/orders": {"get": None, "post": ok},
        "/fine": {"get": ok},
        "x-internal": {"get": ok},
    }
    catalog = catalog_of(make_spec, cache_dir, paths)
    assert [(s.method, s.path) for s in catalog.stubs] == [("POST", "/orders"), ("GET", "/fine")]
    said = {p.pointer: p.message for p in catalog.problems if "is not served" in p.message}
    assert said == {
        "/paths/pets": "paths key 'pets' is not served: a path must start with '/'",
        "/paths/~1owners/GET": "'GET' under path /owners is not served: OpenAPI's method "
        "names are lower case",
        "/paths/~1owners/query": "'query' under path /owners is not served: it is not a method "
        "a path item has (get, put, post, delete, options, head, patch, trace)",
        "/paths/~1empty": "path /empty is not served: its path item is empty, not an object",
        "/paths/~1orders/get": "GET /orders is not served: the operation is empty, not an object",
    }


def test_fragment_paths_are_warned_unreachable(make_spec: SpecMaker, cache_dir: Path) -> None:
    paths = {
        "/cookies": {"get": op({"200": json_response(schema=PET)}, operationId="plain")},
        "/cookies#other": {"get": op({"200": json_response(schema=PET)}, operationId="other")},
    }
    catalog = catalog_of(make_spec, cache_dir, paths)
    assert any("(other) is unreachable" in p.message for p in catalog.problems)


def test_base_paths_and_webhooks(make_spec: SpecMaker, cache_dir: Path) -> None:
    servers = [
        {
            "url": "https://{env}.example.com/{version}",
            "variables": {"env": {"default": "api"}, "version": {"default": "v2"}},
        }
    ]
    webhooks = {"newPet": {"post": op({"200": {"description": "ok"}})}}
    spec = load_spec(
        make_spec(version="3.1.0", paths={}, servers=servers, webhooks=webhooks),
        cache_dir=cache_dir,
    )
    catalog = build_catalog(spec)
    assert catalog.base_paths == ("/v2",)
    (hook,) = catalog.webhooks  # fired from the admin API (test_callbacks.py)
    assert (hook.name, hook.method, hook.url) == ("newPet", "POST", "")

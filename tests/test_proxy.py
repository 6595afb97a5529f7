"""`--proxy`: a real upstream (a small Starlette app that keeps and breaks the contract in known
ways, and an openmock) behind openmock; answers forwarded as they came, violations reported
with their pointers, 502 on a dead upstream, the mock as fallback."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from conftest import SPECS, running_server
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openmock.server import create_app

PET = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}


def _json(schema: Any, example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"description": "ok", "content": {"application/json": media}}


PET_ID = [{"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}]
SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "pets", "version": "1"},
    "paths": {
        "/pets": {
            "get": {"operationId": "listPets",
                    "responses": {"200": _json({"type": "array", "items": PET})}},
            "post": {
                "operationId": "addPet",
                "requestBody": {"required": True, "content": {"application/json": {"schema": PET}}},
                "responses": {"201": _json(PET)},
            },
        },
        "/pets/{petId}": {
            "get": {
                "operationId": "getPet",
                "parameters": PET_ID,
                "responses": {"200": _json(PET, {"id": 1, "name": "Mock"}),
                              "404": {"description": "no such pet"}},
            }
        },
        "/headers": {"get": {"responses": {"200": _json({"type": "object"})}}},
        "/compressed": {"get": {"responses": {"200": _json(PET)}}},
        "/later": {"get": {"responses": {"200": _json(PET, {"id": 7, "name": "Later"})}}},
        "/absent": {"get": {"responses": {"200": _json(PET, {"id": 8, "name": "Absent"})}}},
    },
}  # fmt: skip


async def _pets(request: Request) -> Response:
    if request.method == "POST":
        return JSONResponse(await request.json(), status_code=201)
    return Response(b'[{"id": 1,  "name": "Rex"}]', media_type="application/json")


async def _pet(request: Request) -> Response:
    pet_id = request.path_params["pet_id"]
    if pet_id == "2":  # breaks the schema: id is no integer, name no string
        return JSONResponse({"id": "two", "name": 5})
    if pet_id == "9":  # a status the spec does not document
        return JSONResponse({"error": "boom"}, status_code=500)
    return JSONResponse({"id": int(pet_id), "name": "Rex"}, headers={"X-Upstream": "yes"})


async def _headers(request: Request) -> Response:
    return JSONResponse(dict(request.headers))


async def _compressed(request: Request) -> Response:
    body = gzip.compress(json.dumps({"id": 3, "name": 4}).encode())
    return Response(body, media_type="application/json", headers={"Content-Encoding": "gzip"})


async def _later(request: Request) -> Response:
    return Response(status_code=501)


UPSTREAM = Starlette(
    routes=[
        Route("/pets", _pets, methods=["GET", "POST"]),
        Route("/pets/{pet_id}", _pet),
        Route("/headers", _headers),
        Route("/compressed", _compressed),
        Route("/later", _later),
    ]
)


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("proxy") / "api.yaml"
    path.write_text(yaml.safe_dump(SPEC, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with running_server(UPSTREAM) as url:
        yield url


@pytest.fixture(scope="module")
def proxy(spec_file: Path, upstream: str) -> Iterator[str]:
    app = create_app(spec_file, cache_dir=spec_file.parent, proxy=upstream)
    with running_server(app) as url:
        yield url


def test_answers_are_forwarded_as_they_came(proxy: str, upstream: str) -> None:
    direct, through = httpx.get(f"{upstream}/pets"), httpx.get(f"{proxy}/pets")
    assert through.status_code == direct.status_code == 200
    assert through.content == direct.content == b'[{"id": 1,  "name": "Rex"}]'  # byte for byte
    assert through.headers["x-openmock-reason"] == f"proxied to {upstream}"
    assert "x-openmock-violations" not in through.headers
    one = httpx.get(f"{proxy}/pets/1")
    assert one.json() == {"id": 1, "name": "Rex"} and one.headers["x-upstream"] == "yes"
    created = httpx.post(f"{proxy}/pets", json={"id": 5, "name": "Zorro"})
    assert created.status_code == 201 and created.json() == {"id": 5, "name": "Zorro"}


def test_host_is_rewritten_and_hop_by_hop_headers_dropped(proxy: str, upstream: str) -> None:
    sent = {"Connection": "keep-alive, x-private", "X-Private": "secret", "X-Kept": "1"}
    seen = httpx.get(f"{proxy}/headers", headers=sent).json()
    assert seen["host"] == upstream.removeprefix("http://")
    assert "x-private" not in seen and seen["x-kept"] == "1"
    assert seen["x-forwarded-for"] == "127.0.0.1" and "x-forwarded-host" in seen


def test_each_violation_is_reported_with_its_pointer(proxy: str) -> None:
    broken = httpx.get(f"{proxy}/pets/2")
    assert broken.status_code == 200 and broken.json() == {"id": "two", "name": 5}
    said = broken.headers["x-openmock-violations"]
    assert said.startswith("2 violations") and "response body at /id" in said
    assert "response body at /name" in said
    undocumented = httpx.get(f"{proxy}/pets/9")
    assert (
        undocumented.status_code == 500
        and "response status" in undocumented.headers["x-openmock-violations"]
    )
    invalid = httpx.post(f"{proxy}/pets", json={"name": 3})  # forwarded all the same
    assert invalid.status_code == 201 and "request body" in invalid.headers["x-openmock-violations"]
    squeezed = httpx.get(f"{proxy}/compressed")  # a gzip body is checked decoded
    assert squeezed.json() == {"id": 3, "name": 4}
    assert "response body at /name" in squeezed.headers["x-openmock-violations"]
    calls = httpx.get(f"{proxy}/__openmock/calls", params={"limit": 50}).json()
    logged = next(c for c in calls if c["path"] == "/pets/2")
    assert {e["pointer"] for e in logged["errors"]} == {"/id", "/name"}
    assert logged["source"] == "proxy"
    summary = httpx.get(f"{proxy}/__openmock/violations").json()
    by_operation = {o["operation"]: o for o in summary["operations"]}
    assert by_operation["getPet"]["violations"] >= 3 and summary["violations"] >= 5


def test_a_dead_upstream_is_a_502_or_the_mock(spec_file: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{unused.getsockname()[1]}"
    app = create_app(spec_file, cache_dir=spec_file.parent, proxy=dead)
    with running_server(app) as url:
        refused = httpx.get(f"{url}/pets/1")
        assert refused.status_code == 502 and refused.json()["type"].endswith(
            "upstream-unreachable"
        )
        assert dead in refused.json()["detail"]
    app = create_app(spec_file, cache_dir=spec_file.parent, proxy=dead, fallback=True)
    with running_server(app) as url:
        mocked = httpx.get(f"{url}/pets/1")
        assert mocked.status_code == 200 and mocked.json() == {"id": 1, "name": "Mock"}
        assert "answered by the mock" in mocked.headers["x-openmock-warning"]


def test_fallback_covers_501_and_404_on_documented_paths(spec_file: Path, upstream: str) -> None:
    app = create_app(spec_file, cache_dir=spec_file.parent, proxy=upstream, fallback=True)
    with running_server(app) as url:
        assert httpx.get(f"{url}/later").json() == {"id": 7, "name": "Later"}  # upstream: 501
        assert httpx.get(f"{url}/absent").json() == {"id": 8, "name": "Absent"}  # upstream: 404
        assert httpx.get(f"{url}/pets/1").json() == {"id": 1, "name": "Rex"}  # the upstream's
        reason = httpx.get(f"{url}/absent").headers["x-openmock-reason"]
        assert reason.startswith("fallback: upstream answered 404")


def test_an_openmock_upstream_keeps_its_own_contract(cache_dir: Path) -> None:
    petstore = SPECS / "petstore.yaml"
    with running_server(create_app(petstore, cache_dir=cache_dir)) as real:
        app = create_app(petstore, cache_dir=cache_dir, proxy=real + "/v1")
        with running_server(app) as url:
            for path in ("/pets", "/pets/42", "/owners/ann-12/pets"):
                direct, through = httpx.get(f"{real}/v1{path}"), httpx.get(f"{url}{path}")
                assert through.content == direct.content, path
                assert "x-openmock-violations" not in through.headers, path
            assert httpx.get(f"{url}/__openmock/violations").json()["violations"] == 0


def test_violations_are_summed_over_every_worker(
    spec_file: Path, upstream: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers' apps as `--workers` builds them, sharing the call log: the summary holds
    the exchanges both proxied, whichever is asked."""
    from openmock.server.config import ServeConfig
    from openmock.server.workers import worker_app, worker_environment

    config = ServeConfig(
        (str(spec_file),), log_db=str(tmp_path / "calls.db"), cache_dir=str(spec_file.parent),
        proxy=upstream,
    )  # fmt: skip
    for name, value in worker_environment(config).items():
        monkeypatch.setenv(name, value)
    with running_server(worker_app()) as one, running_server(worker_app()) as other:
        assert "x-openmock-violations" in httpx.get(f"{one}/pets/2").headers
        assert "x-openmock-violations" in httpx.get(f"{other}/pets/2").headers
        assert "x-openmock-violations" not in httpx.get(f"{other}/pets/1").headers
        for url in (one, other):  # each stores what it buffered (its writer waits a moment)
            httpx.get(f"{url}/__openmock/calls", params={"limit": 1})
        for url in (one, other):
            summary = httpx.get(f"{url}/__openmock/violations").json()
            get_pet = {o["operation"]: o for o in summary["operations"]}["getPet"]
            assert (get_pet["calls"], get_pet["violations"]) == (3, 4), summary
            assert get_pet["messages"]["response body at /id: 'two' is not of type 'integer'"] == 2

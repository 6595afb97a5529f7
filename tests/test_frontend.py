"""What a browser frontend needs of the mock: CORS and realistic latency (issue 7, 3 and 4)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SPECS, SpecMaker, running_server

from openmock.delays import BadDelay, parse_delay
from openmock.server import create_app

ORIGIN = "http://localhost:5173"


def test_a_browser_preflight_succeeds_for_a_mocked_path(cache_dir: Path) -> None:
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir)
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        preflight = client.options(
            "/v1/pets/7",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "DELETE",
                "Access-Control-Request-Headers": "content-type, x-trace",
            },
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == ORIGIN
        assert set(preflight.headers["access-control-allow-methods"].split(", ")) == {
            "GET", "DELETE",
        }  # fmt: skip
        assert preflight.headers["access-control-allow-headers"] == "content-type, x-trace"
        answer = client.get("/v1/pets/7", headers={"Origin": ORIGIN})
        assert answer.headers["access-control-allow-origin"] == ORIGIN
        exposed = answer.headers["access-control-expose-headers"].split(", ")
        assert "x-openmock-scenario" in exposed and "x-openmock-call-id" in exposed
        # An unknown path or an undocumented method: the preflight lets the request through,
        # so the page reads the real 404 or 405 problem, not "Failed to fetch" (issue 17,
        # item 12).
        for path, method, status in (("/v1/nowhere", "GET", 404), ("/v1/pets/7", "PUT", 405)):
            asked = {"Origin": ORIGIN, "Access-Control-Request-Method": method}
            preflight = client.options(path, headers=asked)
            assert preflight.status_code == 204
            assert method in preflight.headers["access-control-allow-methods"].split(", ")
            real = client.request(method, path, headers={"Origin": ORIGIN})
            assert real.status_code == status
            assert real.headers["content-type"] == "application/problem+json"
            assert real.headers["access-control-allow-origin"] == ORIGIN  # readable by the app
        # ... and the admin API answers browser tools on other origins
        admin = client.options(
            "/__openmock/stubs", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
        )
        assert admin.status_code == 200
        assert admin.headers["access-control-allow-origin"] == ORIGIN
        calls = client.get("/__openmock/calls", headers={"Origin": ORIGIN})
        assert calls.headers["access-control-allow-origin"] == ORIGIN


def test_no_cors_means_no_cors_headers(cache_dir: Path) -> None:
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir, cors=False)
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        answer = client.get("/v1/pets/7", headers={"Origin": ORIGIN})
        assert "access-control-allow-origin" not in answer.headers
        preflight = client.options(
            "/v1/pets/7", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
        )
        assert preflight.status_code == 405  # the spec has no OPTIONS operation there
        admin = client.get("/__openmock/health", headers={"Origin": ORIGIN})
        assert "access-control-allow-origin" not in admin.headers


SLOW = {
    "/slow": {
        "get": {
            "x-openmock-delay": 300,
            "responses": {"200": {"description": "ok", "content": {
                "application/json": {"example": {"slow": True}}}}},
        }
    },
    "/slow-search": {
        "get": {
            "x-openmock-delay": 300,
            "parameters": [{"name": "q", "in": "query", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}},
        }
    },
    "/fast": {
        "get": {
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "examples": {
                    "now": {"value": {"fast": True}},
                    "later": {"value": {"fast": False}, "x-openmock-delay": "200-250"},
                }}}}},
        }
    },
}  # fmt: skip


def _timed(client: httpx.Client, path: str, **kwargs: Any) -> float:
    started = time.perf_counter()
    assert client.get(path, **kwargs).status_code == 200
    return time.perf_counter() - started


def test_a_delay_does_not_hold_up_other_requests(make_spec: SpecMaker, cache_dir: Path) -> None:
    app = create_app(make_spec(paths=SLOW), cache_dir=cache_dir)
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        slow: list[float] = []
        worker = threading.Thread(target=lambda: slow.append(_timed(client, "/slow")))
        worker.start()
        time.sleep(0.05)  # the slow request is waiting now
        fast = _timed(client, "/fast")
        worker.join()
        assert slow[0] >= 0.3  # the operation's x-openmock-delay
        assert fast < 0.2  # answered while the other waited
        assert _timed(client, "/fast", headers={"Prefer": "example=later"}) >= 0.2
        assert _timed(client, "/fast", headers={"Prefer": "delay=150"}) >= 0.15
        assert _timed(client, "/slow", headers={"Prefer": "delay=0"}) < 0.2  # the client wins
        refused = client.get("/slow-search")  # an invalid request waits as long as a valid one
        assert refused.status_code == 400 and refused.elapsed.total_seconds() >= 0.3
        assert refused.headers["x-openmock-reason"] == "invalid request"
        lost = client.get("/nowhere")
        assert lost.headers["x-openmock-reason"] == "not-found"  # a problem says its kind
        bad = client.get("/fast", headers={"Prefer": "delay=soon"})
        assert bad.status_code == 400 and "Prefer: delay" in bad.json()["detail"]


def test_delay_spellings() -> None:
    assert parse_delay(300, "d") == (300.0, 300.0)
    assert parse_delay("100-500", "d") == (100.0, 500.0)
    assert parse_delay({"min": 5, "max": 9}, "d") == (5.0, 9.0)
    for bad in ("soon", "500-100", -1, True, 10**9):
        with pytest.raises(BadDelay):
            parse_delay(bad, "x-openmock-delay")

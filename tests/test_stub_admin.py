"""Stubs and scenarios changed at runtime through the admin API (issue 5, item 4)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from conftest import SPECS, SpecMaker, running_server
from test_cli import serving

from openmock.server.app import create_app

PETSTORE = SPECS / "petstore.yaml"


@pytest.fixture
def client(cache_dir: Path) -> Iterator[httpx.Client]:
    app = create_app(PETSTORE, cache_dir=cache_dir)
    with running_server(app) as url, httpx.Client(base_url=url) as c:
        yield c


def _stub(**fields: Any) -> dict[str, Any]:
    return {"method": "GET", "path": "/hello/{name}"} | fields


def test_a_new_stub_answers_the_next_request(client: httpx.Client) -> None:
    assert client.get("/hello/ann").status_code == 404
    made = client.post(
        "/__openmock/stubs",
        json=_stub(
            name="hello",
            scenarios=[
                {"name": "hi", "body": {"msg": "hi"}, "headers": {"X-Greeting": "plain"}},
                {"name": "teapot", "status": 418, "body": "short and stout",
                 "media_type": "text/plain"},
            ],
        ),
    )  # fmt: skip
    assert made.status_code == 201
    assert made.json()["id"] == "hello" and made.json()["origin"] == "runtime"
    answer = client.get("/hello/ann")
    assert answer.status_code == 200 and answer.json() == {"msg": "hi"}
    assert answer.headers["x-greeting"] == "plain"
    assert answer.headers["x-openmock-stub"] == "hello"
    assert answer.headers["x-openmock-scenario"] == "hi"
    teapot = client.get("/hello/ann", headers={"Prefer": "example=teapot"})
    assert teapot.status_code == 418 and teapot.text == "short and stout"
    assert teapot.headers["content-type"].startswith("text/plain")
    assert client.get("/v1/hello/ann").json() == {"msg": "hi"}  # with the base path too


def test_match_criteria_pick_the_best_scenario(client: httpx.Client) -> None:
    client.post(
        "/__openmock/stubs",
        json=_stub(
            params={"lang": "en"},
            scenarios=[
                {"name": "english", "body": {"msg": "hello"}},
                {"name": "vip", "body": {"msg": "welcome back"},
                 "match": {"path": {"name": "ann"}}},
            ],
        ),
    ).raise_for_status()  # fmt: skip
    assert client.get("/hello/bob?lang=en").json() == {"msg": "hello"}
    vip = client.get("/hello/ann?lang=en")
    assert vip.json() == {"msg": "welcome back"}
    assert "paired" in vip.headers["x-openmock-reason"]
    # The stub's own criteria (lang=en) filter: nothing matches, and nothing answers in
    # their place (issue 17, item 15).
    refused = client.get("/hello/bob")
    assert refused.status_code == 404 and "query lang is missing" in refused.text


def test_a_stub_on_a_spec_operation_adds_to_it_and_is_checked_against_its_schema(
    client: httpx.Client,
) -> None:
    wrong = client.post(
        "/__openmock/stubs",
        json={"method": "GET", "path": "/pets", "scenarios": [{"name": "odd", "body": {"x": 1}}]},
    )
    assert wrong.status_code == 422
    assert wrong.headers["content-type"] == "application/problem+json"
    problem = wrong.json()
    assert problem["errors"][0]["pointer"] == "/scenarios/0/body"
    assert "force=true" in problem["detail"]
    assert client.get("/v1/pets").headers["x-openmock-scenario"] != "odd"  # nothing changed
    forced = client.post(
        "/__openmock/stubs?force=true",
        json={"method": "GET", "path": "/pets", "scenarios": [{"name": "odd", "body": {"x": 1}}]},
    )
    assert forced.status_code == 201 and forced.json()["id"] == "listPets"  # the spec's stub
    added = client.post(
        "/__openmock/stubs",
        json={"method": "GET", "path": "/pets",
              "scenarios": [{"name": "none", "body": [], "default": True}]},
    )  # fmt: skip
    assert added.status_code == 201 and added.json()["default_scenario"] == "none"
    assert client.get("/v1/pets").json() == []
    spec_scenarios = [s["id"] for s in added.json()["scenarios"] if s["source"] != "runtime"]
    assert spec_scenarios  # the spec's scenarios are still there
    assert client.get("/v1/pets", headers={"Prefer": f"example={spec_scenarios[0]}"}).status_code
    # Deleting the runtime default gives the stub its spec default back.
    left = client.delete("/__openmock/stubs/listPets/scenarios/none").json()
    assert left["default_scenario"] in spec_scenarios
    refused = client.delete(f"/__openmock/stubs/listPets/scenarios/{spec_scenarios[0]}")
    assert refused.status_code == 409
    assert client.delete("/__openmock/stubs/listPets").status_code == 409


def test_default_match_body_and_delete(client: httpx.Client) -> None:
    stub = {
        "method": "POST",
        "path": "/orders",
        "scenarios": [
            {"name": "created", "status": 201, "body": {"id": 1}},
            {"name": "big", "status": 201, "body": {"id": 2}, "match": {"body": {"qty": 100}}},
        ],
    }
    stub_id = client.post("/__openmock/stubs", json=stub).json()["id"]
    assert stub_id == "POST /orders"
    path = f"/__openmock/stubs/{stub_id}"
    assert client.post("/orders", json={"qty": 100}).json() == {"id": 2}
    chosen = client.put(f"{path}/default", json={"scenario": "big"})
    assert chosen.json()["default_scenario"] == "big"
    # `big`'s criteria do not hold for qty 1: the scenario without criteria stands in
    assert client.post("/orders", json={"qty": 1}).json() == {"id": 1}
    # With body matching on, a body that matches no scenario is a 404, never the default
    assert client.patch(path, json={"match_body": True}).json()["match_body"] is True
    assert client.put(f"{path}/default", json={"scenario": "created"}).status_code == 200
    assert client.post("/orders", json={"qty": 1}).status_code == 404
    assert client.post("/orders", json={"qty": 100}).json() == {"id": 2}
    missing = client.put(f"{path}/default", json={"scenario": "nope"})
    assert missing.status_code == 404 and "created, big" in missing.json()["detail"]
    more = client.post(f"{path}/scenarios", json={"name": "gone", "status": 410})
    assert more.status_code == 201
    assert client.post("/orders", headers={"Prefer": "code=410"}).status_code == 410
    assert client.delete(path).json() == {"deleted": stub_id}
    assert client.post("/orders").status_code == 404


def test_refusals_say_what_and_where(client: httpx.Client) -> None:
    bad = client.post(
        "/__openmock/stubs",
        json={"method": "FETCH", "path": "pets", "scenarios": [{"status": 99}]},
    )
    assert bad.status_code == 422
    pointers = {e["pointer"] for e in bad.json()["errors"]}
    assert pointers == {"/method", "/path", "/scenarios/0", "/scenarios/0/status"}
    unreadable = client.post(
        "/__openmock/stubs", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert unreadable.status_code == 400
    assert unreadable.headers["content-type"] == "application/problem+json"
    untyped = client.post("/__openmock/stubs", content=b"{nope")
    assert untyped.status_code == 400 and "JSON" in untyped.json()["detail"]
    reserved = client.post("/__openmock/stubs", json={"method": "GET", "path": "/__openmock/x"})
    assert reserved.status_code == 422
    client.post("/__openmock/stubs", json=_stub(name="one")).raise_for_status()
    taken = client.post("/__openmock/stubs", json={"method": "GET", "path": "/b", "name": "one"})
    assert taken.status_code == 409
    twice = client.post("/__openmock/stubs/one/scenarios", json={"name": "default"})
    assert twice.status_code == 409
    assert client.post("/__openmock/stubs/nope/scenarios", json={"name": "x"}).status_code == 404


def test_reset_drops_every_change(client: httpx.Client) -> None:
    client.post("/__openmock/stubs", json=_stub()).raise_for_status()
    client.patch("/__openmock/stubs/listPets", json={"match_body": True}).raise_for_status()
    assert client.post("/__openmock/reset").json() == {"dropped": 2}
    assert client.get("/hello/x").status_code == 404
    assert client.get("/__openmock/stubs/listPets").json()["match_body"] is False


def test_the_admin_openapi_document_describes_the_payloads(client: httpx.Client) -> None:
    document = client.get("/__openmock/openapi.json").json()
    post = document["paths"]["/__openmock/stubs"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["title"] == "Stub"
    jsonschema.validate(_stub(scenarios=[{"name": "a", "status": 201}]), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"path": "/x"}, schema)
    for path in ("/__openmock/stubs/{stub_id}/default", "/__openmock/reset"):
        assert path in document["paths"]


def test_changes_come_back_after_a_restart_with_the_same_spec(
    tmp_path: Path, cache_dir: Path, make_spec: SpecMaker
) -> None:
    db = tmp_path / "calls.db"
    first = create_app(PETSTORE, log_db=db, cache_dir=cache_dir)
    with running_server(first) as url:
        httpx.post(f"{url}/__openmock/stubs", json=_stub(name="kept")).raise_for_status()
        body = {"name": "kept-too", "status": 404}
        httpx.post(f"{url}/__openmock/stubs/getPet/scenarios", json=body).raise_for_status()
    again = create_app(PETSTORE, log_db=db, cache_dir=cache_dir)
    with running_server(again) as url:
        assert httpx.get(f"{url}/hello/x").headers["x-openmock-stub"] == "kept"
        pet = httpx.get(f"{url}/__openmock/stubs/getPet").json()
        assert "kept-too" in [s["id"] for s in pet["scenarios"]]
    operation = {"get": {"responses": {"204": {"description": "nothing"}}}}
    other = make_spec(paths={"/hello/ann": operation})
    with running_server(create_app(other, log_db=db, cache_dir=cache_dir)) as url:
        assert httpx.get(f"{url}/hello/ann").status_code == 204  # another spec: not its changes
        assert httpx.get(f"{url}/hello/x").status_code == 404


def test_an_admin_token_guards_the_changes(cache_dir: Path) -> None:
    app = create_app(PETSTORE, admin_token="s3cret", cache_dir=cache_dir)
    with running_server(app) as url:
        assert httpx.post(f"{url}/__openmock/stubs", json=_stub()).status_code == 401
        assert httpx.post(f"{url}/__openmock/reset").status_code == 401
        ok = httpx.post(
            f"{url}/__openmock/stubs", json=_stub(), headers={"Authorization": "Bearer s3cret"}
        )
        assert ok.status_code == 201


def test_every_worker_serves_a_change_made_through_one(tmp_path: Path) -> None:
    """Through the CLI: whichever worker the OS hands a connection to serves the change
    (the OS may hand them all to one; the next test proves the sharing itself)."""
    args = (str(PETSTORE), "--workers", "2", "--log-db", str(tmp_path / "calls.db"))
    with serving(*args) as (url, _), httpx.Client(base_url=url) as client:
        made = client.post("/__openmock/stubs", json=_stub(scenarios=[{"name": "w", "body": 1}]))
        assert made.status_code == 201

        def call(n: int) -> int:  # a connection per call, so either worker may answer
            return client.get(f"/hello/{n}", headers={"Connection": "close"}).status_code

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(call, range(60))) == {200}


def test_a_worker_serves_a_change_another_worker_made(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers' apps, built as `--workers` builds each one (server/workers.py), served on
    ports of their own: a change made through one is served by the other, with no reliance on
    how the OS spreads connections."""
    from openmock.server.config import ServeConfig
    from openmock.server.workers import worker_app, worker_environment

    db = str(tmp_path / "calls.db")
    config = ServeConfig((str(PETSTORE),), log_db=db, cache_dir=str(cache_dir))
    environment = worker_environment(config)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with running_server(worker_app()) as one, running_server(worker_app()) as other:
        assert httpx.get(f"{other}/hello/x").status_code == 404
        made = httpx.post(
            f"{one}/__openmock/stubs", json=_stub(scenarios=[{"name": "w", "body": 1}])
        )
        assert made.status_code == 201
        answered = httpx.get(f"{other}/hello/x")
        assert answered.status_code == 200 and answered.json() == 1


def test_a_serve_config_travels_to_workers_whole() -> None:
    from openmock.mockstate import MockOptions
    from openmock.server.config import ServeConfig

    options = MockOptions(seed=3, delay=(10, 20), stateful=True, data="d.yaml", cors=False)
    config = ServeConfig(
        ("a.yaml", "b.yaml"), {"b": "/billing"}, True, options, "calls.db", False, "t", "/c"
    )
    assert ServeConfig.from_json(config.to_json()) == config


def test_stubs_and_verification_take_the_url_clients_call(client: httpx.Client) -> None:
    """With the base path (/v1) or without, a runtime stub means the operation the URL
    reaches, and a verification pattern the calls it reaches (issue 17, item 14)."""
    empty = {"name": "none", "body": [], "default": True}
    made = client.post("/__openmock/stubs", json=_stub(path="/v1/pets", scenarios=[empty]))
    assert made.status_code == 201 and made.json()["id"] == "listPets"  # joined the operation
    assert client.get("/v1/pets").json() == [] and client.get("/pets").json() == []
    client.get("/v1/pets", params={"tag": "a"})

    def verify(pattern: dict[str, Any]) -> dict[str, Any]:
        answer = client.post("/__openmock/calls/verify", json=pattern)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    assert verify({"method": "GET", "path": "/pets", "count": 3})["met"]
    assert verify({"method": "GET", "path": "/v1/pets", "count": 3})["met"]
    assert verify({"path": "/pets", "query": {"tag": ["a"]}, "count": 1})["met"]
    none = verify({"method": "GET", "path": "/pets", "count": 0})
    assert not none["met"] and "near_misses" not in none  # the calls it is about, not others
    assert [c["url"] for c in none["unexpected"]] == ["/v1/pets?tag=a", "/pets", "/v1/pets"]


def test_a_body_criterion_counts_json_types(client: httpx.Client) -> None:
    """100 is not "100" in a JSON body (issue 17, item 15)."""
    stub = {
        "method": "POST",
        "path": "/orders",
        "match_body": True,
        "scenarios": [
            {"name": "big", "status": 201, "body": {"id": 2}, "match": {"body": {"qty": 100}}}
        ],
    }
    assert client.post("/__openmock/stubs", json=stub).status_code == 201
    assert client.post("/orders", json={"qty": 100}).json() == {"id": 2}
    assert client.post("/orders", json={"qty": 100.0}).json() == {"id": 2}  # the same number
    text = client.post("/orders", json={"qty": "100"})
    assert text.status_code == 404 and "body differs" in text.json()["candidates"][0]["differs"]


def test_unknown_admin_paths_methods_and_formats_are_problems(client: httpx.Client) -> None:
    """They were FastAPI's `{"detail": "Not Found"}`, and `?format=xml` silently JSON."""
    missing = client.get("/__openmock/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "GET /__openmock/nope: the admin API has no such path" in missing.json()["detail"]
    assert "/__openmock/openapi.json" in missing.json()["detail"]
    wrong = client.delete("/__openmock/health")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET"
    assert wrong.json()["type"].endswith("/method-not-allowed")
    unknown = client.get("/__openmock/stubs", params={"format": "xml"})
    assert unknown.status_code == 400, unknown.text
    assert unknown.json()["errors"][0]["pointer"] == "/format"
    assert client.get("/__openmock/stubs", params={"format": "yaml"}).status_code == 200

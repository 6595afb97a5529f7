"""Control headers (Prism's Prefer, Postman's x-mock-response-*) and reproducible data."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from conftest import SPECS, running_server

from openmock.matching import read_controls
from openmock.server import create_app


@pytest.fixture(scope="module")
def pets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    app = create_app(SPECS / "petstore.yaml", cache_dir=tmp_path_factory.mktemp("cache"))
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        yield client


def test_prefer_header_is_parsed_like_prism() -> None:
    controls = read_controls({"prefer": 'code=404, example="dogs"; dynamic=true; seed=7'})
    assert (controls.code, controls.example, controls.dynamic, controls.seed) == (
        404, "dogs", True, 7,
    )  # fmt: skip
    postman = read_controls({"x-mock-response-code": "201", "x-mock-response-name": "cat"})
    assert (postman.code, postman.example) == (201, "cat")
    assert read_controls({"prefer": "code=abc"}).problems


def test_prefer_code_serves_that_response(pets: httpx.Client) -> None:
    response = pets.get("/v1/pets/7", headers={"Prefer": "code=404"})
    assert response.status_code == 404
    assert response.headers["x-openmock-scenario"] == "404"
    body = response.json()
    assert {"title", "status"} <= set(body)


def test_postman_code_header_does_the_same(pets: httpx.Client) -> None:
    response = pets.get("/v1/pets/7", headers={"x-mock-response-code": "404"})
    assert response.status_code == 404 and response.headers["x-openmock-scenario"] == "404"


def test_prefer_example_and_postman_name_pick_a_named_example(pets: httpx.Client) -> None:
    for headers in ({"Prefer": "example=dogs"}, {"x-mock-response-name": "dogs"}):
        response = pets.get("/v1/pets", headers=headers)
        assert response.status_code == 200
        assert [p["name"] for p in response.json()] == ["Rex"]
        assert response.headers["x-openmock-scenario"] == "dogs"


def test_asking_for_what_the_stub_lacks_is_a_404_naming_what_exists(pets: httpx.Client) -> None:
    response = pets.get("/v1/pets", headers={"Prefer": "example=hamsters"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/no-such-scenario")
    assert "cats" in problem["detail"] and "dogs" in problem["detail"]
    assert {s["id"] for s in problem["scenarios"]} >= {"cats", "dogs"}
    assert pets.get("/v1/pets", headers={"Prefer": "code=418"}).status_code == 404


def test_unreadable_control_is_a_400(pets: httpx.Client) -> None:
    response = pets.get("/v1/pets", headers={"Prefer": "code=teapot"})
    assert response.status_code == 400
    assert "Prefer: code" in response.json()["detail"]


def test_same_request_same_data_dynamic_gives_fresh_data(pets: httpx.Client) -> None:
    first, again = pets.get("/v1/pets/42"), pets.get("/v1/pets/42")
    assert first.json() == again.json()
    fresh = [pets.get("/v1/pets/42", headers={"Prefer": "dynamic=true"}).json() for _ in range(4)]
    assert len({repr(b) for b in fresh}) > 1
    assert all(b["id"] == 42 for b in fresh)  # still echoes the path id


def test_prefer_seed_is_reproducible_per_request(pets: httpx.Client) -> None:
    def body(seed: int) -> object:
        return pets.get("/v1/pets/42", headers={"Prefer": f"seed={seed}"}).json()

    assert body(5) == body(5)
    assert body(5) != body(6)


def test_dynamic_option_makes_every_response_fresh(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    app = create_app(SPECS / "petstore.yaml", dynamic=True, cache_dir=tmp_path_factory.mktemp("c"))
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        bodies = {client.get("/v1/pets/42").text for _ in range(4)}
    assert len(bodies) > 1


def test_dynamic_data_is_generated_where_the_scenario_has_an_example(pets: httpx.Client) -> None:
    """`Prefer: dynamic=true` generates from the schema even for an example scenario, as
    Prism's -d does (issue 17, item 9); without it the example is served as written."""
    assert [p["name"] for p in pets.get("/v1/pets").json()] == ["Tom", "Felix"]
    fresh = [pets.get("/v1/pets", headers={"Prefer": "dynamic=true"}) for _ in range(3)]
    assert all(r.status_code == 200 and r.headers["x-openmock-scenario"] == "cats" for r in fresh)
    assert len({r.text for r in fresh}) == 3
    assert all(isinstance(r.json(), list) for r in fresh)


def test_a_range_answers_before_default_for_a_code_it_covers() -> None:
    """`Prefer: code=502` with `5XX` and `default` documented: the range is the more specific
    (issue 17, item 11), whatever the order the spec lists them in."""
    from openmock.matching import select_scenario
    from openmock.model import Scenario, Stub

    def scenario(key: str, status: int) -> Scenario:
        return Scenario(id=key, name=key, status=status, status_key=key, source="schema")

    scenarios = (scenario("200", 200), scenario("default", 500), scenario("5XX", 500))
    stub = Stub(id="s", method="GET", path="/", scenarios=scenarios, default_scenario_id="200")
    chosen = select_scenario(stub, read_controls({"prefer": "code=502"}))
    assert chosen.scenario.id == "5XX" and chosen.status == 502  # type: ignore[union-attr]
    chosen = select_scenario(stub, read_controls({"prefer": "code=404"}))
    assert chosen.scenario.id == "default" and chosen.status == 404  # type: ignore[union-attr]
    chosen = select_scenario(stub, read_controls({"prefer": "code=200"}))
    assert chosen.scenario.id == "200"  # type: ignore[union-attr]

"""Response templates through a real server: request data, dynamic variables, stored data,
types and missing values, header templates, and templates that must be refused."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SpecMaker, running_server

from openmock.server import create_app
from openmock.template import TemplateError, parse_template

PET_ID = {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}
QUERY = [
    {"name": "q", "in": "query", "schema": {"type": "string"}},
    {"name": "n", "in": "query", "schema": {"type": "integer"}},
    {"name": "ok", "in": "query", "schema": {"type": "boolean"}},
]
ECHO = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "n": {"type": "integer", "minimum": 5, "maximum": 9},
        "ok": {"type": "boolean"},
        "text": {"type": "string"},
        "absent": {"type": "string"},
        "trace": {"type": "string"},
        "sid": {"type": "string"},
        "who": {"type": "string"},
        "guid": {"type": "string", "format": "uuid"},
        "at": {"type": "integer"},
    },
}
ECHO_EXAMPLE = {
    "id": "{{request.path.petId}}",
    "n": "{{request.query.n}}",
    "ok": "{{request.query.ok}}",
    "text": "Pet {{ request.path.petId }} by {{request.method}} {{request.url}}, "
    "q={{request.query.q}}",
    "absent": "[{{request.query.nothing}}]",
    "trace": "{{request.headers.X-Trace}}",
    "sid": "{{request.cookies.sid}}",
    "who": "{{$randomFirstName}}",
    "guid": "{{$guid}}",
    "at": "{{$timestamp}}",
}


def _ok(schema: Any, example: Any, **headers: Any) -> dict[str, Any]:
    content = {"application/json": {"schema": schema, "example": example}}
    return {"description": "ok", "content": content, "headers": headers}


ORDER = {"type": "object", "properties": {"id": {"type": "integer", "readOnly": True},
         "customer": {"type": "string"}, "status": {"type": "string"}}}  # fmt: skip
PAID = {"type": "object", "properties": {"order": {"type": "integer"},
        "customer": {"type": "string"}, "orders": {"type": "integer"}}}  # fmt: skip
ORDER_ID = {"name": "orderId", "in": "path", "required": True, "schema": {"type": "integer"}}


def _paths() -> dict[str, Any]:
    trace_header = {"schema": {"type": "string"}, "example": "trace-{{request.headers.X-Trace}}"}
    created = {"type": "object", "properties": {"got": {}, "name": {"type": "string"},
               "first": {}, "qty": {"type": "integer"}}}  # fmt: skip
    order_body = {"content": {"application/json": {"schema": ORDER}}}
    return {
        "/pets/{petId}": {
            "get": {
                "parameters": [PET_ID, *QUERY],
                "responses": {"200": _ok(ECHO, ECHO_EXAMPLE, **{"X-Echo": trace_header})},
            }
        },
        "/orders": {
            "post": {
                "requestBody": order_body,
                "responses": {
                    "201": _ok(
                        created,
                        {
                            "got": "{{request.body}}",
                            "name": "{{request.body.customer}}",
                            "first": "{{request.body.tags.0}}",
                            "qty": "{{request.body.qty}}",
                        },
                    )
                },
            },
            "get": {"responses": {"200": _ok({"type": "array", "items": ORDER}, [])}},
        },
        "/orders/{orderId}": {
            "get": {"parameters": [ORDER_ID], "responses": {"200": _ok(ORDER, {"id": 1})}}
        },
        "/orders/{orderId}/pay": {
            "post": {
                "parameters": [ORDER_ID],
                "responses": {
                    "200": _ok(
                        PAID,
                        {
                            "order": "{{state.item.id}}",
                            "customer": "{{state.item.customer}}",
                            "orders": "{{state.count}}",
                        },
                    )
                },
            }
        },
    }


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import yaml

    spec = tmp_path_factory.mktemp("templates") / "api.yaml"
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": _paths()}
    spec.write_text(yaml.safe_dump(doc))
    return spec


@pytest.fixture(scope="module")
def served(spec_file: Path) -> Iterator[str]:
    with running_server(create_app(spec_file, cache_dir=spec_file.parent)) as url:
        yield url


@pytest.fixture(scope="module")
def stateful(spec_file: Path) -> Iterator[str]:
    app = create_app(spec_file, cache_dir=spec_file.parent, stateful=True)
    with running_server(app) as url:
        yield url


def test_request_data_fills_body_and_headers(served: str) -> None:
    answer = httpx.get(
        f"{served}/pets/42",
        params={"q": "hi there", "n": "7", "ok": "true"},
        headers={"X-Trace": "abc"},
        cookies={"sid": "s-1"},
    )
    body = answer.json()
    assert answer.status_code == 200 and "x-openmock-warning" not in answer.headers
    assert body["id"] == 42 and body["n"] == 7 and body["ok"] is True  # typed by the schema
    assert body["text"] == "Pet 42 by GET /pets/42?q=hi+there&n=7&ok=true, q=hi there"
    assert body["absent"] == "[]"  # nothing to read inside text: empty, never "None"
    assert body["trace"] == "abc" and body["sid"] == "s-1"
    assert answer.headers["x-echo"] == "trace-abc"
    uuid.UUID(body["guid"])
    assert abs(body["at"] - time.time()) < 3600
    assert re.fullmatch(r"[A-Z][a-z]+", body["who"])


def test_a_missing_whole_value_is_generated_for_its_schema(served: str) -> None:
    body = httpx.get(f"{served}/pets/7").json()
    assert 5 <= body["n"] <= 9 and isinstance(body["ok"], bool)
    assert body["trace"] == "" or isinstance(body["trace"], str)


def test_dynamic_variables_are_the_same_for_the_same_request(served: str) -> None:
    first = httpx.get(f"{served}/pets/5").json()
    again = httpx.get(f"{served}/pets/5").json()
    other = httpx.get(f"{served}/pets/5", headers={"Prefer": "seed=9"}).json()
    assert (first["who"], first["guid"]) == (again["who"], again["guid"])
    assert first["guid"] != other["guid"]


def test_the_body_is_read_whole_nested_and_by_index(served: str) -> None:
    sent = {"customer": "Ann", "status": "new", "tags": ["a", "b"], "qty": 3}
    created = httpx.post(f"{served}/orders", json=sent, headers={"Prefer": "code=201"})
    assert created.json() == {"got": sent, "name": "Ann", "first": "a", "qty": 3}


def test_stored_data_is_read_with_stateful(stateful: str) -> None:
    session = {"X-Openmock-Session": "templates"}
    seeded = len(httpx.get(f"{stateful}/orders", headers=session).json())
    order = httpx.post(f"{stateful}/orders", json={"customer": "Bo"}, headers=session).json()
    httpx.post(f"{stateful}/orders", json={"customer": "Cy"}, headers=session)
    paid = httpx.post(f"{stateful}/orders/{order['id']}/pay", headers=session).json()
    assert paid == {"order": order["id"], "customer": "Bo", "orders": seeded + 2}
    unknown = httpx.post(f"{stateful}/orders/99999/pay", headers=session).json()
    assert isinstance(unknown["order"], int) and unknown["orders"] == seeded + 2  # not None


@pytest.mark.parametrize(
    "text",
    [
        "{{request.__class__}}",
        "{{request.path.__class__.__mro__}}",
        "{{ 7*7 }}",
        "{{#each request.body}}x{{/each}}",
        "{{config}}",
        "{{request.headers}}",
        "{{$notAVariable}}",
        "{{request.query.a",
        "{{}}",
        "{{state.items}}",
    ],
)
def test_anything_but_a_reference_is_refused(text: str) -> None:
    with pytest.raises(TemplateError):
        parse_template(text)


def test_reading_stays_inside_json_data(make_spec: SpecMaker, cache_dir: Path) -> None:
    """A body path only follows keys and indexes: no attribute of a Python object."""
    body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    example = {"a": "{{request.body.__class__}}", "b": "{{request.body.items.__len__}}"}
    ok = {"200": {"description": "ok", "content": {"application/json": {"example": example}}}}
    spec = make_spec(paths={"/x": {"post": {"requestBody": body, "responses": ok}}})
    with running_server(create_app(spec, cache_dir=cache_dir)) as url:
        answer = httpx.post(f"{url}/x", json={"items": [1, 2]})
    assert answer.json() == {"a": "", "b": ""}


def test_a_broken_template_is_reported_and_answered_with_a_500_problem(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    example = {"id": 1, "name": "{{request.body.name}", "tag": "{{request.nothing}}"}
    ok = {"200": {"description": "ok", "content": {"application/json": {"example": example}}}}
    spec = make_spec(paths={"/things": {"get": {"responses": ok}}})
    checked = subprocess.run(
        [sys.executable, "-m", "openmock", "check", str(spec)], capture_output=True, text=True
    )
    assert checked.returncode == 1 and "Traceback" not in checked.stdout + checked.stderr
    report = checked.stdout + checked.stderr
    assert "/paths/~1things/get/responses/200/content/application~1json/example/name" in report
    assert "api.yaml:" in report and "without its closing" in report
    app = create_app(spec, cache_dir=cache_dir, lenient=True)
    with running_server(app) as url:
        answer = httpx.get(f"{url}/things")
    assert answer.status_code == 500 and answer.json()["type"].endswith("template-failed")
    assert answer.json()["pointer"].endswith("/example/name")


def test_the_filled_in_answer_is_limited_and_checked(make_spec: SpecMaker, cache_dir: Path) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    huge = {"a": "{{request.body}}", "b": "{{request.body}}"}
    media = {"application/json": {"schema": schema, "examples": {
        "huge": {"value": huge}, "wrong": {"value": {"n": "{{request.body.word}}"}}}}}  # fmt: skip
    ok = {"200": {"description": "ok", "content": media}}
    spec = make_spec(paths={"/x": {"post": {"requestBody": body, "responses": ok}}})
    with running_server(create_app(spec, cache_dir=cache_dir)) as url:
        big = httpx.post(
            f"{url}/x", json={"blob": "x" * 600_000}, headers={"Prefer": "example=huge"}
        )
        assert big.status_code == 500 and "bytes" in big.json()["detail"]
        wrong = httpx.post(f"{url}/x", json={"word": "seven"}, headers={"Prefer": "example=wrong"})
    assert (
        wrong.json() == {"n": "seven"} and "does not match" in wrong.headers["x-openmock-warning"]
    )


def test_runtime_scenarios_take_templates_and_refuse_broken_ones(served: str) -> None:
    stub = {
        "method": "GET",
        "path": "/greetings/{name}",
        "scenarios": [{"name": "hi", "body": {"hello": "{{request.path.name}}"},
                       "headers": {"X-Who": "{{request.query.who}}"}}],
    }  # fmt: skip
    assert httpx.post(f"{served}/__openmock/stubs", json=stub).status_code == 201
    answer = httpx.get(f"{served}/greetings/ann", params={"who": "me"})
    assert answer.json() == {"hello": "ann"} and answer.headers["x-who"] == "me"
    broken = dict(stub, path="/broken", scenarios=[{"name": "b", "body": {"x": ["{{ 1+1 }}"]}}])
    refused = httpx.post(f"{served}/__openmock/stubs", json=broken)
    assert refused.status_code == 422 and "/scenarios/0/body/x/0" in refused.text

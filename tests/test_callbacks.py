"""Callbacks and webhooks: openmock calls a local listener started by the test, at the URL the
request (or the admin call) names, with the spec's example or a generated body."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from conftest import running_server
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openmock.server import create_app

PET = {"type": "object", "required": ["id", "name"],
       "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}  # fmt: skip
SUBSCRIPTION = {"type": "object", "required": ["callbackUrl"],
                "properties": {"callbackUrl": {"type": "string"}}}  # fmt: skip
CREATED = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
EVENT = {"application/json": {"schema": {"type": "object"}, "example": {"event": "created"}}}
SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "hooks", "version": "1"},
    "paths": {
        "/subscriptions": {
            "post": {
                "operationId": "subscribe",
                "requestBody": {"content": {"application/json": {"schema": SUBSCRIPTION}}},
                "responses": {"201": {"description": "made", "content": {
                    "application/json": {"schema": CREATED, "example": {"id": 42}}}}},
                "callbacks": {"onEvent": {"{$request.body#/callbackUrl}?id={$response.body#/id}": {
                    "post": {"x-openmock-delay": 20, "requestBody": {"content": EVENT},
                             "responses": {"200": {"description": "ok"}}}}}},
            }
        }
    },
    "webhooks": {"newPet": {"post": {
        "requestBody": {"content": {"application/json": {"schema": PET}}},
        "responses": {"200": {"description": "ok"}}}}},
}  # fmt: skip


class Listener:
    """A receiver of callbacks: what it got, in order."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.app = Starlette(routes=[Route("/{path:path}", self._receive, methods=["POST"])])

    async def _receive(self, request: Request) -> Response:
        self.received.append({"path": request.url.path, "query": dict(request.query_params),
                              "body": await request.json()})  # fmt: skip
        return JSONResponse({"thanks": True})

    def wait_for(self, count: int) -> list[dict[str, Any]]:
        for _ in range(400):  # bounded by polls
            if len(self.received) >= count:
                return self.received
            time.sleep(0.025)
        raise AssertionError(f"expected {count} calls, got {self.received}")


@pytest.fixture
def listener() -> Iterator[tuple[Listener, str]]:
    receiver = Listener()
    with running_server(receiver.app) as url:
        yield receiver, url


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[str]:
    spec = tmp_path / "api.yaml"
    spec.write_text(yaml.safe_dump(SPEC, sort_keys=False))
    with running_server(create_app(spec, cache_dir=tmp_path)) as url:
        yield url


def test_a_callback_goes_where_the_request_says(mock: str, listener: tuple[Listener, str]) -> None:
    receiver, target = listener
    made = httpx.post(f"{mock}/subscriptions", json={"callbackUrl": f"{target}/hook"})
    assert made.status_code == 201
    (call,) = receiver.wait_for(1)
    assert call == {"path": "/hook", "query": {"id": "42"}, "body": {"event": "created"}}
    for _ in range(100):  # the outbound call reaches the call log once it is answered
        calls = httpx.get(f"{mock}/__openmock/calls").json()
        outbound = [c for c in calls if c["source"] == "outbound"]
        if outbound:
            break
        time.sleep(0.02)
    assert outbound[0]["status"] == 200 and outbound[0]["url"] == f"{target}/hook?id=42"
    assert outbound[0]["reason"].startswith("outbound: onEvent")


def test_a_callback_url_that_is_no_http_url_is_not_called(mock: str) -> None:
    assert (
        httpx.post(f"{mock}/subscriptions", json={"callbackUrl": "file:///etc"}).status_code == 201
    )
    for _ in range(100):
        calls = httpx.get(f"{mock}/__openmock/calls").json()
        skipped = [c for c in calls if c["source"] == "outbound"]
        if skipped:
            break
        time.sleep(0.02)
    assert skipped[0]["status"] == 0 and "not called" in skipped[0]["errors"][0]["message"]


def test_a_webhook_is_fired_from_the_admin_api_and_the_cli(
    mock: str, listener: tuple[Listener, str]
) -> None:
    receiver, target = listener
    listed = {h["name"]: h for h in httpx.get(f"{mock}/__openmock/webhooks").json()}
    assert (
        listed["newPet"]["kind"] == "webhook" and listed["subscribe.onEvent"]["kind"] == "callback"
    )
    fired = httpx.post(f"{mock}/__openmock/webhooks/newPet", json={"url": f"{target}/pets"})
    assert fired.status_code == 200 and fired.json()["status"] == 200
    (first,) = receiver.wait_for(1)
    jsonschema.validate(first["body"], PET)  # a generated body, valid for the webhook's schema
    cli = [sys.executable, "-m", "openmock", "webhook", "newPet", "--to", f"{target}/cli",
           "--url", mock, "--body", '{"id": 1, "name": "Rex"}']  # fmt: skip
    result = subprocess.run(cli, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "-> 200" in result.stdout
    assert receiver.wait_for(2)[1] == {
        "path": "/cli",
        "query": {},
        "body": {"id": 1, "name": "Rex"},
    }
    dead = httpx.post(f"{mock}/__openmock/webhooks/newPet", json={"url": "http://127.0.0.1:9/x"})
    assert dead.status_code == 502 and dead.json()["type"].endswith("webhook-failed")
    unknown = httpx.post(f"{mock}/__openmock/webhooks/nope", json={"url": target})
    assert unknown.status_code == 404 and "newPet" in unknown.json()["detail"]
    for url in ("ftp://example.com/x", "pets"):  # the caller's mistake: a 422, not a 502
        wrong = httpx.post(f"{mock}/__openmock/webhooks/newPet", json={"url": url})
        assert wrong.status_code == 422, wrong.text
        assert wrong.json()["errors"] == [
            {"in": "body", "pointer": "/url", "message": "not an http(s) URL"}
        ]

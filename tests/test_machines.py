"""Sequences and state machines through a real server: in order, per session, after the last
step, set from the spec and the admin API, moved by answers, shared by workers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from conftest import SpecMaker, running_server

from openmock.mockstate import MockOptions
from openmock.server import create_app

ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]


def _examples(**values: Any) -> dict[str, Any]:
    examples = {name: value if "value" in value else {"value": value}
                for name, value in values.items()}  # fmt: skip
    return {"description": "ok", "content": {"application/json": {"examples": examples}}}


PATHS = {
    "/jobs/{id}": {
        "get": {
            "parameters": ID,
            "x-openmock-sequence": ["pending", "pending", "done"],
            "responses": {"200": _examples(pending={"status": "pending"}, done={"status": "done"})},
        }
    },
    "/orders/{id}": {
        "get": {
            "parameters": ID,
            "responses": {
                "200": _examples(
                    pending={"status": "pending"},
                    paid={
                        "value": {"status": "paid"},
                        "x-openmock-machine": "order",
                        "x-openmock-when-state": "paid",
                    },
                    shipped={
                        "value": {"status": "shipped"},
                        "x-openmock-machine": "order",
                        "x-openmock-when-state": "shipped",
                    },
                )
            },
        }
    },
    "/orders/{id}/pay": {
        "post": {
            "parameters": ID,
            "responses": {
                "204": {
                    "description": "paid",
                    "x-openmock-machine": "order",
                    "x-openmock-set-state": "paid",
                }
            },
        }
    },
}


def _spec(folder: Path) -> Path:
    spec = folder / "api.yaml"
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": PATHS}
    spec.write_text(yaml.safe_dump(doc))
    return spec


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    with running_server(create_app(_spec(tmp_path), cache_dir=tmp_path)) as served:
        yield served


def _status(url: str, path: str, session: str = "") -> str:
    headers = {"X-Openmock-Session": session} if session else {}
    answer: str = httpx.get(f"{url}{path}", headers=headers).json()["status"]
    return answer


def test_a_sequence_answers_in_order_per_session(url: str) -> None:
    first = httpx.get(f"{url}/jobs/1")
    assert first.headers["x-openmock-reason"] == "sequence step 1 of 3"
    assert [_status(url, "/jobs/1") for _ in range(4)] == ["pending", "done", "done", "done"]
    assert [_status(url, "/jobs/1", "b") for _ in range(3)] == ["pending", "pending", "done"]
    asked = httpx.get(f"{url}/jobs/1", headers={"Prefer": "example=pending"}).json()
    assert asked == {"status": "pending"}  # an explicit ask wins and does not count
    assert httpx.post(f"{url}/__openmock/reset").status_code == 200
    assert _status(url, "/jobs/1") == "pending"  # the reset starts every sequence over


def test_a_machine_moves_when_a_scenario_answers(url: str) -> None:
    assert _status(url, "/orders/1") == "pending"
    paid = httpx.post(f"{url}/orders/1/pay")
    assert (
        paid.status_code == 204
        and "machine order: Started -> paid" in paid.headers["x-openmock-reason"]
    )
    assert _status(url, "/orders/1") == "paid"
    assert _status(url, "/orders/1", "other") == "pending"  # sessions do not share machines
    machines = httpx.get(f"{url}/__openmock/machines").json()
    assert machines == {"session": "", "machines": {"order": "paid"}}
    other = httpx.get(f"{url}/__openmock/machines", headers={"X-Openmock-Session": "other"})
    assert other.json()["machines"] == {"order": "Started"}
    assert httpx.put(f"{url}/__openmock/machines/order", json={"state": "shipped"}).json() == {
        "session": "",
        "name": "order",
        "state": "shipped",
    }
    assert _status(url, "/orders/1") == "shipped"
    assert httpx.put(f"{url}/__openmock/machines/order", json={"state": 3}).status_code == 422
    httpx.post(f"{url}/__openmock/reset")
    assert _status(url, "/orders/1") == "pending"


def test_runtime_sequences_cycle_or_fall_back(url: str) -> None:
    stub = {
        "method": "GET",
        "path": "/lights",
        "scenarios": [{"name": "red", "body": "red", "default": True},
                      {"name": "green", "body": "green"}],
        "sequence": ["green", "red"],
        "then": "cycle",
    }  # fmt: skip
    assert httpx.post(f"{url}/__openmock/stubs", json=stub).status_code == 201
    assert [httpx.get(f"{url}/lights").json() for _ in range(5)] == [
        "green", "red", "green", "red", "green",
    ]  # fmt: skip
    changed = httpx.patch(
        f"{url}/__openmock/stubs/GET /lights", json={"then": "default", "sequence": ["green"]}
    )
    assert changed.status_code == 200, changed.text
    httpx.post(f"{url}/__openmock/reset")
    assert (
        httpx.post(
            f"{url}/__openmock/stubs", json=stub | {"then": "default", "sequence": ["green"]}
        ).status_code
        == 201
    )
    assert [httpx.get(f"{url}/lights").json() for _ in range(3)] == ["green", "red", "red"]
    wrong = httpx.post(f"{url}/__openmock/stubs", json=stub | {"path": "/x", "sequence": ["blue"]})
    assert wrong.status_code == 422 and "blue" in wrong.text


def test_runtime_scenarios_drive_machines(url: str) -> None:
    stub = {
        "method": "GET",
        "path": "/door",
        "scenarios": [
            {"name": "closed", "body": "closed", "machine": "door", "when_state": "Started",
             "set_state": "open"},
            {"name": "open", "body": "open", "machine": "door", "when_state": "open",
             "set_state": "Started"},
        ],
    }  # fmt: skip
    assert httpx.post(f"{url}/__openmock/stubs", json=stub).status_code == 201
    assert [httpx.get(f"{url}/door").json() for _ in range(4)] == [
        "closed", "open", "closed", "open",
    ]  # fmt: skip
    described = httpx.get(f"{url}/__openmock/stubs/GET /door").json()["scenarios"][0]
    assert described["when_state"] == "Started" and described["set_state"] == "open"


def test_a_sequence_naming_no_scenario_is_an_import_error(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    paths = {"/a": {"get": {"x-openmock-sequence": ["nope"], "responses": {"200": {
        "description": "ok", "content": {"application/json": {"example": 1}}}}}}}  # fmt: skip
    app = create_app(make_spec(paths=paths), cache_dir=cache_dir, lenient=True)
    with running_server(app) as served:
        answer = httpx.get(f"{served}/a")
    assert answer.status_code == 500 and "no scenario is called 'nope'" in answer.text


def test_workers_share_sequences_and_machines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers' apps built as `--workers` builds them, each on a port of its own: the
    steps and states one moves, the other sees (no reliance on the OS's balancing)."""
    from openmock.server.config import ServeConfig
    from openmock.server.workers import worker_app, worker_environment

    db = str(tmp_path / "calls.db")
    options = MockOptions(machines_db=db)
    config = ServeConfig((str(_spec(tmp_path)),), options=options, log_db=db,
                         cache_dir=str(tmp_path))  # fmt: skip
    for name, value in worker_environment(config).items():
        monkeypatch.setenv(name, value)
    with running_server(worker_app()) as one, running_server(worker_app()) as other:
        seen = [_status(served, "/jobs/1") for served in (one, other, one, other)]
        assert seen == ["pending", "pending", "done", "done"]
        assert httpx.post(f"{one}/orders/1/pay").status_code == 204
        assert _status(other, "/orders/1") == "paid"
        assert _status(other, "/orders/1", "s2") == "pending"


@pytest.mark.slow
def test_a_sequence_keeps_its_order_across_cli_workers(tmp_path: Path) -> None:
    """`from-spec --workers 2`: a connection per request, so either worker may answer; the
    steps come in order whichever does (one transaction per step in the shared file)."""
    from test_cli import serving

    args = (str(_spec(tmp_path)), "--workers", "2", "--log-db", str(tmp_path / "calls.db"))
    with serving(*args) as (served, _):
        close = {"Connection": "close"}
        seen = [httpx.get(f"{served}/jobs/1", headers=close).json()["status"] for _ in range(5)]
        assert seen == ["pending", "pending", "done", "done", "done"]
        assert httpx.post(f"{served}/orders/1/pay", headers=close).status_code == 204
        paid = [httpx.get(f"{served}/orders/1", headers=close).json() for _ in range(4)]
        assert paid == [{"status": "paid"}] * 4

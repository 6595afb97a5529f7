"""Faults as a real client sees them (httpx against uvicorn): a reset, an empty answer, a body
cut off, a body too slow for the client's timeout; chaos reproducible by seed; rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from conftest import running_server

from openmock.server import create_app

BODY = {"items": [{"id": n, "name": f"item {n}"} for n in range(40)]}
OK = {"description": "ok", "content": {"application/json": {"example": BODY}}}
LIMITED = {
    "description": "slow down",
    "headers": {
        "Retry-After": {"schema": {"type": "integer"}},
        "RateLimit-Remaining": {"schema": {"type": "integer"}},
    },
    "content": {"application/json": {"example": {"error": "slow down"}}},
}
FLAKY = {
    "application/json": {
        "examples": {
            "fine": {"value": {"ok": True}},
            "broken": {"value": {"ok": False}, "x-openmock-fault": "malformed"},
        }
    }
}
PATHS = {
    "/things": {"get": {"responses": {"200": OK, "503": {"description": "down"}}}},
    "/flaky": {"get": {"responses": {"200": {"description": "ok", "content": FLAKY}}}},
    "/limited": {"get": {"responses": {"200": {"description": "ok"}, "429": LIMITED}}},
    "/plain": {"get": {"responses": {"200": {"description": "ok"}}}},
}


def _spec(folder: Path) -> Path:
    spec = folder / "api.yaml"
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": PATHS}
    spec.write_text(yaml.safe_dump(doc, sort_keys=False))
    return spec


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("faults")
    with running_server(create_app(_spec(folder), cache_dir=folder)) as served:
        yield served


def _fault(name: str) -> dict[str, str]:
    return {"Prefer": f"fault={name}"}


def test_a_reset_is_a_reset(url: str) -> None:
    with pytest.raises(httpx.ReadError, match="reset"):
        httpx.get(f"{url}/things", headers=_fault("reset"))


def test_an_empty_answer_closes_the_connection(url: str) -> None:
    with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
        httpx.get(f"{url}/things", headers=_fault("empty"))


def test_a_malformed_answer_cuts_the_body_off(url: str) -> None:
    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        httpx.get(f"{url}/things", headers=_fault("malformed"))
    with pytest.raises(httpx.RemoteProtocolError):  # a scenario's own fault
        httpx.get(f"{url}/flaky", headers={"Prefer": "example=broken"})
    assert httpx.get(f"{url}/flaky").json() == {"ok": True}


def test_a_slow_body_times_a_client_out(url: str) -> None:
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{url}/things", headers=_fault("slow-body"), timeout=httpx.Timeout(5, read=0.1))
    assert httpx.get(f"{url}/things").json() == BODY  # the server keeps serving


@pytest.mark.slow
def test_a_patient_client_gets_the_whole_slow_body(url: str) -> None:
    answer = httpx.get(f"{url}/things", headers=_fault("slow-body"), timeout=30)
    assert answer.json() == BODY


def test_faults_are_in_the_call_log(url: str) -> None:
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{url}/plain", headers=_fault("empty"))
    calls = httpx.get(f"{url}/__openmock/calls", params={"limit": 5}).json()
    found = next(c for c in calls if c["path"] == "/plain")
    assert found["status"] == 0 and "fault: empty" in found["reason"]


def test_an_unknown_fault_is_a_400(url: str) -> None:
    answer = httpx.get(f"{url}/things", headers=_fault("explode"))
    assert answer.status_code == 400 and "reset, empty, malformed, slow-body" in answer.text


def _outcomes(url: str, count: int) -> list[Any]:
    seen: list[Any] = []
    for _ in range(count):
        try:
            seen.append(httpx.get(f"{url}/things").status_code)
        except httpx.HTTPError:
            seen.append("reset")
    return seen


def test_chaos_is_reproducible_by_seed(tmp_path: Path) -> None:
    runs = []
    for seed in (7, 7, 8):
        app = create_app(_spec(tmp_path), cache_dir=tmp_path, chaos=0.5, seed=seed)
        with running_server(app) as served:
            runs.append(_outcomes(served, 40))
    assert runs[0] == runs[1] and runs[0] != runs[2]
    assert set(runs[0]) == {200, 503} and 8 <= runs[0].count(503) <= 32
    app = create_app(_spec(tmp_path), cache_dir=tmp_path, chaos=1.0)
    # nothing documented to fail with: resets
    with running_server(app) as served, pytest.raises(httpx.ReadError, match="reset"):
        httpx.get(f"{served}/plain")


def test_a_rate_limit_answers_the_spec_429_with_real_headers(tmp_path: Path) -> None:
    """3 a minute: bounded by counts (a minute does not pass while four requests are sent)."""
    app = create_app(_spec(tmp_path), cache_dir=tmp_path, rate_limit="3/min")
    with running_server(app) as served:
        assert [httpx.get(f"{served}/limited").status_code for _ in range(3)] == [200] * 3
        limited = httpx.get(f"{served}/limited")
        assert limited.status_code == 429 and limited.json() == {"error": "slow down"}
        assert 1 <= int(limited.headers["retry-after"]) <= 20
        assert limited.headers["ratelimit-remaining"] == "0"
        other = httpx.get(f"{served}/plain", headers={"X-Openmock-Session": "other"})
        assert other.status_code == 200  # another session has a bucket of its own
        for _ in range(3):
            httpx.get(f"{served}/plain", headers={"X-Openmock-Session": "other"})
        problem = httpx.get(f"{served}/plain", headers={"X-Openmock-Session": "other"})
        assert problem.status_code == 429 and problem.json()["type"].endswith("rate-limited")
        assert "retry-after" in problem.headers and problem.headers["ratelimit-limit"] == "3"

"""The call log: recording, redaction, truncation, filters, retention, verification, and the
admin API that serves it."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SPECS, SpecMaker, running_server

from openmock.answer import Answer
from openmock.calllog import CallRecord, CallStore
from openmock.calllog.record import MAX_BODY_CHARS, NO_SECRETS, REDACTED
from openmock.server import create_app
from openmock.server.recording import Recorder


def record(n: int, **overrides: Any) -> CallRecord:
    fields: dict[str, Any] = {
        "id": f"c{n}", "time": 1000.0 + n, "method": "GET", "url": f"/pets/{n}",
        "path": f"/pets/{n}", "query": {}, "request_headers": {}, "request_body": None,
        "request_size": 0, "stub": "showPetById", "scenario": "200", "reason": "default",
        "status": 200, "response_headers": {}, "response_body": "{}", "response_size": 2,
        "duration_ms": 1.0,
    }  # fmt: skip
    fields.update(overrides)
    return CallRecord(**fields)


def test_filters_and_order() -> None:
    store = CallStore()
    store.add(record(1))
    store.add(record(2, method="POST", path="/pets", url="/pets", status=422, stub="addPet"))
    store.add(record(3, status=404, stub=None, path="/nope", url="/nope"))
    assert [c["id"] for c in store.calls()] == ["c3", "c2", "c1"]  # newest first
    assert [c["id"] for c in store.calls(method="post")] == ["c2"]
    assert [c["id"] for c in store.calls(path="/pets/*")] == ["c1"]
    assert [c["id"] for c in store.calls(status="4xx")] == ["c3", "c2"]
    assert [c["id"] for c in store.calls(status=422)] == ["c2"]
    with pytest.raises(ValueError, match="a code"):
        store.calls(status="teapot")
    assert [c["id"] for c in store.calls(stub="showPetById")] == ["c1"]
    assert [c["id"] for c in store.calls(since=1002.5)] == ["c3"]
    assert [c["id"] for c in store.calls(limit=1)] == ["c3"]
    assert store.call("c2")["status"] == 422  # type: ignore[index]
    assert store.call("nope") is None
    assert store.clear() == 3 and store.calls() == []
    store.close()


def test_retention_by_count_and_age() -> None:
    store = CallStore(keep=5)
    for n in range(12):
        store.add(record(n))
    assert [c["id"] for c in store.calls()] == ["c11", "c10", "c9", "c8", "c7"]
    aged = CallStore(max_age_seconds=60)
    aged.add(record(1, time=time.time() - 3600))
    aged.add(record(2, time=time.time()))
    assert [c["id"] for c in aged.calls()] == ["c2"]
    store.close()
    aged.close()


def test_nothing_queued_is_lost_on_close(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    store = CallStore(path)
    for n in range(300):
        store.add(record(n))
    store.close()
    reopened = CallStore(path)
    assert reopened.count() == 300
    reopened.close()


def test_retention_drops_whole_batches_once_newer_ones_hold_keep(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db", keep=5)
    for batch in range(4):
        for n in range(3):
            store.add(record(batch * 3 + n))
        store.flush()  # one batch each
    assert [c["id"] for c in store.calls()] == ["c11", "c10", "c9", "c8", "c7"]
    assert store.count() == 5
    db = sqlite3.connect(tmp_path / "calls.db")
    assert db.execute("SELECT COUNT(*) FROM call_batches").fetchone() == (2,)  # 3 + 3 >= 5
    store.close()


def test_headers_and_answers_are_stored_once_and_unused_ones_swept(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db", keep=10)
    for n in range(50):  # the same headers and the same answer, fifty times
        store.add(record(n, request_headers={"host": "h"}, response_body='{"id": 1}'))
    store.flush()
    db = sqlite3.connect(tmp_path / "calls.db")
    assert db.execute("SELECT COUNT(*) FROM call_parts").fetchone() == (2,)
    for n in range(50, 350):  # three hundred different answers: the sweep drops the unused
        store.add(record(n, response_body=f'{{"id": {n}}}'))
        if n % 50 == 0:
            store.flush()
    calls = store.calls()
    assert [c["response_body"] for c in calls[:2]] == ['{"id": 349}', '{"id": 348}']
    (parts,) = db.execute("SELECT COUNT(*) FROM call_parts").fetchone()
    assert parts < 120, parts  # not 302
    store.close()


def test_a_log_from_before_batches_is_moved_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE calls (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, time REAL"
        " NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, status INTEGER NOT NULL, stub"
        " TEXT, record TEXT NOT NULL)"
    )
    for n in (1, 2):
        call = asdict(record(n, request_headers={"x-n": str(n)}))
        old.execute(
            "INSERT INTO calls (id, time, method, path, status, stub, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (call["id"], call["time"], "GET", call["path"], 200, call["stub"], json.dumps(call)),
        )
    old.commit()
    old.close()
    store = CallStore(path)
    calls = store.calls()
    assert [c["id"] for c in calls] == ["c2", "c1"]
    assert calls[0] == asdict(record(2, request_headers={"x-n": "2"}))
    store.close()
    # and the sqlite3 shell sees one row per call through the view that replaced the table
    db = sqlite3.connect(path)
    assert db.execute("SELECT type FROM sqlite_master WHERE name = 'calls'").fetchone() == ("view",)
    assert db.execute("SELECT id, status, response_body FROM calls").fetchall() == [
        ("c1", 200, "{}"),
        ("c2", 200, "{}"),
    ]


SECURED = {
    "/things": {
        "post": {
            "security": [{"key": [], "token": []}],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok", "content": {
                "application/json": {"example": {"ok": True}}}}},
        }
    }
}  # fmt: skip
SCHEMES = {
    "key": {"type": "apiKey", "in": "header", "name": "X-Partner-Key"},
    "token": {"type": "apiKey", "in": "query", "name": "token"},
}


@pytest.fixture
def logged(make_spec: SpecMaker, cache_dir: Path) -> Iterator[httpx.Client]:
    spec = make_spec(paths=SECURED, components={"securitySchemes": SCHEMES})
    app = create_app(spec, cache_dir=cache_dir)
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        yield client


def test_secrets_are_redacted_and_bodies_truncated(logged: httpx.Client) -> None:
    big = {"text": "x" * (MAX_BODY_CHARS + 10)}
    response = logged.post(
        "/things?token=s3cret&page=2",
        json=big,
        headers={"X-Partner-Key": "k3y", "Authorization": "Bearer t", "Cookie": "sid=1"},
    )
    assert response.status_code == 200
    call = logged.get(f"/__openmock/calls/{response.headers['x-openmock-call-id']}").json()
    headers = call["request_headers"]
    assert headers["x-partner-key"] == headers["authorization"] == headers["cookie"] == REDACTED
    assert call["query"] == {"token": REDACTED, "page": "2"}
    assert "s3cret" not in call["url"] and "page=2" in call["url"]
    assert call["request_body"].endswith(f"[truncated, {call['request_size']} bytes in all]")
    assert call["request_size"] > MAX_BODY_CHARS
    assert (call["stub"], call["scenario"], call["source"]) == (
        "POST /things",
        "example",
        "example",
    )
    assert call["response_body"] == '{"ok":true}'


@pytest.fixture(scope="module")
def pets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    cache = tmp_path_factory.mktemp("cache")
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache, log_db=cache / "calls.db")
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        yield client


def test_every_call_is_recorded_with_why_it_was_answered(pets: httpx.Client) -> None:
    pets.delete("/__openmock/calls")
    ok = pets.get("/v1/pets/7")
    asked = pets.get("/v1/pets", headers={"Prefer": "example=dogs"})
    invalid = pets.post("/v1/pets", json={"name": 3})
    lost = pets.get("/v1/petz")
    calls = pets.get("/__openmock/calls").json()
    assert [c["id"] for c in calls] == [
        r.headers["x-openmock-call-id"] for r in (lost, invalid, asked, ok)
    ]
    by_id = {c["id"]: c for c in calls}
    first = by_id[ok.headers["x-openmock-call-id"]]
    assert first["source"] == "generated" and first["seed"] == 0 and first["reason"] == "default"
    assert by_id[asked.headers["x-openmock-call-id"]]["reason"] == "asked: example=dogs"
    bad = by_id[invalid.headers["x-openmock-call-id"]]
    assert bad["status"] == invalid.status_code and bad["errors"]
    assert bad["errors"][0]["pointer"] == "/name"
    missing = by_id[lost.headers["x-openmock-call-id"]]
    assert missing["stub"] is None and missing["reason"] == "not-found"
    assert "/pets" in missing["closest"]
    filtered = pets.get("/__openmock/calls", params={"status": "2xx", "path": "/v1/pets*"}).json()
    assert {c["id"] for c in filtered} == {
        ok.headers["x-openmock-call-id"],
        asked.headers["x-openmock-call-id"],
    }
    assert pets.get("/__openmock/calls/nope").status_code == 404
    assert pets.get("/__openmock/calls", params={"status": "teapot"}).status_code == 400


def test_verify_says_whether_expected_calls_happened(pets: httpx.Client) -> None:
    pets.delete("/__openmock/calls")
    pets.post("/v1/pets", json={"name": "Rex", "tag": "dog"})
    pets.get("/v1/pets/1")
    met = pets.post(
        "/__openmock/calls/verify",
        json={"method": "POST", "path": "/v1/pets", "body": {"name": "Rex"}, "count": 1},
    ).json()
    assert met["met"] and met["matched"] == 1
    missed = pets.post(
        "/__openmock/calls/verify",
        json={"method": "POST", "path": "/v1/pets", "body": {"name": "Max"}},
    ).json()
    assert not missed["met"] and missed["expected"] == "at least 1"
    assert missed["near_misses"][0]["differences"] == ["the body differs"]
    bad = pets.post("/__openmock/calls/verify", json={"methd": "GET"})
    assert bad.status_code == 400 and "methd" in bad.json()["detail"]
    # As the README's `curl -d '{...}'` sends it: form-urlencoded by its Content-Type.
    as_curl = pets.post(
        "/__openmock/calls/verify",
        content=b'{"method": "GET", "path": "/v1/pets/1", "count": 1}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert as_curl.status_code == 200 and as_curl.json()["met"]
    not_json = pets.post("/__openmock/calls/verify", content=b"method=GET")
    assert not_json.status_code == 400
    assert not_json.headers["content-type"] == "application/problem+json"


def test_stubs_and_spec_are_served(pets: httpx.Client) -> None:
    stubs = pets.get("/__openmock/stubs").json()
    assert {"listPets", "getPet"} <= {s["id"] for s in stubs}
    one = pets.get("/__openmock/stubs/listPets").json()
    assert {s["id"] for s in one["scenarios"]} >= {"cats", "dogs"}
    assert pets.get("/__openmock/stubs/nope").status_code == 404
    assert pets.get("/__openmock/spec").json()["info"]["title"] == "openmock Petstore"


def test_without_a_call_log_the_calls_api_says_so(cache_dir: Path) -> None:
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir, log_db=None)
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        client.get("/v1/pets")
        off = client.get("/__openmock/calls")
        assert off.status_code == 404 and off.json()["type"].endswith("/call-log-off")


def test_the_admin_token_guards_everything_but_health(cache_dir: Path) -> None:
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir, admin_token="s3cret")
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        assert client.get("/__openmock/health").status_code == 200  # readiness probes
        for wrong in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "s3cret"}):
            refused = client.get("/__openmock/calls", headers=wrong)
            assert refused.status_code == 401
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.headers["www-authenticate"] == 'Bearer realm="openmock-admin"'
        allowed = {"Authorization": "Bearer s3cret"}
        assert client.get("/__openmock/calls", headers=allowed).status_code == 200
        assert client.delete("/__openmock/calls").status_code == 401
        assert client.get("/v1/pets").status_code == 200  # the mock itself is not guarded


def test_no_admin_leaves_only_the_mock(cache_dir: Path) -> None:
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir, admin=False)
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        gone = client.get("/__openmock/calls")
        assert gone.status_code == 404 and gone.json()["type"].endswith("/not-found")
        assert client.get("/v1/pets").status_code == 200


def test_the_recorder_tells_apart_answers_that_share_a_body() -> None:
    store = CallStore()
    recorder = Recorder(store)
    body = b'{"ok": true}'  # one bytes object, as memoised answers share theirs
    scope: dict[str, Any] = {
        "method": "GET",
        "path": "/a",
        "query_string": b"token=s&x=1",
        "headers": [[b"host", b"h"], [b"x-key", b"k"]],  # lists, as some servers give them
    }
    secrets = (frozenset({"x-key"}), frozenset({"token"}))
    ok = Answer(200, [], body, "s", "ok", "default", "example")
    recorder.record("a1", scope, b"", ok, secrets, 1.0)
    recorder.record("a2", scope, b"", Answer(404, [], body, "s", "gone", "code"), NO_SECRETS, 2)
    recorder.record("a3", scope, b"", replace(ok, headers=[("x-n", "1")]), secrets, 3.0)
    a3, a2, a1 = store.calls()
    assert (a1["status"], a1["scenario"], a1["response_headers"]) == (200, "ok", {})
    assert (a2["status"], a2["scenario"], a2["source"]) == (404, "gone", None)
    assert a3["response_headers"] == {"x-n": "1"} and a3["response_body"] == '{"ok": true}'
    assert a1["request_headers"] == {"host": "h", "x-key": REDACTED}
    assert a2["request_headers"] == {"host": "h", "x-key": "k"}
    assert a1["query"] == {"token": REDACTED, "x": "1"} and a2["query"]["token"] == "s"
    store.close()


def test_fresh_answers_are_stored_in_their_rows(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    recorder = Recorder(store)
    scope: dict[str, Any] = {"method": "GET", "path": "/a", "headers": [(b"host", b"h")]}
    for n in range(3):  # fresh data: each answer its own, never looked for again
        fresh = Answer(200, [], b'{"n": %d}' % n, "s", "ok", "generated", "generated", seed=n)
        fresh.repeatable = False
        recorder.record(f"f{n}", scope, b"", fresh, NO_SECRETS, 1.0)
    calls = store.calls()
    assert [(c["response_body"], c["seed"], c["reason"]) for c in calls] == [
        ('{"n": 2}', 2, "generated"),
        ('{"n": 1}', 1, "generated"),
        ('{"n": 0}', 0, "generated"),
    ]
    store.close()
    db = sqlite3.connect(tmp_path / "calls.db")
    assert db.execute("SELECT COUNT(*) FROM call_parts").fetchone() == (1,)  # the headers
    assert db.execute("SELECT response_body, scenario FROM calls").fetchall() == [
        ('{"n": 0}', "ok"),
        ('{"n": 1}', "ok"),
        ('{"n": 2}', "ok"),
    ]


def test_a_calls_fields_are_listed_once() -> None:
    """CallRecord lists a call's fields and where each is kept; the stored row, the answer
    part, the Recorder's reading of an Answer and the admin API's JSON all follow that list."""
    from dataclasses import fields

    from openmock.calllog import rows
    from openmock.calllog.record import CallRecord
    from openmock.server.recording import _answer_fields

    names = [f.name for f in fields(CallRecord)]
    answer = Answer(404, [("x-a", "1")], b"{}", "s", "gone", "code", "problem")
    assert tuple(_answer_fields(answer)) == rows.ANSWER_FIELDS
    assert set(rows.CallRow._fields[: rows.STORED]) == set(rows.ROW_FIELDS) | {
        "request_key",
        "answer_key",
    }
    record = CallRecord(
        "c1", 1.5, "GET", "/p?a=1", "/p", {"a": "1"}, {"accept": "*/*"}, None, 0, "s",
        "gone", "code", 404, {"x-a": "1"}, "{}", 2, 0.25, [], "problem", None, [],
    )  # fmt: skip
    stored = rows.row_of(record)
    read = rows.record_of(list(stored[: rows.STORED]), dict(rows.parts_of([stored])))
    assert list(read) == names and read == asdict(record)

"""The memo of answers to repeated bodiless GETs (openmock/server/mock.py)."""

from __future__ import annotations

from pathlib import Path

import httpx
from conftest import SPECS, running_server

from openmock.answer import MEMO_BYTES, MEMO_ENTRIES, Answer, AnswerMemo
from openmock.server.app import create_app


def test_repeats_are_the_same_fresh_data_is_not_and_an_edit_is_seen(cache_dir: Path) -> None:
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir)
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        first, again = client.get("/v1/pets/5"), client.get("/v1/pets/5")
        assert first.content == again.content
        assert first.headers["x-openmock-call-id"] != again.headers["x-openmock-call-id"]
        fresh = {client.get("/v1/pets/5", headers={"Prefer": "dynamic=true"}).content
                 for _ in range(3)}  # fmt: skip
        assert len(fresh) == 3
        cors = client.get("/v1/pets/5", headers={"Origin": "http://app.test"})
        assert cors.headers["access-control-allow-origin"] == "http://app.test"
        assert "access-control-allow-origin" not in client.get("/v1/pets/5").headers
        stub = {"method": "GET", "path": "/pets/{id}",
                "scenarios": [{"name": "edited", "body": {"id": 5, "name": "Edited"},
                               "default": True}]}  # fmt: skip
        client.post("/__openmock/stubs?force=true", json=stub).raise_for_status()
        assert client.get("/v1/pets/5").json()["name"] == "Edited"
        assert len(client.get("/__openmock/calls?limit=100").json()) == 8  # all recorded


def test_the_memo_is_bounded() -> None:
    memo = AnswerMemo()
    for n in range(MEMO_ENTRIES + 10):
        memo.put((n,), Answer(200, [], b"x"))
    assert memo.get((MEMO_ENTRIES + 9,)) is not None and memo.get((0,)) is None
    big = b"x" * 60_000
    for n in range(MEMO_BYTES // len(big) + 5):
        memo.put(("big", n), Answer(200, [], big))
    assert sum(memo.get(("big", n)) is not None for n in range(200)) <= MEMO_BYTES // len(big)
    memo.put(("huge",), Answer(200, [], b"x" * 1_000_000))
    assert memo.get(("huge",)) is None

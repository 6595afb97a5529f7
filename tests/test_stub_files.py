"""Stub files: a running mock's runtime stubs exported and served again (`--stubs`), bad files
reported where they are, answers recorded from a real upstream (`--record`) and replayed
offline, and `openmock verify` for CI."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from conftest import SPECS, running_server
from test_proxy import SPEC, UPSTREAM

from openmock.edits.files import StubFileError
from openmock.server import create_app

PETSTORE = SPECS / "petstore.yaml"
CLI = [sys.executable, "-m", "openmock"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60)


RUNTIME = [
    {"method": "GET", "path": "/greetings/{name}", "delay": 5,
     "scenarios": [{"name": "hi", "body": {"hello": "{{request.path.name}}"}, "default": True},
                   {"name": "bye", "status": 410, "headers": {"X-Why": "gone"},
                    "match": {"query": {"leaving": "yes"}}}],
     "sequence": ["hi", "bye"], "then": "cycle"},
    {"method": "GET", "path": "/v1/pets/{petId}",
     "scenarios": [{"name": "ghost", "status": 404, "body": {"code": 404, "message": "gone"},
                    "machine": "pets", "when_state": "gone"}]},
]  # fmt: skip


def test_exported_stubs_serve_the_same_again(tmp_path: Path, cache_dir: Path) -> None:
    with running_server(create_app(PETSTORE, cache_dir=cache_dir)) as url:
        for stub in RUNTIME:
            assert httpx.post(f"{url}/__openmock/stubs", json=stub).status_code == 201, stub
        exported = httpx.get(f"{url}/__openmock/stubs", params={"format": "payload"}).json()
        as_yaml = httpx.get(f"{url}/__openmock/stubs", params={"format": "yaml"})
        assert as_yaml.headers["content-type"].startswith("application/yaml")
        assert yaml.safe_load(as_yaml.text) == exported
        result = _cli("stubs", "export", str(tmp_path / "stubs"), "--url", url)
        assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (tmp_path / "stubs").iterdir())
    assert len(files) == 2 and all(name.endswith(".yaml") for name in files)
    app = create_app(PETSTORE, cache_dir=cache_dir, stubs=tmp_path / "stubs")
    with running_server(app) as url:
        again = httpx.get(f"{url}/__openmock/stubs", params={"format": "payload"}).json()
        assert again == exported  # the round trip keeps every field
        assert httpx.get(f"{url}/greetings/ann").json() == {"hello": "ann"}
        assert httpx.get(f"{url}/greetings/ann").status_code == 410  # the sequence cycles
        assert httpx.post(f"{url}/__openmock/reset").status_code == 200
        assert httpx.get(f"{url}/greetings/bo").json() == {"hello": "bo"}  # files stay


def test_a_bad_stub_file_is_reported_with_its_file_and_line(
    tmp_path: Path, cache_dir: Path
) -> None:
    folder = tmp_path / "stubs"
    folder.mkdir()
    (folder / "good.yaml").write_text(yaml.safe_dump({"method": "GET", "path": "/ok"}))
    (folder / "bad.yaml").write_text(
        "method: GET\npath: /bad\nscenarios:\n  - name: x\n    status: 99\n"
    )
    with pytest.raises(StubFileError) as caught:
        create_app(PETSTORE, cache_dir=cache_dir, stubs=folder)
    (problem,) = caught.value.problems
    assert problem.file.endswith("bad.yaml") and problem.pointer == "/scenarios/0/status"
    assert problem.line == 5
    result = _cli("from-spec", str(PETSTORE), "--stubs", str(folder), "--port", "0")
    assert result.returncode == 2 and "bad.yaml:5" in result.stderr
    assert "Traceback" not in result.stderr


def test_recorded_answers_replay_offline(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(yaml.safe_dump(SPEC, sort_keys=False))
    recorded = tmp_path / "recorded"
    requests: list[tuple[str, str, Any]] = [
        ("GET", "/pets", None), ("GET", "/pets/1", None), ("GET", "/pets/3", None),
        ("POST", "/pets", {"id": 5, "name": "Zorro"}), ("GET", "/pets/2", None),
    ]  # fmt: skip

    def run(url: str) -> list[tuple[int, Any]]:
        return [
            ((answer := httpx.request(m, f"{url}{p}", json=b)).status_code, answer.json())
            for m, p, b in requests
        ]

    with running_server(UPSTREAM) as upstream:
        app = create_app(spec, cache_dir=tmp_path, proxy=upstream, record=recorded)
        with running_server(app) as url:
            live = run(url)
            assert run(url) == live  # recorded twice: still one scenario per request
    files = list(recorded.iterdir())
    scenarios = [s for f in files for s in yaml.safe_load(f.read_text())["scenarios"]]
    assert len(scenarios) == len(requests)
    with running_server(create_app(spec, cache_dir=tmp_path, stubs=recorded)) as offline:
        assert run(offline) == live  # the upstream is gone: the same answers


def test_verify_exits_0_or_1_for_ci(tmp_path: Path, cache_dir: Path) -> None:
    with running_server(create_app(PETSTORE, cache_dir=cache_dir)) as url:
        httpx.get(f"{url}/v1/pets")
        patterns = tmp_path / "expect.yaml"
        patterns.write_text(yaml.safe_dump([{"method": "GET", "path": "/pets", "count": 1}]))
        met = _cli("verify", str(patterns), "--url", url)
        assert met.returncode == 0 and "ok:" in met.stdout
        unmet = _cli("verify", '{"method": "POST", "path": "/pets"}', "--url", url)
        assert unmet.returncode == 1 and "closest: GET /v1/pets" in unmet.stdout
        clean = _cli("verify", "--no-violations", "--url", url)
        assert clean.returncode == 0
    spec = tmp_path / "api.yaml"
    spec.write_text(yaml.safe_dump(SPEC, sort_keys=False))
    with running_server(UPSTREAM) as upstream:
        app = create_app(spec, cache_dir=tmp_path, proxy=upstream)
        with running_server(app) as url:
            httpx.get(f"{url}/pets/2")  # the upstream breaks the contract here
            broken = _cli("verify", "--no-violations", "--url", url)
            assert broken.returncode == 1 and "getPet: response body at /id" in broken.stdout
    gone = _cli("verify", "--no-violations", "--url", "http://127.0.0.1:9")
    assert gone.returncode == 2 and "no openmock server answers" in gone.stderr


def test_record_and_stubs_options_are_clear_errors(tmp_path: Path) -> None:
    spec = str(PETSTORE)
    cases = [
        (("--record", str(tmp_path)), "add --proxy URL"),
        (("--proxy", "http://127.0.0.1:9", "--record", str(tmp_path), "--workers", "2"),
         "without --workers"),
        (("--stubs", str(tmp_path / "none")), "no such folder"),
        (("--fallback",), "add --proxy URL"),
        (("--proxy", "localhost:8080"), "give the backend's URL"),
    ]  # fmt: skip
    for args, expected in cases:
        result = _cli("from-spec", spec, *args, "--port", "0")
        assert result.returncode == 2 and expected in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


BINARY_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "files", "version": "1"},
    "paths": {
        "/logo": {"get": {"responses": {"200": {"description": "a picture", "content": {
            "image/png": {"schema": {"type": "string", "format": "binary"}}}}}}},
        "/notes": {"get": {"responses": {"200": {"description": "old text", "content": {
            "text/plain": {"schema": {"type": "string"}}}}}}},
    },
}  # fmt: skip
LOGO = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
NOTES = "café, naïve".encode("latin-1")  # text, not UTF-8


async def _binary_upstream(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body, media = (LOGO, b"image/png") if scope["path"] == "/logo" else (NOTES, b"text/plain")
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", media)]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def test_binary_answers_are_recorded_and_replayed_byte_for_byte(tmp_path: Path) -> None:
    spec = tmp_path / "files.yaml"
    spec.write_text(yaml.safe_dump(BINARY_SPEC, sort_keys=False))
    recorded = tmp_path / "recorded"
    with running_server(_binary_upstream) as upstream:
        app = create_app(spec, cache_dir=tmp_path, proxy=upstream, record=recorded)
        with running_server(app) as url:
            assert httpx.get(f"{url}/logo").content == LOGO
            assert httpx.get(f"{url}/notes").content == NOTES
    kept = {f.name: yaml.safe_load(f.read_text()) for f in recorded.iterdir()}
    assert all("body_base64" in s for stub in kept.values() for s in stub["scenarios"])
    with running_server(create_app(spec, cache_dir=tmp_path, stubs=recorded)) as offline:
        logo = httpx.get(f"{offline}/logo")
        assert logo.content == LOGO and logo.headers["content-type"] == "image/png"
        assert httpx.get(f"{offline}/notes").content == NOTES
        exported = yaml.safe_load(httpx.get(f"{offline}/__openmock/stubs?format=yaml").text)
    bodies = [s["body_base64"] for stub in exported for s in stub["scenarios"]]
    assert sorted(base64.b64decode(b) for b in bodies) == sorted([LOGO, NOTES])


def test_a_binary_body_is_given_as_base64_and_refused_when_it_is_not(tmp_path: Path) -> None:
    spec = tmp_path / "files.yaml"
    spec.write_text(yaml.safe_dump(BINARY_SPEC, sort_keys=False))
    with running_server(create_app(spec, cache_dir=tmp_path)) as url:
        stubs = f"{url}/__openmock/stubs"
        logo = base64.b64encode(LOGO).decode()
        scenario = {"name": "mine", "media_type": "image/png", "body_base64": logo}
        added = httpx.post(stubs, json={"method": "GET", "path": "/logo",
                                        "scenarios": [{**scenario, "default": True}]})  # fmt: skip
        assert added.status_code == 201, added.text
        assert httpx.get(f"{url}/logo").content == LOGO
        listed = httpx.get(stubs).json()
        shown = [s for stub in listed for s in stub["scenarios"] if s["name"] == "mine"]
        assert shown[0]["body_base64"] == logo
        for bad, where in (
            ({**scenario, "body_base64": "not base64!"}, "/scenarios/0/body_base64"),
            ({**scenario, "body": "text"}, "/scenarios/0"),
        ):
            refused = httpx.post(stubs, json={"method": "GET", "path": "/logo2",
                                              "scenarios": [bad]})  # fmt: skip
            assert refused.status_code == 422
            assert [e["pointer"] for e in refused.json()["errors"]] == [where], refused.text

"""Stub files: a running mock's runtime stubs exported and served again (`--stubs`), bad files
reported where they are, answers recorded from a real upstream (`--record`) and replayed
offline, and `openmock verify` for CI."""

from __future__ import annotations

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

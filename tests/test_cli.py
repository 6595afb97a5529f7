"""The command line: `openmock from-spec` and `openmock import`, and every bad-input case.

Run as real subprocesses: exit codes, stdout and stderr are the contract."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from conftest import SPECS, SpecMaker, running_server

from openmock.calllog import CallStore

CLI = [sys.executable, "-m", "openmock"]


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    """Subprocesses validate into the session's cache, never the user's ~/.cache."""
    monkeypatch.setenv("OPENMOCK_CACHE_DIR", str(cache_dir))


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def assert_clean_failure(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr + result.stdout
    for text in expected:
        assert text in result.stderr, result.stderr


def test_import_prints_a_table() -> None:
    result = run("import", str(SPECS / "petstore.yaml"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["METHOD", "PATH", "STUB", "SCENARIOS", "DEFAULT"]
    assert any(line.split()[:3] == ["GET", "/pets", "listPets"] for line in lines)
    assert any("/owners/{owner-id}/pets" in line for line in lines)


def test_import_json_lists_stubs_and_scenarios() -> None:
    result = run("import", str(SPECS / "petstore.yaml"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    stubs = {s["id"]: s for s in data["stubs"]}
    assert [sc["id"] for sc in stubs["listPets"]["scenarios"]][:2] == ["cats", "dogs"]
    assert stubs["listPets"]["default_scenario"] == "cats"


@pytest.mark.parametrize("name", ["bookshop-3.1.yaml", "inventory-swagger2.yaml"])
def test_import_other_bundled_specs(name: str) -> None:
    assert run("import", str(SPECS / name)).returncode == 0


def test_missing_file(tmp_path: Path) -> None:
    assert_clean_failure(run("from-spec", str(tmp_path / "nope.yaml")), "nope.yaml", "not found")


def test_not_yaml(make_spec: SpecMaker) -> None:
    path = make_spec("openapi: 3.0.3\ninfo: {title: [\n")
    assert_clean_failure(run("import", str(path)), f"{path}:", "not valid YAML")


def test_not_openapi(make_spec: SpecMaker) -> None:
    path = make_spec("services:\n  web:\n    image: nginx\n")
    assert_clean_failure(run("from-spec", str(path)), "not an OpenAPI document")


def test_an_invalid_spec_is_served_with_a_summary_unless_strict(make_spec: SpecMaker) -> None:
    """Real vendors' specs often break a rule; they are served as far as they can be, with a
    short summary, and `--strict` refuses them (issue 17, item 2)."""
    path = make_spec(paths={"/pets": {"get": {"responses": {"200": {}}}}})
    result = run("import", str(path))
    assert result.returncode == 0, result.stderr
    assert "the spec has 1 problem; serving what can be served" in result.stderr
    assert "/paths/~1pets" in result.stderr
    assert f"`openmock check {path}` lists them all" in result.stderr
    assert "GET" in result.stdout
    assert run("import", str(path), "--lenient").returncode == 0  # still accepted
    strict = run("import", str(path), "--strict")
    assert_clean_failure(strict, str(path), "/paths/~1pets", "without --strict")


def test_unresolvable_ref(make_spec: SpecMaker) -> None:
    """Nothing left to serve: refused even without --strict."""
    path = make_spec(paths={"/pets": {"$ref": "other.yaml#/nope"}})
    assert_clean_failure(run("import", str(path)), "other.yaml", "/paths/~1pets")


def test_port_in_use_is_a_clear_error() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("from-spec", str(SPECS / "petstore.yaml"), "--port", str(port))
    assert_clean_failure(result, f"127.0.0.1:{port}", "--port")


@contextmanager
def serving(*args: str) -> Iterator[tuple[str, list[str]]]:
    """`openmock from-spec ARGS --port 0` as a subprocess: (its URL, the lines it printed).
    The call log is kept in memory unless ARGS say otherwise (not in the checkout)."""
    log = [] if {"--log-db", "--no-log"} & set(args) else ["--log-db", ":memory:"]
    process = subprocess.Popen(
        [*CLI, "from-spec", *args, *log, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 60
        lines: list[str] = []
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline() if process.stdout else ""
            if not line:
                break
            lines.append(line)
            if line.startswith("openmock ready: "):
                url = line.split()[2]
        assert url, "".join(lines)
        yield url, lines
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    assert code == 0
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")


def test_from_spec_serves_and_stops_on_sigterm() -> None:
    with serving(str(SPECS / "petstore.yaml")) as (url, lines):
        assert any("listPets" in line for line in lines)  # the table of mounted operations
        assert httpx.get(f"{url}/__openmock/health").json()["status"] == "ok"
        pets = httpx.get(f"{url}/v1/pets")
        assert pets.status_code == 200 and pets.json()[0]["name"] == "Tom"


def _bodies(*args: str) -> list[str]:
    with serving(str(SPECS / "petstore.yaml"), *args) as (url, _):
        return [
            httpx.get(f"{url}{path}").text
            for path in ("/v1/pets/42", "/v1/pets/7", "/v1/owners/ann-1/pets", "/v1/status")
        ]


def test_same_seed_same_bodies_across_processes() -> None:
    """docs/decisions/0004: --seed gives the same data in separate runs (no salted hash())."""
    first = _bodies("--seed", "7")
    assert first == _bodies("--seed", "7")
    assert first != _bodies("--seed", "8")


def test_bad_locale_is_a_clear_error() -> None:
    result = run("from-spec", str(SPECS / "petstore.yaml"), "--locale", "xx_YY")
    assert_clean_failure(result, "--locale", "xx_YY", "en_US")


def test_the_call_log_file_keeps_every_call_after_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "logs" / "calls.db"
    with serving(str(SPECS / "petstore.yaml"), "--log-db", str(db)) as (url, lines):
        assert any(f"call log: {db}" in line for line in lines)
        for n in range(25):
            httpx.get(f"{url}/v1/pets/{n}")
    store = CallStore(db)  # written by the server before it exited
    assert store.count() == 25
    assert {c["path"] for c in store.calls(limit=100)} == {f"/v1/pets/{n}" for n in range(25)}
    store.close()


def test_two_workers_write_every_call_to_one_log(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    args = (str(SPECS / "petstore.yaml"), "--workers", "2", "--log-db", str(db))
    with serving(*args) as (url, _), httpx.Client(base_url=url) as client:

        def call(n: int) -> str:  # a connection per call: the workers take turns accepting
            response = client.get(f"/v1/pets/{n % 40 + 1}", headers={"Connection": "close"})
            return response.headers["x-openmock-call-id"]

        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(call, range(200)))
    store = CallStore(db)
    assert store.count() == 200  # none lost, whichever worker the OS handed each connection
    assert {c["id"] for c in store.calls(limit=1000)} == set(ids)
    store.close()


def test_two_worker_apps_write_their_calls_to_one_log(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers' apps, built as `--workers` builds each one, on ports of their own (the OS
    may hand every connection of the test above to one worker): both write to one log."""
    from openmock.server.config import ServeConfig
    from openmock.server.workers import worker_app, worker_environment

    db = tmp_path / "calls.db"
    config = ServeConfig((str(SPECS / "petstore.yaml"),), log_db=str(db), cache_dir=str(cache_dir))
    for name, value in worker_environment(config).items():
        monkeypatch.setenv(name, value)
    ids: list[str] = []
    with running_server(worker_app()) as one, running_server(worker_app()) as other:
        for n in range(40):
            answer = httpx.get(f"{(one, other)[n % 2]}/v1/pets/{n + 1}")
            ids.append(answer.headers["x-openmock-call-id"])
    store = CallStore(db)  # each worker wrote what it buffered before it stopped
    assert store.count() == 40
    assert {c["id"] for c in store.calls(limit=100)} == set(ids)
    assert len({i[:8] for i in ids}) == 2  # a prefix per process: both wrote
    store.close()


def test_logs_prints_the_calls_of_a_running_server() -> None:
    with serving(str(SPECS / "petstore.yaml")) as (url, _):
        httpx.get(f"{url}/v1/pets/3")
        httpx.post(f"{url}/v1/pets", json={"name": 5})
        text = subprocess.run(
            [*CLI, "logs", "--url", url], capture_output=True, text=True, check=True
        ).stdout
        lines = [line for line in text.splitlines() if not line.startswith(" ")]
        assert "GET    /v1/pets/3  200  getPet/200" in lines[0]
        assert "POST   /v1/pets  422" in lines[1] and "invalid request" in lines[1]
        assert "body /name:" in text  # the violation, under its call
        as_json = subprocess.run(
            [*CLI, "logs", "--url", url, "--json"], capture_output=True, text=True, check=True
        ).stdout
        assert [json.loads(line)["status"] for line in as_json.splitlines()] == [200, 422]
    gone = subprocess.run([*CLI, "logs", "--url", url], capture_output=True, text=True)
    assert gone.returncode == 1
    assert "no openmock server answers at" in gone.stderr and "Traceback" not in gone.stderr


def test_logs_follow_prints_new_calls_as_they_come() -> None:
    with serving(str(SPECS / "petstore.yaml")) as (url, _):
        follower = subprocess.Popen(
            [*CLI, "logs", "--url", url, "--follow"], stdout=subprocess.PIPE, text=True
        )
        guard = threading.Timer(20, follower.kill)  # a readline below must not hang the suite
        guard.start()
        try:
            time.sleep(1.0)  # it has printed the (empty) log and is polling
            httpx.get(f"{url}/v1/pets/11")
            line = follower.stdout.readline() if follower.stdout else ""
            assert "/v1/pets/11  200" in line
        finally:
            follower.send_signal(signal.SIGINT)
            assert follower.wait(timeout=10) == 0
            guard.cancel()


def test_delay_and_cors_options() -> None:
    with serving(str(SPECS / "petstore.yaml"), "--delay", "150-200", "--no-cors") as (url, _):
        started = time.perf_counter()
        answer = httpx.get(f"{url}/v1/pets", headers={"Origin": "http://localhost:3000"})
        assert time.perf_counter() - started >= 0.15
        assert "access-control-allow-origin" not in answer.headers
    bad = subprocess.run(
        [*CLI, "from-spec", str(SPECS / "petstore.yaml"), "--delay", "soon"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--delay must be milliseconds" in bad.stderr


def test_exec_runs_a_command_against_the_mock_and_verifies_its_calls(tmp_path: Path) -> None:
    """`openmock exec SPEC --verify FILE -- COMMAND` (issue 17, item 17): the command sees
    OPENMOCK_URL; the exit status is the command's, or 1 when a verification fails."""
    spec = str(SPECS / "petstore.yaml")
    calls = tmp_path / "calls.yaml"
    calls.write_text("- {method: GET, path: /pets, count: 1}\n- {method: POST, path: /pets*}\n")
    client = (
        "import httpx, os; url = os.environ['OPENMOCK_URL']; "
        "assert httpx.get(url + '/pets').status_code == 200; "
        "httpx.post(url + '/pets', json={'name': 'Rex'})"
    )
    done = run("exec", spec, "--verify", str(calls), "--", sys.executable, "-c", client)
    assert done.returncode == 0, done.stderr
    assert "2 verification(s) met" in done.stderr
    only_get = client.split("; httpx.post")[0]
    missed = run("exec", spec, "--verify", str(calls), "--", sys.executable, "-c", only_get)
    assert missed.returncode == 1 and "Traceback" not in missed.stderr
    assert "verification failed: expected at least 1 call(s) like" in missed.stderr
    assert "closest: GET /pets -> 200: method is GET, not POST" in missed.stderr
    failing = run("exec", spec, "--", sys.executable, "-c", "import sys; sys.exit(3)")
    assert failing.returncode == 3  # the command's own status
    assert_clean_failure(run("exec", spec), "openmock exec api.yaml -- npm test")
    calls.write_text("- {method: GET, count: -1, colour: red}\n")
    assert_clean_failure(run("exec", spec, "--verify", str(calls), "--", "true"), "#/0")


def test_restored_runtime_changes_are_shown_at_start(tmp_path: Path) -> None:
    """A restart serves the runtime changes kept beside the call log; the start-up table says
    which, and how to drop them (issue 17, item 16)."""
    db = str(tmp_path / "calls.db")
    spec = str(SPECS / "petstore.yaml")
    with serving(spec, "--log-db", db) as (url, _):
        hello = {"method": "GET", "path": "/hello", "scenarios": [{"name": "hi", "body": 1}]}
        assert httpx.post(f"{url}/__openmock/stubs", json=hello).status_code == 201
        down = {"name": "down", "status": 503}
        assert httpx.post(f"{url}/__openmock/stubs/listPets/scenarios", json=down).is_success
        pick = {"scenario": "down"}
        assert httpx.put(f"{url}/__openmock/stubs/listPets/default", json=pick).is_success
    with serving(spec, "--log-db", db) as (url, lines):
        printed = "".join(lines)
        assert f"restored 3 runtime change(s) from {db}" in printed
        assert f"POST {url}/__openmock/reset drops them" in printed
        pets = next(line for line in lines if " listPets " in line)
        assert "(+1 runtime)" in pets and "(set at runtime)" in pets
        assert any("GET /hello (runtime)" in line for line in lines)


def test_a_first_start_serves_and_checks_the_spec_in_the_background(
    make_spec: SpecMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17, item 21: without a cached result, the OpenAPI check (seconds on large specs)
    runs after serving starts; its problems reach the health answer when it is done, and
    the next start reads them from the cache."""
    monkeypatch.setenv("OPENMOCK_CACHE_DIR", str(tmp_path / "cache"))
    ok = {"200": {"content": {"application/json": {"example": {"ok": True}}}}}  # no description
    spec = str(make_spec(paths={"/things": {"get": {"responses": ok}}}))
    for start in ("first", "cached"):
        with serving(spec) as (url, _):
            assert httpx.get(f"{url}/things").json() == {"ok": True}
            for _ in range(600):  # bounded by polls, not time
                check = httpx.get(f"{url}/__openmock/health").json()["spec_check"]
                if check["status"] == "done":
                    break
                assert start == "first" and check == {"status": "running"}
                time.sleep(0.05)
            assert check["status"] == "done" and check["problems"] == 1, start


def test_a_port_out_of_range_a_url_without_scheme_and_an_unwritable_folder_are_clear(
    tmp_path: Path,
) -> None:
    """Each ended in a traceback: the socket's OverflowError, urllib's ValueError, mkdir's
    FileNotFoundError."""
    spec = str(SPECS / "petstore.yaml")
    assert_clean_failure(run("from-spec", spec, "--port", "70000"), "not in the range 0<=x<=65535")
    assert_clean_failure(run("exec", spec, "--port", "-1", "--", "true"), "'--port'")
    no_scheme = run("logs", "--url", "localhost:4010")
    assert no_scheme.returncode == 1 and "Traceback" not in no_scheme.stderr
    assert "--url 'localhost:4010' is not an http(s) URL" in no_scheme.stderr
    blocked = tmp_path / "file"
    blocked.write_text("a file, not a folder")
    with serving(spec) as (url, _):
        exported = run("stubs", "export", "--url", url, str(blocked / "stubs"))
    assert_clean_failure(exported, f"cannot write stub files into {blocked / 'stubs'}")

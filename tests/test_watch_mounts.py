"""`--watch` (issue 7 item 2) and several specs in one server (item 5)."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from conftest import SPECS, SpecMaker, running_server
from test_cli import CLI, serving

from openmock.server.app import create_app


def _operation(status: str = "200", **extra: Any) -> dict[str, Any]:
    content = {"application/json": {"schema": {"type": "object"}, "example": {"ok": status}}}
    return {"get": {"responses": {status: {"description": "d", "content": content}}, **extra}}


def _write(path: Path, paths: dict[str, Any], servers: list[str] | None = None) -> None:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": path.stem, "version": "1"},
        "paths": paths,
    }
    if servers:
        document["servers"] = [{"url": url} for url in servers]
    text = yaml.safe_dump(document)
    partial = path.with_suffix(".tmp")
    partial.write_text(text)
    partial.replace(path)  # as editors save: never a half-written file


def _until(check: Any, seconds: float = 5.0) -> float:
    """Seconds until `check()` holds (asserting it does within `seconds`)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, "not within the time allowed"
        time.sleep(0.05)
    return time.monotonic() - started


def test_an_edit_is_served_within_two_seconds_while_a_request_in_flight_completes(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "api.yaml"
    slow = _operation(**{"x-openmock-delay": 1500})
    _write(spec, {"/slow": slow, "/old": _operation()})
    with serving(str(spec), "--watch", "--log-db", str(tmp_path / "calls.db")) as (url, lines):
        assert any("watching" in line for line in lines)
        httpx.post(
            f"{url}/__openmock/stubs", json={"method": "GET", "path": "/runtime"}
        ).raise_for_status()
        in_flight: dict[str, Any] = {}
        request = threading.Thread(
            target=lambda: in_flight.update(answer=httpx.get(f"{url}/slow", timeout=10))
        )
        request.start()
        time.sleep(0.3)  # the slow request has started on the old version
        _write(spec, {"/slow": slow, "/new": _operation("201")})
        took = _until(lambda: httpx.get(f"{url}/new").status_code == 201)
        assert took < 2.0
        request.join(timeout=10)
        assert in_flight["answer"].status_code == 200  # finished on the version it started on
        assert httpx.get(f"{url}/old").status_code == 404
        assert httpx.get(f"{url}/runtime").status_code == 200  # runtime changes replayed
        # A broken edit keeps the last good version serving.
        spec.write_text("openapi: 3.0.3\npaths: [not, a, mapping\n")
        time.sleep(1.0)
        assert httpx.get(f"{url}/new").status_code == 201
        calls = httpx.get(f"{url}/__openmock/calls").json()
        assert len(calls) >= 5  # the call log survived the reloads


def test_an_edit_of_a_referenced_file_reloads_too(tmp_path: Path) -> None:
    shared = tmp_path / "schemas.yaml"

    def thing(v: int) -> str:
        schema = {"type": "object", "required": ["v"], "additionalProperties": False,
                  "properties": {"v": {"type": "integer", "enum": [v]}}}  # fmt: skip
        return yaml.safe_dump({"Thing": schema})

    shared.write_text(thing(1))
    content = {"application/json": {"schema": {"$ref": "schemas.yaml#/Thing"}}}
    responses = {"200": {"description": "d", "content": content}}
    spec = tmp_path / "api.yaml"
    _write(spec, {"/thing": {"get": {"responses": responses}}})
    with serving(str(spec), "--watch") as (url, _):
        assert httpx.get(f"{url}/thing").json() == {"v": 1}
        time.sleep(0.05)
        shared.write_text(thing(2))
        _until(lambda: httpx.get(f"{url}/thing").json() == {"v": 2})


def test_watch_reloads_stub_files_too(tmp_path: Path) -> None:
    """Issue 19: `--stubs DIR --watch`: a stub file added, edited or broken is seen."""
    spec = tmp_path / "api.yaml"
    _write(spec, {"/old": _operation()})
    folder = tmp_path / "stubs"
    folder.mkdir()

    def stub(body: str) -> str:
        return yaml.safe_dump({"method": "GET", "path": "/filed",
                               "scenarios": [{"name": "s", "body": body}]})  # fmt: skip

    with serving(str(spec), "--watch", "--stubs", str(folder)) as (url, _):
        assert httpx.get(f"{url}/filed").status_code == 404
        (folder / "filed.yaml").write_text(stub("first"))
        _until(lambda: httpx.get(f"{url}/filed").json() == "first")
        time.sleep(0.05)
        (folder / "filed.yaml").write_text(stub("second"))
        _until(lambda: httpx.get(f"{url}/filed").json() == "second")
        (folder / "filed.yaml").write_text("method: GET\npath: /filed\nscenarios: 3\n")
        time.sleep(1.0)  # a broken file keeps the last good version serving
        assert httpx.get(f"{url}/filed").json() == "second"


def test_two_specs_in_one_server(tmp_path: Path) -> None:
    billing = tmp_path / "billing.yaml"
    _write(billing, {"/invoices": _operation(), "/pets": _operation("202")}, ["/billing"])
    args = (str(SPECS / "petstore.yaml"), str(billing))
    with serving(*args) as (url, lines):
        text = "".join(lines)
        assert "petstore:" in text and "billing:" in text and "under /billing" in text
        assert httpx.get(f"{url}/billing/invoices").status_code == 200
        assert httpx.get(f"{url}/billing/pets").status_code == 202
        pets = httpx.get(f"{url}/v1/pets/4")
        assert pets.status_code == 200 and pets.json()["id"] == 4
        stubs = {s["id"] for s in httpx.get(f"{url}/__openmock/stubs").json()}
        assert {"getPet", "GET /invoices"} <= stubs
    with serving(*args, "--prefix", "billing=/money") as (url, _):
        assert httpx.get(f"{url}/money/invoices").status_code == 200
        assert httpx.get(f"{url}/billing/invoices").status_code == 404


def test_a_clash_between_two_specs_is_a_start_up_error(tmp_path: Path) -> None:
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"

    def by(name: str) -> dict[str, Any]:
        parameter = {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        return _operation(parameters=[parameter])

    _write(one, {"/items/{id}": by("id")}, ["/api"])
    _write(two, {"/items/{itemId}": by("itemId")}, ["https://example.com/api"])
    done = subprocess.run(
        [*CLI, "from-spec", str(one), str(two), "--port", "0", "--no-log"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "GET /api/items/{itemId} is served by both one (/items/{id}) and two" in done.stderr
    assert "--prefix" in done.stderr and "Traceback" not in done.stderr
    unknown = subprocess.run(
        [*CLI, "from-spec", str(one), str(two), "--prefix", "three=/x", "--no-log"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unknown.returncode == 2 and "one, two" in unknown.stderr


def test_specs_with_the_same_schema_names_keep_their_own(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    """Each spec's $refs still point at its own components once both share one document."""

    def spec(name: str, kind: str) -> Path:
        kind_ref = {"$ref": "#/components/schemas/Kind"}
        mapping = {"type": "object", "required": ["to"], "properties": {"to": kind_ref}}
        schema = {"type": "object", "required": ["kind", "mapping"],
                  # `mapping`: a property named like a discriminator's mapping
                  "properties": {"kind": kind_ref, "mapping": mapping}}  # fmt: skip
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
        return make_spec(
            {
                "openapi": "3.0.3",
                "info": {"title": name, "version": "1"},
                "servers": [{"url": f"/{name}"}],
                "paths": {"/thing": {"get": {"responses": {"200": {"description": "d",
                                                                    "content": content}}}}},
                "components": {"schemas": {"Thing": schema,
                                           "Kind": {"type": "string", "enum": [kind]}}},
            },
            name=f"{name}.yaml",
        )  # fmt: skip

    app = create_app([spec("a", "alpha"), spec("b", "beta")], cache_dir=cache_dir)
    with running_server(app) as url:
        alpha, beta = httpx.get(f"{url}/a/thing").json(), httpx.get(f"{url}/b/thing").json()
        assert alpha["kind"] == alpha["mapping"]["to"] == "alpha"
        assert beta["kind"] == beta["mapping"]["to"] == "beta"
        ids = [s["id"] for s in httpx.get(f"{url}/__openmock/stubs").json()]
        assert ids == ["GET /thing", "b:GET /thing"]


@pytest.mark.parametrize("flags", [("--watch", "--workers", "2")])
def test_watch_with_workers_is_refused(flags: tuple[str, ...]) -> None:
    done = subprocess.run(
        [*CLI, "from-spec", str(SPECS / "petstore.yaml"), *flags, "--no-log"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--watch" in done.stderr


def test_a_spec_is_named_by_its_whole_file_name_without_the_extension() -> None:
    """`bookshop-3.1.yaml` is `bookshop-3.1`, not `bookshop-3` (issue 17, item 18)."""
    from openmock.importer.mounts import mount_names

    paths = [Path("a/bookshop-3.1.yaml"), Path("b/api.v2.JSON"), Path("c/bookshop-3.1.yml")]
    assert mount_names(paths) == ["bookshop-3.1", "api.v2", "bookshop-3.1-2"]


def test_a_reload_says_what_is_wrong_with_the_edited_spec(tmp_path: Path) -> None:
    """An edit that breaks part of the spec (here a method in upper case) is served as far as
    it can be; the reload said only "reloaded: N operations", so the mistake went unnoticed.
    It says the problems now, as the start does."""
    from openmock.server.reload import SpecWatcher

    spec = tmp_path / "api.yaml"
    _write(spec, {"/a": _operation()})
    app = create_app(spec, cache_dir=tmp_path)
    said: list[str] = []
    watcher = SpecWatcher(app.state.editor, [str(spec)], {}, lenient=True, cache_dir=tmp_path,
                          report=said.append)  # fmt: skip
    assert watcher.reload() and said == [said[0]] and "problem" not in said[0]
    _write(spec, {"/a": _operation(), "/b": {"GET": _operation()["get"]}})
    assert watcher.reload()
    assert said[1].startswith("reloaded: 1 operations (")
    assert "; the spec has 2 problems; serving what can be served" in said[1]
    assert "'GET' under path /b is not served: OpenAPI's method names are lower case" in said[1]
    assert f"`openmock check {spec}` lists them all." in said[1]

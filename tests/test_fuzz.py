"""Fuzzing: random and malformed requests to every operation of every spec we have.

Hypothesis draws requests mixing valid parts (from tests/valid_requests.py) with broken ones:
random path segments, unknown and ill-typed query parameters, junk headers and control
headers, wrong Content-Types, random bytes, truncated JSON, bodies with fields removed.
Whatever arrives, the mock must answer (a real uvicorn server, over HTTP) with:
- no 5xx of the mock's own, except a 500 problem saying why a broken spec cannot be served
  (an operation that could not be imported, a schema nothing satisfies, a dangling $ref);
- every 4xx and 5xx either application/problem+json whose `status` is the status line, or
  one of the operation's own documented responses (named in X-Openmock-Scenario: what a
  client asked for with `Prefer: code=503`, the spec's 422 for an invalid body, ...).
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import CORPUS, SPECS, running_server
from corpus import discover_roots, rel
from e2e import concrete_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_e2e_corpus import EXPECTED_LENIENT, EXPECTED_REFUSED, GENERATION_FAILS, LARGE
from valid_requests import ValidRequest, build, with_cookies

from openmock.generate import GenerationEngine
from openmock.importer import build_catalog
from openmock.model import Stub
from openmock.problems import PROBLEM_TYPE_BASE
from openmock.schema.index import SchemaIndex
from openmock.server import MockOptions, app_from_catalog
from openmock.spec import load_spec

# Not in the quick tier (`make check`): real specs, random requests or a browser.
pytestmark = pytest.mark.slow

EXAMPLES_PER_SPEC = 50  # per spec (hypothesis may need fewer for a small one)
SENT = {"requests": 0, "specs": 0}  # counted, and printed at the end of the run (conftest)
PROBLEM = "application/problem+json"

_UNICODE = st.characters(codec="utf-8", exclude_categories=("Cs",))
_SEGMENT = st.text(_UNICODE, min_size=1, max_size=12)
_HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=24)
_NAME = st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=8)
_CONTENT_TYPES = [
    "application/json", "application/json; charset=utf-8", "text/plain", "application/xml",
    "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=b",
    "application/octet-stream", "nonsense", "",
]  # fmt: skip
_ACCEPTS = ["*/*", "application/json", "text/html", "application/xml", "image/*;q=x", "junk"]
_PREFERS = [
    "code=404", "code=200", "code=503", "code=abc", "code=99", "example=nope", "dynamic=true",
    "seed=3", "seed=-1", "validate=false", "validate=perhaps", "code=422, example=x", "",
]  # fmt: skip
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _HEADER_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAME, inner, max_size=3),
    max_leaves=8,
)


def _specs() -> list[object]:
    params: list[object] = [pytest.param(p, id=p.name) for p in sorted(SPECS.glob("*.yaml"))]
    for root in discover_roots():
        name = rel(root)
        if name in EXPECTED_REFUSED:
            continue
        marks = [pytest.mark.slow] if name.split("/")[0] in LARGE else []
        params.append(pytest.param(root, id=name, marks=marks))
    return params


def _mutated_body(valid: ValidRequest, data: st.DataObject) -> bytes | None:
    choice = data.draw(st.sampled_from(["valid", "none", "bytes", "json", "truncated", "drop"]))
    content = valid.content
    if choice == "none":
        return None
    if choice == "bytes":
        return data.draw(st.binary(max_size=64))
    if choice == "json":
        return json.dumps(data.draw(_JSON)).encode()
    if content and choice == "truncated":
        return content[: data.draw(st.integers(0, max(0, len(content) - 1)))]
    if content and choice == "drop":
        try:
            value = json.loads(content)
        except ValueError:
            return content
        if isinstance(value, dict) and value:
            value.pop(data.draw(st.sampled_from(sorted(value))))
        return json.dumps(value).encode()
    return content


def _request(stub: Stub, valid: ValidRequest, path: str, data: st.DataObject) -> dict[str, Any]:
    if data.draw(st.booleans()):  # a random value in place of each path parameter
        for param in stub.parameters:
            if param.location == "path" and "{" + param.name + "}" in stub.path:
                segment = urllib.parse.quote(data.draw(_SEGMENT), safe="")
                path = path.replace("{" + param.name + "}", segment)
    query = list(valid.query) if data.draw(st.booleans()) else []
    names = [p.name for p in stub.parameters if p.location == "query"] or ["q"]
    extra = st.tuples(st.sampled_from(names) | _NAME, _HEADER_TEXT)
    query.extend(data.draw(st.lists(extra, max_size=3)))
    headers = with_cookies(valid) if data.draw(st.booleans()) else {}
    for param in stub.parameters:
        if param.location == "header" and data.draw(st.booleans()):
            headers[param.name] = data.draw(_HEADER_TEXT).strip()
    for name, values in (
        ("Content-Type", _CONTENT_TYPES),
        ("Accept", _ACCEPTS),
        ("Prefer", _PREFERS),
        ("x-mock-response-code", ["404", "x", "200"]),
        ("Authorization", ["Bearer t", "Basic !!", "", "Token x"]),
        ("Cookie", ["a=1", "=", "sid"]),
    ):
        if data.draw(st.integers(0, 3)) == 0:
            headers[name] = data.draw(st.sampled_from(values))
    return {
        "method": data.draw(st.sampled_from([stub.method, stub.method, stub.method, "PATCH"])),
        "url": path,
        "params": query,
        "headers": {k: v for k, v in headers.items() if v == v.strip()},
        "content": _mutated_body(valid, data),
    }


def _judge(stubs: dict[str, Stub], response: httpx.Response, allow_500: bool) -> None:
    status = response.status_code
    where = f"{response.request.method} {response.request.url} -> {status}"
    scenario_id = response.headers.get("x-openmock-scenario", "")
    stub = stubs.get(response.headers.get("x-openmock-stub", ""))
    if response.request.method == "HEAD":  # no body to read: the headers must say it all
        _judge_head(stub, scenario_id, response, allow_500)
        return
    ours = response.headers.get("content-type") == PROBLEM and response.json().get(
        "type", ""
    ).startswith(PROBLEM_TYPE_BASE)
    if stub is not None and scenario_id and not ours:  # one of the spec's own responses
        scenario = stub.scenario(scenario_id)
        assert scenario is not None and scenario.covers(status), f"{where}: undocumented"
        if status >= 500 and scenario.source == "error":
            assert allow_500, f"{where}: {response.text}"
        return
    if status < 400:
        return
    assert response.headers.get("content-type") == PROBLEM, f"{where}: {response.text[:300]}"
    problem = response.json()
    assert problem["status"] == status, where
    assert not problem["type"].endswith("/internal-error"), f"{where}: {response.text}"
    if status >= 500:
        assert allow_500 and problem["type"].endswith(("/import-error", "/generation-failed")), (
            f"{where}: {response.text}"
        )


def _judge_head(
    stub: Stub | None, scenario_id: str, response: httpx.Response, allow_500: bool
) -> None:
    """A HEAD answer: a spec scenario covering its status, or a problem of the mock's own
    whose kind (X-Openmock-Reason) is never an internal error."""
    status = response.status_code
    where = f"HEAD {response.request.url} -> {status}"
    reason = response.headers.get("x-openmock-reason", "")
    assert reason != "internal-error", where
    if response.headers.get("content-type") == PROBLEM and not (scenario_id and stub):
        assert status < 500 or (allow_500 and reason in ("import-error", "generation-failed"))
        return
    if status >= 400 and stub is not None and scenario_id:
        scenario = stub.scenario(scenario_id)
        if reason == "generation-failed":
            assert allow_500, where
        else:
            assert scenario is not None and scenario.covers(status), f"{where}: undocumented"


@pytest.mark.parametrize("root", _specs())
def test_random_and_malformed_requests_never_break_the_mock(root: Path, cache_dir: Path) -> None:
    name = rel(root) if CORPUS in root.parents else root.name
    spec = load_spec(root, lenient=name in EXPECTED_LENIENT, cache_dir=cache_dir)
    index = SchemaIndex(spec.document)
    catalog = build_catalog(spec, index)
    stubs = [s for s in catalog.stubs if s.import_error is None] or list(catalog.stubs)
    if not stubs:
        pytest.skip("no operations")
    # Broken specs (served leniently, or with operations that could not be imported) answer
    # what cannot be served with a 500 problem saying why; that is their documented answer.
    allow_500 = (
        name in GENERATION_FAILS
        or name in EXPECTED_LENIENT
        or any(s.import_error for s in catalog.stubs)
    )
    engine = GenerationEngine(index, seed=5, search=False)
    ready: dict[str, tuple[ValidRequest, str]] = {}
    by_id = {s.id: s for s in catalog.stubs}
    app = app_from_catalog(catalog, index, MockOptions(seed=1))
    with running_server(app) as url, httpx.Client(base_url=url, timeout=30) as client:

        @settings(
            max_examples=EXAMPLES_PER_SPEC,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def fuzz(data: st.DataObject) -> None:
            stub = data.draw(st.sampled_from(stubs))
            if stub.id not in ready:
                ready[stub.id] = (build(stub, engine, stub.id), concrete_path(stub, engine))
            valid, path = ready[stub.id]
            response = client.request(**_request(stub, valid, path, data))
            SENT["requests"] += 1
            _judge(by_id, response, allow_500)

        fuzz()
        SENT["specs"] += 1

"""Calling every operation of a served spec and judging each answer with the oracle."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import httpx
from conftest import running_server
from oracle import Oracle
from valid_requests import ValidRequest, build, concrete_path, with_cookies

from openmock.generate import GenerationEngine
from openmock.importer import build_catalog
from openmock.schema.index import SchemaIndex
from openmock.server import MockOptions, app_from_catalog
from openmock.spec import Spec


@dataclass
class Report:
    calls: int = 0
    import_errors: list[str] = field(default_factory=list)
    shadowed: list[str] = field(default_factory=list)
    invalid_examples: list[str] = field(default_factory=list)
    generation_failures: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # valid requests the mock refused
    unbuildable: list[str] = field(default_factory=list)  # no valid request could be made
    failures: list[str] = field(default_factory=list)

    def describe(self, limit: int = 15) -> str:
        shown = "\n".join(self.failures[:limit])
        more = len(self.failures) - limit
        return f"{len(self.failures)} of {self.calls} calls failed:\n{shown}" + (
            f"\n... and {more} more" if more > 0 else ""
        )


def exercise(spec: Spec, *, seed: int = 0, generation_may_fail: bool = False) -> Report:
    index = SchemaIndex(spec.document)
    catalog = build_catalog(spec, index)
    app = app_from_catalog(catalog, index, MockOptions(seed=seed))
    oracle = Oracle(spec)
    engine = GenerationEngine(index, seed=seed + 1)
    report = Report()
    unreachable = {id(stub) for stub in app.state.mock.state.table.duplicates}
    warned = " ".join(p.message for p in catalog.problems)
    with running_server(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        health = client.get("/__openmock/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        for stub in catalog.stubs:
            path = concrete_path(stub, engine)
            valid = build(stub, engine, stub.id)
            where = f"{stub.method} {path} ({stub.id})"
            if valid.unbuildable:
                report.unbuildable.append(f"{where}: {'; '.join(valid.unbuildable)}")
                valid.headers["Prefer"] = "validate=false"

            response = _send(client, stub.method, path, valid)
            report.calls += 1
            if response.headers.get("x-openmock-reason", "").startswith("invalid request"):
                detail = response.content[:400].decode("utf-8", "replace")
                report.rejected.append(f"{where}: {response.status_code} {detail}")
                valid.headers["Prefer"] = "validate=false"  # the oracle still judges the answer
                response = _send(client, stub.method, path, valid)
            if stub.import_error is not None:
                report.import_errors.append(stub.id)
                if response.status_code != 500 or "problem+json" not in response.headers.get(
                    "content-type", ""
                ):
                    report.failures.append(f"{where}: import error not served as a 500 problem")
                continue
            if generation_may_fail and response.status_code == 500:
                problem_type = as_json(response).get("type", "")
                if problem_type.endswith("/generation-failed"):
                    report.generation_failures.append(stub.id)
                    continue
            if id(stub) in unreachable:
                # Same method and path as an earlier operation; the import must say so.
                report.shadowed.append(stub.id)
                if f"({stub.id}) is unreachable" not in warned:
                    report.failures.append(f"{where}: shadowed without a warning")
                continue
            if response.headers.get("x-openmock-stub") != stub.id:
                got = response.headers.get("x-openmock-stub")
                report.failures.append(f"{where}: routed to {got!r}, {response.status_code}")
                continue
            problem = oracle.check(
                stub.method,
                stub.path,
                urllib.parse.unquote(path),
                response.status_code,
                dict(response.headers),
                response.content,
            )
            if problem is not None and response.headers.get("x-openmock-warning"):
                # The spec's own example breaks its schema: served as written, and flagged.
                report.invalid_examples.append(f"{where}: {problem[:300]}")
                continue
            if problem is not None:
                body = response.content[:200]
                report.failures.append(f"{where}: {response.status_code} {problem[:600]} {body!r}")
    return report


def _send(client: httpx.Client, method: str, path: str, valid: ValidRequest) -> httpx.Response:
    return client.request(
        method, path, params=valid.query, headers=with_cookies(valid), content=valid.content
    )


def as_json(response: httpx.Response) -> Any:
    return json.loads(response.content)

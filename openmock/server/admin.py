"""The admin API under /__openmock: health, the stubs, the spec, and the call log.

Paths are an interface scripts rely on (docs/decisions/0006); errors are problem+json like the
mock's own.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from importlib import resources
from typing import Any, Literal

import yaml
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from openmock import __version__
from openmock.calllog import BadPattern, read_expectation, verify
from openmock.describe import stub_json
from openmock.edits.files import export_payloads
from openmock.model import ADMIN_PREFIX, Catalog
from openmock.problems import Problem
from openmock.server.editing import Editor
from openmock.server.json_body import json_body
from openmock.server.machine_admin import add_machine_routes
from openmock.server.mock import MockApp
from openmock.server.problems_out import problem_reply, problem_response
from openmock.server.proxy import logged_violations
from openmock.server.state_admin import add_state_routes
from openmock.server.stub_admin import add_edit_routes
from openmock.server.webhook_admin import add_webhook_routes


class AdminUnauthorized(Exception):
    """A request to the admin API without the --admin-token."""


def unauthorized(_: Request, __: Exception) -> Response:
    return problem_response(
        Problem(
            401,
            "Admin token required",
            "This server was started with --admin-token: send `Authorization: Bearer <token>`.",
            "admin-unauthorized",
            headers=(("www-authenticate", 'Bearer realm="openmock-admin"'),),
        )
    )


def no_such_admin_path(request: Request, exc: Exception) -> Response:
    """An admin path or method that does not exist, as a problem like the mock's own 404."""
    status = getattr(exc, "status_code", 404)
    if status not in (404, 405):
        detail = str(getattr(exc, "detail", "")) or "The admin API could not answer."
        return problem_response(Problem(status, "Admin API error", detail, "admin-error"))
    where = f"{request.method} {request.url.path}"
    if status == 405:
        detail = f"{where}: the admin API has this path, not this method"
    else:
        detail = f"{where}: the admin API has no such path"
    detail += f"; its paths are listed at {ADMIN_PREFIX}/openapi.json."
    title = "Method not allowed" if status == 405 else "Not found"
    slug = "method-not-allowed" if status == 405 else "not-found"
    headers = getattr(exc, "headers", None) or {}
    problem = Problem(status, title, detail, slug, headers=tuple(headers.items()))
    return problem_response(problem)


def unreadable(_: Request, exc: Exception) -> Response:
    """A request to the admin API FastAPI could not read (malformed JSON, a bad query value)."""
    found: list[dict[str, Any]] = getattr(exc, "errors", list)()
    errors = tuple(
        {
            "in": str(e.get("loc", ["body"])[0]),
            "pointer": "/" + "/".join(str(p) for p in e.get("loc", [])[1:]),
            "message": str(e.get("msg", "")),
        }
        for e in found
    )
    detail = "The admin API could not read this request; see /__openmock/openapi.json."
    return problem_response(Problem(400, "Unreadable request", detail, "bad-admin-request", errors))


def _token_check(token: str | None) -> Callable[[Request], None]:
    expected = f"Bearer {token}".encode()

    def check(request: Request) -> None:
        if token is None:
            return
        sent = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(sent, expected):
            raise AdminUnauthorized

    return check


def admin_router(
    mock: MockApp, started: float, token: str | None = None, editor: Editor | None = None
) -> APIRouter:
    """The admin API; with `token`, every path but `health` (what readiness probes poll)
    requires `Authorization: Bearer <token>`. With `editor`, stubs can be changed too."""
    root = APIRouter(prefix=ADMIN_PREFIX, tags=["admin"])
    router = APIRouter(dependencies=[Depends(_token_check(token))])
    no_log = (
        404,
        "The call log is off",
        "This server records no calls (started with --no-log); restart it without that option.",
        "call-log-off",
    )

    @root.get("/health", summary="Readiness: answers once the mock is serving")
    async def health() -> dict[str, Any]:  # on the loop: no worker thread to wait for
        catalog = mock.state.catalog
        return {
            "status": "ok",
            "version": __version__,
            "spec": {
                "title": catalog.spec.title,
                "path": str(catalog.spec.path),
                "version": catalog.spec.source_version,
            },
            "stubs": len(catalog.stubs),
            "uptime_seconds": round(time.monotonic() - started, 3),
            "spec_check": _spec_check(catalog),
        }

    def _spec_check(catalog: Catalog) -> dict[str, Any]:
        """The check against the OpenAPI schema: `done` with its problems' count (they were
        printed, and `openmock check` lists them), or `running` in the background."""
        background = catalog.spec.background
        if background is None:
            return {"status": "done", "problems": len(catalog.spec.warnings)}
        status, problems = background.status()
        if status != "done":
            return {"status": "running"}
        found = len(catalog.spec.warnings) + len(problems)
        shown = [problem.render() for problem in problems[:3]]
        return {"status": "done", "problems": found, "first": shown}

    page = (resources.files("openmock.inspector") / "index.html").read_text("utf-8")

    @root.get("/", summary="The inspector page: calls live, stubs and their scenarios")
    def inspector() -> HTMLResponse:
        return HTMLResponse(page)  # the page asks for the token itself when it needs one

    @router.get(
        "/stubs",
        summary="Every stub (operation) and its scenarios; with ?format=yaml (or payload, "
        "JSON) what was added at runtime, as stub files",
    )
    def stubs(format: Literal["yaml", "payload"] | None = None) -> Any:  # else a 400
        if editor is not None:
            editor.refresh()  # another worker's change
        catalog = mock.state.catalog
        if format == "yaml":
            text = yaml.safe_dump(export_payloads(catalog), sort_keys=False, allow_unicode=True)
            return Response(text, media_type="application/yaml")
        if format == "payload":
            return export_payloads(catalog)
        return [stub_json(stub) for stub in catalog.stubs]

    @router.get("/stubs/{stub_id:path}", summary="One stub and its scenarios")
    def stub(stub_id: str) -> Any:
        if editor is not None:
            editor.refresh()
        found = mock.state.catalog.stub(stub_id)
        if found is None:
            return problem_reply(404, "No such stub", f"No stub has the id '{stub_id}'.", "no-stub")
        return stub_json(found)

    @router.get("/spec", summary="The spec document as loaded (bundled into one document)")
    def spec() -> Any:
        return JSONResponse(mock.state.catalog.spec.document)

    @router.get("/calls", summary="Recorded calls, newest first")
    def calls(
        method: str | None = None,
        path: str | None = Query(None, description="a glob: /pets/*"),
        status: str | None = Query(None, description="a code (404) or a class (4xx)"),
        stub: str | None = None,
        since: float | None = Query(None, description="seconds since the epoch"),
        limit: int = Query(100, ge=0, le=10_000),
    ) -> Any:
        if mock.calls is None:
            return problem_reply(*no_log)
        try:
            return mock.calls.calls(
                method=method, path=path, status=status, stub=stub, since=since, limit=limit
            )
        except ValueError as exc:  # the status filter
            return problem_reply(400, "Unreadable filter", f"{exc}.", "bad-filter")

    @router.get("/calls/{call_id}", summary="One recorded call")
    def call(call_id: str) -> Any:
        if mock.calls is None:
            return problem_reply(*no_log)
        found = mock.calls.call(call_id)
        if found is None:
            detail = f"No recorded call has the id '{call_id}' (it may be past retention)."
            return problem_reply(404, "No such call", detail, "no-call")
        return found

    @router.delete("/calls", summary="Forget every recorded call")
    def clear() -> Any:
        if mock.calls is None:
            return problem_reply(*no_log)
        return {"deleted": mock.calls.clear()}

    @router.post(
        "/calls/verify",
        summary="Whether the calls a test expects were made",
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "object", "description": "a request pattern and a count"}}}}},
    )  # fmt: skip
    def verify_calls(payload: Any = Depends(json_body)) -> Any:  # noqa: B008 (FastAPI's idiom)
        if mock.calls is None:
            return problem_reply(*no_log)
        try:
            expectation = read_expectation(payload)
        except BadPattern as exc:
            return problem_reply(400, "Unreadable verification", f"{exc}.", "bad-verification")
        recorded = mock.calls.calls(limit=mock.calls.keep)
        return verify(expectation, recorded, mock.state.catalog.base_paths)

    @router.get("/violations", summary="Contract violations of proxied exchanges, by operation")
    def violations() -> dict[str, Any]:
        """From the call log (every worker's exchanges, as many as it keeps), else this
        process's own."""
        if mock.proxy is None:
            return {"calls": 0, "violations": 0, "operations": [], "proxy": None}
        if mock.calls is None:
            return mock.proxy.tally.summary() | {"proxy": mock.proxy.upstream}
        logged = logged_violations(mock.calls.calls(limit=mock.calls.keep))
        return logged | {"proxy": mock.proxy.upstream}

    if editor is not None:
        add_edit_routes(router, editor, lambda: mock.state.machines.store.reset())
    add_state_routes(router, mock)
    add_machine_routes(router, mock)
    add_webhook_routes(router, mock)
    root.include_router(router)
    return root

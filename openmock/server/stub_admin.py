"""The admin API's paths that change stubs at runtime (docs/admin-api.md): add a stub or a
scenario, pick a default, change or delete, reset. Payload shapes come from edits.payload and
are published in /__openmock/openapi.json.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from openmock.describe import stub_json
from openmock.edits import (
    DEFAULT_SCHEMA,
    PATCH_SCHEMA,
    SCENARIO_SCHEMA,
    STUB_SCHEMA,
    Edit,
    Refused,
)
from openmock.problems import MEDIA_TYPE, Problem
from openmock.server.editing import Editor
from openmock.server.json_body import json_body

PAYLOAD = Depends(json_body)  # JSON whatever the Content-Type; documented by openapi_extra
FORCE = Query(False, description="keep a scenario body the operation's schema rejects")


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    """openapi_extra documenting a JSON request body of `schema`."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _submit(editor: Editor, edit: Edit, created: bool = False) -> Response:
    try:
        stub = editor.submit(edit)
    except Refused as refused:
        slug = refused.title.lower().replace(" ", "-")
        problem = Problem(refused.status, refused.title, refused.detail, slug, refused.errors)
        return Response(problem.body(), status_code=problem.status, media_type=MEDIA_TYPE)
    if stub is None:
        return JSONResponse({"deleted": edit.stub})
    return JSONResponse(stub_json(stub), status_code=201 if created else 200)


def add_edit_routes(
    router: APIRouter, editor: Editor, reset_progress: Callable[[], None] = lambda: None
) -> None:
    """The paths that change stubs, on `router` (which carries the admin token check);
    `reset_progress` also runs on a reset (the sequences and machines start over)."""

    @router.post(
        "/stubs",
        summary="Add a stub (on a spec operation's method and path: add its scenarios to it)",
        status_code=201,
        openapi_extra=_body(STUB_SCHEMA),
    )
    def add_stub(payload: Any = PAYLOAD, force: bool = FORCE) -> Response:
        return _submit(editor, Edit("add_stub", None, payload, force=force), created=True)

    @router.post(
        "/stubs/{stub_id:path}/scenarios",
        summary="Add a scenario to any stub",
        status_code=201,
        openapi_extra=_body(SCENARIO_SCHEMA),
    )
    def add_scenario(
        stub_id: str,
        payload: Any = PAYLOAD,
        force: bool = FORCE,
    ) -> Response:
        return _submit(editor, Edit("add_scenario", stub_id, payload, force=force), created=True)

    @router.put(
        "/stubs/{stub_id:path}/default",
        summary="Pick the stub's default scenario",
        openapi_extra=_body(DEFAULT_SCHEMA),
    )
    def set_default(stub_id: str, payload: Any = PAYLOAD) -> Response:
        return _submit(editor, Edit("set_default", stub_id, payload))

    @router.delete(
        "/stubs/{stub_id:path}/scenarios/{scenario_id}",
        summary="Delete a scenario added at runtime",
    )
    def delete_scenario(stub_id: str, scenario_id: str) -> Response:
        return _submit(editor, Edit("delete_scenario", stub_id, {}, scenario_id))

    @router.patch(
        "/stubs/{stub_id:path}",
        summary="Change a stub: body matching, summary, delay",
        openapi_extra=_body(PATCH_SCHEMA),
    )
    def patch_stub(stub_id: str, payload: Any = PAYLOAD) -> Response:
        return _submit(editor, Edit("patch_stub", stub_id, payload))

    @router.delete("/stubs/{stub_id:path}", summary="Delete a stub added at runtime")
    def delete_stub(stub_id: str) -> Response:
        return _submit(editor, Edit("delete_stub", stub_id, {}))

    @router.post(
        "/reset",
        summary="Drop every runtime change (the stubs as the spec has them); every sequence "
        "and state machine starts over",
    )
    def reset() -> dict[str, int]:
        reset_progress()
        return {"dropped": editor.reset()}

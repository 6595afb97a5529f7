"""The admin API's paths over sequences and state machines, per `X-Openmock-Session` (or
`?session=`):

    GET /__openmock/machines          every machine the scenarios name, and its state
    GET /__openmock/machines/{name}   one machine's state
    PUT /__openmock/machines/{name}   set it: {"state": "paid"}

`POST /__openmock/reset` puts every machine back to `Started` and every sequence to its first
step (with the runtime stub changes it drops).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response

from openmock.problems import MEDIA_TYPE, Problem
from openmock.server.json_body import json_body
from openmock.server.mock import MockApp

PAYLOAD = Depends(json_body)
SESSION = Query(None, description="the session whose machines to use; default: the header's")
HEADER = Header(None, alias="x-openmock-session")
STATE_SCHEMA = {
    "type": "object",
    "required": ["state"],
    "properties": {"state": {"type": "string", "minLength": 1}},
    "additionalProperties": False,
}


def add_machine_routes(router: APIRouter, mock: MockApp) -> None:
    def machines_of(session: str) -> dict[str, str]:
        state = mock.state
        return state.machines.machines(state.catalog, session)

    @router.get("/machines", summary="Every state machine and its state (per session)")
    def machines(session: str | None = SESSION, header: str | None = HEADER) -> dict[str, Any]:
        chosen = session if session is not None else header or ""
        return {"session": chosen, "machines": machines_of(chosen)}

    @router.get("/machines/{name}", summary="One state machine's state")
    def machine(
        name: str, session: str | None = SESSION, header: str | None = HEADER
    ) -> dict[str, Any]:
        chosen = session if session is not None else header or ""
        state = mock.state.machines.store.state(chosen, name)
        return {"session": chosen, "name": name, "state": state}

    @router.put(
        "/machines/{name}",
        summary="Set a state machine's state",
        openapi_extra={"requestBody": {"content": {"application/json": {"schema": STATE_SCHEMA}}}},
    )
    def set_machine(
        name: str,
        payload: Any = PAYLOAD,
        session: str | None = SESSION,
        header: str | None = HEADER,
    ) -> Any:
        chosen = session if session is not None else header or ""
        wanted = payload.get("state") if isinstance(payload, dict) else None
        if not isinstance(wanted, str) or not wanted or set(payload) != {"state"}:
            problem = Problem(
                422, "Invalid machine state", 'Send {"state": "NAME"}, a non-empty string.',
                "invalid-payload", ({"in": "body", "pointer": "/state", "message": "a string"},),
            )  # fmt: skip
            return Response(problem.body(), status_code=422, media_type=MEDIA_TYPE)
        mock.state.machines.store.set_state(chosen, name, wanted)
        return {"session": chosen, "name": name, "state": wanted}

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

from openmock.server.json_body import json_body
from openmock.server.mock import MockApp
from openmock.server.problems_out import problem_reply

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
    def chosen(session: str | None, header: str | None) -> str:
        """`?session=` wins over the X-Openmock-Session header; neither: the default ("")."""
        return session if session is not None else header or ""

    def machines_of(session: str) -> dict[str, str]:
        state = mock.state
        return state.machines.machines(state.catalog, session)

    @router.get("/machines", summary="Every state machine and its state (per session)")
    def machines(session: str | None = SESSION, header: str | None = HEADER) -> dict[str, Any]:
        which = chosen(session, header)
        return {"session": which, "machines": machines_of(which)}

    @router.get("/machines/{name}", summary="One state machine's state")
    def machine(
        name: str, session: str | None = SESSION, header: str | None = HEADER
    ) -> dict[str, Any]:
        which = chosen(session, header)
        return {
            "session": which,
            "name": name,
            "state": mock.state.machines.store.state(which, name),
        }

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
        which = chosen(session, header)
        wanted = payload.get("state") if isinstance(payload, dict) else None
        if not isinstance(wanted, str) or not wanted or set(payload) != {"state"}:
            error = {"in": "body", "pointer": "/state", "message": "a string"}
            said = 'Send {"state": "NAME"}, a non-empty string.'
            return problem_reply(422, "Invalid machine state", said, "invalid-payload", [error])
        mock.state.machines.store.set_state(which, name, wanted)
        return {"session": which, "name": name, "state": wanted}

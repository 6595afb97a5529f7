"""The admin API's paths for outbound calls:

    GET  /__openmock/webhooks         every webhook (3.1) and callback that can be fired
    POST /__openmock/webhooks/{name}  fire one at {"url": "http://..."} (and "body", if given)

A webhook is named as the document names it; an operation's callback as `OPERATION.CALLBACK`
(`createSubscription.onEvent`). The answer says what was sent and what came back; the call is
in the call log as an outbound call.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from openmock.model import Callback, Catalog
from openmock.server.json_body import json_body
from openmock.server.mock import MockApp
from openmock.server.outbound import is_http_url
from openmock.server.problems_out import problem_reply

PAYLOAD = Depends(json_body)
FIRE_SCHEMA = {
    "type": "object",
    "required": ["url"],
    "properties": {
        "url": {"type": "string", "description": "where to send it (http or https)"},
        "body": {"description": "sent in place of the spec's example or a generated body"},
    },
    "additionalProperties": False,
}


def fireable(catalog: Catalog) -> dict[str, tuple[str, Callback]]:
    """Every outbound call by its name: (the stub it belongs to, or "", and the callback)."""
    found: dict[str, tuple[str, Callback]] = {}
    for hook in catalog.webhooks:
        found.setdefault(hook.name, ("", hook))
    for stub in catalog.stubs:
        for callback in stub.callbacks:
            found.setdefault(f"{stub.id}.{callback.name}", (stub.id, callback))
    return found


def add_webhook_routes(router: APIRouter, mock: MockApp) -> None:
    @router.get("/webhooks", summary="The webhooks and callbacks that can be fired")
    def listed() -> list[dict[str, Any]]:
        return [
            {"name": name, "kind": "callback" if stub else "webhook", "method": hook.method,
             "url": hook.url or None, "operation": stub or None}
            for name, (stub, hook) in fireable(mock.state.catalog).items()
        ]  # fmt: skip

    @router.post(
        "/webhooks/{name:path}",
        summary="Fire a webhook or callback at a URL",
        openapi_extra={"requestBody": {"content": {"application/json": {"schema": FIRE_SCHEMA}}}},
    )
    async def fire(name: str, payload: Any = PAYLOAD) -> Any:
        known = fireable(mock.state.catalog)
        if name not in known:
            names = ", ".join(known) or "none in this spec"
            detail = f"No webhook or callback is called '{name}'; there are: {names}."
            return problem_reply(404, "No such webhook", detail, "no-webhook")
        if not isinstance(payload, dict) or not isinstance(payload.get("url"), str):
            detail = 'Send {"url": "http://...", "body": optional}.'
            return problem_reply(422, "Invalid webhook call", detail, "invalid-payload")
        if not is_http_url(payload["url"]):  # the caller's mistake, not a failed delivery
            detail = f"The url {payload['url']!r} is no http(s) URL; send one such as http://..."
            errors = [{"in": "body", "pointer": "/url", "message": "not an http(s) URL"}]
            return problem_reply(422, "Invalid webhook call", detail, "invalid-payload", errors)
        stub, hook = known[name]
        engine = mock.state.responder.engine
        fired = await mock.outbound.fire(stub, hook, payload["url"], engine, payload.get("body"))
        if fired.error is not None:
            detail = f"{hook.method} {fired.url}: {fired.error}."
            title = "The webhook could not be delivered"
            return problem_reply(502, title, detail, "webhook-failed")
        return fired.json()

"""The JSON body of an admin API request, read the same way by every path that takes one:
whatever its Content-Type says (`curl -d '{...}'` sends form-urlencoded), and refused with a
problem+json when it is not JSON."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from openmock.problems import MEDIA_TYPE, Problem


class UnreadableBody(Exception):
    """A request body that is not JSON."""


async def json_body(request: Request) -> Any:
    """FastAPI dependency: the request body parsed as JSON. Raises UnreadableBody."""
    raw = await request.body()
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise UnreadableBody(str(exc)) from None


def unreadable_body(_: Request, exc: Exception) -> Response:
    detail = f"The request body must be JSON ({exc}); the shapes are in /__openmock/openapi.json."
    problem = Problem(400, "Unreadable request", detail, "bad-admin-request")
    return Response(problem.body(), status_code=400, media_type=MEDIA_TYPE)

"""Errors the mock itself produces, as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

PROBLEM_TYPE_BASE = "https://openmock.dev/problems/"
MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class Problem:
    status: int
    title: str
    detail: str
    slug: str  # the last part of `type`
    errors: tuple[dict[str, Any], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    headers: tuple[tuple[str, str], ...] = ()

    def body(self) -> bytes:
        payload: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            payload["errors"] = list(self.errors)
        payload.update(self.extra)
        return orjson.dumps(payload)


def not_found(path: str, closest: tuple[str, ...]) -> Problem:
    hint = f" Closest paths in the spec: {', '.join(closest)}." if closest else ""
    return Problem(
        404,
        "No operation matches this path",
        f"No path in the spec matches '{path}'.{hint}",
        "not-found",
        extra={"closest": list(closest)},
    )


def method_not_allowed(method: str, template: str, allowed: tuple[str, ...]) -> Problem:
    return Problem(
        405,
        "Method not allowed",
        f"{template} has no {method} operation; it allows {', '.join(allowed)}.",
        "method-not-allowed",
        extra={"allowed": list(allowed)},
        headers=(("allow", ", ".join(allowed)),),
    )


def not_acceptable(accept: str, available: list[str]) -> Problem:
    return Problem(
        406,
        "Not acceptable",
        f"The response can be {', '.join(available)}; the request accepts only '{accept}'.",
        "not-acceptable",
        errors=(
            {"in": "header", "name": "Accept", "message": f"none of {available} is acceptable"},
        ),
        extra={"available": available},
    )


def import_failed(stub_id: str, reason: str) -> Problem:
    return Problem(
        500,
        "Operation could not be imported",
        f"Operation '{stub_id}' could not be imported from the spec: {reason}",
        "import-error",
    )


def payload_too_large(limit: int) -> Problem:
    return Problem(
        413,
        "Request body too large",
        f"The request body is over openmock's limit of {limit // (1024 * 1024)} MB.",
        "payload-too-large",
        errors=({"in": "body", "pointer": "", "message": f"over {limit} bytes"},),
    )


def no_such_scenario(stub_id: str, asked: str, available: list[dict[str, Any]]) -> Problem:
    listed = ", ".join(f"{a['id']} ({a['status']})" for a in available)
    return Problem(
        404,
        "No such scenario",
        f"'{stub_id}' has no scenario for {asked}. It has: {listed}. Ask with Prefer: code=N "
        "and/or example=ID (or x-mock-response-code / x-mock-response-name).",
        "no-such-scenario",
        errors=({"in": "header", "name": "Prefer", "message": f"nothing matches {asked}"},),
        extra={"scenarios": available},
    )


def bad_controls(problems: tuple[str, ...]) -> Problem:
    return Problem(
        400,
        "Unreadable control header",
        "; ".join(problems) + ". Fix the header or leave it out.",
        "bad-control-header",
        errors=tuple(
            {"in": "header", "name": p.split(" ")[0].rstrip(":"), "message": p} for p in problems
        ),
    )


def invalid_request(
    status: int,
    title: str,
    detail: str,
    errors: tuple[dict[str, Any], ...],
    challenges: tuple[str, ...] = (),
) -> Problem:
    """A request that failed validation, when the operation documents no response for it.
    A 401 carries a WWW-Authenticate challenge per security scheme the operation accepts."""
    slugs = {401: "unauthorized", 415: "unsupported-media-type", 422: "invalid-body"}
    return Problem(
        status,
        title,
        detail + " Fix the request, or send `Prefer: validate=false` to skip validation.",
        slugs.get(status, "invalid-request"),
        errors=errors,
        headers=tuple(("www-authenticate", c) for c in challenges),
    )


def generation_failed(stub_id: str, scenario_id: str, reason: str) -> Problem:
    return Problem(
        500,
        "No valid response could be generated",
        f"Scenario '{scenario_id}' of '{stub_id}' has a schema no generated value satisfies: "
        f"{reason}. Add an example to the response, or fix the schema.",
        "generation-failed",
    )


def template_failed(stub_id: str, scenario_id: str, pointer: str, reason: str) -> Problem:
    return Problem(
        500,
        "The response template cannot be filled in",
        f"Scenario '{scenario_id}' of '{stub_id}' has a template at {pointer} that cannot be "
        f"used: {reason}. Fix the template (`openmock check SPEC` lists every one).",
        "template-failed",
        extra={"pointer": pointer},
    )


def rate_limited(limit: int, period: float, headers: dict[str, str]) -> Problem:
    per = {1.0: "second", 60.0: "minute", 3600.0: "hour"}.get(period, f"{period:g} s")
    return Problem(
        429,
        "Too many requests",
        f"This client sent more than {limit} requests a {per} (--rate-limit); retry after "
        f"{headers.get('retry-after', '1')} s. Clients are told apart by X-Openmock-Session, "
        "else by their address.",
        "rate-limited",
        headers=tuple(headers.items()),
    )


def internal_error(call_id: str, error: str) -> Problem:
    return Problem(
        500,
        "Internal error in openmock",
        f"openmock failed while answering this request ({error}). It keeps serving; the call "
        f"id is {call_id}.",
        "internal-error",
        extra={"call_id": call_id},
    )


def not_found_item(where: str) -> Problem:
    return Problem(
        404,
        "Not found",
        f"{where}: no such item in the mock's state (create it first, or list the collection "
        "to see which ids exist).",
        "item-not-found",
    )


def conflict(where: str) -> Problem:
    return Problem(
        409,
        "Conflict",
        f"{where}: an item with this id exists; choose another id, or PUT to replace it.",
        "conflict",
    )


def insufficient_storage(resource: str) -> Problem:
    return Problem(
        507,
        "The mock's store is full",
        f"The collection {resource!r} holds as many items as the mock keeps; delete some, or "
        "reset the state (POST /__openmock/state/reset).",
        "store-full",
    )


def no_matching_scenario(stub_id: str, misses: list[dict[str, Any]]) -> Problem:
    """Strict matching (body matching asked for, or a scenario's own criteria) and nothing
    matched: the truth, not the default (Postman's behaviour)."""
    listed = "; ".join(f"{m['scenario']}: {m['differs']}" for m in misses) or "none"
    return Problem(
        404,
        "No scenario matches this request",
        f"'{stub_id}' answers only requests that match one of its scenarios, and this one "
        f"matches none ({listed}). Send what a scenario expects, or turn body matching off.",
        "no-matching-scenario",
        extra={"candidates": misses},
    )

"""The contract check of an exchange the mock did not answer itself (`--proxy`): which
operation a request reaches, what the request breaks, and what the upstream's answer breaks.
Pure functions of one `MockState`, as `pipeline.answer` is; the server does the network."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from openmock.mockstate import MockState
from openmock.model import Stub
from openmock.request import RequestParts, cookies_of, parse_parameters
from openmock.routing import MethodNotAllowed, NotFound
from openmock.validation.response import check_response
from openmock.validation.verdict import Violation


@dataclass(frozen=True)
class Reached:
    """The operation a proxied request reaches (None: the spec has no such operation) and
    what the request breaks of it."""

    stub: Stub | None
    violations: tuple[Violation, ...]
    path_values: Mapping[str, str] = field(default_factory=dict)  # as sent, by name


def check_request(
    state: MockState,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    body: bytes,
) -> Reached:
    route = state.table.match(method, path)
    if isinstance(route, NotFound):
        message = f"{method} {path} is not in the spec"
        return Reached(None, (Violation("parameter", "path", message),))
    if isinstance(route, MethodNotAllowed):
        message = f"{method} is not documented for {route.template} (documented: "
        message += ", ".join(route.allowed) + ")"
        return Reached(None, (Violation("parameter", "method", message),))
    stub = route.stub
    if not state.options.validate or stub.import_error is not None:
        return Reached(stub, (), route.path_params)
    query = parse_qsl(query_string, keep_blank_values=True)
    parts = RequestParts(route.path_params, query, headers, cookies_of(headers.get("cookie")))
    params = parse_parameters(stub.parameters, parts, state.index.deref)
    verdict, _ = state.validator.check(stub, params, parts, body, headers.get("content-type"))
    return Reached(stub, verdict.violations if verdict is not None else (), route.path_params)


def check_answer(
    state: MockState, stub: Stub, status: int, headers: Mapping[str, str], body: bytes | None
) -> tuple[Violation, ...]:
    """What an upstream's answer breaks of the operation's documented responses."""
    return tuple(check_response(stub, status, headers, body, state.index))


def request_violation(violation: Violation) -> Violation:
    """A request's violation as the proxy reports it (its location says it was the request)."""
    if violation.location.startswith("request"):
        return violation
    where = "request " + violation.location
    return Violation(violation.kind, where, violation.message, violation.name, violation.pointer)

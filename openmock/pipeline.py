"""The request pipeline, as plain function calls (Prism's route -> validate -> mock, with the
output validated where it is made):

    route -> controls -> validate -> state (--stateful) -> pick a scenario -> respond

`answer(state, request)` is the whole of it: a pure function of one immutable `MockState`
and one `Request`, so the ASGI adapter (server/mock.py) only turns a connection into a
`Request` and the `Answer` back into bytes. A reload or a runtime edit builds a new state and
swaps it in one assignment; requests in flight finish on the one they started with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple
from urllib.parse import parse_qsl

from openmock import cors
from openmock.answer import Answer, problem_answer
from openmock.matching import (
    Controls,
    PairedRequest,
    Selection,
    error_scenario,
    read_controls,
    select_scenario,
)
from openmock.mockstate import MockState
from openmock.model import Stub
from openmock.problems import (
    Problem,
    bad_controls,
    import_failed,
    invalid_request,
    method_not_allowed,
    not_found,
    payload_too_large,
    rate_limited,
)
from openmock.request import ParsedParameters, RequestParts, cookies_of, parse_parameters
from openmock.request.body import ParsedBody, parse_body
from openmock.respond import Generation
from openmock.respond.render import RequestData
from openmock.routing import MethodNotAllowed, NotFound
from openmock.state import SESSION_HEADER
from openmock.stateful import applies, state_answer
from openmock.validation import Verdict, Violation

VIOLATIONS_HEADER = "x-openmock-violations"
VIOLATIONS_CHARS = 600


class Request(NamedTuple):
    """One HTTP request as the pipeline reads it."""

    method: str  # upper case
    path: str  # as sent (percent-escapes kept), without the query
    query_string: str
    headers: Mapping[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes | None  # None: larger than the limit, left unread
    client: str = ""  # the client's address (what --rate-limit tells clients apart by)


def answer(state: MockState, request: Request) -> Answer:
    """The answer to `request`. Raises FallbackNeeded when a schema needs the slow search
    first (the caller runs it off the event loop and asks again)."""
    if request.body is None:
        return problem_answer(payload_too_large(state.options.max_body_bytes))
    method, path, headers = request.method, request.path, request.headers
    if method == "OPTIONS" and state.options.cors:
        preflight = _preflight(state, headers, path)
        if preflight is not None:
            return preflight
    # ROUTE
    route = state.table.match(method, path)
    if isinstance(route, NotFound):
        return problem_answer(not_found(path, route.closest))
    if isinstance(route, MethodNotAllowed):
        return problem_answer(method_not_allowed(method, route.template, route.allowed))
    stub = route.stub
    if stub.import_error is not None:
        return problem_answer(import_failed(stub.id, stub.import_error), stub.id, "import-error")
    query = parse_qsl(request.query_string, keep_blank_values=True)
    parts = RequestParts(route.path_params, query, headers, cookies_of(headers.get("cookie")))
    params = parse_parameters(stub.parameters, parts, state.index.deref)
    path_values = {name: value for (where, name), value in params.values.items() if where == "path"}
    # CONTROLS
    controls = read_controls(headers)
    if controls.problems:
        return problem_answer(bad_controls(controls.problems), stub.id)
    seed_key = "|".join((stub.id, method, path, "&".join(f"{k}={v}" for k, v in sorted(query))))
    # LIMITS (--rate-limit) and CHAOS (--chaos): failures before anything else is looked at
    limit = None
    if state.limiter is not None:
        limit = state.limiter.take(headers.get(SESSION_HEADER) or request.client)
        if not limit.allowed:
            gen = Generation(seed_key, path_values, controls.seed)
            return _failure(state, stub, 429, "rate limited", limit.headers(), headers, gen)
    if state.chaos is not None and (hit := state.chaos.pick(stub)) is not None:
        if hit.scenario is None:
            reset = Answer(503, [], b"", stub.id, reason=hit.reason, repeatable=False)
            reset.fault = "reset"
            return reset
        gen = Generation(seed_key, path_values, controls.seed)
        wait = {"retry-after": "1"} if hit.scenario.status == 429 else {}
        return _failure(state, stub, hit.scenario.status, hit.reason, wait, headers, gen)
    # VALIDATE
    parsed: ParsedBody | None = None
    if state.options.validate and controls.validate is not False:
        verdict, parsed = state.validator.check(
            stub, params, parts, request.body, headers.get("content-type")
        )
        if verdict is not None:
            data = _request_data(state, stub, request, parts, parsed, path_values)
            gen = Generation(seed_key, path_values, controls.seed, False, verdict, data)
            refused = _invalid(state, stub, verdict, headers, gen, controls.example)
            refused.delay = controls.delay or stub.delay
            return refused
    # STATE (--stateful): a stateful operation answers from the store unless asked otherwise
    warning = None
    if state.keeper is not None and (role := applies(state.keeper, stub, controls)):
        if parsed is None:
            parsed = parse_body(request.body, headers.get("content-type"))
        gen = Generation(seed_key, path_values, controls.seed, controls.dynamic is True)
        made = state_answer(
            state.keeper, state.responder, stub, role, path, headers, params, parsed, gen
        )
        if isinstance(made, Answer):
            made.delay = controls.delay or stub.delay
            made.repeatable = False  # the next request may find another state
            return made
        warning = made.warning
    # PICK (a sequence's step, the scenarios a state machine allows, pairing, the default)
    session = headers.get(SESSION_HEADER, "")
    candidates = state.pairings.get(stub.id, ())
    choice = None
    if stub.progresses and not controls.explicit:
        choice = state.machines.choose(stub, session)
        if choice.stub is not stub:
            allowed = {s.id for s in choice.stub.scenarios}
            candidates = tuple(c for c in candidates if c.scenario.id in allowed)
    if choice is not None and choice.forced is not None:
        selection: Selection | Problem = Selection(
            choice.forced, choice.reason, choice.forced.status
        )
    else:
        paired = None
        if candidates:  # only then is the body worth reading (if validation has not)
            if parsed is None:
                parsed = parse_body(request.body, headers.get("content-type"))
            paired = _paired(state, stub, controls, params, parts, parsed)
        chosen_from = choice.stub if choice is not None else stub
        selection = select_scenario(chosen_from, controls, paired, candidates)
    if isinstance(selection, Problem):
        return problem_answer(selection, stub.id)
    if stub.progresses:
        moved = state.machines.answered(selection.scenario, session)
        said = choice.reason if choice is not None and choice.forced is None else ""
        told = "; ".join(r for r in (said, moved) if r)
        if told:
            selection = selection._replace(reason=f"{selection.reason}; {told}")
    # RESPOND
    gen = Generation(
        f"{seed_key}|{selection.scenario.id}",
        path_values,
        controls.seed,
        controls.dynamic is True,
        request=_request_data(state, stub, request, parts, parsed, path_values),
    )
    made = _respond(state, stub, selection, headers, gen)
    made.delay = controls.delay or selection.scenario.delay or stub.delay
    made.repeatable = made.repeatable and not (
        gen.dynamic or state.options.dynamic or stub.progresses
    )
    if warning is not None:  # the state step declined: say why
        made.headers.append(("x-openmock-warning", warning))
        made.repeatable = False
    if limit is not None:  # documented RateLimit-* headers tell the truth
        _override(made, limit.headers(), only_documented=True)
        made.repeatable = False
    fault = controls.fault or selection.scenario.fault
    if fault is not None:
        made.fault, made.repeatable = fault, False
        made.reason = f"{made.reason}; fault: {fault}"
    return made


def _failure(
    state: MockState,
    stub: Stub,
    status: int,
    reason: str,
    told: dict[str, str],
    headers: Mapping[str, str],
    gen: Generation,
) -> Answer:
    """A failure answered as the operation documents it (its scenario for `status`, the
    headers `told` set), else as a problem (a 429 for the rate limit)."""
    documented = next((s for s in stub.scenarios if s.status == status), None)
    if documented is None:
        limit = state.options.rate_limit or (0, 1.0)
        made = problem_answer(rate_limited(limit[0], limit[1], told), stub.id, reason=reason)
    else:
        made = _respond(state, stub, Selection(documented, reason, status), headers, gen)
        _override(made, told, only_documented=False)
    made.repeatable = False
    return made


def _override(made: Answer, values: dict[str, str], only_documented: bool) -> None:
    """`made` with these header values: in place of the ones it has (generated from the spec)
    and, unless `only_documented`, added where it has none."""
    names = {name for name, _ in made.headers}
    made.headers[:] = [(n, values.get(n, v)) for n, v in made.headers]
    if not only_documented:
        for name in ("retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
            if name in values and name not in names:
                made.headers.append((name, values[name]))


def _request_data(
    state: MockState,
    stub: Stub,
    request: Request,
    parts: RequestParts,
    parsed: ParsedBody | None,
    path_values: dict[str, object],
) -> RequestData:
    """What a template may read of this request: its body is read, and the stored data
    looked up, only if one asks."""
    raw = request.body or b""
    content_type = request.headers.get("content-type")

    def body() -> object:
        read = parsed if parsed is not None else parse_body(raw, content_type)
        return read.value if read.parsed else None

    looked_up = None
    keeper = state.keeper
    if keeper is not None:
        session = request.headers.get(SESSION_HEADER, "")

        def looked_up() -> tuple[object, int | None]:
            return keeper.view(stub.path, path_values, session)

    query = f"?{request.query_string}" if request.query_string else ""
    return RequestData(
        request.method, request.path + query, parts.path, parts.query, parts.headers,
        parts.cookies, body, looked_up,
    )  # fmt: skip


def _paired(
    state: MockState,
    stub: Stub,
    controls: Controls,
    params: ParsedParameters,
    parts: RequestParts,
    parsed: ParsedBody,
) -> PairedRequest:
    """What request pairing scores the scenarios' request examples against."""
    by_default = state.options.match_body or stub.match_body
    match_body = controls.match_body if controls.match_body is not None else by_default
    return PairedRequest(
        params.values,
        parsed.value,
        parsed.parsed,
        match_body,
        raw={
            "path": parts.path,
            "query": dict(parts.query),
            "headers": parts.headers,
            "cookies": parts.cookies,
        },
        match_headers=controls.match_headers,
    )


def _preflight(state: MockState, headers: Mapping[str, str], path: str) -> Answer | None:
    """A CORS preflight, answered by the mock (None: not one): the methods the spec has at
    the path, and the one asked for even where the spec has none (an unknown path, an
    undocumented method), so that the browser sends the request and the page sees the real
    404 or 405 problem instead of a failed fetch."""
    if not cors.is_preflight(headers):
        return None
    asked = headers["access-control-request-method"].strip().upper()
    allowed = tuple(sorted({*state.table.methods_at(path), asked}))
    return Answer(
        204, cors.preflight_headers(headers, allowed), b"", reason="cors preflight", source="cors"
    )


def _invalid(
    state: MockState,
    stub: Stub,
    verdict: Verdict,
    headers: Mapping[str, str],
    gen: Generation,
    example: str | None = None,
) -> Answer:
    """A request that failed validation: the operation's own response for that status
    (Prism's behaviour; the example the client asked for, where it names one of that
    response's), else a problem+json listing every violation."""
    selection = error_scenario(stub, verdict.status, example)
    problem = invalid_request(
        verdict.status, verdict.title, verdict.detail, verdict.errors(), verdict.challenges
    )
    if selection is None:
        refused = problem_answer(problem, stub.id, reason="invalid request")
    else:
        gen = gen._replace(key=f"{gen.key}|{selection.scenario.id}")
        refused = _respond(state, stub, selection, headers, gen, instead=problem)
        refused.errors = verdict.errors()
        if verdict.status == 401 and not refused.has_header("www-authenticate"):
            refused.headers.extend(("www-authenticate", c) for c in verdict.challenges)
    refused.headers.append((VIOLATIONS_HEADER, violations_header(verdict.violations)))
    return refused


def violations_header(violations: Sequence[Violation]) -> str:
    """`X-Openmock-Violations` (as Prism's `sl-violations`): how many, and the first ones, on
    every answer to an invalid request, so a client sees what was wrong even when the spec's
    own error response is served. One line, at most VIOLATIONS_CHARS."""
    count = len(violations)
    first = "; ".join(v.sentence() for v in violations[:3])
    text = f"{count} violation{'s' if count != 1 else ''}: {first}"
    text = " ".join(text.split())  # no line breaks from a message
    return text if len(text) <= VIOLATIONS_CHARS else text[: VIOLATIONS_CHARS - 3] + "..."


def _respond(
    state: MockState,
    stub: Stub,
    selection: Selection,
    headers: Mapping[str, str],
    gen: Generation,
    instead: Problem | None = None,
) -> Answer:
    """The selected scenario's response. When it cannot be made (no acceptable media
    type, a schema nothing satisfies), its problem; or `instead`, for an invalid request
    whose violations deserve an answer more than the spec's error response does."""
    scenario = selection.scenario
    result = state.responder.respond(stub, scenario, headers.get("accept"), gen, selection.status)
    if isinstance(result, Problem):
        if instead is None:
            return problem_answer(result, stub.id, scenario.id)
        warning = f"the spec's {selection.status} response could not be served: {result.title}"
        refused = problem_answer(instead, stub.id, reason="invalid request")
        refused.headers.append(("x-openmock-warning", warning))
        return refused
    headers_out = list(result.headers)
    if result.warning is not None:
        headers_out.append(("x-openmock-warning", result.warning))
    made = Answer(
        result.status,
        headers_out,
        result.body,
        stub.id,
        scenario.id,
        selection.reason,
        "example" if result.from_example else "generated",
        seed=gen.seed if gen.seed is not None else state.options.seed,
    )
    made.repeatable = not result.templated  # filled in from the request: not kept
    return made

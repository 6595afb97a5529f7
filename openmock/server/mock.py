"""The mock itself: an ASGI app that routes, picks, and responds from one immutable state.

The state (route table, responder) is replaced as a whole, never edited, so a reload or a
runtime edit is one atomic assignment and requests in flight finish on the version they
started with.
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

import anyio

from openmock.calllog import CallStore
from openmock.delays import Delay
from openmock.generate import FallbackNeeded, GenerationEngine
from openmock.matching import (
    Candidate,
    PairedRequest,
    Selection,
    candidates_of,
    error_scenario,
    read_controls,
    select_scenario,
)
from openmock.model import Catalog, Stub
from openmock.problems import (
    Problem,
    bad_controls,
    import_failed,
    internal_error,
    invalid_request,
    method_not_allowed,
    not_found,
    payload_too_large,
)
from openmock.respond import Generation, Responder
from openmock.routing import (
    MethodNotAllowed,
    NotFound,
    RequestParts,
    RouteTable,
    parse_parameters,
)
from openmock.routing.body import DEFAULT_MAX_BODY_BYTES, BodyTooLarge, ParsedBody, parse_body
from openmock.server import cors
from openmock.server.answer import Answer, AnswerMemo, problem_answer
from openmock.server.recording import NO_SECRETS, Recorder, Secrets, secrets_of
from openmock.spec.schemas import SchemaIndex
from openmock.validation import RequestValidator, Verdict

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("openmock")
FALLBACK_ROUNDS = 4  # schemas of one response that may each need the slow search once


@dataclass(frozen=True)
class MockOptions:
    """How the mock answers, as set on the command line or by create_app()."""

    seed: int = 0  # --seed: the same bodies across runs and machines
    dynamic: bool = False  # --dynamic: fresh generated data on every request
    locale: str = "en_US"  # --locale: Faker's locale for realistic values
    match_body: bool = False  # --match-body: the body filters paired examples, not just scores
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES  # larger request bodies get 413
    validate: bool = True  # --no-validate: requests are not checked against the spec
    cors: bool = True  # --no-cors: no CORS headers, preflights answered like any OPTIONS
    delay: Delay | None = None  # --delay: (min, max) milliseconds before every answer


@dataclass(frozen=True)
class MockState:
    catalog: Catalog
    table: RouteTable
    index: SchemaIndex
    responder: Responder
    validator: RequestValidator
    options: MockOptions
    pairings: Mapping[str, tuple[Candidate, ...]]  # stub id -> pairing candidates, made once
    secrets: Mapping[str, Secrets]  # stub id -> what the call log redacts, worked out once
    # Answers to repeated bodiless GETs, by the whole request (see MockApp._answer): this
    # version's, so an edit or reload starts afresh.
    memo: AnswerMemo = field(default_factory=lambda: AnswerMemo(), compare=False)

    @classmethod
    def build(
        cls, catalog: Catalog, index: SchemaIndex, options: MockOptions | None = None
    ) -> MockState:
        """Raises UnknownLocale for a locale Faker does not have."""
        options = options or MockOptions()
        table = RouteTable(catalog.stubs, catalog.base_paths)
        engine = GenerationEngine(index, options.seed, options.locale)
        responder = Responder(engine, index, options.dynamic)
        pairings = {stub.id: found for stub in catalog.stubs if (found := candidates_of(stub))}
        validator = RequestValidator(index)
        secrets = {stub.id: secrets_of(stub) for stub in catalog.stubs}
        return cls(catalog, table, index, responder, validator, options, pairings, secrets)

    def edited(self, catalog: Catalog) -> MockState:
        """This state serving `catalog`, a runtime change of its own catalog: the engine's
        compiled generators and the request validators are kept (a change never alters an
        operation's parameters or request body), the route table, pairings and serialised
        examples are made again."""
        table = RouteTable(catalog.stubs, catalog.base_paths)
        responder = Responder(self.responder.engine, self.index, self.options.dynamic)
        pairings = {stub.id: found for stub in catalog.stubs if (found := candidates_of(stub))}
        secrets = {stub.id: secrets_of(stub) for stub in catalog.stubs}
        return replace(
            self,
            catalog=catalog,
            table=table,
            responder=responder,
            pairings=pairings,
            secrets=secrets,
            memo=AnswerMemo(),
        )


def _cookies(header: str | None) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for part in (header or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            cookies[name] = value.strip('"')
    return cookies


class MockApp:
    def __init__(self, state: MockState, calls: CallStore | None = None) -> None:
        self.state = state
        self.calls = calls  # the call log; None: calls are not recorded
        self._recorder = None if calls is None else Recorder(calls)
        # Call ids: a random prefix per process (so several workers never collide) and a
        # counter; 0.17 us against uuid4's 1.5 us (timeit, here).
        self._id_prefix = os.urandom(4).hex()
        self._ids = itertools.count(1)
        self._delays = random.Random(state.options.seed)  # where in a MIN-MAX range to wait
        self._before: Callable[[], None] | None = None

    def swap(self, state: MockState) -> None:
        self.state = state

    def before_each(self, check: Callable[[], None]) -> None:
        """Run `check` before every request (a worker picking up another worker's runtime
        change); it may swap the state."""
        self._before = check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        call_id = f"{self._id_prefix}{next(self._ids):08x}"
        started = time.perf_counter()
        if self._before is not None:
            self._before()
        state = self.state  # one version for the whole request
        try:
            request_body = await _read_body(receive, state.options.max_body_bytes)
        except BodyTooLarge:
            request_body = None
        try:
            answer = await self._answer(state, scope, request_body)
        except Exception as exc:  # never let one request take the server down
            log.error("call %s failed:\n%s", call_id, traceback.format_exc())
            answer = problem_answer(internal_error(call_id, type(exc).__name__))
        if state.options.cors:
            origin = next((v for k, v in scope.get("headers", []) if k == b"origin"), None)
            if origin is not None and not answer.has_header("access-control-allow-origin"):
                sent = [k for k, _ in answer.headers]
                sent += ["x-openmock-stub", "x-openmock-scenario", "x-openmock-reason"]
                answer.headers.extend(cors.response_headers(origin.decode("latin-1"), sent))
        delay = answer.delay or state.options.delay
        if delay is not None and delay[1] > 0:  # asleep without blocking other requests
            await anyio.sleep(self._delays.uniform(*delay) / 1000)
        raw_headers = [
            (b"content-length", str(len(answer.body)).encode()),
            (b"x-openmock-call-id", call_id.encode()),
        ]
        if answer.stub:
            raw_headers.append((b"x-openmock-stub", _latin1(answer.stub)))
            raw_headers.append((b"x-openmock-scenario", _latin1(answer.scenario)))
        if answer.reason:
            raw_headers.append((b"x-openmock-reason", _latin1(answer.reason)))
        raw_headers.extend((k.encode("latin-1", "replace"), _latin1(v)) for k, v in answer.headers)
        await send({"type": "http.response.start", "status": answer.status, "headers": raw_headers})
        send_body = answer.body if scope["method"] != "HEAD" else b""
        await send({"type": "http.response.body", "body": send_body})
        if self._recorder is not None:  # queued: the call log's writer thread stores it
            duration = (time.perf_counter() - started) * 1000
            secrets = state.secrets.get(answer.stub, NO_SECRETS)
            self._recorder.record(call_id, scope, request_body, answer, secrets, duration)

    async def _answer(self, state: MockState, scope: Scope, request_body: bytes | None) -> Answer:
        """The answer to this request. A bodiless GET or HEAD the mock has answered before
        (the same path, query and headers, byte for byte) gets a copy of the same answer:
        routing, validation, pairing and responding are pure functions of the request, so
        only answers with fresh data (`--dynamic`, `Prefer: dynamic=true`) are made again."""
        key = None
        if not request_body and scope["method"] in ("GET", "HEAD"):
            path = scope.get("raw_path") or scope["path"]
            headers = tuple(scope.get("headers", ()))
            key = (scope["method"], path, scope.get("query_string", b""), headers)
            found = state.memo.get(key)
            if found is not None:
                return found
        for _ in range(FALLBACK_ROUNDS):
            try:
                answer = self._handle(state, scope, request_body)
                break
            except FallbackNeeded as need:
                # seconds of hypothesis search: in a worker thread, never on the loop
                await anyio.to_thread.run_sync(need.run)
        else:
            raise RuntimeError("a response needed the search fallback too many times")
        if key is not None and answer.repeatable and not state.options.dynamic:
            state.memo.put(key, answer)
        return answer

    def _handle(self, state: MockState, scope: Scope, request_body: bytes | None) -> Answer:
        method: str = scope["method"]
        if request_body is None:
            return problem_answer(payload_too_large(state.options.max_body_bytes))
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        path = path.split("?", 1)[0] or "/"
        if method == "OPTIONS" and state.options.cors:
            preflight = self._preflight(state, scope, path)
            if preflight is not None:
                return preflight
        route = state.table.match(method, path)
        if isinstance(route, NotFound):
            return problem_answer(not_found(path, route.closest))
        if isinstance(route, MethodNotAllowed):
            return problem_answer(method_not_allowed(method, route.template, route.allowed))
        stub = route.stub
        if stub.import_error is not None:
            return problem_answer(
                import_failed(stub.id, stub.import_error), stub.id, "import-error"
            )
        headers = _headers(scope)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        parts = RequestParts(route.path_params, query, headers, _cookies(headers.get("cookie")))
        params = parse_parameters(stub.parameters, parts, state.index.deref)
        path_values = {
            name: value for (where, name), value in params.values.items() if where == "path"
        }
        controls = read_controls(headers)
        if controls.problems:
            return problem_answer(bad_controls(controls.problems), stub.id)
        seed_key = "|".join((stub.id, method, path, "&".join(f"{k}={v}" for k, v in sorted(query))))
        parsed: ParsedBody | None = None
        if state.options.validate and controls.validate is not False:
            verdict, parsed = state.validator.check(
                stub, params, parts, request_body, headers.get("content-type")
            )
            if verdict is not None:
                gen = Generation(seed_key, path_values, controls.seed, False, verdict)
                answer = self._invalid(state, stub, verdict, headers, gen)
                answer.delay = controls.delay or stub.delay
                return answer
        candidates = state.pairings.get(stub.id, ())
        paired = None
        if candidates:  # only then is the body worth reading (if validation has not)
            if parsed is None:
                parsed = parse_body(request_body, headers.get("content-type"))
            asked = headers.get("x-mock-match-request-body", "").strip().lower()
            by_default = state.options.match_body or stub.match_body
            match_body = asked == "true" or (by_default and asked != "false")
            listed = headers.get("x-mock-match-request-headers", "")
            paired = PairedRequest(
                params.values,
                parsed.value,
                parsed.parsed,
                match_body,
                raw={
                    "path": parts.path,
                    "query": dict(query),
                    "headers": headers,
                    "cookies": parts.cookies,
                },
                match_headers=frozenset(h.strip().lower() for h in listed.split(",") if h.strip()),
            )
        selection = select_scenario(stub, controls, paired, candidates)
        if isinstance(selection, Problem):
            return problem_answer(selection, stub.id)
        gen = Generation(
            f"{seed_key}|{selection.scenario.id}",
            path_values,
            controls.seed,
            controls.dynamic is True,
        )
        answer = self._respond(state, stub, selection, headers, gen)
        answer.delay = controls.delay or selection.scenario.delay or stub.delay
        answer.repeatable = not (gen.dynamic or state.options.dynamic)
        return answer

    def _preflight(self, state: MockState, scope: Scope, path: str) -> Answer | None:
        """A CORS preflight for a mocked path, answered by the mock (None: not one)."""
        headers = _headers(scope)
        if not cors.is_preflight(headers):
            return None
        allowed = state.table.methods_at(path)
        if not allowed:
            return None  # an unknown path: the usual 404
        return Answer(
            204,
            cors.preflight_headers(headers, allowed),
            b"",
            reason="cors preflight",
            source="cors",
        )

    def _invalid(
        self,
        state: MockState,
        stub: Stub,
        verdict: Verdict,
        headers: Mapping[str, str],
        gen: Generation,
    ) -> Answer:
        """A request that failed validation: the operation's own response for that status
        (Prism's behaviour), else a problem+json listing every violation."""
        selection = error_scenario(stub, verdict.status)
        problem = invalid_request(
            verdict.status, verdict.title, verdict.detail, verdict.errors(), verdict.challenges
        )
        if selection is None:
            return problem_answer(problem, stub.id, reason="invalid request")
        gen = replace(gen, key=f"{gen.key}|{selection.scenario.id}")
        answer = self._respond(state, stub, selection, headers, gen, instead=problem)
        answer.errors = verdict.errors()
        if verdict.status == 401 and not answer.has_header("www-authenticate"):
            answer.headers.extend(("www-authenticate", c) for c in verdict.challenges)
        return answer

    def _respond(
        self,
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
        result = state.responder.respond(
            stub, scenario, headers.get("accept"), gen, selection.status
        )
        if isinstance(result, Problem):
            if instead is None:
                return problem_answer(result, stub.id, scenario.id)
            warning = f"the spec's {selection.status} response could not be served: {result.title}"
            answer = problem_answer(instead, stub.id, reason="invalid request")
            answer.headers.append(("x-openmock-warning", warning))
            return answer
        headers_out = list(result.headers)
        if result.warning is not None:
            headers_out.append(("x-openmock-warning", result.warning))
        return Answer(
            result.status,
            headers_out,
            result.body,
            stub.id,
            scenario.id,
            selection.reason,
            "example" if result.from_example else "generated",
            seed=gen.seed if gen.seed is not None else state.options.seed,
        )


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body; BodyTooLarge past `limit` bytes (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        name = key.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    return headers


def _latin1(text: str) -> bytes:
    return text.encode("latin-1", "replace")

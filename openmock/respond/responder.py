"""RESPOND: build the HTTP response (status, headers, bytes) from a chosen scenario.

Example bodies are serialised once and reused. Generated bodies are deterministic: the same
seed key (method, concrete path, query, scenario) gives the same bytes; a bounded cache keeps
the recent ones as final bytes (path ids echoed, serialised), so a repeated request does no
generation, validation or serialisation again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import random
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any, NamedTuple

import orjson

from openmock.generate import GenerationEngine, GenerationError, derive_seed
from openmock.mediatypes import is_json
from openmock.model import HeaderSpec, Representation, Scenario, Stub
from openmock.problems import Problem, generation_failed, not_acceptable, template_failed
from openmock.respond.fill import fill_problem
from openmock.respond.headers import KNOWN, plain_string
from openmock.respond.negotiate import Body, concrete, is_range, negotiate
from openmock.respond.render import Path, Renderer, RenderError, RequestData, Templated
from openmock.respond.serialise import header_text, serialise
from openmock.schema.index import SCHEMA_ERRORS, SchemaIndex, UnresolvedRef
from openmock.schema.merge import declared_properties
from openmock.template import Template, TemplateError, find_templates, parse_template
from openmock.validation.verdict import Verdict

GENERATED_CACHE_SIZE = 2048
NEGOTIATIONS_KEPT = 4096  # (scenario, Accept) pairs: far more than one client sends
# Headers the mock itself sets from the real body and connection, never from the spec.
TRANSPORT_HEADERS = frozenset(
    {"content-length", "content-type", "transfer-encoding", "connection", "keep-alive"}
)
log = logging.getLogger("openmock")


class Generation(NamedTuple):
    """How one request's generated data is seeded."""

    key: str  # method, concrete path, query, scenario: the same request, the same data
    path_params: dict[str, Any]
    seed: int | None = None  # `Prefer: seed=N`; None: the engine's seed
    dynamic: bool = False  # fresh data on every request
    verdict: Verdict | None = None  # a failed validation this (error) response reports
    request: RequestData | None = None  # what templates read (None: they find nothing)


class MockResponse(NamedTuple):
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    media_type: str | None
    from_example: bool
    warning: str | None = None  # e.g. the spec's example does not match its own schema
    templated: bool = False  # filled in from the request: the next one may differ


class Responder:
    """Owns the generation engine and the caches of serialised bodies."""

    def __init__(self, engine: GenerationEngine, index: SchemaIndex, dynamic: bool = False) -> None:
        self.engine = engine
        self.index = index
        self.dynamic = dynamic  # --dynamic: fresh data on every request
        self.renderer = Renderer(engine, index)
        # Example bodies as bytes, or as templates to fill in (with why they cannot be used).
        self._examples: dict[tuple[str, str, str], tuple[bytes | Templated, str | None]] = {}
        self._generated: OrderedDict[tuple[str, int | None], Any] = OrderedDict()  # final values
        self._fresh = itertools.count()
        # What a scenario answers a given Accept header with (the scenario kept with it, as
        # ids are reused once an object is gone); cleared when full.
        self._negotiated: dict[tuple[int, str | None], tuple[Scenario, Representation | None]]
        self._negotiated = {}

    def respond(
        self,
        stub: Stub,
        scenario: Scenario,
        accept: str | None,
        gen: Generation,
        status: int | None = None,
    ) -> MockResponse | Problem:
        """The response of `scenario` (with `status` when a control header asked for a code
        the spec covers with `4XX` or `default`). Raises FallbackNeeded when a schema needs
        the slow search first (the server runs it off the event loop and asks again)."""
        if gen.dynamic or self.dynamic:
            gen = gen._replace(key=f"{gen.key}|fresh{next(self._fresh)}", dynamic=True)
        try:
            headers = self._headers(scenario, gen)
        except GenerationError as exc:
            return generation_failed(stub.id, scenario.id, f"header: {exc}")
        except TemplateError as exc:
            return template_failed(stub.id, scenario.id, exc.pointer, exc.reason)
        templated = any(_templated_header(spec) for spec in scenario.headers)
        status = status or scenario.status
        if not scenario.has_body:
            from_example = scenario.source != "schema"
            return MockResponse(status, headers, b"", None, from_example, templated=templated)
        rep = self._negotiate(scenario, accept)
        if rep is None:
            available = [r.media_type for r in scenario.representations]
            return not_acceptable(accept or "", available)
        warning = None
        # Fresh data (--dynamic, `Prefer: dynamic=true`) is generated from the schema even
        # where the scenario has an example, as Prism's -d does.
        from_example = rep.example is not None and not (gen.dynamic and rep.schema is not None)
        try:
            if from_example:
                made, warning = self._example(stub, scenario, rep)
                if isinstance(made, Templated):
                    templated = True
                    made, warning = self._filled(made, rep, gen)
                body = made
            else:
                body = self._generated_body(rep, gen, status)
        except GenerationError as exc:
            return generation_failed(stub.id, scenario.id, str(exc))
        except TemplateError as exc:
            return template_failed(stub.id, scenario.id, exc.pointer, exc.reason)
        headers.append(("content-type", rep.media_type))
        return MockResponse(status, headers, body, rep.media_type, from_example, warning, templated)

    def _filled(
        self, templated: Templated, rep: Representation, gen: Generation
    ) -> tuple[bytes, str | None]:
        """An example's templates filled in for this request, checked against its schema
        (served as filled in, with a warning when the schema rejects it, as examples are).
        Raises TemplateError (with the example's pointer) when it cannot be filled in."""
        seed = gen.seed if gen.seed is not None else self.engine.seed
        try:
            value = self.renderer.render(templated, rep.schema, gen.request, gen.key, seed)
        except RenderError as exc:
            pointer = rep.example.pointer if rep.example is not None else ""
            raise TemplateError(str(exc), pointer) from None
        warning = None
        if rep.schema is not None and is_json(rep.media_type):
            _, warning = self._checked_example(value, rep.schema, "(filled in)")
        return serialise(value, rep.media_type, rep.schema, self._target), warning

    def respond_value(
        self,
        stub: Stub,
        scenario: Scenario,
        accept: str | None,
        gen: Generation,
        value: Any,
        headers_set: dict[str, str],
        valid_for: Callable[[Any], bool] = lambda schema: False,
    ) -> MockResponse | Problem | str:
        """`scenario`'s response with `value` as its body (stored data, not an example nor
        generated) and `headers_set` in place of documented values of those headers (lower
        case names). A string says why `value` cannot be served: the negotiated media type's
        schema rejects it. `valid_for(schema)`: the caller knows `value` fits that schema
        already (it was checked on its way in), so it is not checked again."""
        try:
            headers = self._headers(scenario, gen, headers_set)
        except GenerationError as exc:
            return generation_failed(stub.id, scenario.id, f"header: {exc}")
        if not scenario.has_body:
            return MockResponse(scenario.status, headers, b"", None, False)
        rep = self._negotiate(scenario, accept)
        if rep is None:
            available = [r.media_type for r in scenario.representations]
            return not_acceptable(accept or "", available)
        schema = rep.schema
        if schema is not None and not (
            valid_for(schema) or self.index.is_valid(schema, value, "response")
        ):
            where = f"{scenario.status} {rep.media_type}"
            return f"the stored data does not fit the {where} response schema"
        body = serialise(value, rep.media_type, schema, self._target)
        headers.append(("content-type", rep.media_type))
        return MockResponse(scenario.status, headers, body, rep.media_type, False)

    def _target(self, schema: Any) -> Any:
        try:
            return self.index.deref(schema)
        except UnresolvedRef:
            return None

    def _negotiate(self, scenario: Scenario, accept: str | None) -> Representation | None:
        """The representation to answer with; one documented as a range (`*/*`) gets the
        concrete media type it is sent as (never `Content-Type: */*`)."""
        key = (id(scenario), accept)
        found = self._negotiated.get(key)
        if found is not None and found[0] is scenario:
            return found[1]
        if len(self._negotiated) >= NEGOTIATIONS_KEPT:
            self._negotiated.clear()
        rep = self._negotiated_anew(scenario, accept)
        self._negotiated[key] = (scenario, rep)
        return rep

    def _negotiated_anew(self, scenario: Scenario, accept: str | None) -> Representation | None:
        rep = negotiate(scenario.representations, accept)
        if rep is None or not is_range(rep.media_type):
            return rep
        return replace(rep, media_type=concrete(rep.media_type, accept, self._body_of(rep)))

    def _body_of(self, rep: Representation) -> Body:
        try:
            schema = self.index.deref(rep.schema) if rep.schema is not None else None
        except UnresolvedRef:
            schema = None
        if rep.example is not None:
            value = rep.example.value
            return "text" if isinstance(value, str) else "structured"
        if not isinstance(schema, dict):
            return "structured"
        if schema.get("type") == "string":
            binary = schema.get("format") in ("binary", "byte") or "contentMediaType" in schema
            return "binary" if binary else "text"
        return "structured"

    def _headers(
        self, scenario: Scenario, gen: Generation, fixed: dict[str, str] | None = None
    ) -> list[tuple[str, str]]:
        """The scenario's documented response headers (the server's transport headers left
        out: it frames the message, a documented value would lie); `fixed` values win."""
        headers: list[tuple[str, str]] = []
        for spec in scenario.headers:
            name = spec.name.lower()
            if name in TRANSPORT_HEADERS:
                continue
            if fixed and name in fixed:
                headers.append((name, fixed[name]))
                continue
            value = self._header_value(spec, gen, f"header|{spec.name}")
            if value is not None:
                headers.append((name, header_text(value)))
        return headers

    def _header_value(self, spec: HeaderSpec, gen: Generation, part: str) -> Any:
        if spec.example is not None:
            value = spec.example.value
            if isinstance(value, str) and "{{" in value:
                try:
                    template = parse_template(value)
                except TemplateError as exc:
                    raise exc.at(spec.example.pointer) from None
                if template is not None:
                    seed = gen.seed if gen.seed is not None else self.engine.seed
                    return self.renderer.render_text(
                        template, gen.request, f"{gen.key}|{part}", seed
                    )
            return value
        schema = spec.schema
        if schema is None:
            return None
        known = KNOWN.get(spec.name.lower())

        def make(key: str) -> Any:
            if known is not None and plain_string(self._target(schema)):
                value = known(random.Random(derive_seed(gen.seed or 0, key, "header")))
                if self.index.is_valid(schema, value, "response"):
                    return value
            return self.engine.value(schema, key, seed=gen.seed, blocking=False)

        return self._cached(gen, part, make)

    def _cached(self, gen: Generation, part: str, make: Callable[[str], Any]) -> Any:
        """`make(key)` for this request's `part` (a header, a body), kept in a bounded LRU
        unless the data is to be fresh. What is kept is final (echoed, serialised), so a
        repeated request does no work again."""
        key = f"{gen.key}|{part}"
        if gen.dynamic:
            return make(key)
        cache = self._generated
        slot = (key, gen.seed)
        if slot in cache:
            cache.move_to_end(slot)
            return cache[slot]
        value = cache[slot] = make(key)
        if len(cache) > GENERATED_CACHE_SIZE:
            cache.popitem(last=False)
        return value

    def _example(
        self, stub: Stub, scenario: Scenario, rep: Representation
    ) -> tuple[bytes | Templated, str | None]:
        """The example's bytes, serialised once, and a warning when its schema rejects it;
        an example with templates comes back as such, to be filled in per request (raises
        TemplateError, with the pointer, for a template that cannot be read).

        The author's example is served as written (that is what they asked for), except a
        JSON document written as a string (`value: "[{...}]"`) where the schema wants the
        document itself: that string is parsed."""
        key = (stub.id, scenario.id, rep.media_type)
        cached = self._examples.get(key)
        if cached is None:
            assert rep.example is not None
            value, warning = rep.example.value, None
            templates = _templates_of(value, rep.example.pointer)
            if templates:
                self._examples[key] = cached = (Templated(value, templates), None)
                return cached
            if rep.schema is not None and is_json(rep.media_type):
                value, warning = self._checked_example(value, rep.schema, rep.example.pointer)
            if warning is not None:
                log.warning("%s, scenario %s: %s", stub.id, scenario.id, warning)
            cached = (serialise(value, rep.media_type, rep.schema, self._target), warning)
            self._examples[key] = cached
        return cached

    def _checked_example(self, value: Any, schema: Any, pointer: str) -> tuple[Any, str | None]:
        validator = self.index.validator(schema, "response")
        try:
            error = next(iter(validator.iter_errors(value)), None)
        except SCHEMA_ERRORS as exc:  # a schema the validator cannot run
            return value, f"example at {pointer} could not be checked: {exc}"
        if error is None:
            return value, None
        if isinstance(value, str):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if parsed is not None and self.index.is_valid(schema, parsed, "response"):
                return parsed, None
        where = "/".join(str(p) for p in error.absolute_path)
        return value, (
            f"the example at {pointer} does not match its schema: {error.message[:200]}"
            + (f" (at /{where})" if where else "")
        )

    def _generated_body(self, rep: Representation, gen: Generation, status: int) -> bytes:
        schema = rep.schema
        if schema is None:
            return b"" if not is_json(rep.media_type) else b"{}"
        verdict = gen.verdict

        def make(key: str) -> bytes:
            value = self.engine.value(schema, key, seed=gen.seed, blocking=False)
            if gen.path_params and isinstance(value, dict):
                value = self._echo(value, schema, gen.path_params)
            if status >= 400:  # an error body that agrees with its status line
                value = fill_problem(
                    value, verdict, status, lambda v: self.index.is_valid(schema, v, "response")
                )
            return serialise(value, rep.media_type, schema, self._target)

        part = rep.media_type
        if status >= 400:
            part = f"{part}|{status}"
        if verdict is not None:
            told = orjson.dumps([status, verdict.errors()])
            part = f"{part}|invalid|{hashlib.sha256(told).hexdigest()[:16]}"
        body: bytes = self._cached(gen, part, make)
        return body

    def _echo(
        self, value: dict[str, Any], schema: Any, path_params: dict[str, Any]
    ) -> dict[str, Any]:
        """GET /pets/42 -> {"id": 42, ...}: path parameters echoed into the same-named
        top-level property (the last one, `petId`, also into `id` when the body has no
        `petId`), when the result is still valid for the schema."""
        try:
            declared = declared_properties(self.index, schema)
        except UnresolvedRef:
            return value
        echoed = dict(value)
        names = list(path_params)
        for position, name in enumerate(names):
            targets = [name]
            last = position == len(names) - 1
            if last and name != "id" and name.lower().endswith("id") and name not in declared:
                targets.append("id")
            for target in targets:
                if target in declared or target in echoed:
                    echoed[target] = path_params[name]
                    break
        if echoed != value and self.index.is_valid(schema, echoed, "response"):
            return echoed
        return value


def _templates_of(value: Any, pointer: str) -> tuple[tuple[Path, Template], ...]:
    """The templates in an example (raises TemplateError naming the example's pointer)."""
    try:
        return tuple(find_templates(value))
    except TemplateError as exc:
        raise exc.at(pointer) from None


def _templated_header(spec: HeaderSpec) -> bool:
    value = spec.example.value if spec.example is not None else None
    return isinstance(value, str) and "{{" in value

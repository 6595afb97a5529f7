"""The mock's model: stubs (operations) and their scenarios (possible answers).

Plain frozen dataclasses with no web framework in them. Schemas are JSON values in the
internal dialect (see spec/convert.py) whose `$ref`s point into `Catalog.spec.document`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from openmock.delays import Delay
from openmock.spec import Spec, SpecProblem

# openmock's own paths (the admin API, the inspector); no stub may be served under it.
ADMIN_PREFIX = "/__openmock"

Location = Literal["path", "query", "header", "cookie"]
ScenarioSource = Literal["examples", "example", "schema", "empty", "error", "runtime"]
Origin = Literal["spec", "runtime"]  # where a stub comes from: the spec, or the admin API
JSONSchema = Mapping[str, Any] | bool


@dataclass(frozen=True)
class MatchRule:
    """Explicit criteria for a response example (`x-openmock-match`): every one listed must
    hold for a request to pair with it. Header names are lower case."""

    path: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, Any] = field(default_factory=dict)
    cookies: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None  # a value the body must equal, or an object whose fields it must have
    has_body: bool = False


@dataclass(frozen=True)
class StateRule:
    """A scenario's state machine (WireMock's scenarios): it answers only while `machine` is
    in `when_state` (when given), and moves it to `set_state` (when given) by answering."""

    machine: str = "default"
    when_state: str | None = None
    set_state: str | None = None


@dataclass(frozen=True)
class NamedValue:
    """A named example value and the JSON pointer where the spec wrote it."""

    name: str
    value: Any
    pointer: str
    match: MatchRule | None = None  # the example's `x-openmock-match`, if any
    delay: Delay | None = None  # the example's `x-openmock-delay`, if any
    state: StateRule | None = None  # the example's `x-openmock-when-state`... if any
    fault: str | None = None  # the example's `x-openmock-fault`, if any


@dataclass(frozen=True)
class Parameter:
    name: str
    location: Location
    required: bool
    schema: JSONSchema
    style: str
    explode: bool
    allow_reserved: bool = False
    content_type: str | None = None  # parameter described with `content` instead of `schema`
    examples: tuple[NamedValue, ...] = ()
    # False where the parameter says `allowEmptyValue: false` (Swagger 2's default, made
    # explicit by the converter): `?q=` is then refused.
    allow_empty: bool = True


@dataclass(frozen=True)
class MediaBody:
    """One media type of a request body."""

    media_type: str
    schema: JSONSchema | None
    examples: tuple[NamedValue, ...] = ()


@dataclass(frozen=True)
class RequestBody:
    required: bool
    content: tuple[MediaBody, ...]


@dataclass(frozen=True)
class HeaderSpec:
    """A documented response header."""

    name: str
    schema: JSONSchema | None
    required: bool
    example: NamedValue | None = None


@dataclass(frozen=True)
class Representation:
    """A scenario's body in one media type: a fixed example, or a schema to generate from."""

    media_type: str
    schema: JSONSchema | None
    example: NamedValue | None = None  # None: generate from `schema`

    @property
    def from_example(self) -> bool:
        return self.example is not None


@dataclass(frozen=True)
class Scenario:
    """One possible answer of a stub."""

    id: str  # unique within its stub; what control headers, logs and admin API use
    name: str  # the example key, "example", or the status key for schema-backed answers
    status: int
    status_key: str  # as the spec wrote it: "200", "2XX", "default"
    source: ScenarioSource
    representations: tuple[Representation, ...] = ()
    headers: tuple[HeaderSpec, ...] = ()
    description: str = ""
    match: MatchRule | None = None  # explicit pairing criteria (`x-openmock-match`)
    delay: Delay | None = None  # `x-openmock-delay` on the example
    # A state machine (WireMock's scenarios): answers only while `machine` is in `when_state`;
    # moves it to `set_state` when it answers (openmock/machines/).
    machine: str = "default"
    when_state: str | None = None
    set_state: str | None = None
    fault: str | None = None  # one of FAULTS: how this answer fails on the wire

    def covers(self, code: int) -> bool:
        """Whether this scenario's response key stands for status `code`: the same number,
        its range (`4XX` covers 404), or `default`."""
        key = self.status_key.upper()
        if key == str(code):
            return True
        if len(key) == 3 and key.endswith("XX"):
            return key[0] == str(code)[0]
        return key == "DEFAULT"

    @property
    def has_body(self) -> bool:
        return bool(self.representations) and self.status not in (204, 304) and self.status >= 200


@dataclass(frozen=True)
class SecurityScheme:
    """One credential a request must carry (a `components.securitySchemes` entry)."""

    name: str  # the key in components.securitySchemes
    kind: str  # apiKey | http | oauth2 | openIdConnect
    location: Location  # where the credential goes: apiKey's `in`, else "header"
    parameter: str  # the header, query or cookie name ("Authorization" for http/oauth2)
    scheme: str = ""  # the HTTP auth scheme, lower case: basic, bearer (oauth2 and OIDC too)


# Alternatives of a security requirement: any one of them (all of its schemes) lets a request
# in. No alternatives: no credentials needed.
Security = tuple[tuple[SecurityScheme, ...], ...]


@dataclass(frozen=True)
class Callback:
    """An outbound call the spec documents: an operation's callback (fired after the mock
    answers it) or a 3.1 webhook (fired from the admin API), with what it sends."""

    name: str  # the callback's (or webhook's) name
    url: str  # a runtime expression: "{$request.body#/callbackUrl}"; "" for a webhook
    method: str
    media_type: str | None = None
    schema: JSONSchema | None = None  # the request body's
    example: NamedValue | None = None
    delay: Delay | None = None  # `x-openmock-delay` on the callback operation
    pointer: str = ""


THEN = ("repeat-last", "cycle", "default")  # what a sequence does after its last step
# How an answer can fail on the wire, for testing a client's error handling: the connection
# reset, closed with no answer, the body cut off, the body dribbled slowly.
FAULTS = ("reset", "empty", "malformed", "slow-body")


@dataclass(frozen=True)
class Sequence:
    """A stub's scenarios answered in order, one per request (per session)."""

    steps: tuple[str, ...]  # scenario ids (or names)
    then: str = "repeat-last"  # repeat-last | cycle | default (the stub's default scenario)


@dataclass(frozen=True)
class Stub:
    """One operation: method + path template, what it accepts and how it may answer."""

    id: str  # operationId, or "METHOD /path" when there is none (or it is taken)
    method: str  # upper case
    path: str  # the template as the spec wrote it
    scenarios: tuple[Scenario, ...]
    default_scenario_id: str
    operation_id: str | None = None
    summary: str = ""
    parameters: tuple[Parameter, ...] = ()
    request_body: RequestBody | None = None
    pointer: str = ""  # JSON pointer of the operation in the document
    import_error: str | None = None  # set when the operation could not be imported
    security: Security = ()
    delay: Delay | None = None  # `x-openmock-delay` on the operation
    match_body: bool = False  # the request body filters paired scenarios (admin API's flag)
    origin: Origin = "spec"
    sequence: Sequence | None = None  # `x-openmock-sequence`, or the admin API's `sequence`
    callbacks: tuple[Callback, ...] = ()  # fired after the mock answers (2xx)

    @cached_property  # asked up to four times a request; a stub never changes
    def progresses(self) -> bool:
        """Whether its answers depend on what came before (a sequence or a state machine)."""
        return self.sequence is not None or any(
            s.when_state is not None or s.set_state is not None for s in self.scenarios
        )

    @property
    def default_scenario(self) -> Scenario:
        return self.scenario(self.default_scenario_id) or self.scenarios[0]

    def scenario(self, scenario_id: str) -> Scenario | None:
        for scenario in self.scenarios:
            if scenario.id == scenario_id:
                return scenario
        return None

    def named(self, wanted: str) -> Scenario | None:
        """The scenario with that id, else the first with that name."""
        found = self.scenario(wanted)
        return found or next((s for s in self.scenarios if s.name == wanted), None)


@dataclass(frozen=True)
class Mount:
    """One of several specs served together, and the path prefix it is served under."""

    name: str
    prefix: str  # "" for the root
    path: Path  # the spec file
    files: tuple[Path, ...] = ()  # the files it `$ref`s


@dataclass(frozen=True)
class Catalog:
    """Everything imported from one spec (or several, mounted under prefixes): the stubs and
    the base paths they are served under."""

    spec: Spec
    stubs: tuple[Stub, ...]
    base_paths: tuple[str, ...] = ()
    problems: tuple[SpecProblem, ...] = field(default=())  # import-time warnings
    mounts: tuple[Mount, ...] = ()  # several specs in one server: each one's prefix
    webhooks: tuple[Callback, ...] = ()  # a 3.1 document's webhooks, fired from the admin API

    def served_problems(self) -> list[SpecProblem]:
        """What is wrong with the spec(s) served: the loader's and the importer's problems
        (a mounted catalog carries every spec's warnings among its problems)."""
        return list(self.problems if self.mounts else (*self.spec.warnings, *self.problems))

    def stub(self, stub_id: str) -> Stub | None:
        for stub in self.stubs:
            if stub.id == stub_id:
                return stub
        return None

    def key(self) -> str:
        """What files kept beside the call log (runtime changes, stateful data) are filed
        under: the spec's resolved path (several specs served together: each one's name,
        prefix and path)."""
        if self.mounts:
            return " + ".join(f"{m.name}={m.prefix}:{m.path.resolve()}" for m in self.mounts)
        return str(Path(self.spec.path).resolve())

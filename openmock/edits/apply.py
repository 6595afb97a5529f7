"""Runtime changes to the catalog: add a stub or a scenario, pick a default, change a stub's
flags, delete what was added. Each change is a pure function from one catalog to the next, so
the same list of changes, replayed on a fresh import of the same spec (after a restart or an
edit of the spec file), gives the same stubs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from openmock.edits.payload import (
    DEFAULT_SCHEMA,
    PATCH_SCHEMA,
    SCENARIO_SCHEMA,
    STUB_SCHEMA,
    PayloadError,
    ScenarioPayload,
    check_shape,
    read_delay,
    read_scenario,
)
from openmock.importer.progress import BadProgress, read_sequence
from openmock.mediatypes import base_type, is_json
from openmock.model import Catalog, NamedValue, Representation, Scenario, Stub
from openmock.routing.table import route_key
from openmock.schema.index import SchemaIndex
from openmock.schema.pointers import escape_pointer_token, pointer_from_parts
from openmock.template import has_templates

EditKind = Literal[
    "add_stub", "add_scenario", "set_default", "patch_stub", "delete_stub", "delete_scenario"
]
RESERVED_PREFIX = "/__openmock"


@dataclass(frozen=True)
class Edit:
    """One change as the admin API received it; what the journal stores and replays."""

    kind: EditKind
    stub: str | None = None  # the stub it changes (None: add_stub)
    payload: Any = None
    scenario: str | None = None  # delete_scenario's scenario id
    force: bool = False  # keep a scenario body its operation's schema rejects


@dataclass(frozen=True)
class Refused(Exception):
    """A change that cannot be made: an HTTP status, a title, what to do, and where."""

    status: int
    title: str
    detail: str
    errors: tuple[dict[str, str], ...] = field(default=())


def _invalid(exc: PayloadError, what: str) -> Refused:
    errors = tuple({"in": "body", "pointer": p, "message": m} for p, m in exc.errors)
    detail = f"The {what} does not have the documented shape (see /__openmock/openapi.json)."
    return Refused(422, f"Invalid {what}", detail, errors)


def apply_edit(catalog: Catalog, base: Catalog, index: SchemaIndex, edit: Edit) -> Catalog:
    """`catalog` with `edit` made; `base` is the catalog as imported from the spec (what a
    deleted runtime scenario's stub falls back to). Raises Refused."""
    if edit.kind == "add_stub":
        return _add_stub(catalog, index, edit)
    stub = catalog.stub(edit.stub or "")
    if stub is None:
        raise Refused(404, "No such stub", f"No stub has the id '{edit.stub}'.")
    if edit.kind == "add_scenario":
        try:
            check_shape(edit.payload, SCENARIO_SCHEMA)
            made = read_scenario(edit.payload, "")
        except PayloadError as exc:
            raise _invalid(exc, "scenario") from None
        return _replace(catalog, _with_scenarios(stub, [made], "", index, edit.force))
    if edit.kind == "set_default":
        try:
            check_shape(edit.payload, DEFAULT_SCHEMA)
        except PayloadError as exc:
            raise _invalid(exc, "default scenario") from None
        wanted = edit.payload["scenario"]
        found = next((s for s in stub.scenarios if wanted in (s.id, s.name)), None)
        if found is None:
            names = ", ".join(s.id for s in stub.scenarios)
            detail = f"Stub '{stub.id}' has no scenario '{wanted}'; it has {names}."
            raise Refused(404, "No such scenario", detail)
        return _replace(catalog, replace(stub, default_scenario_id=found.id))
    if edit.kind == "patch_stub":
        try:
            check_shape(edit.payload, PATCH_SCHEMA)
            patch = edit.payload
            changed = replace(
                stub,
                match_body=patch.get("match_body", stub.match_body),
                summary=patch.get("summary", stub.summary),
                delay=read_delay(patch, "") if "delay" in patch else stub.delay,
            )
        except PayloadError as exc:
            raise _invalid(exc, "stub change") from None
        return _replace(catalog, _with_sequence(changed, patch))
    if edit.kind == "delete_stub":
        if stub.origin == "spec":
            raise Refused(
                409,
                "Stubs from the spec cannot be deleted",
                f"'{stub.id}' comes from the spec. DELETE /__openmock/stubs/{stub.id}/scenarios/"
                "NAME removes a scenario added at runtime; POST /__openmock/reset drops every "
                "runtime change.",
            )
        return replace(catalog, stubs=tuple(s for s in catalog.stubs if s.id != stub.id))
    return _delete_scenario(catalog, base, stub, edit.scenario or "")


def changed_stub(catalog: Catalog, edit: Edit) -> Stub | None:
    """The stub `edit` made or changed in `catalog` (the catalog after it); None for a
    deleted stub. An added stub is found by its route: it may have joined a spec operation."""
    if edit.kind == "delete_stub":
        return None
    if edit.kind == "add_stub":
        path = served_path(edit.payload["path"], catalog.base_paths)
        key = route_key(edit.payload["method"], path)
        return next((s for s in catalog.stubs if route_key(s.method, s.path) == key), None)
    return catalog.stub(edit.stub or "")


def served_path(path: str, base_paths: tuple[str, ...]) -> str:
    """A stub's path as the route table keeps it: the URL a client calls may carry the spec's
    base path (`/v1/pets`), which the table adds by itself (it answers with or without it)."""
    for base in base_paths:
        if path.startswith(base + "/"):
            return path[len(base) :]
    return path


def _replace(catalog: Catalog, stub: Stub) -> Catalog:
    return replace(catalog, stubs=tuple(stub if s.id == stub.id else s for s in catalog.stubs))


def _add_stub(catalog: Catalog, index: SchemaIndex, edit: Edit) -> Catalog:
    raw = edit.payload
    try:
        check_shape(raw, STUB_SCHEMA)
        delay = read_delay(raw, "")
        made = [
            read_scenario(s, f"/scenarios/{i}", raw.get("params"), raw.get("headers"))
            for i, s in enumerate(raw.get("scenarios", []))
        ]
    except PayloadError as exc:
        raise _invalid(exc, "stub") from None
    method, path = raw["method"].upper(), raw["path"]
    force = edit.force or bool(raw.get("force", False))
    if path == RESERVED_PREFIX or path.startswith(RESERVED_PREFIX + "/"):
        detail = f"{path} is under {RESERVED_PREFIX}, which the admin API keeps for itself."
        raise Refused(422, "Reserved path", detail, ({"in": "body", "pointer": "/path",
                                                      "message": "reserved"},))  # fmt: skip
    if path.count("{") != path.count("}"):
        detail = f"The path template {path} has unbalanced braces."
        raise Refused(422, "Invalid stub", detail, ({"in": "body", "pointer": "/path",
                                                     "message": "unbalanced braces"},))  # fmt: skip
    path = served_path(path, catalog.base_paths)
    key = route_key(method, path)
    existing = next((s for s in catalog.stubs if route_key(s.method, s.path) == key), None)
    if existing is not None:  # adds to the stub already there, never shadows it
        stub = _with_scenarios(existing, made, "/scenarios", index, force)
        if raw.get("match_body"):
            stub = replace(stub, match_body=True)
        return _replace(catalog, _with_sequence(stub, raw))
    stub_id = raw.get("name") or f"{method} {path}"
    if catalog.stub(stub_id) is not None:
        detail = f"A stub with the id '{stub_id}' already exists; give this one another name."
        raise Refused(409, "Stub id taken", detail)
    if not made:
        made = [read_scenario({"name": "default"}, "/scenarios/0")]
    blank = Stub(
        id=stub_id,
        method=method,
        path=path,
        scenarios=(),
        default_scenario_id="",
        summary=raw.get("summary", ""),
        pointer=f"{RESERVED_PREFIX}/stubs/{escape_pointer_token(stub_id)}",
        delay=delay,
        match_body=bool(raw.get("match_body", False)),
        origin="runtime",
    )
    stub = _with_sequence(_with_scenarios(blank, made, "/scenarios", index, force), raw)
    return replace(catalog, stubs=(*catalog.stubs, stub))


def _with_sequence(stub: Stub, raw: Mapping[str, Any]) -> Stub:
    """`stub` with the payload's `sequence` (and `then`); a null sequence removes it. Raises
    Refused (422) for a step no scenario of the stub is called."""
    if "sequence" not in raw and "then" not in raw:
        return stub
    steps = raw.get("sequence", stub.sequence.steps if stub.sequence else None)
    if steps is None:
        return replace(stub, sequence=None)
    then = raw.get("then", stub.sequence.then if stub.sequence else None)
    try:
        return replace(stub, sequence=read_sequence(list(steps), then, stub.scenarios, "/sequence"))
    except BadProgress as exc:
        problem = {"in": "body", "pointer": "/sequence", "message": str(exc)}
        raise Refused(422, "Invalid sequence", str(exc), (problem,)) from None


def _with_scenarios(
    stub: Stub, made: list[ScenarioPayload], where: str, index: SchemaIndex, force: bool
) -> Stub:
    """`stub` with the runtime scenarios `made` added; the first marked default (or, on a stub
    that had none, the first) becomes its default."""
    scenarios = list(stub.scenarios)
    default = stub.default_scenario_id
    for position, payload in enumerate(made):
        at = f"{where}/{position}" if where else ""
        if any(payload.name in (s.id, s.name) for s in scenarios):
            detail = (
                f"Stub '{stub.id}' already has a scenario '{payload.name}'; choose another name "
                f"or DELETE /__openmock/stubs/{stub.id}/scenarios/{payload.name} first."
            )
            raise Refused(409, "Scenario name taken", detail)
        scenario = _scenario(stub, payload, at, index, force)
        scenarios.append(scenario)
        if payload.default or not default:
            default = scenario.id
    return replace(stub, scenarios=tuple(scenarios), default_scenario_id=default)


def _scenario(
    stub: Stub, payload: ScenarioPayload, at: str, index: SchemaIndex, force: bool
) -> Scenario:
    representations: tuple[Representation, ...] = ()
    if payload.has_body:
        schema = _documented_schema(stub, payload.status, payload.media_type)
        checkable = (  # bytes (body_base64) and templates are not checked as JSON
            is_json(payload.media_type)
            and not isinstance(payload.body, bytes)
            and not has_templates(payload.body)
        )
        if schema is not None and not force and checkable:  # a template: once filled in
            _check_body(stub, payload, schema, at, index)
        pointer = f"{stub.pointer}/scenarios/{escape_pointer_token(payload.name)}/body"
        example = NamedValue(payload.name, payload.body, pointer)
        representations = (Representation(payload.media_type, schema, example),)
    return Scenario(
        id=payload.name,
        name=payload.name,
        status=payload.status,
        status_key=str(payload.status),
        source="runtime",
        representations=representations,
        headers=payload.headers,
        description=payload.description,
        match=payload.match,
        delay=payload.delay,
        machine=payload.state.machine,
        when_state=payload.state.when_state,
        set_state=payload.state.set_state,
        fault=payload.fault,
    )


def _documented_schema(stub: Stub, status: int, media_type: str) -> Any:
    """The schema the operation documents for a `status` response in `media_type` (the exact
    code before a range, a range before `default`), or None."""
    spec_made = [s for s in stub.scenarios if s.source != "runtime" and s.covers(status)]
    spec_made.sort(key=lambda s: (s.status_key != str(status), s.status_key.upper() == "DEFAULT"))
    wanted = base_type(media_type)
    for scenario in spec_made:
        for rep in scenario.representations:
            if base_type(rep.media_type) == wanted and rep.schema is not None:
                return rep.schema
    return None


def _check_body(
    stub: Stub, payload: ScenarioPayload, schema: Any, at: str, index: SchemaIndex
) -> None:
    found = list(index.validator(schema, "response").iter_errors(payload.body))
    if not found:
        return
    errors = tuple(
        {
            "in": "body",
            "pointer": f"{at}/body" + pointer_from_parts(list(e.absolute_path)),
            "message": e.message[:300],
        }
        for e in found[:20]
    )
    detail = (
        f"The body of scenario '{payload.name}' does not match the schema {stub.id} documents "
        f"for a {payload.status} {payload.media_type} response. Fix the body, or add "
        "?force=true to keep it anyway."
    )
    raise Refused(422, "Scenario body contradicts the spec", detail, errors)


def _delete_scenario(catalog: Catalog, base: Catalog, stub: Stub, scenario_id: str) -> Catalog:
    scenario = stub.scenario(scenario_id)
    if scenario is None:
        names = ", ".join(s.id for s in stub.scenarios)
        detail = f"Stub '{stub.id}' has no scenario '{scenario_id}'; it has {names}."
        raise Refused(404, "No such scenario", detail)
    if scenario.source != "runtime":
        detail = f"Scenario '{scenario_id}' of '{stub.id}' comes from the spec; only scenarios "
        raise Refused(409, "Spec scenarios cannot be deleted", detail + "added at runtime can.")
    left = tuple(s for s in stub.scenarios if s.id != scenario_id)
    if not left:
        detail = f"'{scenario_id}' is the last scenario of '{stub.id}': DELETE the stub instead."
        raise Refused(409, "A stub needs a scenario", detail)
    default = stub.default_scenario_id
    if default == scenario_id:
        imported = base.stub(stub.id)
        default = imported.default_scenario_id if imported is not None else left[0].id
    return _replace(catalog, replace(stub, scenarios=left, default_scenario_id=default))

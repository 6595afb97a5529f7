"""IMPORT: spec -> stubs. One broken operation never sinks the rest."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from openmock.delays import parse_delay
from openmock.importer.callbacks import operation_callbacks, webhooks
from openmock.importer.progress import SEQUENCE_KEY, read_sequence
from openmock.importer.responses import build_scenarios, example_values, template_problems
from openmock.importer.security import operation_security
from openmock.model import ADMIN_PREFIX, Catalog, MediaBody, Parameter, RequestBody, Scenario, Stub
from openmock.schema.index import SchemaIndex, UnresolvedRef
from openmock.schema.nodes import child_map
from openmock.schema.pointers import escape_pointer_token
from openmock.spec import Spec, SpecProblem
from openmock.spec.convert import HTTP_METHODS

_DEFAULT_STYLE = {"query": "form", "path": "simple", "header": "simple", "cookie": "form"}
_LOCATIONS = ("path", "query", "header", "cookie")


class ImportProblem(Exception):
    """Why one operation cannot be served."""


def base_paths(document: dict[str, Any]) -> tuple[str, ...]:
    """The path part of the first server URL ('' when it is the root)."""
    servers = document.get("servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return ()
    server = servers[0]
    url = str(server.get("url") or "")
    variables = child_map(server, "variables")

    def substitute(match: re.Match[str]) -> str:
        var = variables.get(match.group(1)) if variables else None
        return str(var.get("default", "")) if isinstance(var, dict) else ""

    url = re.sub(r"\{([^}]*)\}", substitute, url)
    path = urlsplit(url).path if "://" in url else url.split("?")[0]
    path = "/" + path.strip("/")
    return () if path == "/" else (path,)


def _parameter(raw: dict[str, Any], index: SchemaIndex, pointer: str) -> Parameter:
    name = raw.get("name")
    location = raw.get("in")
    if not isinstance(name, str) or location not in _LOCATIONS:
        raise ImportProblem(f"parameter at {pointer} needs a `name` and an `in` of {_LOCATIONS}")
    style = str(raw.get("style") or _DEFAULT_STYLE[location])
    explode = raw.get("explode")
    if not isinstance(explode, bool):
        explode = style == "form"
    schema: Any = raw.get("schema")
    content_type = None
    if schema is None and isinstance(raw.get("content"), dict) and raw["content"]:
        content_type, media = next(iter(raw["content"].items()))
        schema = media.get("schema") if isinstance(media, dict) else None
    return Parameter(
        name=name,
        location=location,
        required=bool(raw.get("required")) or location == "path",
        schema=schema if schema is not None else {},
        style=style,
        explode=explode,
        allow_reserved=bool(raw.get("allowReserved")),
        content_type=content_type,
        examples=tuple(example_values(raw, index, pointer)),
        allow_empty=location != "query" or raw.get("allowEmptyValue") is not False,
    )


def _parameters(
    shared: list[Any], own: list[Any], index: SchemaIndex, pointer: str, item_pointer: str
) -> tuple[Parameter, ...]:
    merged: dict[tuple[str, str], Parameter] = {}
    for where, raws in ((item_pointer, shared), (pointer, own)):
        for i, raw in enumerate(raws):
            raw = index.deref(raw)
            if not isinstance(raw, dict):
                raise ImportProblem(f"parameter {i} at {where}/parameters is not an object")
            param = _parameter(raw, index, f"{where}/parameters/{i}")
            merged[(param.name if param.location != "header" else param.name.lower(),
                    param.location)] = param  # fmt: skip
    return tuple(merged.values())


def _request_body(raw: Any, index: SchemaIndex, pointer: str) -> RequestBody | None:
    raw = index.deref(raw)
    if not isinstance(raw, dict):
        return None
    content = child_map(raw, "content")
    bodies = []
    for media_type, media in content.items():
        media = media if isinstance(media, dict) else {}
        m_pointer = f"{pointer}/requestBody/content/{escape_pointer_token(media_type)}"
        bodies.append(
            MediaBody(
                media_type, media.get("schema"), tuple(example_values(media, index, m_pointer))
            )
        )
    return RequestBody(bool(raw.get("required")), tuple(bodies))


def _error_stub(stub_id: str, method: str, path: str, reason: str, pointer: str) -> Stub:
    scenario = Scenario(
        id="import-error", name="import-error", status=500, status_key="500", source="error",
        description=reason,
    )  # fmt: skip
    return Stub(
        id=stub_id, method=method, path=path, scenarios=(scenario,),
        default_scenario_id="import-error", pointer=pointer, import_error=reason,
    )  # fmt: skip


def _stub(
    stub_id: str,
    method: str,
    path: str,
    op: dict[str, Any],
    shared_params: list[Any],
    index: SchemaIndex,
    pointer: str,
    item_pointer: str,
) -> Stub:
    responses = op.get("responses")
    if not isinstance(responses, dict) or not responses:
        raise ImportProblem(f"operation {method} {path} documents no responses")
    params = _parameters(
        shared_params, list(op.get("parameters") or []), index, pointer, item_pointer
    )
    scenarios, default_id = build_scenarios(responses, index, pointer + "/responses")
    if not scenarios:
        if any(str(k).startswith("1") for k in responses):
            raise ImportProblem(
                f"operation {method} {path} documents only informational (1xx) responses, "
                "which HTTP cannot send as a final answer; document a 2xx or default response"
            )
        keys = ", ".join(repr(str(k)) for k in responses)
        raise ImportProblem(
            f"operation {method} {path} has no response with an HTTP status (100-599, "
            f"NXX or default) among {keys}"
        )
    body = _request_body(op.get("requestBody"), index, pointer) if "requestBody" in op else None
    delay = None
    if "x-openmock-delay" in op:
        delay = parse_delay(op["x-openmock-delay"], f"{pointer}/x-openmock-delay")
    sequence = None
    if SEQUENCE_KEY in op:
        where = f"{pointer}/{SEQUENCE_KEY}"
        sequence = read_sequence(op[SEQUENCE_KEY], None, scenarios, where)
    return Stub(
        id=stub_id,
        method=method,
        path=path,
        scenarios=tuple(scenarios),
        default_scenario_id=default_id,
        operation_id=op.get("operationId") if isinstance(op.get("operationId"), str) else None,
        summary=str(op.get("summary") or ""),
        parameters=params,
        request_body=body,
        pointer=pointer,
        delay=delay,
        sequence=sequence,
        callbacks=operation_callbacks(op, index, pointer),
    )


def route_key(path: str) -> str:
    """What a request can see of a template: no `#fragment` or `?query`, names erased."""
    return _TEMPLATE_PARAM.sub("{}", re.split(r"[#?]", path, maxsplit=1)[0])


_TEMPLATE_PARAM = re.compile(r"\{[^{}]+\}")


def _shadowed(stubs: list[Stub], file: str) -> list[SpecProblem]:
    """Operations no request can reach because an earlier one answers the same requests."""
    first: dict[tuple[str, str], Stub] = {}
    problems: list[SpecProblem] = []
    for stub in stubs:
        key = (stub.method, route_key(stub.path))
        if key in first:
            winner = first[key]
            problems.append(
                SpecProblem(
                    f"{stub.method} {stub.path} ({stub.id}) is unreachable: requests for it are "
                    f"answered by {winner.method} {winner.path} ({winner.id})",
                    file,
                    stub.pointer,
                    None,
                    "Give each operation its own path; a #fragment or ?query in a path "
                    "template does not reach the server.",
                )
            )
        else:
            first[key] = stub
    return problems


def build_catalog(spec: Spec, index: SchemaIndex | None = None) -> Catalog:
    """Import every operation of `spec` into stubs."""
    index = index or SchemaIndex(spec.document)
    document = spec.document
    stubs: list[Stub] = []
    problems: list[SpecProblem] = []
    used_ids: set[str] = set()
    said: set[str] = set()  # a scheme nobody can check is said once, not per operation
    file = str(spec.path)
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(path, str) or not path.startswith("/"):
            problems.extend(_not_a_path(path, file))
            continue
        item_pointer = "/paths/" + escape_pointer_token(path)
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            problems.append(
                SpecProblem(
                    f"path {path} is under {ADMIN_PREFIX}, which openmock reserves for its "
                    "admin API; it is not served",
                    file,
                    item_pointer,
                    None,
                    "Rename the path in the spec.",
                )
            )
            continue
        try:
            item = index.deref(item)
        except UnresolvedRef as exc:
            problems.append(
                SpecProblem(f"path item reference {exc} is unresolved", file, item_pointer)
            )
            continue
        if not isinstance(item, dict):
            problems.append(
                SpecProblem(
                    f"path {path} is not served: its path item is {_kind(item)}, not an object",
                    file,
                    item_pointer,
                    None,
                    "Give the path its operations (get:, post:...) or remove it.",
                )
            )
            continue
        problems.extend(_unknown_methods(path, item, file, item_pointer))
        shared = list(item.get("parameters") or [])
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                if method in item:
                    problems.append(
                        SpecProblem(
                            f"{method.upper()} {path} is not served: the operation is "
                            f"{_kind(op)}, not an object",
                            file,
                            f"{item_pointer}/{method}",
                            None,
                            "Give it its responses, or remove it.",
                        )
                    )
                continue
            upper = method.upper()
            pointer = f"{item_pointer}/{method}"
            op_id = op.get("operationId")
            stub_id = op_id if isinstance(op_id, str) and op_id else f"{upper} {path}"
            if stub_id in used_ids:
                problems.append(
                    SpecProblem(
                        f"operationId '{stub_id}' is used more than once; this one is "
                        f"known as '{upper} {path}'",
                        file,
                        pointer + "/operationId",
                        None,
                        "Make operationIds unique.",
                    )
                )
                stub_id = f"{upper} {path}"
            used_ids.add(stub_id)
            try:
                stub = _stub(stub_id, upper, path, op, shared, index, pointer, item_pointer)
                security, warnings = operation_security(document, op, file, pointer)
                problems.extend(w for w in warnings if w.message not in said)
                said.update(w.message for w in warnings)
                stubs.append(replace(stub, security=security))
            except (ImportProblem, UnresolvedRef, KeyError, TypeError, ValueError) as exc:
                reason = str(exc)
                if isinstance(exc, UnresolvedRef):
                    reason = f"unresolved $ref {exc}"
                problems.append(
                    SpecProblem(
                        f"{upper} {path} cannot be imported: {reason}; it answers 500",
                        file,
                        pointer,
                        None,
                        "Fix the operation in the spec.",
                    )
                )
                stubs.append(_error_stub(stub_id, upper, path, reason, pointer))
    problems.extend(_shadowed(stubs, file))
    problems.extend(template_problems(stubs, spec))
    try:
        hooks = webhooks(document, index)
    except (UnresolvedRef, ValueError) as exc:
        problems.append(SpecProblem(f"the webhooks cannot be read: {exc}", file, "/webhooks"))
        hooks = ()
    return Catalog(spec, tuple(stubs), base_paths(document), tuple(problems), (), hooks)


PATH_ITEM_FIELDS = frozenset({"$ref", "summary", "description", "servers", "parameters"})


def _not_a_path(path: object, file: str) -> list[SpecProblem]:
    """A key of `paths` that is no path (extensions, `x-...`, excepted): nothing under it is
    served, which the user should hear about rather than find out."""
    if isinstance(path, str) and path.startswith("x-"):
        return []
    return [
        SpecProblem(
            f"paths key {path!r} is not served: a path must start with '/'",
            file,
            "/paths/" + escape_pointer_token(str(path)),
            None,
            f"Write it as '/{str(path).lstrip('/')}'.",
        )
    ]


def _unknown_methods(path: str, item: dict[str, Any], file: str, pointer: str) -> list[SpecProblem]:
    """Keys of a path item that look like operations but are not read as any: a method in
    the wrong case (`GET:`), or one OpenAPI 3.1 does not have (`query:`, `connect:`)."""
    found = []
    for key in item:
        if not isinstance(key, str) or key in HTTP_METHODS or key in PATH_ITEM_FIELDS:
            continue
        if key.startswith("x-"):
            continue
        if key.lower() in HTTP_METHODS:
            why, hint = "OpenAPI's method names are lower case", f"Write it as '{key.lower()}:'."
        else:
            why = "it is not a method a path item has (get, put, post, delete, options, head, "
            why += "patch, trace)"
            hint = "Remove it, or move it under an x- extension."
        found.append(
            SpecProblem(
                f"'{key}' under path {path} is not served: {why}",
                file,
                f"{pointer}/{escape_pointer_token(key)}",
                None,
                hint,
            )
        )
    return found


def _kind(value: object) -> str:
    return "empty" if value is None else f"a {type(value).__name__}"

"""What the admin API accepts to change stubs at runtime: JSON schemas (which the admin API's own
OpenAPI document publishes) and their reading into model objects.

One schema both documents a payload and checks it, so every refusal names the JSON pointer of
what is wrong in the payload the client sent.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from openmock.delays import BadDelay, Delay, parse_delay
from openmock.importer.progress import STATE_KEYS, read_state_rule
from openmock.importer.responses import BadMatchRule, match_rule
from openmock.model import FAULTS, THEN, HeaderSpec, MatchRule, NamedValue, StateRule
from openmock.schema.pointers import pointer_from_parts
from openmock.template import TemplateError, find_templates

METHODS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")
_DELAY = {
    "description": "milliseconds (300), a range ('100-500') or {min, max}",
    "oneOf": [
        {"type": "number", "minimum": 0},
        {"type": "string"},
        {"type": "object", "properties": {"min": {"type": "number"}, "max": {"type": "number"}}},
    ],
}
_MATCH = {
    "type": "object",
    "description": "criteria a request must meet to get this scenario (all of them); scored "
    "like a paired example, so the best-matching scenario answers",
    "properties": {
        part: {"type": "object", "description": f"{part} values the request must have"}
        for part in ("path", "query", "headers", "cookies")
    }
    | {"body": {"description": "a value the body must equal, or fields it must have"}},
    "additionalProperties": False,
}
_SEQUENCE = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "string"},
    "description": "scenario names answered in this order, one per request (per session)",
}
_THEN = {
    "enum": list(THEN),
    "default": "repeat-last",
    "description": "after the sequence's last step: repeat it, start over, or the default",
}
SCENARIO_SCHEMA: dict[str, Any] = {
    "title": "Scenario",
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "pattern": r"^[^\s/]+$"},
        "status": {"type": "integer", "minimum": 100, "maximum": 599, "default": 200},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "body": {
            "description": "the response body; omitted: no body. Strings may hold templates: "
            "{{request.path.id}}, {{request.body.name}}, {{$guid}}... (docs/templates.md)"
        },
        "body_base64": {
            "type": "string",
            "description": "a binary body (an image, a PDF...) as base64, instead of `body`",
        },
        "media_type": {"type": "string", "default": "application/json"},
        "match": _MATCH,
        "delay": _DELAY,
        "default": {"type": "boolean", "description": "make this the stub's default scenario"},
        "description": {"type": "string"},
        "machine": {
            "type": "string",
            "minLength": 1,
            "description": "a state machine's name "
            "(default: `default`), for when_state and set_state",
        },
        "when_state": {
            "type": "string",
            "minLength": 1,
            "description": "answer only while the machine is in this state",
        },
        "set_state": {
            "type": "string",
            "minLength": 1,
            "description": "move the machine to this state when answering",
        },
        "fault": {
            "enum": list(FAULTS),
            "description": "fail on the wire: reset the connection, close it unanswered, cut "
            "the body off, or dribble it slowly",
        },
    },
    "additionalProperties": False,
}
STUB_SCHEMA: dict[str, Any] = {
    "title": "Stub",
    "type": "object",
    "required": ["method", "path"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "description": "the stub's id"},
        "method": {"type": "string", "enum": [*METHODS, *(m.lower() for m in METHODS)]},
        "path": {"type": "string", "pattern": r"^/[^?#]*$", "description": "/users/{id}"},
        "match_body": {"type": "boolean", "default": False},
        "params": {
            "type": "object",
            "description": "query parameters every scenario of this stub expects (scored)",
        },
        "headers": {
            "type": "object",
            "description": "request headers every scenario of this stub expects (scored)",
        },
        "summary": {"type": "string"},
        "delay": _DELAY,
        "scenarios": {"type": "array", "items": SCENARIO_SCHEMA},
        "sequence": _SEQUENCE,
        "then": _THEN,
        "force": {
            "type": "boolean",
            "description": "keep scenario bodies the operation's schema rejects (as ?force=true; "
            "recorded answers of a backend that breaks its contract say so)",
        },
    },
    "additionalProperties": False,
}
PATCH_SCHEMA: dict[str, Any] = {
    "title": "StubChange",
    "type": "object",
    "properties": {
        "match_body": {"type": "boolean"},
        "summary": {"type": "string"},
        "delay": {"oneOf": [_DELAY, {"type": "null"}]},
        "sequence": {"oneOf": [_SEQUENCE, {"type": "null"}]},
        "then": _THEN,
    },
    "additionalProperties": False,
}
DEFAULT_SCHEMA: dict[str, Any] = {
    "title": "DefaultScenario",
    "type": "object",
    "required": ["scenario"],
    "properties": {"scenario": {"type": "string", "description": "a scenario id of the stub"}},
    "additionalProperties": False,
}


@dataclass(frozen=True)
class PayloadError(Exception):
    """A payload that does not have the documented shape: (pointer, message) pairs."""

    errors: tuple[tuple[str, str], ...]


def check_shape(payload: Any, schema: Mapping[str, Any], where: str = "") -> None:
    """Raises PayloadError listing every place `payload` breaks `schema`."""
    found = sorted(
        Draft202012Validator(schema).iter_errors(payload), key=lambda e: list(e.absolute_path)
    )
    if found:
        raise PayloadError(
            tuple(
                (where + pointer_from_parts(list(e.absolute_path)), e.message[:300]) for e in found
            )
        )


@dataclass(frozen=True)
class ScenarioPayload:
    """A scenario as the admin API received it, checked."""

    name: str
    status: int
    headers: tuple[HeaderSpec, ...]
    has_body: bool
    body: Any
    media_type: str
    match: MatchRule | None
    delay: Delay | None
    default: bool
    description: str
    state: StateRule
    fault: str | None


def read_scenario(
    raw: Mapping[str, Any],
    where: str,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, Any] | None = None,
) -> ScenarioPayload:
    """A scenario whose shape check_shape passed; `query` and `headers` are the stub's own
    expectations, which its scenarios' `match` inherit."""
    try:
        delay = parse_delay(raw["delay"], f"{where}/delay") if "delay" in raw else None
        rule = None
        if "match" in raw or query or headers:
            merged = dict(raw.get("match", {}))
            if query:
                merged["query"] = {**query, **merged.get("query", {})}
            if headers:
                merged["headers"] = {**headers, **merged.get("headers", {})}
            rule = match_rule(merged, where)
    except (BadDelay, BadMatchRule) as exc:
        raise PayloadError(((where, str(exc)),)) from None
    for part in ("body", "headers"):
        try:
            for _ in find_templates(raw.get(part)):
                pass
        except TemplateError as exc:
            raise PayloadError(((f"{where}/{part}{exc.pointer}", exc.reason),)) from None
    body = raw.get("body")
    if "body_base64" in raw:
        if "body" in raw:
            raise PayloadError(((where, "give the body as `body` or `body_base64`, not both"),))
        try:
            body = base64.b64decode(raw["body_base64"], validate=True)
        except (binascii.Error, ValueError):
            why = "is not base64 (A-Z, a-z, 0-9, + and /, padded with =)"
            raise PayloadError(((f"{where}/body_base64", why),)) from None
    name = raw["name"]
    header_specs = tuple(
        HeaderSpec(key, None, True, NamedValue(key, value, f"{where}/headers/{key}"))
        for key, value in raw.get("headers", {}).items()
    )
    return ScenarioPayload(
        name=name,
        status=raw.get("status", 200),
        headers=header_specs,
        has_body="body" in raw or "body_base64" in raw,
        body=body,  # bytes for body_base64
        media_type=raw.get(
            "media_type", "application/octet-stream" if "body_base64" in raw else "application/json"
        ),
        match=rule,
        delay=delay,
        default=bool(raw.get("default", False)),
        description=raw.get("description", ""),
        state=read_state_rule(raw, where, {k: k for k in STATE_KEYS}) or StateRule(),
        fault=raw.get("fault"),
    )


def read_delay(raw: Mapping[str, Any], where: str) -> Delay | None:
    if raw.get("delay") is None:
        return None
    try:
        return parse_delay(raw["delay"], f"{where}/delay")
    except BadDelay as exc:
        raise PayloadError(((f"{where}/delay", str(exc)),)) from None

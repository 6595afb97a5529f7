"""Stubs and scenarios as JSON: what `openmock import --json` prints and the admin API's
`/__openmock/stubs` answers (one shape for both)."""

from __future__ import annotations

import base64
from typing import Any

from openmock.model import Scenario, Stub


def body_field(value: Any) -> dict[str, Any]:
    """A scenario's body as the admin API and stub files hold it: `body`, or `body_base64`
    for bytes (JSON and YAML hold no bytes)."""
    if isinstance(value, bytes):
        return {"body_base64": base64.b64encode(value).decode("ascii")}
    return {"body": value}


def scenario_json(scenario: Scenario) -> dict[str, Any]:
    described: dict[str, Any] = {
        "id": scenario.id,
        "name": scenario.name,
        "status": scenario.status,
        "status_key": scenario.status_key,
        "source": scenario.source,
        "media_types": [r.media_type for r in scenario.representations],
        "description": scenario.description,
        "example_pointers": [r.example.pointer for r in scenario.representations if r.example],
    }
    if scenario.source == "runtime":  # what the admin API was given, so it can be shown back
        rep = scenario.representations[0] if scenario.representations else None
        if rep is not None and rep.example is not None:
            described.update(body_field(rep.example.value))
        described["headers"] = {
            h.name: h.example.value for h in scenario.headers if h.example is not None
        }
    if scenario.match is not None:
        described["match"] = {
            "path": dict(scenario.match.path),
            "query": dict(scenario.match.query),
            "headers": dict(scenario.match.headers),
            "cookies": dict(scenario.match.cookies),
        } | ({"body": scenario.match.body} if scenario.match.has_body else {})
    if scenario.delay is not None:
        described["delay_ms"] = list(scenario.delay)
    if scenario.fault is not None:
        described["fault"] = scenario.fault
    if scenario.when_state is not None or scenario.set_state is not None:
        described["machine"] = scenario.machine
        described.update(
            (key, value)
            for key, value in (
                ("when_state", scenario.when_state),
                ("set_state", scenario.set_state),
            )
            if value is not None
        )
    return described


def stub_json(stub: Stub) -> dict[str, Any]:
    return {
        "id": stub.id,
        "method": stub.method,
        "path": stub.path,
        "operation_id": stub.operation_id,
        "summary": stub.summary,
        "default_scenario": stub.default_scenario_id,
        "import_error": stub.import_error,
        "origin": stub.origin,
        "match_body": stub.match_body,
        "delay_ms": list(stub.delay) if stub.delay is not None else None,
        "scenarios": [scenario_json(sc) for sc in stub.scenarios],
    } | (
        {"sequence": list(stub.sequence.steps), "then": stub.sequence.then}
        if stub.sequence is not None
        else {}
    )

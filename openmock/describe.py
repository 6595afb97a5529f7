"""Stubs and scenarios as JSON: what `openmock import --json` prints and the admin API's
`/__openmock/stubs` answers (one shape for both)."""

from __future__ import annotations

from typing import Any

from openmock.model import Scenario, Stub


def scenario_json(scenario: Scenario) -> dict[str, Any]:
    return {
        "id": scenario.id,
        "name": scenario.name,
        "status": scenario.status,
        "status_key": scenario.status_key,
        "source": scenario.source,
        "media_types": [r.media_type for r in scenario.representations],
    }


def stub_json(stub: Stub) -> dict[str, Any]:
    return {
        "id": stub.id,
        "method": stub.method,
        "path": stub.path,
        "operation_id": stub.operation_id,
        "summary": stub.summary,
        "default_scenario": stub.default_scenario_id,
        "import_error": stub.import_error,
        "scenarios": [scenario_json(sc) for sc in stub.scenarios],
    }

"""PICK: which scenario of a stub answers a request.

For now: the stub's default scenario (the first example of its lowest 2xx response, else
that response's schema, else `default`). Control headers and request-to-example pairing
arrive with the matching issue and extend this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from openmock.model import Scenario, Stub


@dataclass(frozen=True)
class Selection:
    scenario: Scenario
    reason: str  # said in logs and headers: why this scenario answers


def select_scenario(stub: Stub) -> Selection:
    return Selection(stub.default_scenario, "default")

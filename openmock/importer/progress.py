"""What the spec (and the admin API) say of sequences and state machines, read into the model:
`x-openmock-sequence` on an operation, and `x-openmock-machine`, `x-openmock-when-state`,
`x-openmock-set-state` on a response or one of its examples."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from openmock.model import FAULTS, THEN, Scenario, Sequence, StateRule

SEQUENCE_KEY = "x-openmock-sequence"
FAULT_KEY = "x-openmock-fault"
STATE_KEYS = {"machine": "x-openmock-machine", "when_state": "x-openmock-when-state",
              "set_state": "x-openmock-set-state"}  # fmt: skip


class BadProgress(ValueError):
    """A sequence or a state rule that cannot be used; the message says where and why."""


def read_sequence(raw: Any, then: Any, scenarios: Iterable[Scenario], where: str) -> Sequence:
    """`["pending", "pending", "done"]` (or `{"steps": [...], "then": "cycle"}`), each step a
    scenario id or name of the stub. Raises BadProgress."""
    if isinstance(raw, Mapping):
        then = raw.get("then", then)
        raw = raw.get("steps", raw.get("sequence"))
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) for s in raw):
        raise BadProgress(f"{where}: a sequence is a non-empty list of scenario names")
    then = "repeat-last" if then is None else then
    if then not in THEN:
        raise BadProgress(f"{where}: `then` is one of {', '.join(THEN)}, not {then!r}")
    known = {name for s in scenarios for name in (s.id, s.name)}
    unknown = [step for step in raw if step not in known]
    if unknown:
        raise BadProgress(
            f"{where}: no scenario is called {', '.join(map(repr, unknown))}; the stub's are "
            f"{', '.join(sorted(known))}"
        )
    return Sequence(tuple(raw), then)


def read_state_rule(
    raw: Mapping[str, Any], where: str, keys: Mapping[str, str] = STATE_KEYS
) -> StateRule | None:
    """The machine fields of an example or response object (their `x-openmock-` names, or the
    admin API's own with `keys` mapping each to itself). None when it has none."""
    found = {field: raw[key] for field, key in keys.items() if key in raw}
    if not found:
        return None
    for field, value in found.items():
        if not isinstance(value, str) or not value:
            raise BadProgress(f"{where}/{keys[field]}: a machine or state name is a string")
    return StateRule(
        found.get("machine", "default"), found.get("when_state"), found.get("set_state")
    )


def read_fault(raw: Mapping[str, Any], where: str, key: str = FAULT_KEY) -> str | None:
    """An example's or response's `x-openmock-fault` (the admin API's `fault`), if any."""
    if key not in raw:
        return None
    fault = raw[key]
    if fault not in FAULTS:
        raise BadProgress(f"{where}/{key}: a fault is one of {', '.join(FAULTS)}, not {fault!r}")
    return str(fault)

"""SEQUENCES AND MACHINES: answers that depend on what came before, per `X-Openmock-Session`.

- A stub's **sequence** answers its scenarios in order, one per request (`pending`, `pending`,
  `done`), then repeats the last, cycles, or falls back to the default scenario.
- A scenario with `when_state` answers only while its **machine** (WireMock's scenario) is in
  that state (every machine starts in `Started`); one with `set_state` moves it when it
  answers: `GET /orders/1` says pending until `POST /orders/1/pay` is called.

The progress is kept in a `MachineStore` (memory, or SQLite shared by workers).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from openmock.machines.sqlite_store import SqliteMachineStore, clear_machines
from openmock.machines.store import START, MachineStore, MemoryMachineStore
from openmock.model import Catalog, Scenario, Stub


@dataclass(frozen=True)
class Choice:
    """What the machines make of one request to a stub."""

    stub: Stub  # the stub with only the scenarios its machines allow now
    forced: Scenario | None  # the sequence's step, when it names the answer
    reason: str


class MachineKeeper:
    """The sequences' and machines' progress of one mock."""

    def __init__(self, store: MachineStore | None = None) -> None:
        self.store: MachineStore = store or MemoryMachineStore()

    def choose(self, stub: Stub, session: str) -> Choice:
        allowed, reason = self._allowed(stub, session)
        sequence = stub.sequence
        if sequence is None or not sequence.steps:
            return Choice(allowed, None, reason)
        done = self.store.step(session, stub.id)
        steps = sequence.steps
        if done < len(steps):
            index = done
        elif sequence.then == "cycle":
            index = done % len(steps)
        elif sequence.then == "default":
            return Choice(allowed, None, f"sequence over ({len(steps)} steps): the default")
        else:  # repeat-last
            index = len(steps) - 1
        step = steps[index]
        told = f"sequence step {index + 1} of {len(steps)}"
        return Choice(allowed, stub.named(step), told)

    def _allowed(self, stub: Stub, session: str) -> tuple[Stub, str]:
        gated = [s for s in stub.scenarios if s.when_state is not None]
        if not gated:
            return stub, ""
        states = {s.machine: self.store.state(session, s.machine) for s in gated}
        holding = [s for s in gated if states[s.machine] == s.when_state]
        allowed = tuple(s for s in stub.scenarios if s.when_state is None or s in holding)
        said = ", ".join(f"machine {name} is {state}" for name, state in sorted(states.items()))
        if not allowed:
            return stub, f"{said}: no scenario's when_state holds"
        default = holding[0] if holding else stub.default_scenario
        if default not in allowed:
            default = allowed[0]
        return replace(stub, scenarios=allowed, default_scenario_id=default.id), said

    def answered(self, scenario: Scenario, session: str) -> str:
        """Moves the scenario's machine (if it says `set_state`); what happened, for the
        call log's reason."""
        if scenario.set_state is None:
            return ""
        before = self.store.state(session, scenario.machine)
        self.store.set_state(session, scenario.machine, scenario.set_state)
        return f"machine {scenario.machine}: {before} -> {scenario.set_state}"

    def machines(self, catalog: Catalog, session: str) -> dict[str, str]:
        """Every machine the catalog's scenarios name, and any an admin set, with its state."""
        names = {
            s.machine
            for stub in catalog.stubs
            for s in stub.scenarios
            if s.when_state is not None or s.set_state is not None
        }
        states = {name: START for name in sorted(names)}
        states.update(self.store.states(session))
        return states


__all__ = [
    "START",
    "Choice",
    "MachineKeeper",
    "MachineStore",
    "MemoryMachineStore",
    "SqliteMachineStore",
    "clear_machines",
]

"""Counts of how each corpus schema was generated, printed at the end of the test run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class GenerationStats:
    outcomes: Counter[str] = field(default_factory=Counter)
    specs: int = 0
    unsatisfiable: list[str] = field(default_factory=list)

    def record(self, spec: str, outcomes: Counter[str], unsatisfiable: list[str]) -> None:
        self.specs += 1
        self.outcomes.update(outcomes)
        self.unsatisfiable.extend(f"{spec}: {u}" for u in unsatisfiable)

    def lines(self) -> list[str]:
        if not self.specs:
            return []
        o = self.outcomes
        out = [
            f"generation over {self.specs} specs: {o['fast']} schemas by the compiled generator, "
            f"{o['fallback']} by the search fallback, {o['unsatisfiable']} unsatisfiable"
        ]
        out.extend(f"  unsatisfiable: {u}" for u in self.unsatisfiable)
        return out


STATS = GenerationStats()  # test-run bookkeeping only; the product keeps no globals

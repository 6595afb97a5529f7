"""`--chaos RATE`: a share of requests answered with a failure the operation documents.

What a hit is: one of the operation's documented 5xx or 429 responses, or a connection reset,
picked evenly (a reset only when the operation documents neither). The decisions come from one
random generator seeded by `--seed`, taken in the order requests arrive, so the same run of
requests meets the same failures."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from openmock.model import Scenario, Stub


@dataclass(frozen=True)
class ChaosHit:
    """A request chaos picked: answered with `scenario`, or reset when it is None."""

    scenario: Scenario | None

    @property
    def reason(self) -> str:
        return f"chaos: {self.scenario.status}" if self.scenario else "chaos: reset"


class Chaos:
    def __init__(self, rate: float, seed: int = 0) -> None:
        if not 0 <= rate <= 1:
            raise ValueError(f"--chaos is a share of requests from 0 to 1, got {rate}")
        self.rate = rate
        self._random = random.Random(f"chaos|{seed}")
        self._lock = threading.Lock()

    def pick(self, stub: Stub) -> ChaosHit | None:
        """None for most requests; for RATE of them, the failure to answer with."""
        failures = [s for s in stub.scenarios if s.status >= 500 or s.status == 429]
        with self._lock:
            if self._random.random() >= self.rate:
                return None
            choices: list[Scenario | None] = [*failures] if failures else [None]
            return ChaosHit(self._random.choice(choices))

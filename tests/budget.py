"""How much work the property tests do, set in one place.

`make test` (and CI) runs the full counts; `make check`, the quick tier, sets
OPENMOCK_TEST_TIER=quick and every property test runs a tenth of its examples (at least 20).
"""

from __future__ import annotations

import os

QUICK = os.environ.get("OPENMOCK_TEST_TIER") == "quick"


def examples(full: int) -> int:
    """The number of hypothesis examples a property test runs in this tier."""
    return max(full // 10, min(full, 20)) if QUICK else full

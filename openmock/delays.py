"""Response delays: `--delay 300` or `--delay 100-500`, `x-openmock-delay` on an operation or an
example, `Prefer: delay=300`. One reading of all those spellings, in milliseconds."""

from __future__ import annotations

from typing import Any

Delay = tuple[float, float]  # (shortest, longest) in milliseconds; equal for a fixed delay
MAX_DELAY_MS = 600_000.0  # ten minutes: anything longer is a typo, not a test


class BadDelay(ValueError):
    """A delay that cannot be read; the message says what is accepted."""


def parse_delay(raw: Any, where: str) -> Delay:
    """`300`, `"300"`, `"100-500"`, `{"min": 100, "max": 500}` -> (low, high) milliseconds."""
    low: Any
    high: Any
    if isinstance(raw, dict):
        low, high = raw.get("min", 0), raw.get("max", raw.get("min", 0))
    elif isinstance(raw, str) and "-" in raw.strip()[1:]:
        low, _, high = raw.strip().partition("-")
    else:
        low = high = raw
    try:
        if isinstance(low, bool) or isinstance(high, bool):
            raise ValueError
        pair = (float(low), float(high))
    except (TypeError, ValueError):
        raise BadDelay(
            f"{where} must be milliseconds (300), a range (100-500) or {{min, max}}, not {raw!r}"
        ) from None
    if not 0 <= pair[0] <= pair[1] <= MAX_DELAY_MS:
        raise BadDelay(
            f"{where} must be from 0 to {MAX_DELAY_MS:.0f} ms with min <= max, not {raw!r}"
        )
    return pair

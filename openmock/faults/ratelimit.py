"""`--rate-limit N/s` (also `N/min`, `N/h`): a token bucket per client (its
`X-Openmock-Session`, else its address) holding N requests, refilled N per period. A request
past the limit is told how long to wait (`Retry-After`) and what the limit is
(`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`)."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

PERIODS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0,
           "h": 3600.0, "hour": 3600.0}  # fmt: skip
MAX_CLIENTS = 10_000  # buckets kept; the least recently used goes first


class BadRateLimit(ValueError):
    """A --rate-limit value that cannot be read."""


def parse_rate_limit(text: str) -> tuple[int, float]:
    """`10/s` -> (10, 1.0); `100/min` -> (100, 60.0). Raises BadRateLimit."""
    count, _, period = text.strip().partition("/")
    try:
        number = int(count)
    except ValueError:
        number = 0
    if number < 1 or period.strip().lower() not in PERIODS:
        raise BadRateLimit(
            f"--rate-limit takes requests per period, such as 10/s, 100/min or 1000/h; got {text!r}"
        )
    return number, PERIODS[period.strip().lower()]


@dataclass(frozen=True)
class Verdict:
    """One request's standing: allowed or not, and the numbers the headers say."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the bucket is full again
    retry_after: int  # until the next request is allowed (0 when allowed)

    def headers(self) -> dict[str, str]:
        found = {
            "ratelimit-limit": str(self.limit),
            "ratelimit-remaining": str(self.remaining),
            "ratelimit-reset": str(self.reset_seconds),
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset_seconds),
        }
        if not self.allowed:
            found["retry-after"] = str(self.retry_after)
        return found


class RateLimiter:
    def __init__(
        self, count: int, period: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.count, self.period = count, period
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when
        self._lock = threading.Lock()

    def take(self, client: str) -> Verdict:
        """Take one request from `client`'s bucket."""
        rate = self.count / self.period  # tokens per second
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.pop(client, (float(self.count), now))
            tokens = min(float(self.count), tokens + (now - then) * rate)
            allowed = tokens >= 1
            if allowed:
                tokens -= 1
            self._buckets[client] = (tokens, now)
            if len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
        reset = math.ceil((self.count - tokens) / rate)
        retry = 0 if allowed else max(1, math.ceil((1 - tokens) / rate))
        return Verdict(allowed, self.count, int(tokens), reset, retry)

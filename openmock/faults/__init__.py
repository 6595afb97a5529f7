"""FAULTS: answers that fail, for testing a client's error handling.

- `chaos.py`: `--chaos RATE` answers that share of requests with one of the operation's
  documented 5xx or 429 responses, or a connection reset, reproducibly by `--seed`;
- `ratelimit.py`: `--rate-limit N/s` answers past the limit with the spec's 429 (or a 429
  problem), `Retry-After` and `RateLimit-*` headers;
- `Prefer: fault=...` and a scenario's `fault` say how one answer fails on the wire (reset,
  empty, malformed, slow-body), which the server does (server/wire_faults.py).
"""

from openmock.faults.chaos import Chaos, ChaosHit
from openmock.faults.ratelimit import BadRateLimit, RateLimiter, parse_rate_limit

__all__ = ["BadRateLimit", "Chaos", "ChaosHit", "RateLimiter", "parse_rate_limit"]

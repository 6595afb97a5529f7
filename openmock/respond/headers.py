"""Realistic values for well-known response headers, by name, where the spec gives a plain
string schema and no example: a `Cache-Control` that says something, an `ETag` in quotes, a
`Link` to a next page, a request id that looks like one."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from email.utils import formatdate

Maker = Callable[[random.Random], str]


def _etag(rng: random.Random) -> str:
    return f'W/"{rng.getrandbits(64):016x}"'


def _date(rng: random.Random) -> str:
    return formatdate(1_700_000_000 + rng.randrange(30_000_000), usegmt=True)


def _request_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


KNOWN: dict[str, Maker] = {
    "cache-control": lambda rng: rng.choice(["no-cache", "private, max-age=60", "max-age=3600"]),
    "etag": _etag,
    "last-modified": _date,
    "expires": _date,
    "date": _date,
    "link": lambda rng: f'<https://api.example.com/items?page={rng.randint(2, 9)}>; rel="next"',
    "location": lambda rng: f"https://api.example.com/items/{rng.randint(1, 999)}",
    "retry-after": lambda rng: str(rng.choice([1, 5, 30, 60, 120])),
    "ratelimit-limit": lambda rng: str(rng.choice([60, 100, 1000])),
    "ratelimit-remaining": lambda rng: str(rng.randint(0, 59)),
    "ratelimit-reset": lambda rng: str(rng.randint(1, 60)),
    "x-ratelimit-limit": lambda rng: str(rng.choice([60, 100, 1000])),
    "x-ratelimit-remaining": lambda rng: str(rng.randint(0, 59)),
    "x-ratelimit-reset": lambda rng: str(1_700_000_000 + rng.randrange(3600)),
    "x-request-id": _request_id,
    "request-id": _request_id,
    "x-correlation-id": _request_id,
    "x-trace-id": lambda rng: f"{rng.getrandbits(128):032x}",
    "content-language": lambda rng: rng.choice(["en-US", "en", "de-DE", "fr"]),
    "x-total-count": lambda rng: str(rng.randint(0, 500)),
}


def plain_string(schema: object) -> bool:
    """A string schema with nothing a made-up value could break but its length."""
    if not isinstance(schema, dict) or schema.get("type") not in ("string", None):
        return False
    return not {"enum", "const", "pattern", "format", "oneOf", "anyOf", "allOf"} & set(schema)

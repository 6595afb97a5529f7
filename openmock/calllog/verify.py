"""RECORD: did the calls a test expects happen? WireMock-style verification for CI.

A pattern names what a call must have: `method`, `path` (a glob: `/pets/*`), `query` and
`headers` (each value must be equal), `body` (a JSON value the body must equal, or an object
whose fields it must have), `stub`, `status` (a code, or a class: `5xx`). The expected count
is `count` (exactly), `at_least` or `at_most` (default: at least one). When it is not met,
the calls that came closest are listed with what differed.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

from openmock.calllog.record import status_range

PATTERN_KEYS = frozenset({"method", "path", "query", "headers", "body", "stub", "status"})
NEAR_MISSES = 3


class BadPattern(ValueError):
    """A verification request that cannot be read; the message says what to fix."""


@dataclass(frozen=True)
class Expectation:
    pattern: dict[str, Any]
    exactly: int | None = None
    at_least: int | None = None
    at_most: int | None = None

    def met_by(self, found: int) -> bool:
        if self.exactly is not None:
            return found == self.exactly
        if self.at_most is not None and found > self.at_most:
            return False
        return found >= (self.at_least if self.at_least is not None else 1)

    def too_many(self, found: int) -> bool:
        limit = self.exactly if self.exactly is not None else self.at_most
        return limit is not None and found > limit

    def describe(self) -> str:
        if self.exactly is not None:
            return f"exactly {self.exactly}"
        if self.at_most is not None and self.at_least is None:
            return f"at most {self.at_most}"
        low = self.at_least if self.at_least is not None else 1
        return f"at least {low}" + (f" and at most {self.at_most}" if self.at_most else "")


def read_expectation(payload: Any) -> Expectation:
    if not isinstance(payload, dict):
        raise BadPattern('send a JSON object: {"method": "GET", "path": "/pets/*", "count": 1}')
    pattern = {k: v for k, v in payload.items() if k in PATTERN_KEYS}
    unknown = sorted(set(payload) - PATTERN_KEYS - {"count", "at_least", "at_most"})
    if unknown:
        raise BadPattern(
            f"unknown field(s) {', '.join(unknown)}; a pattern has "
            f"{', '.join(sorted(PATTERN_KEYS))}, and count, at_least or at_most"
        )
    for key in ("query", "headers"):
        if key in pattern and not isinstance(pattern[key], dict):
            raise BadPattern(f"`{key}` must be an object of name: value")
    counts = {}
    for key in ("count", "at_least", "at_most"):
        value = payload.get(key)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise BadPattern(f"`{key}` must be a whole number >= 0")
        counts[key] = value
    return Expectation(pattern, counts["count"], counts["at_least"], counts["at_most"])


def _without_base(path: str, base_paths: tuple[str, ...]) -> list[str]:
    """The path as sent, and without each base path it starts with (`/v1/pets` -> `/pets`)."""
    found = [path]
    for base in base_paths:
        if path == base or path.startswith(base + "/"):
            found.append(path[len(base) :] or "/")
    return found


def _values(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def differences(
    pattern: dict[str, Any], call: dict[str, Any], base_paths: tuple[str, ...] = ()
) -> list[str]:
    """What a recorded call lacks to match the pattern (empty: it matches). A pattern's path
    matches a call made with or without the spec's base path, as the mock answers both."""
    found: list[str] = []
    if "method" in pattern and str(pattern["method"]).upper() != call["method"]:
        found.append(f"method is {call['method']}, not {str(pattern['method']).upper()}")
    if "path" in pattern and not any(
        fnmatch.fnmatchcase(path, wanted)
        for path in _without_base(call["path"], base_paths)
        for wanted in _without_base(str(pattern["path"]), base_paths)
    ):
        found.append(f"path is {call['path']}, not {pattern['path']}")
    if "stub" in pattern and pattern["stub"] != call["stub"]:
        found.append(f"stub is {call['stub']}, not {pattern['stub']}")
    if "status" in pattern and not _status_matches(str(pattern["status"]), call["status"]):
        found.append(f"status is {call['status']}, not {pattern['status']}")
    for name, wanted in (pattern.get("query") or {}).items():
        got = call["query"].get(name)  # a list where the parameter was repeated
        if got is None or _values(got) != _values(wanted):
            found.append(f"query {name} is {got!r}, not {wanted!r}")
    for name, wanted in (pattern.get("headers") or {}).items():
        got = call["request_headers"].get(str(name).lower())
        if got != str(wanted):
            found.append(f"header {name} is {got!r}, not {wanted!r}")
    if "body" in pattern and not _body_matches(pattern["body"], call["request_body"]):
        found.append("the body differs")
    return found


def _status_matches(wanted: str, status: int) -> bool:
    """`404`, or a class: `4xx` (an unreadable one matches nothing)."""
    try:
        low, high = status_range(wanted)
    except ValueError:
        return False
    return low <= status <= high


def _body_matches(wanted: Any, text: str | None) -> bool:
    if text is None:
        return wanted is None
    try:
        body = json.loads(text)
    except ValueError:
        return isinstance(wanted, str) and wanted == text
    if isinstance(wanted, dict) and isinstance(body, dict):
        return all(k in body and body[k] == v for k, v in wanted.items())
    return bool(body == wanted)


def verify(
    expectation: Expectation, calls: list[dict[str, Any]], base_paths: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The verdict on the recorded calls (newest first) for the admin API. When more calls
    matched than allowed (`count: 0` and one came), those are what the test is about: they are
    listed as `unexpected`; when too few did, the calls that came closest, as `near_misses`."""
    matched = [c for c in calls if not differences(expectation.pattern, c, base_paths)]
    met = expectation.met_by(len(matched))
    answer: dict[str, Any] = {
        "met": met,
        "matched": len(matched),
        "expected": expectation.describe(),
        "pattern": expectation.pattern,
        "calls": [c["id"] for c in matched],
    }
    if not met and expectation.too_many(len(matched)):
        answer["unexpected"] = [
            {"id": c["id"], "method": c["method"], "url": c["url"], "status": c["status"]}
            for c in matched[:NEAR_MISSES]
        ]
    elif not met:
        scored = [(differences(expectation.pattern, c, base_paths), c) for c in calls]
        near = sorted((d for d in scored if d[0]), key=lambda d: len(d[0]))[:NEAR_MISSES]
        answer["near_misses"] = [
            {"id": c["id"], "method": c["method"], "url": c["url"], "status": c["status"],
             "differences": diffs}
            for diffs, c in near
        ]  # fmt: skip
    return answer

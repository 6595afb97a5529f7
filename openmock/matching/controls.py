"""Control headers: what the client asks of the mock for one request.

Prism-compatible: `Prefer: code=404, example=cat, dynamic=true, seed=7, validate=false` (RFC 7240
preferences, separated by commas or semicolons; openmock's own: `delay=300`, `fault=reset`).
Postman-compatible: `x-mock-response-code`,
`x-mock-response-name`, `x-mock-response-id`, `x-mock-match-request-body: true|false` and
`x-mock-match-request-headers: h1,h2`. A value that cannot be read is reported back as a 400
problem, never ignored silently (the two Postman matching headers excepted: anything but
`true`/`false` leaves body matching to the stub and the server).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from openmock.delays import BadDelay, Delay, parse_delay
from openmock.model import FAULTS

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True)
class Controls:
    code: int | None = None
    example: str | None = None  # a scenario name or id
    dynamic: bool | None = None
    seed: int | None = None
    validate: bool | None = None  # `Prefer: validate=false` skips request validation
    delay: Delay | None = None  # `Prefer: delay=300` (or 100-500) milliseconds
    match_body: bool | None = None  # `x-mock-match-request-body`; None: the stub's own rule
    match_headers: frozenset[str] = frozenset()  # `x-mock-match-request-headers`, lower case
    fault: str | None = None  # `Prefer: fault=reset|empty|malformed|slow-body` (model.FAULTS)
    problems: tuple[str, ...] = ()  # unreadable control values, each a sentence

    @property
    def explicit(self) -> bool:
        return self.code is not None or self.example is not None


def parse_prefer(header: str) -> dict[str, str]:
    """`code=404, example="a b"; dynamic` -> {"code": "404", "example": "a b", "dynamic": ""}."""
    found: dict[str, str] = {}
    for part in header.replace(";", ",").split(","):
        name, _, value = part.strip().partition("=")
        name = name.strip().lower()
        if name:
            found[name] = value.strip().strip('"')
    return found


NO_CONTROLS = Controls()


def read_controls(headers: Mapping[str, str]) -> Controls:
    """The controls in a request's headers (names in lower case)."""
    if "prefer" not in headers and not any(name.startswith("x-mock-") for name in headers):
        return NO_CONTROLS  # the usual request asks nothing of the mock
    prefer = parse_prefer(headers.get("prefer", ""))
    problems: list[str] = []

    def integer(raw: str | None, where: str, low: int, high: int) -> int | None:
        if raw is None or raw == "":
            return None
        try:
            value = int(raw)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            problems.append(f"{where} must be an integer from {low} to {high}, got {raw!r}")
            return None
        return value

    def flag(raw: str | None, where: str) -> bool | None:
        if raw is None:
            return None
        text = raw.lower() or "true"  # a bare `Prefer: dynamic` means true
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        problems.append(f"{where} must be true or false, got {raw!r}")
        return None

    delay = None
    if prefer.get("delay"):
        try:
            delay = parse_delay(prefer["delay"], "Prefer: delay")
        except BadDelay as exc:
            problems.append(str(exc))
    code = integer(headers.get("x-mock-response-code"), "x-mock-response-code", 100, 599)
    if code is None:
        code = integer(prefer.get("code"), "Prefer: code", 100, 599)
    example = (
        headers.get("x-mock-response-name")
        or headers.get("x-mock-response-id")
        or prefer.get("example")
        or None
    )
    fault = prefer.get("fault") or None
    if fault is not None and fault not in FAULTS:
        problems.append(f"Prefer: fault must be one of {', '.join(FAULTS)}, got {fault!r}")
        fault = None
    asked = headers.get("x-mock-match-request-body", "").strip().lower()
    listed = headers.get("x-mock-match-request-headers", "")
    return Controls(
        code=code,
        example=example,
        dynamic=flag(prefer.get("dynamic"), "Prefer: dynamic"),
        seed=integer(prefer.get("seed"), "Prefer: seed", 0, 2**63 - 1),
        validate=flag(prefer.get("validate"), "Prefer: validate"),
        delay=delay,
        match_body=True if asked == "true" else False if asked == "false" else None,
        match_headers=frozenset(h.strip().lower() for h in listed.split(",") if h.strip()),
        fault=fault,
        problems=tuple(problems),
    )

"""Request-to-example pairing: the scenario whose example the request looks like.

Microcks' convention, driven by the spec itself: a named request example (request body
`examples.K`, or a parameter's `examples.K`) pairs with the response example of the same name
`K`. Each candidate is scored against the live request, Postman-style:

- a parameter whose example K equals the request's value: +2 for a path parameter, +1 for
  query, header or cookie; a different value rules the candidate out; a missing one scores 0
  (partial matches still pair);
- the body: equal to example K +3, containing all of an object example's fields +2; a different
  body scores 0, or rules the candidate out when body matching is on
  (`x-mock-match-request-body: true`);
- a header named in `x-mock-match-request-headers: h1,h2` is a filter: a request without
  the example's value rules the candidate out.

A response example can also state its criteria (`x-openmock-match`: path, query, headers,
cookies, body); each listed one must hold, and scores as above.

The highest score above zero wins; a tie goes to the default scenario, else to the first in
spec order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openmock.model import MatchRule, Scenario, Stub

PARAM_POINTS = {"path": 2, "query": 1, "header": 1, "cookie": 1}


@dataclass(frozen=True)
class PairedRequest:
    """What pairing looks at: parsed parameters and the parsed body."""

    params: Mapping[tuple[str, str], Any]
    body: Any = None
    has_body: bool = False  # False: no body, or one that could not be parsed
    match_body: bool = False  # body as a filter, not just a bonus
    # The request as sent, for criteria on what the operation does not declare:
    raw: Mapping[str, Mapping[str, str]] | None = None  # path/query/headers/cookies -> values
    match_headers: frozenset[str] = frozenset()  # lower-case header names that must match


@dataclass(frozen=True)
class Pairing:
    scenario: Scenario
    score: int
    reason: str


@dataclass(frozen=True)
class Candidate:
    """A response example K and the request examples named K: what a request is compared
    with. Made once per stub when the mock state is built."""

    scenario: Scenario
    params: tuple[tuple[tuple[str, str], Any, int], ...]  # (location, name), value, points
    bodies: tuple[Any, ...]
    rule: MatchRule | None = None  # `x-openmock-match`: criteria that must all hold


def candidates_of(stub: Stub) -> tuple[Candidate, ...]:
    """The stub's response examples that have a same-named request example, in spec order."""
    found: list[Candidate] = []
    for scenario in stub.scenarios:
        if scenario.match is not None:
            found.append(Candidate(scenario, (), (), scenario.match))
            continue
        if scenario.source != "examples":
            continue
        name = scenario.name
        params = tuple(
            ((p.location, p.name), e.value, PARAM_POINTS.get(p.location, 1))
            for p in stub.parameters for e in p.examples if e.name == name
        )  # fmt: skip
        bodies = tuple(
            e.value
            for media in (stub.request_body.content if stub.request_body else ())
            for e in media.examples if e.name == name
        )  # fmt: skip
        if params or bodies:
            found.append(Candidate(scenario, params, bodies))
    return tuple(found)


def pair_scenario(
    candidates: tuple[Candidate, ...], default: Scenario, request: PairedRequest
) -> Pairing | None:
    best: list[tuple[int, Scenario, list[str]]] = []
    for candidate in candidates:
        scored = _score(candidate, request)
        if scored is not None and scored[0] > 0:
            best.append((scored[0], candidate.scenario, scored[1]))
    if not best:
        return None
    top = max(score for score, _, _ in best)
    tied = [entry for entry in best if entry[0] == top]
    chosen = next((t for t in tied if t[1] is default), tied[0])
    reason = f"paired with request example '{chosen[1].name}' ({', '.join(chosen[2])}; score {top})"
    return Pairing(chosen[1], top, reason)


def _score(candidate: Candidate, request: PairedRequest) -> tuple[int, list[str]] | None:
    """(score, what matched), or None when something in the request rules it out."""
    points, notes = _judge(candidate, request)
    return None if points is None else (points, notes)


def ruled_out(candidate: Candidate, request: PairedRequest) -> str | None:
    """Why the request cannot pair with `candidate` (None: it can, or merely scores 0)."""
    points, notes = _judge(candidate, request)
    return notes[0] if points is None else None


def _judge(candidate: Candidate, request: PairedRequest) -> tuple[int | None, list[str]]:
    """(score and what matched) or (None and why not)."""
    if candidate.rule is not None:
        return _rule_score(candidate.rule, request)
    score = 0
    matched: list[str] = []
    for key, value, points in candidate.params:
        if key not in request.params:
            if key[0] == "header" and key[1].lower() in request.match_headers:
                return None, [f"header {key[1]} is missing"]  # it must match
            continue  # partial: a missing parameter neither scores nor rules out
        if not _same(request.params[key], value):
            return None, [f"{key[0]} {key[1]} is {request.params[key]!r}, not {value!r}"]
        score += points
        matched.append(" ".join(key))
    if candidate.bodies and request.has_body:
        points = max(_body_points(request.body, example) for example in candidate.bodies)
        if points:
            score += points
            matched.append("body" if points == 3 else "body fields")
        elif request.match_body:
            return None, ["the body differs from the request example"]
    return score, matched


# MatchRule field -> parameter location; each scores PARAM_POINTS of its location.
_RULE_PARTS = (("path", "path"), ("query", "query"), ("headers", "header"), ("cookies", "cookie"))


def _rule_score(rule: MatchRule, request: PairedRequest) -> tuple[int | None, list[str]]:
    """Every criterion of an `x-openmock-match` must hold; each scores like a paired one."""
    score = 0
    matched: list[str] = []
    raw = request.raw or {}
    for part, location in _RULE_PARTS:
        criteria: Mapping[str, Any] = getattr(rule, part)
        sent = raw.get(part, {})
        for name, wanted in criteria.items():
            got = request.params.get((location, name), _ABSENT)
            if got is _ABSENT:
                got = sent.get(name, _ABSENT)
            if got is _ABSENT:
                return None, [f"{location} {name} is missing"]
            if not _same(got, wanted):
                return None, [f"{location} {name} is {got!r}, not {wanted!r}"]
            score += PARAM_POINTS[location]
            matched.append(f"{location} {name}")
    if rule.has_body:
        points = _body_points(request.body, rule.body) if request.has_body else 0
        if not points:
            return None, ["the body differs from the one the scenario expects"]
        score += points
        matched.append("body" if points == 3 else "body fields")
    return max(score, 1), matched or ["x-openmock-match"]


_ABSENT = object()


def _body_points(body: Any, example: Any) -> int:
    """A body is JSON: its types count (100 is not "100"), unlike a query string's text."""
    if _same_json(body, example):
        return 3
    fields = isinstance(body, dict) and isinstance(example, dict) and bool(example)
    if fields and all(k in body and _same_json(body[k], v) for k, v in example.items()):
        return 2
    return 0


def _same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values: numbers by value (1 == 1.0), nothing else across types."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values, or equal as text (query strings arrive as text: '42' == 42)."""
    if a == b and type(a) is type(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, dict | list) or isinstance(b, dict | list):
        return False
    return _text(a) == _text(b)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

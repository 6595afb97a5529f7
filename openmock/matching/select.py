"""PICK: which scenario of a stub answers a request.

Order (documented in the README):
1. explicit control: `Prefer: code=` / `x-mock-response-code` and `Prefer: example=` /
   `x-mock-response-name` / `x-mock-response-id`. Asking for something the stub does not
   have is a 404 problem naming what it has, never a silent default;
2. request-to-example pairing (pairing.py): the response example named like the request
   example the request looks like, scored Postman-style;
3. the stub's default scenario (the first example of its lowest 2xx response, else that
   response's schema, else `default`).
"""

from __future__ import annotations

from typing import NamedTuple

from openmock.matching.controls import Controls
from openmock.matching.pairing import Candidate, PairedRequest, pair_scenario, ruled_out
from openmock.model import Scenario, Stub
from openmock.problems import Problem, no_matching_scenario, no_such_scenario


class Selection(NamedTuple):
    scenario: Scenario
    reason: str  # said in logs and headers: why this scenario answers
    status: int  # usually scenario.status; the asked code for a `4XX` or `default` response


def select_scenario(
    stub: Stub,
    controls: Controls | None = None,
    request: PairedRequest | None = None,
    candidates: tuple[Candidate, ...] = (),
) -> Selection | Problem:
    """`candidates` are the stub's pairing candidates (pairing.candidates_of, made once)."""
    default = stub.default_scenario
    if controls is None or not controls.explicit:
        paired = None
        if candidates and request is not None:
            paired = pair_scenario(candidates, default, request)
        if paired is not None:
            return Selection(paired.scenario, paired.reason, paired.scenario.status)
        if request is None or not _must_match(default, candidates, request):
            return Selection(default, "default", default.status)
        if not request.match_body:  # the default's own criteria do not hold: a catch-all
            plain = next((s for s in stub.scenarios if s.match is None), None)
            if plain is not None:
                return Selection(plain, "no scenario's criteria hold", plain.status)
        misses = [
            {"scenario": c.scenario.id, "differs": why}
            for c in candidates
            if (why := ruled_out(c, request)) is not None
        ]
        return no_matching_scenario(stub.id, misses)
    reasons: list[str] = []
    code = controls.code
    # The responses that stand for the code, most specific first: `502`, then `5XX`, then
    # `default`; the first of those with the example asked for (if one is) answers.
    tiers = [list(stub.scenarios)]
    if code is not None:
        keys = (str(code), f"{str(code)[0]}XX", "DEFAULT")
        tiers = [[s for s in stub.scenarios if s.status_key.upper() == key] for key in keys]
        reasons.append(f"code={code}")
    if controls.example is not None:
        wanted = controls.example
        tiers = [[s for s in tier if wanted in (s.id, s.name)] for tier in tiers]
        reasons.append(f"example={wanted}")
    matching = next((tier for tier in tiers if tier), [])
    if not matching:
        return no_such_scenario(stub.id, ", ".join(reasons), _menu(stub))
    chosen = default if default in matching else matching[0]
    return Selection(chosen, "asked: " + ", ".join(reasons), code or chosen.status)


def _must_match(default: Scenario, candidates: tuple[Candidate, ...], req: PairedRequest) -> bool:
    """Whether a request that pairs with nothing may not fall back to the default (Postman's
    behaviour): body matching was asked for and scenarios have bodies to match, or the default
    itself has criteria (a runtime stub's `params`/`headers`, `x-openmock-match`), which then
    only a scenario without criteria may stand in for."""
    if default.match is not None:
        return True
    has_bodies = any(c.bodies or (c.rule is not None and c.rule.has_body) for c in candidates)
    return req.match_body and has_bodies


# Which documented responses answer a request that failed validation with a status, in order
# of preference (Prism's: a body that breaks its schema takes the spec's 422, else its 400);
# then the range (`4XX`) and `default`, served with the status validation gave. A malformed
# body or a bad parameter (400) never takes a 422: that status says the request was
# well-formed.
_ERROR_RESPONSES = {400: (400,), 422: (422, 400), 401: (401,), 415: (415,)}


def error_scenario(stub: Stub, status: int, example: str | None = None) -> Selection | None:
    """The spec's own response for a request that failed validation with `status`, or None
    when the operation documents none (the mock then answers with a problem+json). With
    `example` (`Prefer: example=usernameIsEmpty`), that example of the response, when it has
    one of that name."""
    for code in _ERROR_RESPONSES.get(status, (status,)):
        if (scenario := _documented(stub, str(code), example)) is not None:
            return Selection(scenario, f"invalid request: the spec's {code} response", code)
    for key in (f"{str(status)[0]}XX", "DEFAULT"):
        if (scenario := _documented(stub, key, example)) is not None:
            return Selection(
                scenario, f"invalid request: the spec's {key.lower()} response", status
            )
    return None


def _documented(stub: Stub, key: str, example: str | None = None) -> Scenario | None:
    """The stub's scenario for response key `key`: the example asked for, else the default
    scenario if it is one, else the first."""
    found = [s for s in stub.scenarios if s.status_key.upper() == key]
    named = [s for s in found if example is not None and example in (s.id, s.name)]
    return min(named or found, key=lambda s: s.id != stub.default_scenario_id, default=None)


def _menu(stub: Stub) -> list[dict[str, object]]:
    return [{"id": s.id, "name": s.name, "status": s.status_key} for s in stub.scenarios]

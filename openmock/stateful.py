"""The pipeline's state step (`--stateful`): a stateful operation's request applied to the
store, and its outcome served through the operation's own documented responses.

- an item (created, read, replaced, updated) or a list's page: the operation's 2xx response
  with the stored data as its body (a list in its envelope, with totals and next links),
  validated against the response schema; data that does not fit is not served: the
  stateless answer is, with `X-Openmock-Warning` saying why;
- an unknown id: the operation's documented 404, else a 404 problem (a DELETE: its
  documented success, deleting being idempotent);
- a client-chosen id that exists: the documented 409, else a 409 problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openmock.answer import Answer, problem_answer
from openmock.generate import GenerationError
from openmock.matching import Controls, Selection, error_scenario
from openmock.mediatypes import base_type
from openmock.model import Scenario, Stub
from openmock.problems import Problem, conflict, insufficient_storage, not_found_item
from openmock.request import ParsedParameters
from openmock.request.body import ParsedBody
from openmock.respond import Generation, Responder
from openmock.state import SESSION_HEADER, Call, Outcome, Resource, Role, StateKeeper, StoreFull
from openmock.state.crud import page_urls
from openmock.state.resources import Listing

JSON_PATCH = "application/json-patch+json"


@dataclass(frozen=True)
class Stateless:
    """The state step declines: the stateless answer is served, with this warning."""

    warning: str


def applies(keeper: StateKeeper, stub: Stub, controls: Controls) -> Role | None:
    """The stub's stateful role for this request, None when the state stays out of it:
    explicit asks (`Prefer: code=/example=`, `x-mock-response-*`) and a runtime default
    scenario win, as do response examples with explicit match rules (`x-openmock-match`)."""
    role = keeper.role(stub.id)
    if role is None or controls.explicit:
        return None
    if stub.default_scenario.source == "runtime" or stub.progresses:
        return None  # a runtime default, a sequence or a state machine says what answers
    if any(s.match is not None for s in stub.scenarios):
        return None
    return role


def state_answer(
    keeper: StateKeeper,
    responder: Responder,
    stub: Stub,
    role: Role,
    request_path: str,
    headers: Mapping[str, str],
    params: ParsedParameters,
    parsed: ParsedBody,
    gen: Generation,
) -> Answer | Stateless:
    resource = keeper.resource(role.resource)
    path_values = gen.path_params  # typed by the pipeline, for echoing ids too
    query = {name: v for (where, name), v in params.values.items() if where == "query"}
    content_type = base_type(headers.get("content-type", ""))
    call = Call(
        session=headers.get(SESSION_HEADER, ""),
        path=request_path,
        path_values=path_values,
        query=query,
        body=parsed.value if parsed.parsed else None,
        patch_kind="json-patch" if content_type == JSON_PATCH else "merge",
    )
    try:
        outcome = keeper.crud.apply(resource, role, call)
    except StoreFull:
        return problem_answer(insufficient_storage(resource.name), stub.id, reason="state: full")
    except GenerationError as exc:  # seeding, or a created item's server-set fields
        return Stateless(f"no value fits the {resource.name} schema: {exc}")
    if outcome.kind == "invalid":
        return Stateless(outcome.reason.removeprefix("state: "))
    if outcome.kind == "not-found":
        return _missing(responder, stub, role, outcome, headers, gen)
    if outcome.kind == "conflict":
        return _refused(responder, stub, outcome, headers, gen, 409)
    scenario = _success(stub)
    if scenario is None:
        return Stateless(f"{stub.id} documents no 2xx response to serve the state with")
    fixed: dict[str, str] = {}
    value: Any = outcome.item
    if outcome.kind == "list":
        try:
            origin = _origin(headers)
            value, fixed = _listed(keeper, resource, scenario, outcome, request_path, gen, origin)
        except GenerationError as exc:  # the envelope's other fields
            return Stateless(f"no list envelope fits the {resource.name} schema: {exc}")
    if outcome.location is not None:
        fixed["location"] = outcome.location
    trusted = keeper.known_valid(resource, listed=outcome.kind == "list")
    accept = headers.get("accept")
    made = responder.respond_value(stub, scenario, accept, gen, value, fixed, trusted)
    if isinstance(made, str):
        return Stateless(made)
    if isinstance(made, Problem):
        return problem_answer(made, stub.id, scenario.id)
    # A next-page Link and a new item's Location are sent even where the spec does not
    # document them (as a real backend would); other fixed values only replace documented ones.
    out = list(made.headers)
    documented = {name for name, _ in out}
    for name in ("link", "location"):
        if name in fixed and name not in documented:
            out.append((name, fixed[name]))
    return Answer(made.status, out, made.body, stub.id, scenario.id, outcome.reason, "state")


def _success(stub: Stub) -> Scenario | None:
    """The scenario a stateful answer takes its status, headers and media types from: the
    default when it is a 2xx answer, else the lowest documented 2xx."""
    default = stub.default_scenario
    if 200 <= default.status < 300:
        return default
    ordered = sorted((s for s in stub.scenarios if 200 <= s.status < 300), key=lambda s: s.status)
    return ordered[0] if ordered else None


def _listed(
    keeper: StateKeeper,
    resource: Resource,
    scenario: Scenario,
    outcome: Outcome,
    path: str,
    gen: Generation,
    origin: str,
) -> tuple[Any, dict[str, str]]:
    """A list's body (the page, bare or in its envelope) and the headers that go with it;
    `origin` (`http://host:port`) makes the envelope's page links absolute."""
    listing = resource.listing
    fixed: dict[str, str] = {}
    pages = dict(outcome.pages)
    if outcome.next_query is not None:
        pages["next"] = outcome.next_query
    urls = page_urls(path, pages)
    link = urls.get("next")
    # As GitHub's: next and last where there is a next page, first and prev past the first.
    rels = (("next", "last") if link else ()) + (("first", "prev") if "prev" in urls else ())
    if rels:
        fixed["link"] = ", ".join(f'<{urls[rel]}>; rel="{rel}"' for rel in rels if rel in urls)
    if listing.total_header is not None:
        fixed[listing.total_header.lower()] = str(outcome.total)
    if listing.items is None:
        return outcome.items, fixed
    schema = next((r.schema for r in scenario.representations if r.schema is not None), None)
    base = keeper.make_value(schema, f"{gen.key}|envelope") if schema is not None else {}
    envelope = dict(base) if isinstance(base, dict) else {}
    envelope[listing.items] = outcome.items
    plain = dict(envelope)
    if listing.total is not None:
        envelope[listing.total] = outcome.total
    if listing.has_more is not None:
        envelope[listing.has_more] = outcome.next_query is not None
    if listing.links is not None:
        envelope[listing.links] = _page_links(listing, urls or {"self": path}, origin)
    if listing.next is not None:
        cursor = listing.cursor and listing.next.lower().replace("_", "").endswith("cursor")
        if outcome.next_query is None:
            envelope[listing.next] = None
        elif cursor and listing.cursor is not None:
            envelope[listing.next] = outcome.next_query[listing.cursor]
        else:
            envelope[listing.next] = link
    if schema is None or keeper.is_valid(schema, envelope):
        return envelope, fixed
    return plain, fixed  # the envelope's own rules refuse one of the fields: the page alone


def _origin(headers: Mapping[str, str]) -> str:
    """Where the client reached the mock (`http://127.0.0.1:4010`), for absolute links; the
    scheme a proxy in front says it was reached by."""
    host = headers.get("host")
    if not host:
        return ""
    scheme = headers.get("x-forwarded-proto", "http").split(",")[0].strip() or "http"
    return f"{scheme}://{host}"


def _page_links(listing: Listing, urls: Mapping[str, str], origin: str) -> Any:
    """The envelope's page links (`urls`: self, next, prev, first, last, those there are),
    absolute on `origin`; a link with no page is left out."""
    found: dict[str, Any] = {}
    for kind in listing.link_kinds:
        url = urls.get("prev" if kind.lower() == "previous" else kind.lower())
        if url:
            found[kind] = {"href": origin + url} if listing.link_href else origin + url
    return found


def _missing(
    responder: Responder,
    stub: Stub,
    role: Role,
    outcome: Outcome,
    headers: Mapping[str, str],
    gen: Generation,
) -> Answer:
    selection = error_scenario(stub, 404)
    if selection is not None and selection.status == 404:
        return _serve(responder, stub, selection, outcome.reason, headers, gen)
    if role.action == "delete":  # deleting what is gone is done: the documented success
        scenario = _success(stub) or stub.default_scenario
        reason = f"{outcome.reason} (deleting is idempotent)"
        selection = Selection(scenario, reason, scenario.status)
        return _serve(responder, stub, selection, reason, headers, gen)
    made = problem_answer(not_found_item(outcome.reason.removeprefix("state: ")), stub.id)
    made.reason = outcome.reason
    made.headers.append(
        ("x-openmock-warning", f"{stub.id} documents no 404; the truth beats the contract")
    )
    return made


def _refused(
    responder: Responder,
    stub: Stub,
    outcome: Outcome,
    headers: Mapping[str, str],
    gen: Generation,
    status: int,
) -> Answer:
    selection = error_scenario(stub, status)
    if selection is not None and selection.status == status:
        return _serve(responder, stub, selection, outcome.reason, headers, gen)
    made = problem_answer(conflict(outcome.reason.removeprefix("state: ")), stub.id)
    made.reason = outcome.reason
    return made


def _serve(
    responder: Responder,
    stub: Stub,
    selection: Selection,
    reason: str,
    headers: Mapping[str, str],
    gen: Generation,
) -> Answer:
    """A documented response of the operation, made as usual (its example or generated)."""
    scenario = selection.scenario
    gen = Generation(f"{gen.key}|{scenario.id}", gen.path_params, gen.seed, gen.dynamic)
    made = responder.respond(stub, scenario, headers.get("accept"), gen, selection.status)
    if isinstance(made, Problem):
        return problem_answer(made, stub.id, scenario.id)
    return Answer(
        made.status,
        list(made.headers),
        made.body,
        stub.id,
        scenario.id,
        reason,
        "example" if made.from_example else "generated",
    )

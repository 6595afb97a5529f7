"""ROUTE: a compiled, immutable route table from path templates.

Precedence per segment: a literal segment beats a segment mixing text and parameters
(`{name}.json`), which beats a whole-segment parameter (`{id}`), so `/pets/mine` wins over
`/pets/{id}` whatever order the spec lists them in. Parameter names may be anything OpenAPI
allows (`{pet-id}`, `{id.v2}`). A request path may carry the spec's base path or not.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from openmock.model import Stub

_PARAM = re.compile(r"\{([^{}]+)\}")
MATCHES_KEPT = 4096  # (method, path) pairs whose route is kept


def route_key(method: str, path: str) -> tuple[str, str]:
    """What makes two operations the same route: the method, and the template with its
    parameter names blanked (`/pets/{id}` and `/pets/{petId}` are one route)."""
    return method.upper(), _PARAM.sub("{}", path.rstrip("/") or "/")


@dataclass(frozen=True)
class RouteMatch:
    stub: Stub
    path_params: Mapping[str, str]  # percent-decoded raw values, by parameter name
    template: str


@dataclass(frozen=True)
class MethodNotAllowed:
    allowed: tuple[str, ...]
    template: str


@dataclass(frozen=True)
class NotFound:
    closest: tuple[str, ...]


@dataclass
class _Node:
    literal: dict[str, _Node] = field(default_factory=dict)
    mixed: dict[str, tuple[re.Pattern[str], _Node]] = field(default_factory=dict)
    param: _Node | None = None
    # method -> (stub, parameter names in capture order); template of the first route here
    routes: dict[str, tuple[Stub, tuple[str, ...]]] = field(default_factory=dict)
    template: str = ""


def _split(path: str) -> list[str]:
    return path.split("/")[1:] if path.startswith("/") else path.split("/")


class RouteTable:
    """Immutable once built (but for what `match` keeps of its answers); a new spec or a
    runtime edit builds a new table."""

    def __init__(self, stubs: tuple[Stub, ...] | list[Stub], base_paths: tuple[str, ...] = ()):
        self._root = _Node()
        self.base_paths = tuple(bp.rstrip("/") for bp in base_paths if bp.rstrip("/"))
        self.templates: tuple[str, ...] = tuple(dict.fromkeys(s.path for s in stubs))
        self.duplicates: list[Stub] = []
        for stub in stubs:
            self._add(stub)
        # What `match` found for a method and path: a client asks the same paths again and
        # again (the answers are shared, never changed); cleared when full.
        self._matched: dict[tuple[str, str], RouteMatch | MethodNotAllowed | NotFound] = {}

    def _add(self, stub: Stub) -> None:
        node = self._root
        names: list[str] = []
        # A #fragment or ?query in a template never reaches a server: route what can.
        for segment in _split(re.split(r"[#?]", stub.path, maxsplit=1)[0]):
            params = _PARAM.findall(segment)
            if not params:
                node = node.literal.setdefault(segment, _Node())
            elif segment == "{" + params[0] + "}":
                names.append(params[0])
                if node.param is None:
                    node.param = _Node()
                node = node.param
            else:
                names.extend(params)
                pieces = _PARAM.split(segment)  # literal, name, literal, name, ..., literal
                pattern = "".join(
                    re.escape(piece) if i % 2 == 0 else "([^/]+?)" for i, piece in enumerate(pieces)
                )
                if pattern not in node.mixed:
                    node.mixed[pattern] = (re.compile(pattern + r"\Z"), _Node())
                node = node.mixed[pattern][1]
        if stub.method in node.routes:
            self.duplicates.append(stub)
            return
        node.routes[stub.method] = (stub, tuple(names))
        node.template = node.template or stub.path

    def _leaf(self, segments: list[str]) -> tuple[_Node, list[str]] | None:
        """The most specific route node matching `segments` and the parameter values read on
        the way, if any node matches."""
        stack: list[tuple[_Node, int, list[str]]] = [(self._root, 0, [])]
        while stack:
            node, depth, values = stack.pop()
            if depth == len(segments):
                if node.routes:
                    return node, values
                continue
            segment = segments[depth]
            # Pushed in reverse precedence, so the most specific is explored first.
            if node.param is not None and segment:
                stack.append((node.param, depth + 1, [*values, segment]))
            for regex, child in reversed(node.mixed.values()):
                m = regex.match(segment)
                if m:
                    stack.append((child, depth + 1, [*values, *m.groups()]))
            exact = node.literal.get(segment)
            if exact is not None:
                stack.append((exact, depth + 1, values))
        return None

    def _candidates(self, path: str) -> Iterator[str]:
        """The paths to look up, in order: without each base path it starts with, as sent,
        then each with its trailing slash added or taken away (forgiven when the spec has no
        route with it)."""
        paths = [
            path[len(b) :] or "/" for b in self.base_paths if path == b or path.startswith(b + "/")
        ]
        paths.append(path)
        yield from paths
        for p in paths:
            if len(p) > 1:
                yield p[:-1] if p.endswith("/") else p + "/"

    def methods_at(self, raw_path: str) -> tuple[str, ...]:
        """Every method some operation answers at this path (for a CORS preflight); ()
        when no path matches. Asks `match` for a method no operation has."""
        found = self.match("\x00", raw_path)
        return found.allowed if isinstance(found, MethodNotAllowed) else ()

    def match(self, method: str, raw_path: str) -> RouteMatch | MethodNotAllowed | NotFound:
        key = (method, raw_path)
        found = self._matched.get(key)
        if found is None:
            if len(self._matched) >= MATCHES_KEPT:
                self._matched.clear()
            found = self._matched[key] = self._match(method.upper(), raw_path)
        return found

    def _match(self, method: str, raw_path: str) -> RouteMatch | MethodNotAllowed | NotFound:
        first_path_match: _Node | None = None
        allowed: set[str] = set()
        for path in self._candidates(raw_path):
            segments = [unquote(s) for s in _split(path)] if "%" in path else _split(path)
            # The most specific path item that matches is the one that applies: a literal
            # path never borrows a template's methods (`DELETE /orders/latest` is a 405 when
            # only `/orders/{id}` has DELETE), as OpenAPI says concrete paths match first.
            leaf = self._leaf(segments)
            if leaf is not None:
                node, values = leaf
                route = node.routes.get(method)
                if route is None and method == "HEAD":
                    route = node.routes.get("GET")
                if route is not None:
                    stub, names = route
                    return RouteMatch(stub, dict(zip(names, values, strict=False)), node.template)
                if first_path_match is None:
                    first_path_match = node
                allowed.update(node.routes)
            if first_path_match is not None:
                break
        if first_path_match is not None:
            if "GET" in allowed:
                allowed.add("HEAD")
            return MethodNotAllowed(tuple(sorted(allowed)), first_path_match.template)
        closest = difflib.get_close_matches(raw_path, self.templates, n=3, cutoff=0.4)
        return NotFound(tuple(closest))

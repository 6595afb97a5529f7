"""Templates filled in for one request (their syntax: openmock/template/).

A string that is one whole reference takes the JSON type the schema asks for at its place
(`"{{request.path.id}}"` is 42 where the schema says integer; a body part keeps its own JSON
type); a reference with nothing to read (no such query parameter, no stored item) is the
schema's generated value there, or an empty string inside text, never `None`. References
read only JSON data (dicts and lists by key and index), so a template cannot reach anything
else; the filled-in body is limited to MAX_RENDERED_BYTES.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson

from openmock.generate import GenerationEngine, derive_seed
from openmock.request.params import coerce
from openmock.respond.dynamic import dynamic_value
from openmock.schema.index import SCHEMA_ERRORS, SchemaIndex
from openmock.schema.merge import flatten_all_of
from openmock.schema.nodes import child_map
from openmock.schema.pointers import pointer_from_parts
from openmock.template import DYNAMIC_VARIABLES, Reference, Template

MAX_RENDERED_BYTES = 1024 * 1024
Path = tuple[str | int, ...]
_MISSING = object()


class RenderError(Exception):
    """A template that cannot be filled in (its output is too large)."""


class RequestData:
    """What templates may read of one request; the body is read, and the stored data
    looked up, only when a template asks."""

    def __init__(
        self,
        method: str,
        url: str,
        path: Mapping[str, str],
        query: list[tuple[str, str]],
        headers: Mapping[str, str],
        cookies: Mapping[str, str],
        body: Callable[[], Any],
        state: Callable[[], tuple[Any, int | None]] | None = None,
    ) -> None:
        self.method, self.url, self.path = method, url, path
        self._query = query
        self.headers, self.cookies = headers, cookies
        self._body, self._state = body, state

    @cached_property
    def query(self) -> dict[str, str]:
        return dict(reversed(self._query))  # the first value of a repeated parameter

    @cached_property
    def body(self) -> Any:
        return self._body()

    @cached_property
    def stored(self) -> tuple[Any, int | None]:
        return self._state() if self._state is not None else (None, None)


@dataclass(frozen=True)
class Templated:
    """A value with templates in it (an example), made into a form that renders fast."""

    value: Any
    templates: tuple[tuple[Path, Template], ...]


class Renderer:
    """Fills templates in; owned by the responder (its engine makes missing values)."""

    def __init__(self, engine: GenerationEngine, index: SchemaIndex) -> None:
        self.engine = engine
        self.index = index

    def render(
        self, templated: Templated, schema: Any, request: RequestData | None, key: str, seed: int
    ) -> Any:
        """The value with every template filled in from `request`."""
        value = templated.value
        for path, template in templated.templates:
            place = self._schema_at(schema, path)
            filled = self._fill(template, place, request, f"{key}|{pointer_from_parts(path)}", seed)
            value = _put(value, path, filled)
        if len(orjson.dumps(value, default=str)) > MAX_RENDERED_BYTES:
            raise RenderError(f"the filled-in template is over {MAX_RENDERED_BYTES} bytes")
        return value

    def render_text(
        self, template: Template, request: RequestData | None, key: str, seed: int
    ) -> str:
        """A header value: always text."""
        filled = self._fill(template, None, request, key, seed)
        return filled if isinstance(filled, str) else _text(filled)

    def _fill(
        self, template: Template, schema: Any, request: RequestData | None, key: str, seed: int
    ) -> Any:
        rng = random.Random(derive_seed(seed, key, "template"))
        whole = template.whole
        if whole is not None:
            found = self._read(whole, request, rng)
            if found is _MISSING:
                if schema is None:
                    return ""
                return self.engine.value(schema, key, seed=seed, blocking=False)
            if isinstance(found, str) and schema is not None:
                return coerce(found, schema, self._deref)
            return found
        out: list[str] = []
        for piece in template.pieces:
            if isinstance(piece, str):
                out.append(piece)
            else:
                found = self._read(piece, request, rng)
                out.append("" if found is _MISSING else _text(found))
        return "".join(out)

    def _read(self, ref: Reference, request: RequestData | None, rng: random.Random) -> Any:
        if ref.root == "$":
            return dynamic_value(DYNAMIC_VARIABLES[ref.parts[0]], rng, self.engine.realism)
        if request is None:
            return _MISSING
        if ref.root == "state":
            item, count = request.stored
            if ref.parts[0] == "count":
                return _MISSING if count is None else count
            return _walk(item, ref.parts[1:]) if item is not None else _MISSING
        kind, rest = ref.parts[0], ref.parts[1:]
        if kind == "method":
            return request.method
        if kind == "url":
            return request.url
        if kind == "body":
            body = request.body
            return _walk(body, rest) if body is not None else _MISSING
        source: Mapping[str, str] = getattr(request, kind)
        name = rest[0].lower() if kind == "headers" else rest[0]
        return source.get(name, _MISSING)

    def _deref(self, schema: Any) -> Any:
        return self.index.deref(schema)

    def _schema_at(self, schema: Any, path: Path) -> Any:
        """The schema of the value at `path` inside a value of `schema` (None: unknown)."""
        node = schema
        try:
            for step in path:
                if node is None:
                    return None
                node = self._child(node, step)
        except SCHEMA_ERRORS:
            return None
        return node

    def _child(self, schema: Any, step: str | int) -> Any:
        target = self.index.deref(schema)
        if not isinstance(target, dict):
            return None
        for part in flatten_all_of(target, self.index):
            if not isinstance(part, dict):
                continue
            if isinstance(step, int):
                items = part.get("items")
                if isinstance(items, dict):
                    return items
            else:
                found = child_map(part, "properties").get(step)
                if found is not None:
                    return found
                extra = part.get("additionalProperties")
                if isinstance(extra, dict):
                    return extra
        return None


def _walk(value: Any, parts: tuple[str, ...]) -> Any:
    """JSON data followed by keys and list indexes, nothing else."""
    for part in parts:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    if isinstance(value, int | float):
        return str(value)
    return orjson.dumps(value).decode()


def _put(value: Any, path: Path, filled: Any) -> Any:
    """`value` with `filled` at `path`, copying only the containers on the way."""
    if not path:
        return filled
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copied = dict(value)
        copied[str(head)] = _put(value[str(head)], rest, filled)
        return copied
    copied_list = list(value)
    copied_list[int(head)] = _put(value[int(head)], rest, filled)
    return copied_list

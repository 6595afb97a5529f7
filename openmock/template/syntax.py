"""The syntax of a template: text with `{{ reference }}` parts. A reference names request data
(`request.path.id`, `request.query.page`, `request.headers.X-Trace`, `request.cookies.sid`,
`request.body`, `request.body.customer.name`, `request.body.items.0.sku`, `request.method`,
`request.url`), a Postman dynamic variable (`$guid`, `$randomFirstName`...) or, with
--stateful, the stored data (`state.item.name`, `state.count`). Nothing else: no helpers,
no expressions, no attribute access, so a template can only ever read JSON data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openmock.schema.pointers import pointer_from_parts
from openmock.template.variables import DYNAMIC_VARIABLES

MAX_TEMPLATE_CHARS = 10_000  # one string of a template
_PART = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_SEGMENT = re.compile(r"^[^\s.{}]+$")
_REQUEST_MAPS = ("path", "query", "headers", "cookies")


class TemplateError(ValueError):
    """A template that cannot be read: `reason` says what is wrong and what to write,
    `pointer` where it is (inside the value it was found in, until a caller knows more)."""

    def __init__(self, reason: str, pointer: str = "") -> None:
        super().__init__(f"{pointer}: {reason}" if pointer else reason)
        self.reason = reason
        self.pointer = pointer

    def at(self, pointer: str) -> TemplateError:
        """The same error, where the value it was found in sits (`pointer` + its own)."""
        return TemplateError(self.reason, pointer + self.pointer)


@dataclass(frozen=True)
class Reference:
    """`{{request.body.customer.name}}`: root `request`, parts (body, customer, name)."""

    root: str  # request | state | $ (a dynamic variable)
    parts: tuple[str, ...]
    text: str  # as written, for messages


@dataclass(frozen=True)
class Template:
    """A string's literal text and references, in order; `whole` when the string is one
    reference and nothing else (it then takes the JSON type its schema asks for)."""

    pieces: tuple[str | Reference, ...]

    @property
    def whole(self) -> Reference | None:
        if len(self.pieces) == 1 and isinstance(self.pieces[0], Reference):
            return self.pieces[0]
        return None


def parse_template(text: str) -> Template | None:
    """The template in `text`, or None when it has no `{{`. Raises TemplateError."""
    if "{{" not in text:
        return None
    if len(text) > MAX_TEMPLATE_CHARS:
        raise TemplateError(f"a template string is limited to {MAX_TEMPLATE_CHARS} characters")
    pieces: list[str | Reference] = []
    end = 0
    for found in _PART.finditer(text):
        if found.start() > end:
            pieces.append(_literal(text[end : found.start()]))
        pieces.append(_reference(found.group(1).strip()))
        end = found.end()
    rest = text[end:]
    if rest:
        pieces.append(_literal(rest))
    return Template(tuple(pieces))


def _literal(text: str) -> str:
    if "{{" in text:
        raise TemplateError("`{{` without its closing `}}`")
    return text


def _reference(text: str) -> Reference:
    if not text:
        raise TemplateError("an empty `{{}}`: write what to put there, e.g. {{request.path.id}}")
    if text.startswith(("#", "/", "^", ">", "!")) or " " in text:
        raise TemplateError(
            f"`{{{{{text}}}}}`: helpers and expressions are not supported; a template names "
            "request data ({{request.query.page}}), a dynamic variable ({{$guid}}) or stored "
            "data ({{state.item.name}})"
        )
    if text.startswith("$"):
        if text not in DYNAMIC_VARIABLES:
            raise TemplateError(
                f"`{{{{{text}}}}}` is not a dynamic variable openmock knows; Postman's names "
                "such as {{$guid}}, {{$timestamp}}, {{$randomInt}}, {{$randomEmail}} are"
            )
        return Reference("$", (text,), text)
    root, *parts = text.split(".")
    if any(not _SEGMENT.match(part) for part in parts):
        raise TemplateError(f"`{{{{{text}}}}}`: a reference is names joined by dots")
    if root == "request":
        _check_request(parts, text)
    elif root == "state":
        if not parts or parts[0] not in ("item", "count") or (parts[0] == "count" and parts[1:]):
            raise TemplateError(
                f"`{{{{{text}}}}}`: stored data is {{{{state.item}}}}, "
                "{{state.item.NAME}} or {{state.count}}"
            )
    else:
        raise TemplateError(
            f"`{{{{{text}}}}}` names neither request data ({{{{request...}}}}), a dynamic "
            "variable ({{$...}}) nor stored data ({{state...}})"
        )
    return Reference(root, tuple(parts), text)


def _check_request(parts: list[str], text: str) -> None:
    if not parts:
        raise TemplateError(f"`{{{{{text}}}}}`: say which part of the request, e.g. request.body")
    kind = parts[0]
    if kind in _REQUEST_MAPS and len(parts) == 2:
        return
    if kind == "body" or (kind in ("method", "url") and len(parts) == 1):
        return
    raise TemplateError(
        f"`{{{{{text}}}}}` is not request data: use request.path.NAME, request.query.NAME, "
        "request.headers.NAME, request.cookies.NAME, request.body[.a.b], request.method "
        "or request.url"
    )


def has_templates(value: Any) -> bool:
    """Whether a JSON value holds `{{` anywhere (a template, or a broken one)."""
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, dict):
        return any(has_templates(v) for v in value.values())
    if isinstance(value, list):
        return any(has_templates(v) for v in value)
    return False


def find_templates(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Template]]:
    """Every template in a JSON value, with where it is (keys and indexes). Raises
    TemplateError with the JSON pointer of the bad one inside the value."""
    if isinstance(value, str):
        try:
            found = parse_template(value)
        except TemplateError as exc:
            raise TemplateError(exc.reason, pointer_from_parts(path)) from None
        if found is not None:
            yield path, found
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from find_templates(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from find_templates(item, (*path, index))

"""JSON pointers (RFC 6901): escaping tokens, building pointers, following them."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


class UnresolvedRef(Exception):
    """A schema points at something the document does not contain."""


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer_from_parts(parts: tuple[str | int, ...] | list[str | int]) -> str:
    return "".join("/" + escape_pointer_token(str(p)) for p in parts)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """Follow a JSON pointer ('' or '/a/b'). Raises KeyError when it leads nowhere."""
    node = document
    if not pointer:
        return node
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    for raw in pointer[1:].split("/"):
        token = unescape_pointer_token(unquote(raw))
        if isinstance(node, dict):
            if token not in node:
                raise KeyError(pointer)
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                raise KeyError(pointer)
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node

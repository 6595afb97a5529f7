"""JSON Merge Patch (RFC 7396) and JSON Patch (RFC 6902), as PATCH applies them to a stored
item."""

from __future__ import annotations

import copy
from typing import Any


class PatchFailed(Exception):
    """A JSON Patch that cannot be applied; the message says which operation and why."""


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge member by member, `null` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchFailed(f"{pointer!r} is not a JSON pointer (it must start with /)")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _parent(document: Any, tokens: list[str], pointer: str) -> Any:
    node = document
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise PatchFailed(f"{pointer}: no such location")
    return node


def _get(document: Any, pointer: str) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return document
    parent = _parent(document, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent[int(last)]
    raise PatchFailed(f"{pointer}: no such location")


def _remove(document: Any, pointer: str) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchFailed("the whole document cannot be removed")
    parent = _parent(document, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent.pop(int(last))
    raise PatchFailed(f"{pointer}: no such location to remove")


def _add(document: Any, pointer: str, value: Any, replace: bool = False) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return copy.deepcopy(value)
    parent = _parent(document, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise PatchFailed(f"{pointer}: no such location to replace")
        parent[last] = copy.deepcopy(value)
    elif isinstance(parent, list):
        if last == "-" and not replace:
            parent.append(copy.deepcopy(value))
        elif last.isdigit() and int(last) <= len(parent) - (1 if replace else 0):
            if replace:
                parent[int(last)] = copy.deepcopy(value)
            else:
                parent.insert(int(last), copy.deepcopy(value))
        else:
            raise PatchFailed(f"{pointer}: index out of range")
    else:
        raise PatchFailed(f"{pointer}: the parent is not an object or array")
    return document


def json_patch(document: Any, operations: Any) -> Any:
    """RFC 6902 on a copy of `document`. Raises PatchFailed."""
    if not isinstance(operations, list):
        raise PatchFailed("a JSON Patch is an array of operations")
    result = copy.deepcopy(document)
    for position, operation in enumerate(operations):
        if not isinstance(operation, dict) or not isinstance(operation.get("path"), str):
            raise PatchFailed(f"operation {position} needs an `op` and a `path`")
        op, path = operation.get("op"), operation["path"]
        if op in ("add", "replace", "test") and "value" not in operation:
            raise PatchFailed(f"operation {position} ({op} {path}) needs a `value`")
        if op == "add":
            result = _add(result, path, operation["value"])
        elif op == "replace":
            result = _add(result, path, operation["value"], replace=True)
        elif op == "remove":
            _remove(result, path)
        elif op in ("move", "copy"):
            source = operation.get("from")
            if not isinstance(source, str):
                raise PatchFailed(f"operation {position} ({op} {path}) needs a `from`")
            value = _remove(result, source) if op == "move" else copy.deepcopy(_get(result, source))
            result = _add(result, path, value)
        elif op == "test":
            if _get(result, path) != operation["value"]:
                raise PatchFailed(f"operation {position}: test of {path} failed")
        else:
            raise PatchFailed(f"operation {position}: unknown op {op!r}")
    return result

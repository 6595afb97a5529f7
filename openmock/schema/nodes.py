"""Typed access to the loosely shaped nodes of a loaded document."""

from __future__ import annotations

from typing import Any


def child_map(node: dict[str, Any], key: str) -> dict[str, Any]:
    """``node[key]`` when it is a mapping, else an empty one (specs are often sloppy)."""
    value = node.get(key)
    return value if isinstance(value, dict) else {}

"""SERVE: the FastAPI app with the admin API and the mock mounted into it.

Its names are imported when first used, so the command line can use server/run.py (binding,
addresses) without paying for FastAPI."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openmock.mockstate import MockOptions, MockState
    from openmock.server.app import app_from_catalog, create_app
    from openmock.server.mock import MockApp

_WHERE = {
    "MockApp": "openmock.server.mock",
    "MockOptions": "openmock.mockstate",
    "MockState": "openmock.mockstate",
    "app_from_catalog": "openmock.server.app",
    "create_app": "openmock.server.app",
}

__all__ = ["MockApp", "MockOptions", "MockState", "app_from_catalog", "create_app"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'openmock.server' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)

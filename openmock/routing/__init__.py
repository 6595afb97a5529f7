"""ROUTE stage: request path -> stub (a compiled table of path templates)."""

from __future__ import annotations

from openmock.routing.table import MethodNotAllowed, NotFound, RouteMatch, RouteTable

__all__ = ["MethodNotAllowed", "NotFound", "RouteMatch", "RouteTable"]

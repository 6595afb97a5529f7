"""ROUTE stage: request path -> stub, and request parameters -> typed values."""

from __future__ import annotations

from openmock.routing.params import ParsedParameters, RequestParts, parse_parameters
from openmock.routing.table import MethodNotAllowed, NotFound, RouteMatch, RouteTable

__all__ = [
    "MethodNotAllowed",
    "NotFound",
    "ParsedParameters",
    "RequestParts",
    "RouteMatch",
    "RouteTable",
    "parse_parameters",
]

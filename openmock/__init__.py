"""openmock: turn an OpenAPI document into a working mock server."""

from __future__ import annotations

__version__ = "0.1.0"

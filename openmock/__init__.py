"""openmock: turn an OpenAPI document into a working mock server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["RunningMock", "__version__", "create_app", "serve"]

if TYPE_CHECKING:
    from openmock.embed import RunningMock, serve
    from openmock.server import create_app


def __getattr__(name: str) -> Any:
    """`openmock.create_app`, `openmock.serve`: imported on first use, so `openmock --version`
    and the CLI do not pay for FastAPI and uvicorn before they need them."""
    if name == "create_app":
        from openmock.server import create_app

        return create_app
    if name in ("serve", "RunningMock"):
        from openmock import embed

        return getattr(embed, name)
    raise AttributeError(f"module 'openmock' has no attribute {name!r}")

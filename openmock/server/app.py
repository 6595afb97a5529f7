"""The FastAPI application: the admin API under /__openmock, and the mock mounted below it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI

from openmock import __version__
from openmock.importer import ADMIN_PREFIX, build_catalog
from openmock.model import Catalog
from openmock.server.mock import MockApp, MockOptions, MockState
from openmock.spec import Spec, load_spec
from openmock.spec.schemas import SchemaIndex


def _admin_router(mock: MockApp, started: float) -> APIRouter:
    router = APIRouter(prefix=ADMIN_PREFIX, tags=["admin"])

    @router.get("/health", summary="Readiness: answers once the mock is serving")
    def health() -> dict[str, Any]:
        catalog = mock.state.catalog
        return {
            "status": "ok",
            "version": __version__,
            "spec": {
                "title": catalog.spec.title,
                "path": str(catalog.spec.path),
                "version": catalog.spec.source_version,
            },
            "stubs": len(catalog.stubs),
            "uptime_seconds": round(time.monotonic() - started, 3),
        }

    return router


def app_from_catalog(
    catalog: Catalog, index: SchemaIndex, options: MockOptions | None = None
) -> FastAPI:
    """The app serving an imported catalog. Raises UnknownLocale for a bad options.locale."""
    mock = MockApp(MockState.build(catalog, index, options))
    app = FastAPI(
        title="openmock admin API",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=f"{ADMIN_PREFIX}/openapi.json",
    )
    app.include_router(_admin_router(mock, time.monotonic()))
    app.state.mock = mock
    app.mount("", mock)
    return app


def create_app(
    spec: str | Path | Spec,
    *,
    lenient: bool = False,
    seed: int = 0,
    dynamic: bool = False,
    locale: str = "en_US",
    match_body: bool = False,
    validate: bool = True,
    cache_dir: Path | None = None,
) -> FastAPI:
    """The ASGI app serving `spec` (a path or a loaded Spec). Raises SpecError on a bad spec
    and UnknownLocale on a locale Faker does not have."""
    loaded = (
        spec if isinstance(spec, Spec) else load_spec(spec, lenient=lenient, cache_dir=cache_dir)
    )
    index = SchemaIndex(loaded.document)
    options = MockOptions(
        seed=seed, dynamic=dynamic, locale=locale, match_body=match_body, validate=validate
    )
    return app_from_catalog(build_catalog(loaded, index), index, options)

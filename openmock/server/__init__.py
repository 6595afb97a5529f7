"""SERVE: the FastAPI app with the admin API and the mock mounted into it."""

from __future__ import annotations

from openmock.pipeline import MockOptions, MockState
from openmock.server.app import app_from_catalog, create_app
from openmock.server.mock import MockApp

__all__ = ["MockApp", "MockOptions", "MockState", "app_from_catalog", "create_app"]

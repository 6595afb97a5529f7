"""`openmock from-spec --workers N`: the app each uvicorn worker process builds for itself.

uvicorn starts workers as fresh processes that import the app by name, so the `ServeConfig`
travels in an environment variable. Each worker loads the spec (from the parse and validation
caches the parent filled), opens the same call log file (SQLite in WAL mode takes several
writers) and closes it when uvicorn shuts it down, so no queued call is lost.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from fastapi import FastAPI

from openmock.server.app import build_app
from openmock.server.config import ServeConfig

CONFIG_VARIABLE = "OPENMOCK_WORKER_CONFIG"
APP_FACTORY = "openmock.server.workers:worker_app"


def worker_environment(config: ServeConfig) -> dict[str, str]:
    """The environment a worker needs to build the same mock as the parent; each follows the
    changes the others make, through the call log's file."""
    worker = replace(config, follow=config.log_db is not None, check_later=True)
    return {CONFIG_VARIABLE: worker.to_json()}


def worker_app() -> FastAPI:
    config = ServeConfig.from_json(os.environ[CONFIG_VARIABLE])
    calls = config.open_calls()
    app = build_app(config, calls=calls)

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        yield
        if calls is not None:
            calls.close()  # what is still queued is written before the worker exits

    app.router.lifespan_context = lifespan
    gc.collect()
    gc.freeze()
    return app

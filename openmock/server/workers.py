"""`openmock from-spec --workers N`: the app each uvicorn worker process builds for itself.

uvicorn starts workers as fresh processes that import the app by name, so the options travel
in an environment variable. Each worker loads the spec (from the parse and validation caches
the parent filled), opens the same call log file (SQLite in WAL mode takes several writers)
and closes it when uvicorn shuts it down, so no queued call is lost.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from openmock.calllog import CallStore
from openmock.importer.mounts import load_catalog
from openmock.pipeline import MockOptions
from openmock.server.app import app_from_catalog

CONFIG_VARIABLE = "OPENMOCK_WORKER_CONFIG"
APP_FACTORY = "openmock.server.workers:worker_app"


def worker_environment(
    specs: list[str],
    prefixes: dict[str, str],
    lenient: bool,
    options: MockOptions,
    log_db: str | None,
    admin: bool,
    admin_token: str | None,
    cache_dir: Path | None,
) -> dict[str, str]:
    """The environment a worker needs to build the same mock as the parent."""
    config = {
        "specs": specs, "prefixes": prefixes, "lenient": lenient, "options": asdict(options),
        "log_db": log_db, "admin": admin, "admin_token": admin_token,
        "cache_dir": str(cache_dir) if cache_dir is not None else None,
    }  # fmt: skip
    return {CONFIG_VARIABLE: json.dumps(config)}


def worker_app() -> FastAPI:
    config: dict[str, Any] = json.loads(os.environ[CONFIG_VARIABLE])
    if config["options"].get("delay") is not None:
        config["options"]["delay"] = tuple(config["options"]["delay"])  # JSON made it a list
    cache_dir = Path(config["cache_dir"]) if config["cache_dir"] else None
    catalog, index = load_catalog(
        config["specs"], config["prefixes"], lenient=config["lenient"], cache_dir=cache_dir
    )
    calls = CallStore(config["log_db"]) if config["log_db"] else None
    app = app_from_catalog(
        catalog,
        index,
        MockOptions(**config["options"]),
        calls,
        admin=config["admin"],
        admin_token=config["admin_token"],
        journal=config["log_db"] or ":memory:",
        follow=config["log_db"] is not None,  # other workers change stubs too
    )

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        yield
        if calls is not None:
            calls.close()  # what is still queued is written before the worker exits

    app.router.lifespan_context = lifespan
    gc.collect()
    gc.freeze()
    return app

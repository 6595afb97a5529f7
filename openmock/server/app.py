"""The FastAPI application: the admin API under /__openmock, and the mock mounted below it."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send

from openmock import __version__
from openmock.calllog import CallStore
from openmock.delays import Delay
from openmock.edits import Journal
from openmock.edits.files import apply_stub_files, read_stub_files
from openmock.edits.record import StubRecorder
from openmock.faults import parse_rate_limit
from openmock.importer import build_catalog
from openmock.mockstate import MockOptions, MockState
from openmock.model import ADMIN_PREFIX, Catalog
from openmock.schema.index import SchemaIndex
from openmock.server.admin import (
    AdminUnauthorized,
    admin_router,
    no_such_admin_path,
    unauthorized,
    unreadable,
)
from openmock.server.config import ServeConfig
from openmock.server.editing import Editor
from openmock.server.json_body import UnreadableBody, unreadable_body
from openmock.server.mock import MockApp
from openmock.server.protocol import RawAnswer
from openmock.server.proxy import Proxy
from openmock.spec import Spec


def build_app(
    config: ServeConfig,
    catalog: Catalog | None = None,
    index: SchemaIndex | None = None,
    calls: CallStore | None = None,
) -> FastAPI:
    """The app `config` describes, serving `catalog` (None: loaded from config.specs) and
    recording calls into `calls` (None: not recorded). Runtime stub changes are kept in the
    journal beside the call log and replayed from it on start. Raises SpecError,
    UnknownLocale for a bad locale, DataError for a bad options.data file and StubFileError for
    stub files (config.stubs_dir) that cannot be used."""
    if catalog is None or index is None:
        catalog, index = config.load()
    if config.stubs_dir is not None:  # raises StubFileError
        catalog = apply_stub_files(catalog, index, read_stub_files(config.stubs_dir))
    proxy = None
    if config.proxy is not None:
        recorder = StubRecorder(config.record_dir) if config.record_dir is not None else None
        proxy = Proxy(config.proxy, config.fallback, recorder)
    mock = MockApp(MockState.build(catalog, index, config.options), calls, proxy)
    editor = Editor(mock, Journal(config.journal, catalog.key()), follow=config.follow)
    app = OpenmockApp(
        mock,
        config.admin,
        title="openmock admin API",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=f"{ADMIN_PREFIX}/openapi.json",
    )
    if config.admin:
        if config.options.cors:  # browser tools on another origin drive the admin API too
            app.add_middleware(
                CORSMiddleware,
                allow_origin_regex=".*",
                allow_credentials=True,
                allow_methods=["*"],
                allow_headers=["*"],
                max_age=600,
            )
        app.include_router(admin_router(mock, time.monotonic(), config.admin_token, editor))
        app.add_exception_handler(AdminUnauthorized, unauthorized)
        app.add_exception_handler(HTTPException, no_such_admin_path)
        app.add_exception_handler(RequestValidationError, unreadable)
        app.add_exception_handler(UnreadableBody, unreadable_body)
    app.state.mock = mock
    app.state.editor = editor
    return app


def app_from_catalog(
    catalog: Catalog,
    index: SchemaIndex,
    options: MockOptions | None = None,
    calls: CallStore | None = None,
) -> FastAPI:
    """The app serving an imported catalog with `options` and the defaults of everything else
    (tests and embedders with a catalog in hand)."""
    return build_app(ServeConfig(options=options or MockOptions()), catalog, index, calls)


ADMIN_ROOT = ADMIN_PREFIX + "/"


class OpenmockApp(FastAPI):
    """FastAPI for the admin API under /__openmock; every other request goes straight to the
    mock, past FastAPI's router and middleware (about 40 us a request here, more than the
    mock's own work on an example answer)."""

    def __init__(self, mock: MockApp, admin: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mock = mock
        self.admin = admin  # False (--no-admin): the mock answers every path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        admin = self.admin and (path == ADMIN_PREFIX or path.startswith(ADMIN_ROOT))
        if scope["type"] == "http" and not admin:
            await self.mock(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def answer_now(self, scope: Scope, body: bytes) -> RawAnswer | None:
        """The mock's answer made at once where it can be (server/protocol.py); None for an
        admin path."""
        path = scope["path"]
        if self.admin and (path == ADMIN_PREFIX or path.startswith(ADMIN_ROOT)):
            return None
        return self.mock.answer_now(scope, body)


def create_app(
    spec: str | Path | Spec | Sequence[str | Path],
    *,
    prefixes: dict[str, str] | None = None,
    lenient: bool = False,
    seed: int = 0,
    dynamic: bool = False,
    locale: str = "en_US",
    match_body: bool = False,
    validate: bool = True,
    cors: bool = True,
    delay: Delay | None = None,
    stateful: bool = False,
    data: str | Path | None = None,
    chaos: float = 0.0,
    rate_limit: str | None = None,
    proxy: str | None = None,
    fallback: bool = False,
    stubs: str | Path | None = None,
    record: str | Path | None = None,
    log_db: str | Path | None = ":memory:",
    admin: bool = True,
    admin_token: str | None = None,
    cache_dir: Path | None = None,
) -> FastAPI:
    """The ASGI app serving `spec` (a path, a loaded Spec, or several paths served together,
    each under its first server URL's path or its `prefixes` entry: file name without extension
    -> path), recording calls in `log_db` (a SQLite file, ":memory:", or None for no call
    log). `stateful`: collections keep what is created (`data`: a file of items to start
    from). `chaos` and `rate_limit` ("10/s") as --chaos and --rate-limit; `proxy` (a URL),
    `fallback`, `stubs` and `record` (folders) as --proxy, --fallback, --stubs and --record.
    Raises SpecError on a bad spec, UnknownLocale on a locale Faker does not have, DataError
    on a `data` file that cannot be used, BadRateLimit on a `rate_limit` that cannot be read
    and StubFileError on stub files that cannot be used."""
    options = MockOptions(
        seed=seed,
        dynamic=dynamic,
        locale=locale,
        match_body=match_body,
        validate=validate,
        cors=cors,
        delay=delay,
        stateful=stateful,
        data=str(data) if data is not None else None,
        chaos=chaos,
        rate_limit=parse_rate_limit(rate_limit) if rate_limit is not None else None,
    )
    config = ServeConfig(
        specs=() if isinstance(spec, Spec) else _paths(spec),
        prefixes=prefixes or {},
        lenient=lenient,
        options=options,
        log_db=str(log_db) if log_db is not None else None,
        admin=admin,
        admin_token=admin_token,
        cache_dir=str(cache_dir) if cache_dir is not None else None,
        proxy=proxy,
        fallback=fallback,
        stubs_dir=str(stubs) if stubs is not None else None,
        record_dir=str(record) if record is not None else None,
    )
    catalog = index = None
    if isinstance(spec, Spec):
        index = SchemaIndex(spec.document)
        catalog = build_catalog(spec, index)
    return build_app(config, catalog, index, config.open_calls())


def _paths(spec: str | Path | Sequence[str | Path]) -> tuple[str, ...]:
    return (str(spec),) if isinstance(spec, str | Path) else tuple(str(p) for p in spec)

"""How a server is set up, made once: by the command line, `create_app`, `openmock.serve()` or
a `--workers` process (from the environment its parent set), and built by `app.build_app`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from openmock.calllog import CallStore
from openmock.importer.mounts import load_catalog
from openmock.mockstate import MockOptions
from openmock.model import Catalog
from openmock.schema.index import SchemaIndex


@dataclass(frozen=True)
class ServeConfig:
    specs: tuple[str, ...] = ()  # the spec files (several: each under its prefix)
    prefixes: Mapping[str, str] = field(default_factory=dict)  # --prefix NAME=PATH
    lenient: bool = False
    options: MockOptions = field(default_factory=MockOptions)  # how the mock answers
    # The SQLite file of the call log, which also keeps runtime stub changes (and the workers'
    # shared stateful data); ":memory:" for this process only; None: no call log.
    log_db: str | None = ":memory:"
    admin: bool = True  # the admin API under /__openmock
    admin_token: str | None = None
    cache_dir: str | None = None  # parse and validation caches
    follow: bool = False  # other processes (workers) change the journal too
    # A worker: the OpenAPI check is left to the process that started it (the CLI runs it
    # once serving), and its result read from the cache.
    check_later: bool = False
    proxy: str | None = None  # --proxy: the upstream every request is forwarded to
    fallback: bool = False  # --fallback: the mock answers where the upstream cannot
    stubs_dir: str | None = None  # --stubs: stub files added to the spec's operations
    record_dir: str | None = None  # --record: proxied answers written as stub files

    @property
    def journal(self) -> str:
        """Where runtime stub changes are kept: beside the call log."""
        return self.log_db if self.log_db is not None else ":memory:"

    def load(self) -> tuple[Catalog, SchemaIndex]:
        """The catalog of the spec files. Raises SpecError."""
        cache = Path(self.cache_dir) if self.cache_dir is not None else None
        return load_catalog(
            self.specs, dict(self.prefixes), lenient=self.lenient, later=self.check_later,
            cache_dir=cache,
        )  # fmt: skip

    def open_calls(self) -> CallStore | None:
        """The call log (raises OSError or sqlite3.Error when the file cannot be opened)."""
        return CallStore(self.log_db) if self.log_db is not None else None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServeConfig:
        raw: dict[str, Any] = json.loads(text)
        options = dict(raw.pop("options"))
        for name in ("delay", "rate_limit"):
            if options.get(name) is not None:
                options[name] = tuple(options[name])  # JSON made it a list
        raw["specs"] = tuple(raw["specs"])
        return cls(options=MockOptions(**options), **raw)

"""Shared fixtures: inline specs for unit tests, real servers for end-to-end tests."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from openmock.embed import serve_app

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One validation cache per test session, never the user's ~/.cache."""
    return tmp_path_factory.mktemp("validated")


SpecMaker = Callable[..., Path]


@pytest.fixture
def make_spec(tmp_path: Path) -> SpecMaker:
    """Write a tiny spec: `make_spec(paths={...})` fills in openapi/info; a str is written as is.

    `files={"name.yaml": {...}}` writes sibling files for multi-file specs."""

    def make(
        document: dict[str, Any] | str | None = None,
        *,
        name: str = "api.yaml",
        version: str = "3.0.3",
        files: dict[str, Any] | None = None,
        **top: Any,
    ) -> Path:
        for rel, content in (files or {}).items():
            target = tmp_path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content if isinstance(content, str) else yaml.safe_dump(content))
        path = tmp_path / name
        if isinstance(document, str):
            path.write_text(textwrap.dedent(document))
            return path
        doc: dict[str, Any] = dict(document or {})
        if not doc:
            key = "swagger" if version == "2.0" else "openapi"
            doc = {key: version, "info": {"title": "t", "version": "1"}, "paths": {}}
            doc.update(top)
        text = json.dumps(doc) if name.endswith(".json") else yaml.safe_dump(doc, sort_keys=False)
        path.write_text(text)
        return path

    return make


@contextmanager
def running_server(app: Any, *, timeout: float = 20.0) -> Iterator[str]:
    """Serve `app` with a real uvicorn on a free loopback port; yields its base URL."""
    with serve_app(app, timeout=timeout) as url:
        yield url


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from generation_stats import STATS

    for line in STATS.lines():
        terminalreporter.write_line(line)
    from test_fuzz import SENT

    if SENT["requests"]:
        terminalreporter.write_line(
            f"fuzz: {SENT['requests']:,} random and malformed requests to {SENT['specs']} specs"
        )

"""The OpenAPI check of a document run after serving has started.

Checking a large document against the OpenAPI schema takes seconds (GitHub's and Stripe's: 4-6
s), and its result only ever adds warnings when the spec is served leniently (the default). So
on a first start without a cached result, the mock serves as soon as the document is imported
and the check runs in a thread; what it finds is printed and shown in `/__openmock/health`
when it is done, and cached like any other check.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from openmock.spec.bundle import Bundle
from openmock.spec.errors import SpecProblem
from openmock.spec.validate import cache_file_of, check_document, read_cached


class BackgroundCheck:
    """One document's check, to be run once (`start`); its status and problems readable from
    any thread."""

    def __init__(self, bundle: Bundle, kind: str, cache_dir: Path | None) -> None:
        # The loader converts the document in place next: the check gets a copy as written.
        self._bundle = replace(bundle, root=_copy(bundle.root))
        self._kind = kind
        self._cache_dir = cache_dir
        self._cache_file: Path | None = None
        self._lock = threading.Lock()
        self._status = "pending"
        self._problems: tuple[SpecProblem, ...] = ()
        self.seconds = 0.0

    @property
    def file(self) -> str:
        return str(self._bundle.root_file.path)

    def status(self) -> tuple[str, tuple[SpecProblem, ...]]:
        """pending, running or done; and the problems found (when done). Not started here,
        it is done once another process (the one that started this worker) has cached it."""
        with self._lock:
            if self._status == "pending":  # asked on every health check: hashed once
                if self._cache_file is None:
                    self._cache_file = cache_file_of(self._bundle, self._kind, self._cache_dir)
                found = read_cached(self._cache_file, self._bundle)
                if found is not None:
                    self._status, self._problems = "done", tuple(found)
            return self._status, self._problems

    def start(self, when_done: Callable[[BackgroundCheck], None]) -> threading.Thread:
        """Run the check in a daemon thread, then call `when_done` there."""
        with self._lock:
            if self._status != "pending":
                raise RuntimeError("a background check runs once")
            self._status = "running"
        thread = threading.Thread(target=self._run, args=(when_done,), daemon=True,
                                  name="openmock-spec-check")  # fmt: skip
        thread.start()
        return thread

    def _run(self, when_done: Callable[[BackgroundCheck], None]) -> None:
        started = time.perf_counter()
        problems = tuple(check_document(self._bundle, self._kind, self._cache_dir))
        self._bundle = replace(self._bundle, root={})  # the copy is not needed any more
        with self._lock:
            self._status, self._problems = "done", problems
            self.seconds = time.perf_counter() - started
        when_done(self)


def _copy(document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a JSON-shaped document: through orjson (GitHub's: ~0.1 s against ~1 s
    for copy.deepcopy), or deepcopy where orjson cannot write a value (integers past 64 bits)."""
    try:
        copied: dict[str, Any] = orjson.loads(orjson.dumps(document))
    except (orjson.JSONEncodeError, TypeError):
        copied = copy.deepcopy(document)
    return copied

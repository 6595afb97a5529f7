"""A status line on the terminal while a long load runs: the stage and the seconds so far,
rewritten in place ten times a second, and wiped when the load ends. Only on a terminal, and
only once a load has taken longer than a moment (a cached start shows nothing)."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TextIO

SHOW_AFTER_SECONDS = 0.5
REFRESH_SECONDS = 0.1


class StatusLine:
    """`with StatusLine(sys.stderr) as status: load(progress=status.stage)`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self._stage = ""
        self._started = time.monotonic()
        self._shown = 0  # width of what is on the line now
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="openmock-status", daemon=True)

    def stage(self, text: str) -> None:
        with self._lock:
            self._stage = text

    def __enter__(self) -> StatusLine:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.enabled:
            self._done.set()
            self._thread.join(timeout=1)
            self._write("")

    def _run(self) -> None:
        while not self._done.wait(REFRESH_SECONDS):
            elapsed = time.monotonic() - self._started
            if elapsed >= SHOW_AFTER_SECONDS:
                with self._lock:
                    stage = self._stage
                self._write(f"openmock: {stage} ... {elapsed:.1f}s")

    def _write(self, text: str) -> None:
        if not text and not self._shown:
            return
        self.stream.write("\r" + text.ljust(self._shown) + ("\r" if not text else ""))
        self.stream.flush()
        self._shown = len(text)

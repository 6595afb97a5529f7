"""`--watch`: an edit to the spec (or any file it `$ref`s) re-imports it and swaps the mock's
state at once; requests in flight finish on the version they started with, runtime changes are
replayed onto the new import, and an edit that breaks the spec keeps the last good version
serving.

Files are polled (modification time and size, four times a second) rather than watched through
inotify: it works the same on every platform and on network and container mounts, and costs a
few stat calls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from openmock.edits.files import StubFileError, apply_stub_files, read_stub_files, stub_files
from openmock.importer.mounts import load_catalog, watched_files
from openmock.mockstate import MockOptions, MockState
from openmock.server.editing import Editor
from openmock.spec import SpecError
from openmock.spec.errors import problems_summary

POLL_SECONDS = 0.25
SETTLE_SECONDS = 0.1  # an editor may write a file in several steps: wait until it is still

Snapshot = dict[Path, tuple[int, int] | None]


def _snapshot(files: list[Path]) -> Snapshot:
    found: Snapshot = {}
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            found[path] = None  # gone (an editor's save may replace the file)
        else:
            found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


class SpecWatcher:
    """Reloads the mock behind `editor` when one of its spec files changes."""

    def __init__(
        self,
        editor: Editor,
        paths: list[str],
        prefixes: dict[str, str],
        *,
        lenient: bool,
        cache_dir: Path | None,
        report: Callable[[str], None],
        stubs_dir: str | None = None,
    ) -> None:
        self.editor = editor
        self.paths = paths
        self.prefixes = prefixes
        self.lenient = lenient
        self.cache_dir = cache_dir
        self.report = report  # where "reloaded" and the errors of a broken edit are told
        self.stubs_dir = stubs_dir  # --stubs: its files are watched and reloaded too
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="openmock-watch", daemon=True)

    def start(self) -> SpecWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _files(self) -> list[Path]:
        found = watched_files(self.editor.base)
        if self.stubs_dir is not None:  # the folder itself: a file added or removed
            found += [Path(self.stubs_dir).resolve(), *stub_files(self.stubs_dir)]
        return found

    def _run(self) -> None:
        seen = _snapshot(self._files())
        while not self._stop.wait(POLL_SECONDS):
            now = _snapshot(list(seen))
            if now == seen:
                continue
            while not self._stop.wait(SETTLE_SECONDS):  # until the writes are done
                settled = _snapshot(list(seen))
                if settled == now:
                    break
                now = settled
            self.reload()
            seen = _snapshot(self._files())  # an edit may $ref new files

    def reload(self) -> bool:
        """Import the spec again and serve it; False (and the old version kept) when the
        edited spec cannot be used."""
        started = time.perf_counter()
        options: MockOptions = self.editor.mock.state.options
        try:
            catalog, index = load_catalog(
                self.paths, self.prefixes, lenient=self.lenient, cache_dir=self.cache_dir
            )
            if self.stubs_dir is not None:
                catalog = apply_stub_files(catalog, index, read_stub_files(self.stubs_dir))
            state = MockState.build(catalog, index, options)
        except SpecError as exc:
            self.report(
                "the edited spec cannot be used; still serving the last good version:\n"
                + exc.render()
            )
            return False
        except StubFileError as exc:
            self.report(
                "the stub files cannot be used; still serving the last good version:\n"
                + "\n".join(f"  {p.render()}" for p in exc.problems)
            )
            return False
        except Exception as exc:  # an import bug must not end the watching
            self.report(
                f"reloading failed ({type(exc).__name__}: {exc}); still serving the last good "
                "version"
            )
            return False
        self.editor.rebase(state)
        seconds = time.perf_counter() - started
        said = f"reloaded: {len(catalog.stubs)} operations ({seconds:.2f}s)"
        problems = catalog.served_problems()
        if problems:  # the edit may have broken what it did not stop (an empty path item)
            said += "; " + problems_summary(problems, " ".join(self.paths))
        self.report(said)
        return True

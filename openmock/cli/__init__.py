"""The command line: `openmock from-spec`, `import`, `check` and `logs` (commands.py), what is
printed about a catalog (summary.py), the spec checker (check.py), the call log reader
(logview.py) and the status line of a long load (progress.py)."""

from __future__ import annotations

from openmock.cli.commands import main

__all__ = ["main"]

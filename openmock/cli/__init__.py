"""The command line: the `openmock` group and shared helpers (main.py), the commands that read
(commands.py: check, logs, import) and serve (serving.py: from-spec, exec), what is printed
about a catalog (summary.py), the spec checker (check.py), the call log reader (logview.py),
the status line of a long load (progress.py) and exec's parts (execute.py)."""

from __future__ import annotations

import gc

# Importing the commands builds ~100,000 objects that live as long as the process (FastAPI's,
# pydantic's, jsonschema's): collecting meanwhile frees nothing and costs 0.1 s of a start.
gc.disable()
from openmock.cli import (  # noqa: E402, F401  (they add their commands to main)
    commands,
    remote_commands,
    serving,
)
from openmock.cli.main import main  # noqa: E402

gc.enable()

__all__ = ["main"]

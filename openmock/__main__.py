from __future__ import annotations

from openmock.cli import main

main()

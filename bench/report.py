"""Where benchmark tables go: bench/results/<date>-<commit>-<name>.md, printed as well.

The commit is the one measured; a tree with uncommitted changes is marked `-dirty`, so a
result never claims a commit whose code it did not run.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def measured_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "openmock", "bench")
    return f"{commit}-dirty" if dirty else commit


def write_report(name: str, title: str, lines: list[str]) -> Path:
    """Write `# <title>, <date>, commit <commit>` and `lines`; returns the file."""
    commit = measured_commit()
    today = dt.date.today().isoformat()
    text = "\n".join([f"# {title}, {today}, commit {commit}", "", *lines]) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{today}-{commit}-{name}.md"
    out.write_text(text)
    print(text)
    print(f"written to {out.relative_to(ROOT)}")
    return out

"""The status line a long load shows on a terminal (issue 6 item 3)."""

from __future__ import annotations

import io
import time
from pathlib import Path

from conftest import SPECS

from openmock.cli.progress import SHOW_AFTER_SECONDS, StatusLine
from openmock.importer.mounts import load_catalog


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_load_shows_its_stage_and_time_then_wipes_the_line() -> None:
    screen = Terminal()
    with StatusLine(screen) as status:
        status.stage("validating big.yaml")
        time.sleep(SHOW_AFTER_SECONDS + 0.35)
    text = screen.getvalue()
    assert "openmock: validating big.yaml ... 0." in text
    last = text.rsplit("\r", 2)[-2]  # the line is blanked at the end
    assert last.strip() == ""


def test_a_quick_load_and_a_pipe_show_nothing(cache_dir: Path) -> None:
    screen, pipe = Terminal(), io.StringIO()
    for stream in (screen, pipe):
        with StatusLine(stream) as status:
            load_catalog([str(SPECS / "petstore.yaml")], cache_dir=cache_dir,
                         progress=status.stage)  # fmt: skip
    assert screen.getvalue() == "" and pipe.getvalue() == ""


def test_load_reports_each_stage(tmp_path: Path) -> None:
    stages: list[str] = []
    load_catalog([str(SPECS / "petstore.yaml")], cache_dir=tmp_path, progress=stages.append)
    assert [s.split()[0] for s in stages] == ["reading", "validating", "converting", "importing"]

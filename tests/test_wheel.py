"""The wheel users install: built from this checkout, installed into a fresh virtual
environment outside it, serving a spec and the inspector page (package data) (issue 17,
item 20). Slow: it builds and installs (dependencies come from pip's cache after a first run)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, SPECS

pytestmark = pytest.mark.slow


# Nothing of this checkout's environment reaches the fresh one (a PYTHONPATH would let pip see
# the checkout's own metadata and skip the install).
CLEAN = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def _run(*command: str | Path, cwd: Path | None = None) -> None:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, env=CLEAN
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_the_wheel_installs_and_serves_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, ROOT)
    (wheel,) = wheels.glob("openmock_server-*.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    _run(venv / "bin" / "pip", "install", "-q", wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    spec = elsewhere / "api.yaml"
    spec.write_text((SPECS / "petstore.yaml").read_text())
    server = subprocess.Popen(
        [venv / "bin" / "openmock", "from-spec", spec, "--port", "0", "--no-log"],
        cwd=elsewhere,
        env=CLEAN,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline and server.stdout:
            line = server.stdout.readline()
            if not line:
                break
            if line.startswith("openmock ready: "):
                url = line.split()[2]
        assert url, server.stderr.read() if server.stderr else ""
        assert httpx.get(f"{url}/pets").json()[0]["name"] == "Tom"
        page = httpx.get(f"{url}/__openmock/")
        assert page.status_code == 200 and "openmock inspector" in page.text
    finally:
        server.terminate()
        server.wait(20)

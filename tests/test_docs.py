"""The CI job in docs/ci.md, run as the shell script it shows (with a real openmock server)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import ROOT, running_server

from openmock.server import create_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_doc_script(marker: str, folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the bash block of docs/ci.md between `<!-- MARKER:start -->` and its end, in
    `folder`, with openmock on the PATH, a free PORT and `env`."""
    text = (ROOT / "docs" / "ci.md").read_text()
    block = re.search(rf"<!-- {marker}:start -->\n```bash\n(.*?)```", text, re.DOTALL)
    assert block, f"docs/ci.md lost its {marker} markers"
    script = folder / f"{marker}.sh"
    script.write_text(block.group(1))
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", str(script)],
        cwd=folder,
        env={**os.environ, "PATH": path, "PORT": str(_free_port()), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_ci_job_in_the_docs_runs(tmp_path: Path) -> None:
    done = run_doc_script("ci-script", tmp_path, SPEC=str(ROOT / "specs" / "petstore.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr + (tmp_path / "mock.log").read_text()
    assert done.stdout.rstrip().endswith("mock ok")
    assert (tmp_path / "mock-calls.db").exists()


def test_the_verify_file_in_the_docs_reads(tmp_path: Path) -> None:
    """docs/ci.md's `openmock exec --verify` example is a file exec accepts."""
    from openmock.cli.execute import read_verify_file

    text = (ROOT / "docs" / "ci.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert block, "docs/ci.md lost its verify file example"
    path = tmp_path / "calls.yaml"
    path.write_text(block.group(1))
    assert len(read_verify_file(str(path))) == 3


async def _breaks_the_contract(scope: Any, receive: Any, send: Any) -> None:
    """A backend for petstore whose pets have no name and a text id."""
    if scope["type"] != "http":
        return
    body = b'[{"id": "one"}]' if scope["path"] == "/v1/pets" else b'{"id": "one"}'
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def test_the_contract_job_in_the_docs_passes_and_fails_as_it_should(tmp_path: Path) -> None:
    spec = ROOT / "specs" / "petstore.yaml"
    with running_server(create_app(spec, lenient=True, cache_dir=tmp_path)) as keeps:
        kept = run_doc_script("contract-script", tmp_path, SPEC=str(spec), BACKEND_URL=keeps)
    assert kept.returncode == 0, kept.stdout + kept.stderr + (tmp_path / "proxy.log").read_text()
    assert kept.stdout.rstrip().endswith("contract ok")
    with running_server(_breaks_the_contract) as breaks:
        broken = run_doc_script("contract-script", tmp_path, SPEC=str(spec), BACKEND_URL=breaks)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "contract ok" not in broken.stdout
    assert "response body at /0/id" in broken.stdout + broken.stderr

"""`openmock exec SPEC -- COMMAND`: a CI job's whole mock in one line.

The mock starts in this process (any free port unless `--port`), the command runs with
`OPENMOCK_URL` set once the mock answers, then the calls it made are checked against the
`--verify` file's patterns, and the mock stops. The exit status is the command's, or 1 when
the command succeeded but a verification failed (its near misses printed).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from openmock.calllog import BadPattern, Expectation, read_expectation, verify

URL_VARIABLE = "OPENMOCK_URL"


class BadVerifyFile(Exception):
    """A --verify file that cannot be used; the message says where and what to do."""


@dataclass(frozen=True)
class Failed:
    expectation: Expectation
    verdict: dict[str, Any]


def read_verify_file(path: str) -> list[Expectation]:
    """The patterns of a --verify file: JSON or YAML, one pattern or a list of them (the
    shape `POST /__openmock/calls/verify` takes). Raises BadVerifyFile."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
        document = json.loads(text) if source.suffix == ".json" else yaml.safe_load(text)
    except OSError as exc:
        raise BadVerifyFile(f"--verify {path}: cannot be read ({exc.strerror}).") from None
    except (ValueError, yaml.YAMLError) as exc:
        raise BadVerifyFile(f"--verify {path}: not valid JSON or YAML ({exc}).") from None
    patterns = document if isinstance(document, list) else [document]
    found = []
    for position, pattern in enumerate(patterns):
        try:
            found.append(read_expectation(pattern))
        except BadPattern as exc:
            where = f"{path}#/{position}" if isinstance(document, list) else path
            raise BadVerifyFile(f"--verify {where}: {exc}.") from None
    return found


def run_command(command: list[str], url: str) -> int:
    """The command's exit status, run with OPENMOCK_URL set (127: it cannot be started)."""
    try:
        return subprocess.run(command, env={**os.environ, URL_VARIABLE: url}).returncode
    except OSError as exc:
        print(f"openmock exec: cannot run {command[0]!r}: {exc.strerror}")
        return 127


def failures(
    expectations: list[Expectation], calls: list[dict[str, Any]], base_paths: tuple[str, ...]
) -> list[Failed]:
    out = []
    for expectation in expectations:
        verdict = verify(expectation, calls, base_paths)
        if not verdict["met"]:
            out.append(Failed(expectation, verdict))
    return out


def describe(failed: Failed) -> str:
    return describe_verdict(failed.verdict)


def describe_verdict(verdict: dict[str, Any]) -> str:
    """A failed verification's verdict (the admin API's) in words: what was expected, what
    came, and the calls that came closest."""
    lines = [
        f"verification failed: expected {verdict['expected']} call(s) like "
        f"{json.dumps(verdict['pattern'])}, found {verdict['matched']}"
    ]
    for call in verdict.get("unexpected", []):
        lines.append(f"  unexpected: {call['method']} {call['url']} -> {call['status']}")
    for miss in verdict.get("near_misses", []):
        lines.append(
            f"  closest: {miss['method']} {miss['url']} -> {miss['status']}: "
            + "; ".join(miss["differences"])
        )
    return "\n".join(lines)

"""Finding the root documents of ../shared/corpus and what we expect of each."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import CORPUS

_YAML_ROOT = re.compile(r"^(openapi|swagger)\s*:", re.MULTILINE)


def discover_roots(corpus: Path = CORPUS) -> list[Path]:
    """Every file whose top level says `openapi:` or `swagger:`."""
    roots: list[Path] = []
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or path.suffix not in (".yaml", ".yml", ".json"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if path.suffix == ".json":
            try:
                data = json.loads(text)
            except ValueError:
                continue
            if isinstance(data, dict) and ("openapi" in data or "swagger" in data):
                roots.append(path)
        elif _YAML_ROOT.search(text):
            roots.append(path)
    return roots


def rel(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()

"""Stub files: runtime stubs kept in files a team commits (WireMock's mappings, Mockoon's
environment files). One YAML or JSON file per stub, the same shape `POST /__openmock/stubs`
takes; `from-spec SPEC --stubs DIR` adds them to the spec's operations at start (and on
`--watch` reloads), checked as runtime scenarios are. `export_payloads` writes the other way:
what was changed at runtime, as such files.

Which wins: the spec is imported first, the files are added to it (a file's scenarios join the
spec operation at the same method and path; a name the spec already uses is refused), and the
journal of runtime changes (the admin API, the inspector) is replayed last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openmock.describe import body_field
from openmock.edits.apply import Edit, Refused, apply_edit
from openmock.model import Catalog, MatchRule, Scenario, Stub
from openmock.schema.index import SchemaIndex
from openmock.spec import SpecError, SpecProblem
from openmock.spec.locate import line_of
from openmock.spec.reader import parse_text

SUFFIXES = (".yaml", ".yml", ".json")


class StubFileError(Exception):
    """Stub files that cannot be used: every problem with its file, line and pointer."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        super().__init__("\n".join(p.render() for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class StubFile:
    path: Path
    text: str
    payload: Any


def stub_files(folder: str | Path) -> list[Path]:
    """The stub files in `folder`, by name (a missing folder has none)."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_stub_files(folder: str | Path) -> list[StubFile]:
    """Every stub file of `folder`, parsed. Raises StubFileError."""
    found, problems = [], []
    for path in stub_files(folder):
        try:
            text = path.read_text("utf-8")
            found.append(StubFile(path, text, parse_text(text, str(path))))
        except SpecError as exc:
            problems.extend(exc.problems)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(SpecProblem(f"the stub file cannot be read: {exc}", str(path)))
    if problems:
        raise StubFileError(problems)
    return found


def apply_stub_files(catalog: Catalog, index: SchemaIndex, files: Iterable[StubFile]) -> Catalog:
    """`catalog` with every file's stub added. Raises StubFileError naming each file that
    cannot be (with the line of each problem's pointer)."""
    problems: list[SpecProblem] = []
    for file in files:
        try:
            catalog = apply_edit(catalog, catalog, index, Edit("add_stub", None, file.payload))
        except Refused as refused:
            where = [e.get("pointer", "") for e in refused.errors] or [""]
            for pointer, error in zip(where, refused.errors or ({"message": ""},), strict=False):
                said = f"{refused.title}: {error.get('message') or refused.detail}"
                problems.append(
                    SpecProblem(
                        said,
                        str(file.path),
                        pointer,
                        line_of(file.text, pointer),
                        "Fix the stub file (it has the shape POST /__openmock/stubs takes).",
                    )
                )
    if problems:
        raise StubFileError(problems)
    return catalog


def export_payloads(catalog: Catalog) -> list[dict[str, Any]]:
    """What was added at runtime, as stub payloads (the shape of a stub file): stubs made at
    runtime whole, and the runtime scenarios of the spec's operations."""
    payloads = []
    for stub in catalog.stubs:
        added = [s for s in stub.scenarios if s.source == "runtime"]
        if not added and stub.origin != "runtime":
            continue
        payload: dict[str, Any] = {"method": stub.method, "path": stub.path}
        if stub.origin == "runtime" and stub.id != f"{stub.method} {stub.path}":
            payload["name"] = stub.id
        if stub.origin == "runtime":
            payload.update(_stub_fields(stub))
        payload["scenarios"] = [_scenario(s, s.id == stub.default_scenario_id) for s in added]
        if stub.sequence is not None:
            payload["sequence"] = list(stub.sequence.steps)
            payload["then"] = stub.sequence.then
        payloads.append(payload)
    return payloads


def _stub_fields(stub: Stub) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if stub.summary:
        fields["summary"] = stub.summary
    if stub.match_body:
        fields["match_body"] = True
    if stub.delay is not None:
        fields["delay"] = {"min": stub.delay[0], "max": stub.delay[1]}
    return fields


def _scenario(scenario: Scenario, default: bool) -> dict[str, Any]:
    made: dict[str, Any] = {"name": scenario.name, "status": scenario.status}
    headers = {h.name: h.example.value for h in scenario.headers if h.example is not None}
    if headers:
        made["headers"] = headers
    for rep in scenario.representations[:1]:
        if rep.example is not None:
            made.update(body_field(rep.example.value))
            made["media_type"] = rep.media_type
    if scenario.match is not None:
        made["match"] = _match(scenario.match)
    if scenario.delay is not None:
        made["delay"] = {"min": scenario.delay[0], "max": scenario.delay[1]}
    if default:
        made["default"] = True
    if scenario.description:
        made["description"] = scenario.description
    if scenario.when_state is not None or scenario.set_state is not None:
        made["machine"] = scenario.machine
    for key in ("when_state", "set_state", "fault"):
        if getattr(scenario, key) is not None:
            made[key] = getattr(scenario, key)
    return made


def _match(rule: MatchRule) -> dict[str, Any]:
    found: dict[str, Any] = {
        part: dict(getattr(rule, part))
        for part in ("path", "query", "headers", "cookies")
        if getattr(rule, part)
    }
    if rule.has_body:
        found["body"] = rule.body
    return found

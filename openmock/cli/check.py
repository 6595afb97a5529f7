"""`openmock check SPEC`: every problem a user can fix, before anything is served.

Loads and imports as `from-spec` does, then looks further: examples that break their own
schema (response bodies, request bodies, parameters; with the JSON pointer and line of the
example and the validator's message), response schemas no value can satisfy, operations that
could not be imported. Errors are what makes a mock answer wrongly or not at all; warnings
(renamed duplicate operationIds, unreachable routes, security a mock cannot check, paths
and methods not served because of how they are written) are worth knowing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from openmock.generate import GenerationEngine, GenerationError
from openmock.importer import build_catalog
from openmock.importer.responses import TEMPLATE_PROBLEM
from openmock.mediatypes import is_json
from openmock.model import Catalog, NamedValue
from openmock.schema.index import SCHEMA_ERRORS, SchemaIndex, UnresolvedRef
from openmock.schema.pointers import pointer_from_parts
from openmock.spec import SpecError, SpecProblem, load_spec
from openmock.spec.locate import Locator
from openmock.template import has_templates

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    kind: str  # spec | example | schema | import | spec-warning
    message: str
    file: str
    pointer: str = ""
    line: int | None = None
    hint: str = ""

    def render(self, hint: bool = True) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        text = f"{where}: {self.message}"
        if self.pointer:
            text += f" (at {self.pointer})"
        return text + (f". {self.hint}" if hint and self.hint else "")


@dataclass
class Report:
    spec: str
    findings: list[Finding] = field(default_factory=list)
    operations: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def as_json(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "operations": self.operations,
            "errors": [asdict(f) for f in self.errors],
            "warnings": [asdict(f) for f in self.warnings],
        }


def _from_problem(problem: SpecProblem, severity: Severity, kind: str) -> Finding:
    return Finding(
        severity, kind, problem.message, problem.file, problem.pointer, problem.line, problem.hint
    )


def check_spec(path: str | Path, cache_dir: Path | None = None) -> Report:
    report = Report(str(path))
    try:
        spec = load_spec(path, cache_dir=cache_dir)
    except SpecError as exc:
        report.findings += [_from_problem(p, "error", "spec") for p in exc.problems]
        try:  # what a lenient load can still import is worth checking too
            spec = load_spec(path, lenient=True, cache_dir=cache_dir)
        except SpecError:
            return report
    index = SchemaIndex(spec.document)
    catalog = build_catalog(spec, index)
    report.operations = len(catalog.stubs)
    said = {f.message for f in report.findings}  # a lenient load warns of the errors again
    report.findings += [
        _from_problem(p, "warning", "spec-warning") for p in spec.warnings if p.message not in said
    ]
    failed_at = {stub.pointer for stub in catalog.stubs if stub.import_error is not None}
    for problem in catalog.problems:
        # said of an operation that answers 500, or of a template its requests get a 500 from
        failed = problem.pointer in failed_at or TEMPLATE_PROBLEM in problem.message
        report.findings.append(
            _from_problem(problem, "error" if failed else "warning", "import" if failed else "spec")
        )
    report.findings += _examples(catalog, index)
    report.findings += _unsatisfiable(catalog, index)
    return _with_lines(report, catalog)


def _examples(catalog: Catalog, index: SchemaIndex) -> list[Finding]:
    """Every example that its own schema rejects."""
    file = str(catalog.spec.path)
    found: list[Finding] = []
    seen: set[str] = set()

    def judge(example: NamedValue, schema: Any, direction: str, what: str) -> None:
        if schema is None or example.pointer in seen or has_templates(example.value):
            return  # a template is checked once filled in, when it is served
        seen.add(example.pointer)
        try:
            if index.is_valid(schema, example.value, direction):
                return
            error = next(iter(index.validator(schema, direction).iter_errors(example.value)))
        except SCHEMA_ERRORS:  # an unresolvable schema: nothing to say about the example
            return
        inner = pointer_from_parts(list(error.absolute_path))
        at = f" at {inner}" if inner else ""
        found.append(
            Finding(
                "error",
                "example",
                f"{what} example '{example.name}' does not match its schema{at}: "
                f"{error.message[:300]}",
                file,
                example.pointer,
                hint="Fix the example or the schema (openmock serves the example as written, "
                "flagged with X-Openmock-Warning).",
            )
        )

    for stub in catalog.stubs:
        for scenario in stub.scenarios:
            for rep in scenario.representations:
                if rep.example is not None and is_json(rep.media_type):
                    judge(rep.example, rep.schema, "response", f"{stub.id} response")
        for media in stub.request_body.content if stub.request_body else ():
            for example in media.examples:
                if is_json(media.media_type):
                    judge(example, media.schema, "request", f"{stub.id} request body")
        for param in stub.parameters:
            for example in param.examples:
                judge(example, param.schema, "request", f"{stub.id} parameter {param.name}")
    return found


def _unsatisfiable(catalog: Catalog, index: SchemaIndex) -> list[Finding]:
    """Response schemas the mock would have to generate from, and cannot."""
    engine = GenerationEngine(index, seed=0)
    found: list[Finding] = []
    seen: set[int] = set()
    for stub in catalog.stubs:
        for scenario in stub.scenarios:
            for rep in scenario.representations:
                if rep.example is not None or rep.schema is None or id(rep.schema) in seen:
                    continue
                seen.add(id(rep.schema))
                try:
                    engine.value(rep.schema, "check", "response")
                except GenerationError as exc:
                    try:
                        where = index.pointer_of(index.deref(rep.schema))
                    except UnresolvedRef:  # the $ref to nowhere is where the fix goes
                        where = index.pointer_of(rep.schema)
                    found.append(
                        Finding(
                            "error",
                            "schema",
                            f"{stub.id} response {scenario.status_key} ({rep.media_type}): no "
                            f"value satisfies its schema ({exc})",
                            str(catalog.spec.path),
                            where,
                            hint="Fix the schema, or give the response an example.",
                        )
                    )
    return found


def _with_lines(report: Report, catalog: Catalog) -> Report:
    """Lines for the findings that have a pointer into a file of the spec (one parse per
    file, only when something needs it)."""
    locators: dict[str, Locator] = {}
    bundle = catalog.spec.bundle
    lined: list[Finding] = []
    for finding in report.findings:
        pointer = finding.pointer.lstrip("#")
        if finding.line is not None or not pointer.startswith("/"):
            lined.append(finding)
            continue
        source, inner = bundle.source_of(pointer)
        locator = locators.setdefault(str(source.path), Locator(source.text))
        lined.append(
            Finding(
                finding.severity,
                finding.kind,
                finding.message,
                str(source.path),
                finding.pointer,
                locator.line(inner),
                finding.hint,
            )
        )
    report.findings = lined
    return report

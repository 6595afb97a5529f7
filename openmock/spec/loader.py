"""LOAD: file(s) -> one bundled, validated, converted document in the internal form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openmock.spec.background import BackgroundCheck
from openmock.spec.bundle import Bundle, bundle
from openmock.spec.convert import normalise_document, swagger2_to_openapi3
from openmock.spec.errors import SpecError, SpecProblem
from openmock.spec.locate import line_of
from openmock.spec.validate import cached_problems, check_document

SUPPORTED = "OpenAPI 3.0.x, 3.1.x (3.2 read as 3.1) and Swagger 2.0"


@dataclass(frozen=True)
class Spec:
    """A loaded spec: the internal document plus where it came from."""

    path: Path
    source_version: str  # as written: "2.0", "3.0.3", "3.1.0"
    kind: str  # "2.0", "3.0", "3.1" or "3.2"
    document: dict[str, Any]  # OpenAPI 3-shaped, schemas normalised, refs local
    bundle: Bundle
    warnings: tuple[SpecProblem, ...]
    # The OpenAPI check still to run, after serving starts (load_spec's `later`).
    background: BackgroundCheck | None = None

    @property
    def title(self) -> str:
        info = self.document.get("info")
        return str(info.get("title", self.path.name)) if isinstance(info, dict) else self.path.name


def detect_kind(data: dict[str, Any], file: str, text: str) -> tuple[str, str]:
    """Return (version as written, kind) or raise a SpecError saying what is wrong."""
    if "swagger" in data:
        raw = data["swagger"]
        if raw == "2.0":
            return "2.0", "2.0"
        pointer = "/swagger"
        message = f"unsupported Swagger version {raw!r}"
        if isinstance(raw, int | float):
            message = f"`swagger: {raw}` must be the string '2.0' (quote it)"
        raise SpecError.single(
            message,
            file,
            pointer,
            line_of(text, pointer),
            f"openmock reads {SUPPORTED}; convert older documents with swagger2openapi.",
        )
    if "openapi" in data:
        raw = data["openapi"]
        pointer = "/openapi"
        if not isinstance(raw, str):
            raise SpecError.single(
                f"`openapi: {raw}` must be a string such as '3.0.3' (quote it)",
                file,
                pointer,
                line_of(text, pointer),
            )
        for prefix in ("3.0", "3.1", "3.2"):
            if raw == prefix or raw.startswith(prefix + "."):
                return raw, prefix
        raise SpecError.single(
            f"unsupported OpenAPI version {raw!r}",
            file,
            pointer,
            line_of(text, pointer),
            f"openmock reads {SUPPORTED}.",
        )
    raise SpecError.single(
        "is not an OpenAPI document: no top-level `openapi` or `swagger` field",
        file,
        "",
        1,
        "An OpenAPI document starts with `openapi: 3.1.0` (or `swagger: '2.0'`), `info` and "
        "`paths`; check that you passed the right file.",
    )


def load_spec(
    path: str | Path,
    *,
    lenient: bool = False,
    validate: bool = True,
    later: bool = False,
    cache_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Spec:
    """Load a spec. Raises SpecError on anything unusable (in lenient mode: only on what
    cannot be served at all); other problems come back as warnings. `progress` is told
    each stage as it starts (for a status line on a terminal). With `later` (and lenient),
    a check against the OpenAPI schema that is not cached is left to `Spec.background`."""
    path = Path(path)
    tell = progress or (lambda _: None)
    tell(f"reading {path.name} and the files it $refs")
    bundled = bundle(path, lenient=lenient, cache_dir=cache_dir)
    root = bundled.root
    version, kind = detect_kind(root, str(path), bundled.root_file.text)
    problems = list(bundled.problems)
    background = None
    if validate:
        known = cached_problems(bundled, kind, cache_dir)
        if known is not None:
            problems.extend(known)
        elif later and lenient:
            background = BackgroundCheck(bundled, kind, cache_dir)
        else:
            tell(f"validating {path.name} (cached by content afterwards)")
            problems.extend(check_document(bundled, kind, cache_dir))
    tell(f"converting {path.name}")
    if problems and not lenient:
        raise SpecError(problems)
    document = swagger2_to_openapi3(root) if kind == "2.0" else root
    if not isinstance(document.get("paths"), dict):
        document["paths"] = {}
    normalise_document(document, kind)
    return Spec(path, version, kind, document, bundled, tuple(problems), background)

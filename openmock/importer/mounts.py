"""Several specs in one server: each mounted under a path prefix (its first server URL's path,
or `--prefix NAME=PATH`), all in one catalog.

Every spec's document is embedded in one combined document under `x-openmock-specs/NAME`, with
its local `$ref`s rewritten to point there, so one SchemaIndex (and everything built on it:
validators, generators) serves all of them. A route two specs both serve is a start-up error.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openmock.importer.operations import base_paths, build_catalog
from openmock.model import ADMIN_PREFIX, Catalog, Mount
from openmock.routing.table import route_key
from openmock.schema.index import SchemaIndex
from openmock.schema.pointers import escape_pointer_token
from openmock.spec import Spec, load_spec
from openmock.spec.errors import SpecError, SpecProblem

SPECS_KEY = "x-openmock-specs"


@dataclass(frozen=True)
class MountRequest:
    """A spec to serve, and the prefix asked for it (None: its first server URL's path)."""

    spec: Spec
    name: str
    prefix: str | None = None


SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def spec_name(path: Path) -> str:
    """A spec's name: its file name without .yaml, .yml or .json (`bookshop-3.1.yaml` is
    `bookshop-3.1`), what `--prefix NAME=PATH` and prefixed stub ids use."""
    name = path.name
    for suffix in SPEC_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or "spec"
    return name or "spec"


def mount_names(paths: list[Path]) -> list[str]:
    """A name per spec (spec_name), numbered when two share one (`api`, `api-2`)."""
    names: list[str] = []
    for path in paths:
        name = spec_name(path)
        candidate, n = name, 2
        while candidate in names:
            candidate, n = f"{name}-{n}", n + 1
        names.append(candidate)
    return names


def _rewrite_refs(node: Any, prefix: str) -> Any:
    """`node` with every local `$ref` (and discriminator mapping) moved under `prefix`."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#"):
                out[key] = "#" + prefix + value[1:]
            elif key == "mapping" and isinstance(value, dict):
                # A discriminator's mapping (name -> "#/..."), or a property named "mapping"
                # (name -> schema): strings moved, anything else rewritten inside.
                out[key] = {
                    k: ("#" + prefix + v[1:])
                    if isinstance(v, str) and v.startswith("#")
                    else _rewrite_refs(v, prefix)
                    for k, v in value.items()
                }
            else:
                out[key] = _rewrite_refs(value, prefix)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, prefix) for item in node]
    return node


def _prefix(asked: str | None, spec: Spec) -> str:
    raw = asked if asked is not None else next(iter(base_paths(spec.document)), "")
    return "/" + raw.strip("/") if raw.strip("/") else ""


def build_mounted_catalog(requests: list[MountRequest]) -> tuple[Catalog, SchemaIndex]:
    """One catalog serving every spec under its prefix. Raises SpecError on a clash."""
    combined: dict[str, Any] = copy.copy(requests[0].spec.document)
    combined[SPECS_KEY] = {}
    specs: list[tuple[MountRequest, Spec, str]] = []
    for request in requests:
        token = escape_pointer_token(request.name)
        document = _rewrite_refs(request.spec.document, f"/{SPECS_KEY}/{token}")
        combined[SPECS_KEY][request.name] = document
        prefix = _prefix(request.prefix, request.spec)
        specs.append((request, replace(request.spec, document=document), prefix))
    index = SchemaIndex(combined)
    stubs = []
    seen: dict[tuple[str, str], tuple[str, str]] = {}  # route -> (spec name, template)
    ids: set[str] = set()
    problems: list[SpecProblem] = []
    clashes: list[SpecProblem] = []
    for request, spec, prefix in specs:
        if prefix == ADMIN_PREFIX or prefix.startswith(ADMIN_PREFIX + "/"):
            message = f"--prefix {request.name}={prefix} is under {ADMIN_PREFIX}, the admin API's"
            raise SpecError.single(message, str(spec.path), hint="choose another prefix")
        catalog = build_catalog(spec, index)
        problems.extend(catalog.problems)
        for stub in catalog.stubs:
            path = prefix + stub.path if stub.path != "/" or not prefix else prefix
            key = route_key(stub.method, path)
            if key in seen:
                other, template = seen[key]
                clashes.append(
                    SpecProblem(
                        f"{stub.method} {path} is served by both {other} ({template}) and "
                        f"{request.name} ({stub.path})",
                        str(spec.path),
                        stub.pointer,
                        hint="mount one of them elsewhere with --prefix NAME=PATH",
                    )
                )
                continue
            seen[key] = (request.name, stub.path)
            stub_id = stub.id if stub.id not in ids else f"{request.name}:{stub.id}"
            ids.add(stub_id)
            stubs.append(replace(stub, id=stub_id, path=path))
    if clashes:
        raise SpecError(clashes)
    first = specs[0][1]
    merged = replace(first, document=combined, warnings=tuple(problems))
    mounts = tuple(Mount(r.name, prefix, s.path, _files(s)) for r, s, prefix in specs)
    catalog = Catalog(merged, tuple(stubs), (), tuple(problems), mounts)
    return catalog, index


def load_catalog(
    paths: list[str] | tuple[str, ...],
    prefixes: dict[str, str] | None = None,
    *,
    lenient: bool = False,
    later: bool = False,
    cache_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Catalog, SchemaIndex]:
    """Load and import one spec, or several mounted together (also one with a --prefix).
    `prefixes` maps a spec's name (its file name without extension) to its path prefix.
    With `later`, one spec's uncached OpenAPI check is left to `catalog.spec.background`
    (several specs are checked at once). Raises SpecError."""
    later = later and len(paths) == 1
    specs = [
        load_spec(path, lenient=lenient, later=later, cache_dir=cache_dir, progress=progress)
        for path in paths
    ]
    if progress is not None:
        count = sum(len(s.document.get("paths") or {}) for s in specs)
        progress(f"importing the operations of {count} paths")
    prefixes = prefixes or {}
    if len(specs) == 1 and not prefixes:
        index = SchemaIndex(specs[0].document)
        return build_catalog(specs[0], index), index
    names = mount_names([spec.path for spec in specs])
    unknown = sorted(set(prefixes) - set(names))
    if unknown:
        raise SpecError.single(
            f"--prefix names {', '.join(unknown)}, which is not one of the specs served "
            f"({', '.join(names)})",
            str(specs[0].path),
            hint="name a spec by its file name without the extension: --prefix NAME=/path",
        )
    requests = [MountRequest(s, n, prefixes.get(n)) for s, n in zip(specs, names, strict=True)]
    return build_mounted_catalog(requests)


def _files(spec: Spec) -> tuple[Path, ...]:
    return tuple(Path(f.path) for f in spec.bundle.files.values())


def watched_files(catalog: Catalog) -> list[Path]:
    """Every file the catalog was read from: each spec and every file it `$ref`s."""
    if catalog.mounts:
        found = [path for m in catalog.mounts for path in (m.path, *m.files)]
    else:
        found = [catalog.spec.path, *_files(catalog.spec)]
    return list(dict.fromkeys(path.resolve() for path in found))

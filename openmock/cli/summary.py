"""What the command line prints about a catalog: the table of operations, the JSON of
`openmock import --json`, and the lines `from-spec` prints before it serves."""

from __future__ import annotations

from typing import Any

from openmock import __version__
from openmock.describe import stub_json
from openmock.model import ADMIN_PREFIX, Catalog, Stub
from openmock.state import Resources

TABLE_ROWS = 40  # operations listed when a mock starts (`openmock import` lists all)


def scenario_summary(stub: Stub) -> str:
    default = stub.default_scenario
    kind = {"examples": "example", "example": "example", "schema": "generated"}.get(
        default.source, default.source
    )
    return f"{default.status} {default.id} ({kind})"


def table(catalog: Catalog, limit: int | None, base: Catalog | None = None) -> str:
    """The operations; with `base` (the catalog as imported), what runtime changes made of
    it is marked: runtime stubs, runtime scenarios, a default picked at runtime."""
    rows = [("METHOD", "PATH", "STUB", "SCENARIOS", "DEFAULT")]
    stubs = catalog.stubs if limit is None else catalog.stubs[:limit]
    for stub in stubs:
        default = "IMPORT ERROR" if stub.import_error else scenario_summary(stub)
        name, count = stub.id, str(len(stub.scenarios))
        if base is not None:
            imported = base.stub(stub.id)
            added = sum(1 for s in stub.scenarios if s.source == "runtime")
            if stub.origin == "runtime":
                name += " (runtime)"
            elif added:
                count += f" (+{added} runtime)"
            if imported is not None and imported.default_scenario_id != stub.default_scenario_id:
                default += " (set at runtime)"
        rows.append((stub.method, stub.path, name, count, default))
    widths = [min(max(len(r[i]) for r in rows), 60) for i in range(5)]
    lines = [
        "  ".join(cell[:60].ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    if limit is not None and len(catalog.stubs) > limit:
        lines.append(
            f"... and {len(catalog.stubs) - limit} more (`openmock import SPEC` lists all)"
        )
    return "\n".join(lines)


def catalog_json(catalog: Catalog) -> dict[str, Any]:
    return {
        "spec": {
            "path": str(catalog.spec.path),
            "title": catalog.spec.title,
            "version": catalog.spec.source_version,
        },
        "base_paths": list(catalog.base_paths),
        "stubs": [stub_json(stub) for stub in catalog.stubs],
        "problems": [p.render() for p in (*catalog.spec.warnings, *catalog.problems)],
    }


def version_label(kind: str, version: str) -> str:
    return f"Swagger {version}" if kind == "2.0" else f"OpenAPI {version}"


def startup_lines(
    catalog: Catalog,
    url: str,
    log_db: str | None,
    admin: bool,
    resources: Resources | None = None,
    served: Catalog | None = None,
    restored: int = 0,
) -> list[str]:
    """What `from-spec` prints before its ready line: the spec(s), the operations, what is
    not served, the base path, the stateful resources (--stateful), the call log (None:
    --no-log) and the inspector."""
    spec = catalog.spec
    if catalog.mounts:
        lines = [f"openmock {__version__}: {len(catalog.mounts)} specs"]
        lines += [f"  {m.name}: {m.path} under {m.prefix or '/'}" for m in catalog.mounts]
    else:
        label = version_label(spec.kind, spec.source_version)
        lines = [f"openmock {__version__}: {spec.title} ({label}) from {spec.path}"]
    lines.append(table(served or catalog, TABLE_ROWS, catalog if restored else None))
    if restored:
        lines.append(
            f"restored {restored} runtime change(s) from {log_db} (kept beside the call log; "
            f"POST {url}{ADMIN_PREFIX}/reset drops them)"
        )
    if catalog.base_paths:
        lines.append(f"paths answer with or without the base path {catalog.base_paths[0]}")
    if resources is not None:
        lines += resource_lines(resources)
    if log_db is not None:
        where = f"read it at {url}{ADMIN_PREFIX}/calls" if admin else "no admin API to read it"
        lines.append(f"call log: {log_db} ({where})")
    if admin:
        lines.append(f"inspector: {url}{ADMIN_PREFIX}/ (calls as they come, stubs and scenarios)")
    return lines


def resources_json(resources: Resources) -> dict[str, Any]:
    """What `--stateful` makes of a catalog: each resource, and why the rest is stateless."""
    return {
        "resources": [
            {
                "name": r.name,
                "collection": r.collection,
                "item": r.item,
                "id": r.id_property,
                "scoped_by": list(r.parents),
                "list": "array" if r.listing.items is None else f"envelope .{r.listing.items}",
                "operations": {
                    stub_id: role.action
                    for stub_id, role in resources.roles.items()
                    if role.resource == r.name
                },
            }
            for r in resources.resources.values()
        ],
        "stateless": dict(resources.skipped),
    }


def resource_lines(resources: Resources) -> list[str]:
    """`stateful: pets at /pets and /pets/{id} (id: id; list, create, read, delete)`."""
    if not resources.resources:
        return ["stateful: no collection found (a path and its `/{id}` item path)"]
    lines = []
    for r in resources.resources.values():
        actions = [role.action for role in resources.roles.values() if role.resource == r.name]
        lines.append(
            f"stateful: {r.name} at {r.collection} and {r.item} "
            f"(id: {r.id_property}; {', '.join(actions)})"
        )
    stateless = len(resources.skipped)
    if stateless:
        lines.append(f"stateless: {stateless} other operations (`openmock import` says why)")
    return lines

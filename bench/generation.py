"""Generation throughput: values per second of the compiled generator, each value checked by
the validator as the server does. Writes bench/results/<date>-<commit>-generation.md.

Targets (issue 3): at least 5,000 small objects per second on one core; a GitHub-sized
`repository` object in under 2 ms.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

from report import write_report  # noqa: E402

from openmock.generate import GenerationEngine  # noqa: E402
from openmock.schema.index import SchemaIndex  # noqa: E402
from openmock.spec import load_spec  # noqa: E402

SMALL = {
    "type": "object",
    "required": ["id", "name", "email", "createdAt"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "maxLength": 60},
        "email": {"type": "string", "format": "email"},
        "createdAt": {"type": "string", "format": "date-time"},
        "active": {"type": "boolean"},
    },
}


def rate(make: Callable[[str], Any], seconds: float = 2.0) -> tuple[float, float]:
    """(values per second, ms per value) over about `seconds`, distinct keys each time."""
    make("warm-up")
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        make(f"k{count}")
        count += 1
    return count / elapsed, elapsed / count * 1000


def nodes(index: SchemaIndex, schema: Any, seen: set[int] | None = None) -> int:
    """How big a schema is, counting every schema object reachable once."""
    seen = set() if seen is None else seen
    schema = index.deref(schema)
    if not isinstance(schema, dict) or id(schema) in seen:
        return 0
    seen.add(id(schema))
    total = 1
    for value in schema.values():
        for child in (
            value.values()
            if isinstance(value, dict)
            else (value if isinstance(value, list) else [value])
        ):
            if isinstance(child, dict):
                total += nodes(index, child, seen)
    return total


def largest_response_schema() -> tuple[str, Any, SchemaIndex]:
    from openmock.importer import build_catalog

    best: tuple[int, str, Any, SchemaIndex] | None = None
    for name in ("stripe", "github-rest", "kubernetes", "digitalocean", "openai"):
        roots = [p for p in (CORPUS / name).rglob("*") if p.suffix in (".json", ".yaml")]
        for root in (
            roots[:1]
            if name != "digitalocean"
            else [p for p in roots if p.name == "DigitalOcean-public.v2.yaml"]
        ):
            spec = load_spec(root, lenient=True, cache_dir=ROOT / ".openmock" / "cache")
            index = SchemaIndex(spec.document)
            for stub in build_catalog(spec, index).stubs:
                for scenario in stub.scenarios:
                    for rep in scenario.representations:
                        if rep.schema is not None and "json" in rep.media_type:
                            size = nodes(index, rep.schema)
                            if best is None or size > best[0]:
                                where = f"{name}: {stub.id} -> {scenario.status_key}"
                                best = (size, f"{where} ({size} schema nodes)", rep.schema, index)
    assert best is not None
    return best[1], best[2], best[3]


def main() -> None:
    rows: list[tuple[str, float, float]] = []
    engine = GenerationEngine(SchemaIndex({}))
    rows.append(("small object (5 properties)", *rate(lambda k: engine.value(SMALL, k))))

    pets = load_spec(ROOT / "specs" / "petstore.yaml", cache_dir=ROOT / ".openmock" / "cache")
    pet_engine = GenerationEngine(SchemaIndex(pets.document))
    pet_list = {
        "type": "array",
        "minItems": 20,
        "maxItems": 20,
        "items": {"$ref": "#/components/schemas/Pet"},
    }
    rows.append(("petstore Pet list of 20", *rate(lambda k: pet_engine.value(pet_list, k))))

    github = CORPUS / "github-rest" / "api.github.com.json"
    if github.exists():
        spec = load_spec(github, cache_dir=ROOT / ".openmock" / "cache")
        gh = GenerationEngine(SchemaIndex(spec.document))
        repo = {"$ref": "#/components/schemas/repository"}
        rows.append(("GitHub `repository` object", *rate(lambda k: gh.value(repo, k))))
        where, schema, index = largest_response_schema()
        big = GenerationEngine(index)
        rows.append((f"largest corpus response: {where}", *rate(lambda k: big.value(schema, k))))

    write_report(
        "generation",
        "Generation throughput",
        [
            "One process, one core; every value is checked by the validator, as when serving.",
            "",
            "| schema | values/s | ms/value |",
            "|---|---:|---:|",
            *[f"| {name} | {per_s:,.0f} | {ms:.3f} |" for name, per_s, ms in rows],
            "",
            "Targets: small objects >= 5,000/s; GitHub `repository` < 2 ms.",
        ],
    )
    print(json.dumps({name: round(per_s) for name, per_s, _ in rows}))


if __name__ == "__main__":
    main()

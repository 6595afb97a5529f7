"""Every response and request-body schema of specs/ and ../shared/corpus: 20 generated values
each, every one valid for its schema as judged by a plain jsonschema validator built here.

The summary at the end of the run says how many schemas the compiled generator served (fast
path), how many needed the search fallback, and which no value satisfies (reported by the
engine as a problem, never served as invalid data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
import referencing.jsonschema
from conftest import SPECS
from corpus import rel
from generation_stats import STATS
from test_e2e_corpus import EXPECTED_LENIENT, EXPECTED_REFUSED, LARGE, ROOTS

from openmock.generate import GenerationEngine, GenerationError
from openmock.importer import build_catalog
from openmock.model import Catalog
from openmock.schema.index import SchemaIndex
from openmock.spec import load_spec

# Not in the quick tier (`make check`): real specs, random requests or a browser.
pytestmark = pytest.mark.slow

VALUES_PER_SCHEMA = 20
URI = "urn:test:document"

# No value can satisfy these, by the JSON Schema rules the oracle applies; the engine must say
# so (GenerationError) instead of serving something invalid.
UNSATISFIABLE = {
    "osv-integration-data/v2.0/missing-reference.yaml": "unresolved $refs",
    "swagger-parser-specs/validate-schema/invalid/invalid-response-type.yaml": "type: user",
    "readme-oas-examples/3.0/json/discriminators.json": "oneOf of two identical branches",
    "readme-oas-examples/3.0/json/readme.json": "oneOf of two branches every error matches",
    "readme-oas-examples/3.0/json/schema-types.json": "allOf of contradicting branches (quirks)",
    "swagger-parser-specs/validate-schema/invalid/invalid-schema-type.yaml": "type: user",
}


def schemas_of(catalog: Catalog) -> list[tuple[Any, str, str]]:
    """(schema, direction, where) for every response and request body media type."""
    found: dict[tuple[int, str], tuple[Any, str, str]] = {}
    for stub in catalog.stubs:
        for scenario in stub.scenarios:
            for rep in scenario.representations:
                if rep.schema is not None:
                    where = f"{stub.id} -> {scenario.status_key} {rep.media_type}"
                    found.setdefault((id(rep.schema), "response"), (rep.schema, "response", where))
        for media in stub.request_body.content if stub.request_body else ():
            if media.schema is not None:
                where = f"{stub.id} <- {media.media_type}"
                found.setdefault((id(media.schema), "request"), (media.schema, "request", where))
    return list(found.values())


class PlainValidator:
    """jsonschema's own 2020-12 validator over the document. The one OpenAPI rule added
    (written here, not taken from openmock): a required writeOnly property may be missing
    from a response, a required readOnly one from a request."""

    def __init__(self, document: dict[str, Any]) -> None:
        resource = referencing.jsonschema.DRAFT202012.create_resource(document)
        self.registry: referencing.Registry[Any] = referencing.Registry().with_resource(
            URI, resource
        )
        self.classes = {d: self._with_openapi_required(d) for d in ("response", "request")}

    def _with_openapi_required(self, direction: str) -> Any:
        flag = "writeOnly" if direction == "response" else "readOnly"
        resolver = self.registry.resolver(base_uri=URI)

        def required(validator: Any, names: Any, instance: Any, schema: Any) -> Any:
            if not validator.is_type(instance, "object"):
                return
            props = schema.get("properties", {})
            for name in names:
                sub = props.get(name)
                while isinstance(sub, dict) and "$ref" in sub:
                    sub = resolver.lookup(sub["$ref"]).contents
                if name not in instance and not (isinstance(sub, dict) and sub.get(flag)):
                    yield jsonschema.ValidationError(f"{name!r} is a required property")

        return jsonschema.validators.extend(jsonschema.Draft202012Validator, {"required": required})

    def errors(self, schema: Any, value: Any, direction: str) -> list[str]:
        validator = self.classes[direction](
            schema,
            registry=self.registry,
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
            _resolver=self.registry.resolver(base_uri=URI),
        )
        return [
            f"{error.message[:200]} at /{'/'.join(map(str, error.absolute_path))}"
            for error in validator.iter_errors(value)
        ]


def _params() -> list[object]:
    out: list[object] = [pytest.param(SPECS / p.name, id=f"specs/{p.name}")
                         for p in sorted(SPECS.glob("*.yaml"))]  # fmt: skip
    for root in ROOTS:
        if rel(root) in EXPECTED_REFUSED:
            continue
        marks = [pytest.mark.slow] if rel(root).split("/")[0] in LARGE else []
        out.append(pytest.param(root, id=rel(root), marks=marks))
    return out


@pytest.mark.parametrize("root", _params())
def test_generated_values_validate(root: Path, cache_dir: Path) -> None:
    name = f"specs/{root.name}" if root.is_relative_to(SPECS) else rel(root)
    spec = load_spec(root, lenient=name in EXPECTED_LENIENT, cache_dir=cache_dir)
    index = SchemaIndex(spec.document)
    engine = GenerationEngine(index)
    plain = PlainValidator(spec.document)
    failures: list[str] = []
    unsatisfiable: list[str] = []
    for schema, direction, where in schemas_of(build_catalog(spec, index)):
        for i in range(VALUES_PER_SCHEMA):
            try:
                value = engine.value(schema, f"corpus{i}", direction)
            except GenerationError as exc:
                unsatisfiable.append(f"{where}: {str(exc)[:200]}")
                break
            errors = plain.errors(schema, value, direction)
            if errors:
                failures.append(f"{where}: {errors[0]} in {str(value)[:200]}")
                break
    STATS.record(name, engine.outcome_counts(), unsatisfiable)
    assert not failures, "\n".join(failures[:20])
    if name not in UNSATISFIABLE:
        assert not unsatisfiable, "\n".join(unsatisfiable[:20])

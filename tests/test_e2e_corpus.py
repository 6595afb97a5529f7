"""End to end: every root document of ../shared/corpus, served by a real uvicorn server.

Every operation is called once; each answer must have a status the operation documents and
a body the spec's schema accepts, as judged by the independent oracle (tests/oracle.py).
Documents that are genuinely invalid are listed below with the reason: they must be refused
by default and, where anything is left to serve, served with --lenient.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS
from corpus import discover_roots, rel
from e2e import exercise

from openmock.spec import SpecError, load_spec

# Not in the quick tier (`make check`): real specs, random requests or a browser.
pytestmark = pytest.mark.slow

# Refused even with --lenient: nothing in them can be served.
EXPECTED_REFUSED = {
    "swagger-parser-specs/callbacks-promises/callbacks-promises-error.yaml": "swagger: ERROR",
    "swagger-parser-specs/invalid/newer-version.yaml": "swagger: '3.0' is no Swagger version",
    "swagger-parser-specs/invalid/numeric-version.yaml": "swagger: 2.0 is a number, not '2.0'",
    "swagger-parser-specs/invalid/old-version.yaml": "Swagger 1.2 is not supported",
}

_V = "swagger-parser-specs/validate-schema/invalid/"
_S = "swagger-parser-specs/validate-spec/invalid/"
# Invalid (refused by default), served with --lenient.
EXPECTED_LENIENT = {
    "openai/openapi.yaml": "`required` lists repeat a property (uniqueItems)",
    "github-rest/api.github.com.json": "`default: ''` on three `format: uri` properties",
    "osv-integration-data/v2.0/empty.yaml": "no info",
    "osv-integration-data/v3.0/empty.yaml": "no info",
    "osv-integration-data/v2.0/missing-reference.yaml": "$ref to '#/definitions/'",
    "osv-integration-data/v3.0/missing-description.yaml": "a response without description",
    "osv-integration-data/v3.0/property-missing-reference.yaml": "$ref to a missing file",
    "readme-oas-examples/3.0/json/openapi-workshop/post.json": "empty responses object",
    "readme-oas-examples/3.0/json/schema-validation.json": "an example that is not a time",
    "readme-oas-examples/3.1/json/schema-validation-local.json": "an example beyond maximum",
    "readme-oas-examples/3.1/json/schema-validation-top-level.json": "an example beyond maximum",
    "slack-web/slack_web_openapi_v2.json": "3.1-style type arrays and anyOf in a 2.0 document",
    "swagger-parser-specs/circular/circular.yaml": "a $ref that points at itself",
    "swagger-parser-specs/invalid/no-paths-or-webhooks.yaml": "openapi: '3.1' (no patch)",
    "swagger-parser-specs/invalid/numeric-info-version.yaml": "info.version is a number",
    "swagger-parser-specs/unknown/unknown.yaml": "a schema of type file",
    _V + "anyof.yaml": "anyOf in Swagger 2.0",
    _V + "file-body-param.yaml": "type: file on a body parameter",
    _V + "file-header-param.yaml": "type: file on a header parameter",
    _V + "invalid-param-location.yaml": "in: cookie in Swagger 2.0",
    _V + "invalid-param-type.yaml": "an unknown parameter type",
    _V + "invalid-response-code.yaml": "response code 'foobar'",
    _V + "invalid-response-header-type.yaml": "an unknown header type",
    _V + "invalid-response-type.yaml": "an unknown response schema type",
    _V + "invalid-schema-type.yaml": "an unknown schema type",
    _V + "multi-header-param.yaml": "collectionFormat multi on a header",
    _V + "multi-path-param.yaml": "collectionFormat multi on a path parameter",
    _V + "non-primitive-param-type.yaml": "an object query parameter",
    _V + "non-primitive-response-header-type.yaml": "an object response header",
    _V + "non-required-path-param.yaml": "a path parameter without required",
    _V + "oneof.yaml": "oneOf in Swagger 2.0",
    _V + "optional-path-param.yaml": "required: false on a path parameter",
    _S + "duplicate-operation-ids.yaml": "two operations share an operationId",
    _S + "duplicate-operation-params.yaml": "a parameter listed twice",
    _S + "duplicate-path-params.yaml": "a path parameter listed twice",
    _S + "no-path-params.yaml": "a {placeholder} without a parameter",
    _S + "path-param-no-placeholder.yaml": "a path parameter without a {placeholder}",
    _S + "path-placeholder-no-param.yaml": "a {placeholder} without a parameter",
}
# Where openapi-core (the oracle) and the spec cannot agree on any body, the failures that
# the reason explains are accepted; every other check still applies to those specs.
_NO_MAPPING = (
    "a discriminator without `mapping` whose values are not schema names: openapi-core "
    "resolves the value as '#/components/schemas/<value>' and fails for any body, while the "
    "branches' own enums forbid the schema names"
)
ORACLE_CANNOT_AGREE: dict[str, dict[str, str]] = {
    "spotify/fixed-spotify-open-api.yml": {"could not be resolved": _NO_MAPPING},
    "openai/openapi.yaml": {
        "could not be resolved": _NO_MAPPING,
        "at /data/0/moderation": "required `input`/`output` are such discriminated oneOfs",
        "schemas at /moderation ": "the same `moderation` object, at the top of a response",
        "schemas at /data_source ": (
            "a oneOf whose nested `tools` items carry such a discriminator mapping (openapi-core "
            "reports \"reference '#/components/schemas/computer_use_preview' could not be "
            'resolved" deep inside and rejects the branch)'
        ),
        "at /method/dpo/hyperparameters/beta": (
            "`exclusiveMinimum: true` in a 3.1 document: openapi-core compares with True (1); "
            "the author meant 3.0's flag (> 0), which openmock follows"
        ),
    },
}

# Responses no value can satisfy, or that the generator cannot satisfy yet: the mock must
# answer them with a 500 `generation-failed` problem that says why (never an invalid body).
GENERATION_FAILS = {
    _V + "invalid-response-type.yaml": "`type: user` is no JSON Schema type: nothing is valid",
}

# Operations for which no valid request can be built here (the generator finds no value, or a
# form cannot carry a generated null/{}): they are called with `Prefer: validate=false`.
# Every other operation gets a request its spec calls valid, and the mock must accept it.
UNBUILDABLE = {
    "readme-oas-examples/3.0/json/discriminators.json": "a formData oneOf nothing satisfies",
    "readme-oas-examples/3.0/json/schema-types.json": "allOf branches that contradict",
    "stripe/spec3.yaml": "a few generated form bodies hold a null or {} forms cannot say",
    _V + "invalid-schema-type.yaml": "`type: user` is no JSON Schema type",
}

# The rest of swagger-parser's validate-spec/invalid/ fixtures break rules that
# openapi-spec-validator does not check (array without items, body plus formData, file
# without consumes, required property not defined...). They load, and serving them must
# still produce only valid answers, which is what the test below checks.

ROOTS = discover_roots()
LARGE = {"digitalocean", "github-rest", "kubernetes", "openai", "stripe", "slack-web"}


def _params() -> list[object]:
    out: list[object] = []
    for root in ROOTS:
        marks = [pytest.mark.slow] if rel(root).split("/")[0] in LARGE else []
        out.append(pytest.param(root, id=rel(root), marks=marks))
    return out


def test_corpus_is_there() -> None:
    assert CORPUS.is_dir(), f"the corpus is expected at {CORPUS}"
    assert len(ROOTS) >= 140
    for listed in [*EXPECTED_REFUSED, *EXPECTED_LENIENT, *UNBUILDABLE]:
        assert (CORPUS / listed).is_file(), f"listed but missing: {listed}"


@pytest.mark.parametrize("root", _params())
def test_corpus_spec_serves_every_operation(root: Path, cache_dir: Path) -> None:
    name = rel(root)
    if name in EXPECTED_REFUSED:
        with pytest.raises(SpecError) as refused:
            load_spec(root, lenient=True, cache_dir=cache_dir)
        assert str(root) in str(refused.value)
        return
    if name in EXPECTED_LENIENT:
        with pytest.raises(SpecError):
            load_spec(root, cache_dir=cache_dir)
        spec = load_spec(root, lenient=True, cache_dir=cache_dir)
        assert spec.warnings, "a lenient load must report what it skipped"
    else:
        spec = load_spec(root, cache_dir=cache_dir)
    report = exercise(spec, generation_may_fail=name in GENERATION_FAILS)
    explained = ORACLE_CANNOT_AGREE.get(name, {})
    report.failures = [f for f in report.failures if not any(e in f for e in explained)]
    assert not report.failures, report.describe()
    assert not report.rejected, "valid requests refused:\n" + "\n".join(report.rejected[:10])
    if name not in UNBUILDABLE:
        assert not report.unbuildable, "\n".join(report.unbuildable[:10])

"""`openmock check`: every problem a user can fix, with where it is, and an exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, SPECS, SpecMaker
from corpus import discover_roots, rel

from openmock.cli.check import check_spec

CLI = [sys.executable, "-m", "openmock"]
BAD_EXAMPLE = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties: {id: {type: integer}}
              examples:
                good: {value: {id: 1}}
                bad: {value: {id: "one"}}
  /never:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: string, minLength: 5, maxLength: 2}
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "check", *args], capture_output=True, text=True)


def test_a_bad_example_fails_the_check_and_names_its_pointer(make_spec: SpecMaker) -> None:
    spec = make_spec(BAD_EXAMPLE)
    done = _run(str(spec))
    assert done.returncode == 1
    assert "Examples that break their own schema" in done.stdout
    pointer = "/paths/~1pets/get/responses/200/content/application~1json/examples/bad/value"
    assert f"{spec}:17: GET /pets response example 'bad' does not match" in done.stdout
    assert pointer in done.stdout and "'one' is not of type 'integer'" in done.stdout
    assert "Schemas no value satisfies" in done.stdout and "GET /never" in done.stdout
    report = json.loads(_run(str(spec), "--json").stdout)
    kinds = sorted(e["kind"] for e in report["errors"])
    assert kinds == ["example", "schema"]
    assert "good" not in json.dumps(report)


def test_a_clean_spec_passes_and_strict_counts_warnings(make_spec: SpecMaker) -> None:
    assert _run(str(SPECS / "petstore.yaml")).returncode == 0
    unknown = {"security": [{"nope": []}], "responses": {"204": {"description": "x"}}}
    hooked = make_spec(paths={"/a": {"get": unknown}})
    report = check_spec(hooked)
    assert not report.errors and any("nope" in w.message for w in report.warnings), report
    assert _run(str(hooked)).returncode == 0
    assert _run(str(hooked), "--strict").returncode == 1


def test_a_method_in_upper_case_is_reported_at_its_line(make_spec: SpecMaker) -> None:
    ok = {"responses": {"204": {"description": "x"}}}
    spec = make_spec(paths={"/a": {"get": ok}, "/b": {"POST": ok}})
    done = _run(str(spec))
    assert "'POST' under path /b is not served: OpenAPI's method names are lower case" in (
        done.stdout
    )
    assert f"{spec}:" in done.stdout and "Write it as 'post:'." in done.stdout
    assert done.returncode == 1  # the OpenAPI schema check says so too, as an error


@pytest.mark.parametrize("item", [None, "hello", [1, 2], {"parameters": None}])
def test_a_malformed_path_item_is_reported_not_a_traceback(
    make_spec: SpecMaker, item: object
) -> None:
    """openapi-spec-validator fails inside on these (KeyError, AssertionError): the problems
    found before are kept, the stop is said, and the rest of the spec is served."""
    ok = {"responses": {"204": {"description": "x"}}}
    spec = make_spec(paths={"/a": {"get": ok}, "/e": item})
    done = _run(str(spec))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "the OpenAPI schema check stopped early" in done.stdout
    assert "(at /paths/~1e" in done.stdout  # the schema error found before the stop
    served = subprocess.run(
        [*CLI, "import", str(spec), "--json"], capture_output=True, text=True, check=True
    )
    assert [s["path"] for s in json.loads(served.stdout)["stubs"]] == ["/a"]


def test_a_default_of_an_unknown_type_is_reported_not_a_traceback(tmp_path: Path) -> None:
    """The Redocly museum with `type: x` for its page size (which has a default):
    openapi-spec-validator checks the default, and jsonschema raises UnknownType inside."""
    text = (CORPUS / "redocly-museum" / "openapi.yaml").read_text()
    size = "      schema:\n        type: integer\n        default: 10\n"
    assert size in text
    spec = tmp_path / "museum.yaml"
    spec.write_text(text.replace(size, size.replace("integer", "x")))
    done = _run(str(spec))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "stopped early" in done.stdout and "(UnknownType Unknown type 'x' for" in done.stdout
    assert "(at /components/parameters/PaginationLimit/schema/type)" in done.stdout


def test_a_schema_checked_on_its_own_is_located_in_the_document(make_spec: SpecMaker) -> None:
    """3.1's validator checks a Schema Object by itself, so its errors' paths start at that
    schema (`/type`, which was printed as is, at line 1): the place is found by its path's
    end and its value."""
    limit = {"name": "limit", "in": "query", "schema": {"type": "x"}}
    spec = make_spec(
        version="3.1.0",
        paths={"/a": {"get": {"parameters": [limit], "responses": {"204": {"description": "x"}}}}},
    )
    done = _run(str(spec))
    assert f"{spec}:1:" not in done.stdout
    assert "(at /paths/~1a/get/parameters/0/schema/type)" in done.stdout, done.stdout


DUPLICATED = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200": {description: first}
        "200": {description: second}
  /owners:
    $ref: owners.yaml
  /pets:
    post:
      responses:
        "201": {description: made}
"""


def test_keys_written_twice_are_reported_with_their_lines(tmp_path: Path) -> None:
    """YAML readers keep the last of two equal keys: a pasted path or status silently lost
    the first. Each is a problem at the second one's line, in the file it is in."""
    spec = tmp_path / "api.yaml"
    spec.write_text(DUPLICATED)
    owners = "get:\n  responses: {'204': {description: %s}}\n"
    (tmp_path / "owners.yaml").write_text(owners % "a" + owners % "b")
    done = _run(str(spec))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    said = [line.strip() for line in done.stdout.splitlines() if "written twice" in line]
    lost = (
        "is written twice in one mapping (lines {} and {}): the second is read, the first is lost"
    )
    assert said == [
        f"{spec}:8: key '200' {lost.format(7, 8)} (at /paths/~1pets/get/responses/200)",
        f"{spec}:11: key '/pets' {lost.format(4, 11)} (at /paths/~1pets)",
        f"{tmp_path / 'owners.yaml'}:3: key 'get' {lost.format(1, 3)} (at /get)",
    ]
    assert "Merge the two, or rename one: YAML keys must be unique." in done.stdout


def test_an_invalid_document_is_reported_not_raised(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    done = _run(str(missing))
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    invalid = CORPUS / "swagger-parser-specs/validate-spec/invalid/duplicate-operation-ids.yaml"
    report = check_spec(invalid)
    assert [f.kind for f in report.errors] == ["spec"]
    assert report.operations == 2  # what a lenient load imports is checked too


def test_a_dangling_ref_is_a_finding_not_a_traceback(make_spec: SpecMaker) -> None:
    """`from-spec` reported these cleanly; `check` raised on the response schema that refers
    to nowhere (issue 17, item 19)."""
    missing = {"$ref": "#/components/schemas/Nope"}
    elsewhere = {"$ref": "other.yaml#/Missing"}
    spec = make_spec(
        paths={
            "/a": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": missing}}}}}},
            "/b": {"post": {"requestBody": {"content": {"application/json": {
                "schema": elsewhere, "example": {"a": 1}}}},
                "responses": {"204": {"description": "ok"}}}},
        }
    )  # fmt: skip
    done = _run(str(spec))
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "'#/components/schemas/Nope' points to nothing" in done.stdout
    assert "a file that does not exist" in done.stdout
    assert "GET /a response 200 (application/json): no value satisfies" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("root", discover_roots(), ids=rel)
def test_check_reports_every_corpus_document_without_raising(root: Path, cache_dir: Path) -> None:
    """Every document of the corpus, broken ones included: a report, never an exception."""
    report = check_spec(str(root), cache_dir=cache_dir)
    assert report.as_json()["spec"]

"""LOAD stage: reading, bundling, version detection and validation, including bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SpecMaker

from openmock.schema.index import SchemaIndex
from openmock.spec import SpecError, load_spec
from openmock.spec.reader import parse_text


def get_json(path: str, schema: dict[str, object]) -> dict[str, object]:
    """`paths` with one GET answering 200 with a JSON body of `schema`."""
    ok = {"description": "ok", "content": {"application/json": {"schema": schema}}}
    return {path: {"get": {"responses": {"200": ok}}}}


PETS = get_json("/pets", {"$ref": "#/components/schemas/Pets"})
SCHEMAS = {
    "components": {
        "schemas": {
            "Pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
            "Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
        }
    }
}


def error_of(path: Path, **kwargs: object) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load_spec(path, **kwargs)  # type: ignore[arg-type]
    return caught.value


# --------------------------------------------------------------------------- reader
def test_yaml_dates_stay_strings_and_keys_become_strings() -> None:
    data = parse_text("a: 2024-01-02\n200: ok\nflag: yes\nb: true\n", "x.yaml")
    assert data == {"a": "2024-01-02", "200": "ok", "flag": "yes", "b": True}


def test_yaml_syntax_error_names_file_and_line(make_spec: SpecMaker) -> None:
    path = make_spec("openapi: 3.0.3\ninfo:\n  title: [unclosed\n  version: 1\npaths: {}\n")
    message = str(error_of(path))
    assert message.startswith(f"{path}:4: not valid YAML")
    assert "Traceback" not in message


def test_json_syntax_error_names_line(make_spec: SpecMaker) -> None:
    path = make_spec('{\n  "openapi": "3.0.3",\n  "info": {,}\n}\n', name="api.json")
    assert f"{path}:3" in str(error_of(path))


def test_alias_bomb_is_refused_quickly(make_spec: SpecMaker) -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 10)}]")
    path = make_spec("openapi: 3.0.3\n" + "\n".join(lines) + "\n")
    assert "alias" in str(error_of(path)).lower()


def test_recursive_alias_is_refused(make_spec: SpecMaker) -> None:
    path = make_spec("openapi: 3.0.3\ninfo: &x\n  self: *x\n")
    assert "recursive YAML alias" in str(error_of(path))


def test_deep_nesting_is_refused(make_spec: SpecMaker) -> None:
    path = make_spec("openapi: 3.0.3\nx: " + "[" * 2000 + "]" * 2000 + "\n")
    assert "nesting depth" in str(error_of(path))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "nope.yaml: file not found" in str(error_of(tmp_path / "nope.yaml"))
    assert "directory" in str(error_of(tmp_path))


def test_binary_file_is_not_a_spec(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_bytes(b"\xff\xfe\x00\x01binary\x00")
    message = str(error_of(path))
    assert message.startswith(f"{path}: is not UTF-8 text")


# --------------------------------------------------------------------------- versions
def test_not_an_openapi_document(make_spec: SpecMaker) -> None:
    path = make_spec("name: my-app\nversion: 1\n")
    assert "not an OpenAPI document" in str(error_of(path))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("openapi: 3.0\ninfo: {title: t, version: '1'}\npaths: {}\n", "quote it"),
        ("swagger: 2.0\ninfo: {title: t, version: '1'}\npaths: {}\n", "quote it"),
        ("swagger: '1.2'\ninfo: {title: t, version: '1'}\npaths: {}\n", "unsupported"),
        ("openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n", "unsupported"),
    ],
)
def test_bad_versions(make_spec: SpecMaker, text: str, expected: str) -> None:
    message = str(error_of(make_spec(text)))
    assert expected in message and ":1" in message


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_openapi_3_loads(make_spec: SpecMaker, version: str, cache_dir: Path) -> None:
    spec = load_spec(make_spec(version=version, paths=PETS, **SCHEMAS), cache_dir=cache_dir)
    assert spec.kind == version[:3] and spec.source_version == version
    assert "/pets" in spec.document["paths"]


# --------------------------------------------------------------------------- validation
def test_invalid_spec_is_an_error_with_pointer_and_line(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    paths = {"/pets": {"get": {"responses": {"200": {"content": {}}}}}}  # no description
    path = make_spec(paths=paths)
    error = error_of(path, cache_dir=cache_dir)
    problem = error.problems[0]
    assert problem.pointer.startswith("/paths/~1pets/get/responses/200")
    assert problem.line is not None and "without --strict" in str(error)


def test_a_default_that_breaks_its_format_is_located(make_spec: SpecMaker, cache_dir: Path) -> None:
    """GitHub's `default: ''` on `format: uri` properties was reported at line 1 with no
    pointer: the validator checks a default as a value of its own."""
    url = {"type": "string", "format": "uri", "default": ""}
    fine = {"type": "string", "default": ""}  # the same value where it is allowed
    item = {"type": "object", "properties": {"note": fine, "link": url}}
    error = error_of(make_spec(paths=get_json("/links", item)), cache_dir=cache_dir)
    (problem,) = error.problems
    assert problem.pointer.endswith("/schema/properties/link/default")
    assert "is not a 'uri'" in problem.message and problem.line is not None


def test_lenient_serves_and_reports(make_spec: SpecMaker, cache_dir: Path) -> None:
    paths = {"/pets": {"get": {"responses": {"200": {"content": {}}}}}}
    spec = load_spec(make_spec(paths=paths), lenient=True, cache_dir=cache_dir)
    assert spec.warnings and "/pets" in spec.document["paths"]


def test_validation_result_is_cached(make_spec: SpecMaker, tmp_path: Path) -> None:
    path = make_spec(paths=PETS, **SCHEMAS)
    cache = tmp_path / "cache"
    load_spec(path, cache_dir=cache)
    assert any(cache.iterdir())
    load_spec(path, cache_dir=cache)  # the cached verdict is read back without error


# --------------------------------------------------------------------------- $ref / bundling
def test_multi_file_refs_resolve(make_spec: SpecMaker, cache_dir: Path) -> None:
    files = {
        "schemas/pet.yaml": {
            "type": "object",
            "properties": {"owner": {"$ref": "owner.yaml"}},
        },
        "schemas/owner.yaml": {"type": "object", "properties": {"name": {"type": "string"}}},
        "paths/pets.yaml": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "../schemas/pet.yaml"}}
                        },
                    }
                }
            }
        },
    }
    spec = load_spec(
        make_spec(paths={"/pets": {"$ref": "paths/pets.yaml"}}, files=files), cache_dir=cache_dir
    )
    assert "get" in spec.document["paths"]["/pets"]
    assert sorted(spec.bundle.files) == [
        "paths/pets.yaml",
        "schemas/owner.yaml",
        "schemas/pet.yaml",
    ]
    index = SchemaIndex(spec.document)
    media = spec.document["paths"]["/pets"]["get"]["responses"]["200"]["content"]
    pet = index.deref(media["application/json"]["schema"])
    assert index.deref(pet["properties"]["owner"])["properties"] == {"name": {"type": "string"}}


def test_missing_ref_file_is_an_error_naming_it(make_spec: SpecMaker, cache_dir: Path) -> None:
    path = make_spec(paths={"/pets": {"$ref": "paths/missing.yaml"}})
    message = str(error_of(path, cache_dir=cache_dir))
    assert "missing.yaml" in message and "/paths/~1pets" in message


def test_missing_local_ref_is_an_error(make_spec: SpecMaker, cache_dir: Path) -> None:
    paths = get_json("/pets", {"$ref": "#/components/schemas/Nope"})
    message = str(error_of(make_spec(paths=paths), cache_dir=cache_dir))
    assert "#/components/schemas/Nope" in message


def test_a_ref_that_is_no_string_is_located_and_a_property_named_ref_is_kept(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    """`$ref: true` reached jsonschema, which failed inside on every request (a 500); it is a
    problem with its pointer, served as an unresolved reference. A property called `$ref`
    (SCIM has them) is a name, not a reference."""
    body = {"type": "object", "properties": {"$ref": {"type": "string"}, "n": {"$ref": 7}}}
    spec = load_spec(make_spec(paths=get_json("/pets", body)), cache_dir=cache_dir, lenient=True)
    said = [p for p in spec.warnings if "$ref must be a string" in p.message]
    pointer = "/paths/~1pets/get/responses/200/content/application~1json/schema/properties/n/$ref"
    assert [(p.pointer, p.message.split(";")[0]) for p in said] == [
        (pointer, "$ref must be a string (a URI reference), not 7")
    ]
    schema = spec.document["paths"]["/pets"]["get"]["responses"]["200"]["content"]
    properties = schema["application/json"]["schema"]["properties"]
    assert properties["$ref"] == {"type": "string"}
    assert properties["n"] == {"x-openmock-unresolved-ref": "7"}


def test_recursive_schema_is_kept_finite(make_spec: SpecMaker, cache_dir: Path) -> None:
    components = {
        "schemas": {
            "Node": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
                },
            }
        }
    }
    paths = get_json("/tree", {"$ref": "#/components/schemas/Node"})
    spec = load_spec(make_spec(paths=paths, components=components), cache_dir=cache_dir)
    node = spec.document["components"]["schemas"]["Node"]
    assert node["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Node"}


def test_pure_ref_cycle_is_reported(make_spec: SpecMaker) -> None:
    components = {
        "schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"},
        }
    }
    message = str(error_of(make_spec(components=components), validate=False))
    assert "circular" in message


def test_remote_refs_are_not_fetched(make_spec: SpecMaker, cache_dir: Path) -> None:
    paths = {"/x": {"$ref": "https://example.com/paths.yaml"}}
    spec = load_spec(make_spec(paths=paths), lenient=True, cache_dir=cache_dir)
    assert any("example.com" in p.message for p in spec.warnings)


def test_parsed_yaml_is_cached_and_read_back_identically(
    make_spec: SpecMaker, tmp_path: Path
) -> None:
    path = make_spec(paths=PETS, **SCHEMAS)
    cache = tmp_path / "cache"
    first = load_spec(path, cache_dir=cache).bundle.root
    assert len(list((cache / "parsed").iterdir())) == 1
    assert load_spec(path, cache_dir=cache).bundle.root == first


def test_non_json_yaml_values_are_never_cached(tmp_path: Path) -> None:
    from openmock.spec.parsecache import cached_parse

    for value in ({"x": float("nan")}, {"x": b"\x00"}):
        assert cached_parse(b"doc", tmp_path, lambda v=value: v) is value
    assert not (tmp_path / "parsed").exists()


def test_a_check_left_for_later_runs_once_and_is_cached(
    make_spec: SpecMaker, tmp_path: Path
) -> None:
    paths = {"/pets": {"get": {"responses": {"200": {"content": {}}}}}}  # no description
    path = make_spec(paths=paths)
    first = load_spec(path, lenient=True, later=True, cache_dir=tmp_path)
    assert first.background is not None and not first.warnings  # not checked yet
    assert first.background.status() == ("pending", ())
    finished: list[object] = []
    first.background.start(finished.append).join()
    status, problems = first.background.status()
    assert status == "done" and finished == [first.background]
    assert problems[0].pointer.startswith("/paths/~1pets/get/responses/200")
    again = load_spec(path, lenient=True, later=True, cache_dir=tmp_path)
    assert again.background is None and [p.message for p in again.warnings] == [
        p.message for p in problems
    ]
    with pytest.raises(SpecError):  # --strict checks before serving, as before
        load_spec(path, later=True, cache_dir=tmp_path / "other")

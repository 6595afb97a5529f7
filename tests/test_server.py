"""SERVE: the bundled specs through a real uvicorn server, behaviour by behaviour.

Every answer to every operation of specs/* is also judged by the independent oracle."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import SPECS, SpecMaker, running_server
from e2e import exercise

from openmock.server import create_app
from openmock.spec import load_spec


@pytest.mark.parametrize("name", sorted(p.name for p in SPECS.glob("*.yaml")))
def test_bundled_spec_serves_every_operation_validly(name: str, cache_dir: Path) -> None:
    report = exercise(load_spec(SPECS / name, cache_dir=cache_dir))
    assert report.calls >= 4
    assert not report.failures, report.describe()
    assert not report.rejected, "valid requests refused:\n" + "\n".join(report.rejected)
    assert not report.unbuildable
    assert not report.import_errors and not report.invalid_examples


@pytest.fixture(scope="module")
def pets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    app = create_app(SPECS / "petstore.yaml", cache_dir=tmp_path_factory.mktemp("cache"))
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        yield client


def test_health(pets: httpx.Client) -> None:
    health = pets.get("/__openmock/health").json()
    assert health["status"] == "ok" and health["stubs"] == 8
    assert health["spec"]["title"] == "openmock Petstore"


def test_named_example_is_the_default_and_headers_name_it(pets: httpx.Client) -> None:
    response = pets.get("/v1/pets")
    assert response.status_code == 200
    assert [p["name"] for p in response.json()] == ["Tom", "Felix"]
    assert response.headers["x-openmock-stub"] == "listPets"
    assert response.headers["x-openmock-scenario"] == "cats"
    assert len(response.headers["x-openmock-call-id"]) == 16


def test_base_path_is_optional(pets: httpx.Client) -> None:
    assert pets.get("/pets").json() == pets.get("/v1/pets").json()


def test_literal_path_beats_template(pets: httpx.Client) -> None:
    assert pets.get("/v1/pets/mine").headers["x-openmock-stub"] == "listMyPets"
    assert pets.get("/v1/pets/12").headers["x-openmock-stub"] == "getPet"


def test_generated_body_is_deterministic_and_echoes_the_path_id(pets: httpx.Client) -> None:
    first, again = pets.get("/v1/pets/42"), pets.get("/v1/pets/42")
    assert first.json() == again.json()
    assert first.json()["id"] == 42
    assert pets.get("/v1/pets/43").json()["id"] == 43


def test_hyphenated_parameter(pets: httpx.Client) -> None:
    response = pets.get("/v1/owners/abc-12/pets")
    assert response.status_code == 200 and set(response.json()) == {"owner", "pets"}


def test_documented_response_header(pets: httpx.Client) -> None:
    assert pets.post("/v1/pets", json={"name": "Tom"}).headers["location"] == "/v1/pets/1"
    assert int(pets.get("/v1/pets").headers["x-total-count"]) >= 0


def test_accept_negotiation_and_406(pets: httpx.Client) -> None:
    xml = pets.get("/v1/pets/5", headers={"Accept": "application/xml"})
    assert xml.headers["content-type"] == "application/xml"
    assert xml.text.startswith("<")
    for _ in range(2):  # each Accept gets its own answer, the same again when asked again
        plain = pets.get("/v1/pets/5")
        assert plain.headers["content-type"] == "application/json"
        again = pets.get("/v1/pets/5", headers={"Accept": "application/xml"})
        assert again.headers["content-type"] == "application/xml"
    refused = pets.get("/v1/pets/5", headers={"Accept": "text/csv"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    assert "application/json" in refused.json()["detail"]


def test_text_and_binary_bodies(pets: httpx.Client) -> None:
    status = pets.get("/v1/status")
    assert (status.headers["content-type"], status.text) == ("text/plain", "all systems normal")
    photo = pets.get("/v1/pets/1/photo")
    assert photo.headers["content-type"] == "image/png" and len(photo.content) > 0


def test_no_body_for_204_and_head(pets: httpx.Client) -> None:
    deleted = pets.delete("/v1/pets/1")
    assert deleted.status_code == 204 and deleted.content == b""
    head = pets.head("/v1/pets")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(pets.get("/v1/pets").content)


def test_unknown_path_is_a_404_problem_with_closest_paths(pets: httpx.Client) -> None:
    response = pets.get("/v1/pet")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404 and "/pets" in problem["detail"]


def test_wrong_method_is_a_405_with_allow(pets: httpx.Client) -> None:
    response = pets.put("/v1/pets")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
    assert response.json()["status"] == 405


def test_error_stub_answers_500_and_the_rest_serves(make_spec: SpecMaker, cache_dir: Path) -> None:
    ok = {"200": {"description": "ok", "content": {"text/plain": {"example": "fine"}}}}
    path = make_spec(
        paths={"/ok": {"get": {"responses": ok}}, "/broken": {"get": {"responses": {}}}}
    )
    app = create_app(path, lenient=True, cache_dir=cache_dir)
    with running_server(app) as url:
        assert httpx.get(f"{url}/ok").text == "fine"
        broken = httpx.get(f"{url}/broken")
        assert broken.status_code == 500
        assert "no responses" in broken.json()["detail"]


def test_an_internal_error_is_a_500_problem_and_the_server_keeps_serving(
    cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir)
    responder = app.state.mock.state.responder
    real = responder.respond
    calls = {"n": 0}

    def failing_once(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyError("a bug in openmock")
        return real(*args, **kwargs)

    responder.respond = failing_once
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        broken = client.get("/v1/pets")
        assert broken.status_code == 500
        assert broken.headers["content-type"] == "application/problem+json"
        problem = broken.json()
        assert problem["type"].endswith("/internal-error")
        assert problem["call_id"] == broken.headers["x-openmock-call-id"]
        assert "KeyError" in problem["detail"]
        assert client.get("/v1/pets").status_code == 200  # still serving
    assert any(problem["call_id"] in r.getMessage() for r in caplog.records)


def test_a_bug_in_a_check_is_a_500_with_the_call_id_not_a_valid_answer(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a bad spec's errors are caught where schemas are run (SCHEMA_ERRORS); a bug reaches
    the server's guard, which logs it and answers a 500 problem naming the call."""
    from openmock.schema.index import SchemaIndex

    def broken(self: SchemaIndex, schema: object, direction: str = "any") -> object:
        def check(value: object) -> bool:
            raise TypeError("a bug in a compiled check")

        return check

    monkeypatch.setattr(SchemaIndex, "checker", broken)
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir)
    with running_server(app) as url:
        answer = httpx.post(f"{url}/pets", json={"name": "Rex"})
    assert answer.status_code == 500
    problem = answer.json()
    assert problem["type"].endswith("/internal-error")
    assert answer.headers["x-openmock-call-id"] in problem["detail"]
    assert "TypeError" in problem["detail"]


def test_a_documented_media_range_is_answered_with_a_concrete_type(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    """`*/*` and `application/*` cover what the client accepts, and the answer names a real
    type: JSON for structured values, text/plain for strings, octet-stream for bytes (issue 17,
    item 1). Every answer is judged by the oracle."""
    from xml.etree import ElementTree

    from oracle import Oracle

    def get(media: str, schema: dict[str, object]) -> dict[str, object]:
        ok = {"description": "ok", "content": {media: {"schema": schema}}}
        return {"get": {"responses": {"200": ok}}}

    spec = make_spec(
        paths={
            "/any": get("*/*", {"type": "object", "properties": {"a": {"type": "integer"}}}),
            "/text": get("*/*", {"type": "string"}),
            "/file": get("*/*", {"type": "string", "format": "binary"}),
            "/app": get("application/*", {"type": "array", "items": {"type": "integer"}}),
        }
    )
    oracle = Oracle(load_spec(spec, cache_dir=cache_dir))
    with running_server(create_app(spec, cache_dir=cache_dir)) as url:
        for path, accept, sent in [
            ("/any", None, "application/json"),
            ("/any", "application/json", "application/json"),
            ("/any", "text/html, application/xml;q=0.5", "application/xml"),
            ("/text", None, "text/plain"),
            ("/text", "text/csv", "text/csv"),
            ("/file", None, "application/octet-stream"),
            ("/app", "application/json", "application/json"),
            ("/app", "*/*", "application/json"),
        ]:
            answer = httpx.get(url + path, headers={"Accept": accept} if accept else {})
            assert answer.status_code == 200, (path, accept, answer.text)
            assert answer.headers["content-type"] == sent, (path, accept)
            if sent.endswith("xml"):  # the oracle reads no XML: well-formed is what it can be
                ElementTree.fromstring(answer.content)
                continue
            verdict = oracle.check("GET", path, path, 200, dict(answer.headers), answer.content)
            assert verdict is None, (path, accept, verdict)
        assert httpx.get(url + "/app", headers={"Accept": "text/plain"}).status_code == 406


def test_well_known_headers_get_values_that_look_like_them(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    """Header values by header name where the schema is a plain string (issue 17, item 8);
    a schema that says more (an enum, a format) is generated from, as before."""
    import re

    plain = {"schema": {"type": "string"}}
    headers = {
        "ETag": plain, "Cache-Control": plain, "X-Request-Id": plain, "Link": plain,
        "Retry-After": plain, "X-Mode": {"schema": {"type": "string", "enum": ["a", "b"]}},
    }  # fmt: skip
    ok = {"description": "ok", "headers": headers}
    spec = make_spec(paths={"/things": {"get": {"responses": {"200": ok}}}})
    with running_server(create_app(spec, cache_dir=cache_dir)) as url:
        got = httpx.get(f"{url}/things").headers
    assert re.fullmatch(r'W/"[0-9a-f]{16}"', got["etag"])
    assert got["cache-control"] in ("no-cache", "private, max-age=60", "max-age=3600")
    assert re.fullmatch(r"[0-9a-f-]{36}", got["x-request-id"])
    assert got["link"].endswith('>; rel="next"') and got["retry-after"].isdigit()
    assert got["x-mode"] in ("a", "b")


def test_files_and_streams_are_answered_in_their_own_format(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    """A binary schema answered as an image or a PDF is a valid (tiny) file of that type; SSE
    is framed as events, NDJSON as lines (issue 17, item 6)."""
    import json
    import struct
    import zlib

    def get(media: str, schema: dict[str, object]) -> dict[str, object]:
        ok = {"description": "ok", "content": {media: {"schema": schema}}}
        return {"get": {"responses": {"200": ok}}}

    binary = {"type": "string", "format": "binary"}
    event = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}
    many = {"type": "array", "minItems": 2, "items": event}
    spec = make_spec(
        paths={
            "/photo": get("image/png", binary),
            "/scan": get("image/jpeg", binary),
            "/doc": get("application/pdf", binary),
            "/events": get("text/event-stream", many),
            "/lines": get("application/x-ndjson", many),
        }
    )
    with running_server(create_app(spec, cache_dir=cache_dir)) as url:
        png = httpx.get(f"{url}/photo").content
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        length, kind = struct.unpack(">I4s", png[8:16])
        assert kind == b"IHDR" and struct.unpack(">I", png[16 + length : 20 + length])[0] == (
            zlib.crc32(png[12 : 16 + length])
        )
        jpeg = httpx.get(f"{url}/scan").content
        assert jpeg[:2] == b"\xff\xd8" and jpeg[-2:] == b"\xff\xd9"
        pdf = httpx.get(f"{url}/doc").content
        assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
        offset = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
        assert pdf[offset:].startswith(b"xref")
        stream = httpx.get(f"{url}/events")
        assert stream.headers["content-type"].startswith("text/event-stream")
        frames = [f for f in stream.text.split("\n\n") if f]
        assert len(frames) >= 2 and all(f.startswith("data: ") for f in frames)
        assert all("n" in json.loads(f.removeprefix("data: ")) for f in frames)
        lines = httpx.get(f"{url}/lines").text.splitlines()
        assert len(lines) >= 2 and all("n" in json.loads(line) for line in lines)


def test_xml_follows_the_xml_object_and_is_checked_on_the_way_in(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    """Well-formed documents named as `xml` says (issue 17, item 5): arrays wrapped or not,
    attributes, prefixes and namespaces; a request body that is not XML is a 400."""
    from xml.etree import ElementTree

    book = {
        "type": "object",
        "xml": {"name": "book", "prefix": "b", "namespace": "https://example.com/b"},
        "properties": {
            "id": {"type": "integer", "xml": {"attribute": True}},
            "title": {"type": "string"},
            "tags": {
                "type": "array",
                "xml": {"wrapped": True},
                "items": {"type": "string", "xml": {"name": "tag"}},
            },
            "authors": {"type": "array", "items": {"type": "string", "xml": {"name": "author"}}},
        },
    }
    example = {"id": 7, "title": "Dune", "tags": ["sf", "classic"], "authors": ["Herbert"]}
    xml_ok = {"description": "ok", "content": {"application/xml": {
        "schema": {"$ref": "#/components/schemas/Book"}, "example": example}}}  # fmt: skip
    listed = {"description": "ok", "content": {"application/xml": {"schema": {
        "type": "array", "items": {"$ref": "#/components/schemas/Book"}}}}}  # fmt: skip
    body = {"content": {"application/xml": {"schema": {"$ref": "#/components/schemas/Book"}}}}
    spec = make_spec(
        paths={
            "/book": {
                "get": {"responses": {"200": xml_ok}},
                "post": {"requestBody": body, "responses": {"204": {"description": "ok"}}},
            },
            "/books": {"get": {"responses": {"200": listed}}},
        },
        components={"schemas": {"Book": book}},
    )
    with running_server(create_app(spec, cache_dir=cache_dir)) as url:
        one = httpx.get(f"{url}/book").text
        root = ElementTree.fromstring(one)
        assert root.tag == "{https://example.com/b}book" and root.get("id") == "7"
        assert one.count("<b:book") == 1 and "<title>Dune</title>" in one
        assert "<tags><tag>sf</tag><tag>classic</tag></tags>" in one
        assert "<author>Herbert</author>" in one and "<authors>" not in one
        many = ElementTree.fromstring(httpx.get(f"{url}/books").text)  # one root, wrapped
        assert all(child.tag.endswith("book") for child in many)
        xml = {"Content-Type": "application/xml"}
        broken = httpx.post(f"{url}/book", content=b"<<<not xml", headers=xml)
        assert broken.status_code == 400 and "not well-formed XML" in broken.text
        fine = httpx.post(f"{url}/book", content=b"<b:book xmlns:b='x'/>", headers=xml)
        assert fine.status_code == 204
        # Request bodies are read by the same XML Object rules and checked (issue 17, item 5).
        assert httpx.post(f"{url}/book", content=one.encode(), headers=xml).status_code == 204
        bad_id = one.replace('id="7"', 'id="seven"')
        refused = httpx.post(f"{url}/book", content=bad_id.encode(), headers=xml)
        assert refused.status_code == 422 and refused.json()["errors"][0]["pointer"] == "/id"
        bad_tag = b"<book><tags><tag>a</tag><tag><x/><y/></tag></tags></book>"
        refused = httpx.post(f"{url}/book", content=bad_tag, headers=xml)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["pointer"] == "/tags/1"
        other_root = httpx.post(f"{url}/book", content=b"<magazine/>", headers=xml)
        assert other_root.status_code == 422 and "<book>" in other_root.text


def test_a_schemas_own_example_is_the_payload_example(
    make_spec: SpecMaker, cache_dir: Path
) -> None:
    """Issue 17, item 11: a response schema's top-level `example` (none on the media type) was
    served about half the time, as property hints are; OpenAPI 3 makes it the example."""
    pet = {"type": "object", "properties": {"name": {"type": "string"}}, "example": {"name": "Rex"}}
    tags = {"type": "array", "items": {"type": "string"}, "examples": [["a", "b"]]}

    def answering(schema: object, *parameters: object) -> dict[str, object]:
        media = {"application/json": {"schema": schema}}
        ok = {"200": {"description": "ok", "content": media}}
        return {"get": {"parameters": list(parameters), "responses": ok}}

    pet_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}

    spec = make_spec(
        version="3.1.0",
        paths={
            "/pets/{id}": answering({"$ref": "#/components/schemas/Pet"}, pet_id),
            "/tags": answering(tags),
        },
        components={"schemas": {"Pet": pet}},
    )
    with running_server(create_app(spec, cache_dir=cache_dir)) as url:
        for n in range(12):
            answer = httpx.get(f"{url}/pets/{n}")
            assert answer.json() == {"name": "Rex"}
            assert answer.headers["x-openmock-scenario"] == "example"
        assert httpx.get(f"{url}/tags").json() == ["a", "b"]

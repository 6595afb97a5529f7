"""Request validation: parameters, bodies by media type, Content-Type, credentials, and which
response a failed request gets (the spec's own 422/400/401/415/default, else problem+json)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from budget import examples
from conftest import SpecMaker
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from openmock.model import SecurityScheme
from openmock.request.body import collect_fields, form_fields, unflatten_brackets
from openmock.respond.fill import fill_problem
from openmock.schema.index import SchemaIndex
from openmock.server import create_app
from openmock.validation.credentials import (
    CredentialsCheck,
    _alternative_missing,
    check_credentials,
)
from openmock.validation.forms import FormTyper
from openmock.validation.verdict import Verdict, Violation

PROBLEM = "application/problem+json"
ITEM = {
    "type": "object",
    "required": ["name", "price"],
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        "name": {"type": "string", "minLength": 1},
        "price": {"type": "number", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}},
        "card": {
            "type": "object",
            "properties": {"number": {"type": "string"}, "exp": {"type": "integer"}},
        },
    },
}
OK = {"200": {"description": "ok", "content": {"application/json": {"example": {"ok": True}}}}}
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["status", "title", "detail", "errors"],
    "properties": {
        "status": {"type": "integer"},
        "title": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _post(responses: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ITEM}},
        },
        "responses": {**OK, **(responses or {})},
        **extra,
    }


@pytest.fixture
def serve(make_spec: SpecMaker, cache_dir: Any) -> Callable[..., TestClient]:
    def build(paths: dict[str, Any], **options: Any) -> TestClient:
        top = {k: options.pop(k) for k in ("components", "security") if k in options}
        spec = make_spec(paths=paths, **top)
        return TestClient(create_app(spec, cache_dir=cache_dir, **options))

    return build


def _errors(response: Any) -> list[dict[str, Any]]:
    assert response.headers["content-type"] == PROBLEM, response.text
    errors: list[dict[str, Any]] = response.json()["errors"]
    return errors


def test_query_path_header_and_cookie_parameters_are_checked(serve: Any) -> None:
    client = serve(
        {
            "/items/{id}": {
                "get": {
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                        {
                            "name": "sort",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "enum": ["asc", "desc"]},
                        },
                        {
                            "name": "X-Trace",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "format": "uuid"},
                        },
                        {"name": "session", "in": "cookie", "schema": {"type": "integer"}},
                    ],
                    "responses": OK,
                }
            }
        }
    )
    good = {"X-Trace": "0b5e3f3a-7a52-4e8a-9a8e-0a0d8f4f5a11"}
    assert client.get("/items/7?sort=asc&limit=10", headers=good).status_code == 200
    response = client.get(
        "/items/abc?limit=500&sort=up",
        headers={"X-Trace": "nope", "Cookie": "session=x"},
    )
    assert response.status_code == 400
    errors = _errors(response)
    where = {(e["in"], e["name"]) for e in errors}
    assert where == {
        ("path", "id"), ("query", "limit"), ("query", "sort"), ("header", "X-Trace"),
        ("cookie", "session"),
    }  # fmt: skip
    assert any("500" in e["message"] for e in errors)
    assert response.json()["type"].endswith("/invalid-request")
    missing = client.get("/items/7")
    assert {(e["in"], e["name"]) for e in _errors(missing)} == {
        ("query", "sort"), ("header", "X-Trace"),
    }  # fmt: skip
    assert all("missing" in e["message"] for e in _errors(missing))


def test_invalid_json_body_is_a_422_problem_listing_every_violation(serve: Any) -> None:
    client = serve({"/items": {"post": _post()}})
    response = client.post("/items", json={"name": "", "price": -1, "tags": [3]})
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/invalid-body") and problem["status"] == 422
    pointers = {e["pointer"] for e in _errors(response)}
    assert pointers == {"/name", "/price", "/tags/0"}
    assert "Prefer: validate=false" in problem["detail"]
    assert response.headers["x-openmock-reason"] == "invalid request"
    assert client.post("/items", json={"name": "pen", "price": 2}).status_code == 200


def test_read_only_properties_are_not_required_in_requests(serve: Any) -> None:
    item = {**ITEM, "required": ["id", "name", "price"]}
    client = serve(
        {
            "/items": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": item}}},
                    "responses": OK,
                }
            }
        }
    )
    assert client.post("/items", json={"name": "pen", "price": 2}).status_code == 200


def test_malformed_json_is_a_400_never_a_500(serve: Any) -> None:
    client = serve({"/items": {"post": _post()}})
    response = client.post(
        "/items", content=b'{"name": "pen",', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "not valid JSON" in _errors(response)[0]["message"]


def test_json_sent_as_text_is_read_as_json_where_text_cannot_fit(serve: Any) -> None:
    text_item = {"requestBody": {"required": True, "content": {"text/plain": {"schema": ITEM}}},
                 "responses": OK}  # fmt: skip
    notes = {"requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}},
             "responses": OK}  # fmt: skip
    client = serve({"/items": {"post": text_item}, "/notes": {"post": notes}})
    plain = {"Content-Type": "text/plain"}
    assert (
        client.post("/items", content=b'{"name": "pen", "price": 2}', headers=plain).status_code
        == 200
    )
    wrong = client.post("/items", content=b'{"name": 5, "price": 2}', headers=plain)
    assert wrong.status_code == 422 and _errors(wrong)[0]["pointer"] == "/name"
    assert client.post("/items", content=b"pen", headers=plain).status_code == 422
    assert client.post("/notes", content=b'{"name": 5}', headers=plain).status_code == 200


def test_missing_required_body_and_wrong_content_type(serve: Any) -> None:
    client = serve({"/items": {"post": _post()}})
    missing = client.post("/items")
    assert missing.status_code == 422
    assert "required" in _errors(missing)[0]["message"]
    wrong = client.post("/items", content=b"<a/>", headers={"Content-Type": "application/xml"})
    assert wrong.status_code == 415
    assert _errors(wrong)[0] == {
        "in": "header",
        "name": "Content-Type",
        "message": "Content-Type 'application/xml' is not accepted; send one of: application/json",
    }
    charset = client.post(
        "/items",
        content=b'{"name": "pen", "price": 1}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert charset.status_code == 200


def test_the_specs_own_422_is_served_for_an_invalid_body(serve: Any) -> None:
    own = {"application/json": {"example": {"message": "bad item"}}}
    client = serve({"/items": {"post": _post({"422": {"description": "no", "content": own}})}})
    response = client.post("/items", json={"price": "free"})
    assert response.status_code == 422
    assert response.json() == {"message": "bad item"}
    assert response.headers["x-openmock-scenario"] == "422-example"
    assert response.headers["x-openmock-reason"] == "invalid request: the spec's 422 response"


def test_a_documented_400_answers_a_bad_body_when_there_is_no_422(serve: Any) -> None:
    own = {"application/json": {"example": {"error": "Bad Request"}}}
    client = serve({"/items": {"post": _post({"400": {"description": "no", "content": own}})}})
    response = client.post("/items", json={})
    assert response.status_code == 400 and response.json() == {"error": "Bad Request"}


def test_a_malformed_body_is_a_400_never_the_specs_422(serve: Any) -> None:
    """Malformed JSON is not well-formed, so the spec's 422 (well-formed but invalid) does not
    answer it: the spec's 400 where documented, else a 400 problem (issue 17, item 10)."""
    own = {"application/json": {"example": {"message": "bad item"}}}
    only_422 = serve({"/items": {"post": _post({"422": {"description": "no", "content": own}})}})
    broken = {"Content-Type": "application/json"}
    answer = only_422.post("/items", content=b'{"name": ', headers=broken)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["in"] == "body"
    assert only_422.post("/items", json={"price": "free"}).status_code == 422  # still its own
    with_400 = {"400": {"description": "no", "content": own}, "422": {"description": "no"}}
    both = serve({"/items": {"post": _post(with_400)}})
    answer = both.post("/items", content=b"{oops", headers=broken)
    assert answer.status_code == 400 and answer.json() == {"message": "bad item"}


def test_every_answer_to_an_invalid_request_says_what_was_wrong(serve: Any) -> None:
    """X-Openmock-Violations (Prism's sl-violations) on the spec's own error response too,
    which says nothing of the request (issue 17, item 13)."""
    own = {"application/json": {"example": {"message": "bad item"}}}
    client = serve({"/items": {"post": _post({"422": {"description": "no", "content": own}})}})
    answer = client.post("/items", json={"name": 5, "price": "free"})
    assert answer.json() == {"message": "bad item"}
    violations = answer.headers["x-openmock-violations"]
    assert violations.startswith("2 violations: body at /")
    assert "/name" in violations and "/price" in violations
    problem = serve({"/items": {"post": _post()}}).post("/items", json={"name": "p"})
    assert problem.headers["x-openmock-violations"].startswith("1 violation: ")
    valid = client.post("/items", json={"name": "p", "price": 1})
    assert "x-openmock-violations" not in valid.headers


def test_a_generated_error_body_tells_the_real_outcome(serve: Any) -> None:
    content = {"application/json": {"schema": PROBLEM_SCHEMA}}
    default = {"default": {"description": "e", "content": content}}
    client = serve({"/items": {"post": _post(default)}})
    response = client.post("/items", json={"name": "pen", "price": -5})
    assert response.status_code == 422  # `default` is served with validation's status
    body = response.json()
    assert body["status"] == 422
    assert body["title"] == "Invalid request body"
    assert "/price" in body["detail"]
    assert body["errors"] and body["errors"][0]["field"] == "/price"
    assert "minimum" in body["errors"][0]["message"]


def test_validation_can_be_switched_off(serve: Any) -> None:
    client = serve({"/items": {"post": _post()}})
    skipped = client.post("/items", json={}, headers={"Prefer": "validate=false"})
    assert skipped.status_code == 200
    off = serve({"/items": {"post": _post()}}, validate=False)
    assert off.post("/items", json={}).status_code == 200
    assert client.post("/items", json={}, headers={"Prefer": "validate=maybe"}).status_code == 400


def test_form_bodies_are_typed_and_nested_like_stripes(serve: Any) -> None:
    form = "application/x-www-form-urlencoded"
    client = serve(
        {
            "/items": {
                "post": {
                    "requestBody": {"required": True, "content": {form: {"schema": ITEM}}},
                    "responses": OK,
                }
            }
        }
    )
    good = "name=pen&price=2.5&tags=a&tags=b&card[number]=4242&card[exp]=12"
    response = client.post("/items", content=good.encode(), headers={"Content-Type": form})
    assert response.status_code == 200, response.text
    bad = "name=pen&price=cheap&card[exp]=soon"
    response = client.post("/items", content=bad.encode(), headers={"Content-Type": form})
    assert {e["pointer"] for e in _errors(response)} == {"/price", "/card/exp"}


def test_an_empty_form_field_clears_a_list_the_stripe_way(serve: Any) -> None:
    form = "application/x-www-form-urlencoded"
    listed = {"type": "array", "items": {"type": "object", "required": ["coupon"]}}
    schema = {
        "type": "object",
        "properties": {
            "discounts": {"anyOf": [listed, {"type": "string", "enum": [""]}]},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 0}},
            "sizes": {"type": "array", "items": {"type": "integer"}},
        },
    }
    client = serve(
        {
            "/subs": {
                "post": {"requestBody": {"content": {form: {"schema": schema}}}, "responses": OK}
            }
        }
    )
    for body, status in [
        ("discounts=", 200),  # the empty string: the list cleared
        ("discounts[0][coupon]=c1&tags=&sizes=1", 200),  # a list of one empty tag is fine
        ("discounts[0][other]=c1", 422),
        ("sizes=", 422),  # an integer list has no empty reading
    ]:
        response = client.post("/subs", content=body.encode(), headers={"Content-Type": form})
        assert response.status_code == status, (body, response.text)
    # read so at the first try (the slower reading of every anyOf branch is not needed)
    typer = FormTyper(SchemaIndex({}))
    assert typer.typed({"discounts": ""}, schema) == ({"discounts": ""}, True)
    assert typer.typed({"tags": ""}, schema) == ({"tags": [""]}, True)


def test_multipart_fields_are_validated(serve: Any) -> None:
    client = serve(
        {
            "/upload": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["file", "size"],
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"},
                                        "size": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": OK,
                }
            }
        }
    )
    files = {"file": ("a.bin", b"\x00\x01", "application/octet-stream")}
    assert client.post("/upload", files=files, data={"size": "2"}).status_code == 200
    response = client.post("/upload", files=files, data={"size": "two"})
    assert response.status_code == 422 and _errors(response)[0]["pointer"] == "/size"


def test_bracket_fields_become_nested_values() -> None:
    fields = {"a[b][c]": "1", "items[1][p]": "y", "items[0][p]": "x", "t[]": ["1", "2"]}
    assert unflatten_brackets({**fields, "f[x]": "kept"}, {"f[x]"}) == {
        "a": {"b": {"c": "1"}},
        "items": [{"p": "x"}, {"p": "y"}],
        "t": ["1", "2"],
        "f[x]": "kept",
    }


SCHEMES = {
    "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
    "query_key": {"type": "apiKey", "in": "query", "name": "api_key"},
    "cookie_key": {"type": "apiKey", "in": "cookie", "name": "sid"},
    "basic": {"type": "http", "scheme": "basic"},
    "bearer": {"type": "http", "scheme": "bearer"},
    "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
        "tokenUrl": "https://x.test/token", "scopes": {}}}},
}  # fmt: skip


def test_missing_api_key_is_a_401_with_a_challenge(serve: Any) -> None:
    client = serve(
        {"/me": {"get": {"responses": OK}}, "/open": {"get": {"security": [], "responses": OK}}},
        components={"securitySchemes": SCHEMES},
        security=[{"key": []}],
    )
    response = client.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        'ApiKey realm="openmock", in="header", name="X-Api-Key"'
    )
    assert _errors(response)[0]["name"] == "X-Api-Key"
    assert response.json()["type"].endswith("/unauthorized")
    assert client.get("/me", headers={"X-Api-Key": "anything"}).status_code == 200
    assert client.get("/open").status_code == 200  # the operation's `security: []`


def test_alternatives_and_http_schemes(serve: Any) -> None:
    client = serve(
        {"/me": {"get": {
            "security": [{"query_key": [], "cookie_key": []}, {"basic": []}, {"oauth": []}],
            "responses": {**OK, "401": {"description": "who?", "content": {
                "application/json": {"example": {"message": "log in"}}}}},
        }}},
        components={"securitySchemes": SCHEMES},
    )  # fmt: skip
    basic = "Basic " + base64.b64encode(b"u:p").decode()
    for headers in ({"Authorization": basic}, {"Authorization": "Bearer t0k3n"}):
        assert client.get("/me", headers=headers).status_code == 200
    assert client.get("/me?api_key=k", headers={"Cookie": "sid=s"}).status_code == 200
    refused = client.get("/me", headers={"Authorization": "Token abc"})
    assert refused.status_code == 401
    assert refused.json() == {"message": "log in"}  # the spec's own 401 ...
    challenges = refused.headers.get_list("www-authenticate")  # ... still says what to send
    assert 'Basic realm="openmock"' in challenges and 'Bearer realm="openmock"' in challenges


def test_credentials_of_one_header_are_met_by_any_of_them() -> None:
    basic = SecurityScheme("basic", "http", "header", "Authorization", "basic")
    oauth = SecurityScheme("oauth", "oauth2", "header", "Authorization", "bearer")
    key = SecurityScheme("key", "apiKey", "header", "X-Key")
    security = ((basic, oauth, key),)
    missing, _ = check_credentials(security, {"authorization": "Bearer t"}, {}, {})
    assert [v.name for v in missing] == ["X-Key"]
    missing, _ = check_credentials(security, {"authorization": "Bearer t", "x-key": "k"}, {}, {})
    assert missing == ()


_SCHEMES = [
    SecurityScheme("basic", "http", "header", "Authorization", "basic"),
    SecurityScheme("oauth", "oauth2", "header", "Authorization", "bearer"),
    SecurityScheme("key", "apiKey", "header", "X-Key"),
    SecurityScheme("token", "apiKey", "query", "token"),
    SecurityScheme("session", "apiKey", "cookie", "sid"),
]


@given(
    st.lists(st.lists(st.sampled_from(_SCHEMES), min_size=1, max_size=3), max_size=3),
    st.sampled_from(["", "Basic", "Basic  ", "basic x", "Bearer t", "Digest d", " bearer t "]),
    st.sampled_from(["", " ", "k"]),
    st.sampled_from(["", "t"]),
    st.sampled_from(["", "s"]),
)
def test_the_quick_yes_agrees_with_the_violations(
    security: list[list[SecurityScheme]], authorization: str, key: str, token: str, sid: str
) -> None:
    headers = {"authorization": authorization, "x-key": key}
    found, challenges = check_credentials(
        tuple(map(tuple, security)), headers, {"token": token}, {"sid": sid}
    )
    slow = any(not _alternative_missing(tuple(a), headers, {"token": token}, {"sid": sid})
               for a in security)  # fmt: skip
    assert (found == ()) is (slow or not security)
    # an operation's check, with its one-lookup yes, answers as check_credentials does
    operation = CredentialsCheck(tuple(map(tuple, security)))
    assert operation(headers, [("token", token)], {"sid": sid}) == (found, challenges)


def test_fill_keeps_only_what_the_schema_allows() -> None:
    verdict = Verdict((Violation("body", "body", "-5 is less than 0", pointer="/price"),))
    value = {"status": "500", "title": "x", "errors": ["e"], "code": "E_SOMETHING"}
    only_enum = lambda v: v.get("status") in ("500", "503")  # noqa: E731
    filled = fill_problem(value, verdict, 422, only_enum)
    assert filled["status"] == "500"  # the schema forbids "422": left as generated
    assert filled["code"] == "E_SOMETHING"  # a string error code is not a status
    assert filled["title"] == "Invalid request body"
    assert filled["errors"] == ["body at /price: -5 is less than 0"]


@given(
    st.lists(
        st.tuples(st.text(max_size=6) | st.sampled_from(["a", "a[]"]), st.text(max_size=6)),
        max_size=6,
    )
)
def test_form_fields_read_forms_like_parse_qsl(pairs: list[tuple[str, str]]) -> None:
    text = urlencode(pairs)
    assert form_fields(text) == collect_fields(parse_qsl(text, keep_blank_values=True))
    raw = "&".join(f"{k}={v}" for k, v in pairs)  # unescaped, as a careless client sends
    assert form_fields(raw) == collect_fields(parse_qsl(raw, keep_blank_values=True))


ESCAPES = ["%E2", "%82", "%AC", "%C3", "%26", "%3D", "%3d", "%2B", "%25", "%5B", "%5d", "%"]


@settings(max_examples=examples(600))
@given(st.lists(st.sampled_from([*ESCAPES, "+", "&", "=", "a", "[", "]", "é"]), max_size=16))
def test_form_fields_unescape_like_parse_qsl(tokens: list[str]) -> None:
    text = "".join(tokens)  # broken and partial UTF-8 escapes, escaped separators
    assert form_fields(text) == collect_fields(parse_qsl(text, keep_blank_values=True))


def test_openapi_integer_and_byte_formats_are_checked(serve: Any) -> None:
    """int32/int64 ranges and base64 `byte` (issue 17, item 4): /pets/9223372036854775808
    was a 200 whose echoed id then broke the response's own int64."""
    pet_id = {"name": "id", "in": "path", "required": True,
              "schema": {"type": "integer", "format": "int64"}}  # fmt: skip
    small = {"name": "n", "in": "query", "schema": {"type": "integer", "format": "int32"}}
    blob = {"type": "object", "properties": {"data": {"type": "string", "format": "byte"}}}
    client = serve(
        {
            "/pets/{id}": {"get": {"parameters": [pet_id, small], "responses": OK}},
            "/blobs": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": blob}}},
                    "responses": OK,
                }
            },
        }
    )
    assert client.get("/pets/9223372036854775807").status_code == 200
    too_big = client.get("/pets/9223372036854775808")
    assert too_big.status_code == 400 and _errors(too_big)[0]["name"] == "id"
    assert client.get("/pets/1", params={"n": 2**31 - 1}).status_code == 200
    assert client.get("/pets/1", params={"n": 2**31}).status_code == 400
    assert client.post("/blobs", json={"data": "aGVsbG8="}).status_code == 200
    assert client.post("/blobs", json={"data": "not base64!"}).status_code == 422


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("uri", "https://example.com/a?b=1", "not a uri"),
        ("uri-reference", "/pets/1#top", "/pets/a b"),
        ("iri", "https://例え.jp/ページ", "no scheme"),
        ("hostname", "api.example.com", "bad_host!"),
        ("json-pointer", "/pets/0", "pets/0"),
        ("uri-template", "https://example.com/{id}", "https://example.com/{id"),
        ("duration", "P3DT4H", "3 days"),
    ],
)
def test_string_formats_are_checked(serve: Any, fmt: str, good: str, bad: str) -> None:
    """uri, hostname, json-pointer... were accepted whatever they held (issue 17, item 4)."""
    param = {"name": "v", "in": "query", "schema": {"type": "string", "format": fmt}}
    client = serve({"/things": {"get": {"parameters": [param], "responses": OK}}})
    assert client.get("/things", params={"v": good}).status_code == 200
    refused = client.get("/things", params={"v": bad})
    assert refused.status_code == 400 and _errors(refused)[0]["name"] == "v"


def test_swagger_2_refuses_empty_values_unless_allowed(
    make_spec: SpecMaker, cache_dir: Any
) -> None:
    """Swagger 2's allowEmptyValue is false unless a parameter says otherwise: `?id=` and an
    empty form field (`-d id`) were accepted (issue 17, item 4)."""
    form = [
        {"name": "id", "in": "formData", "type": "string", "required": True},
        {"name": "note", "in": "formData", "type": "string", "allowEmptyValue": True},
    ]
    query = [
        {"name": "id", "in": "query", "type": "string"},
        {"name": "q", "in": "query", "type": "string", "allowEmptyValue": True},
    ]
    ok = {"200": {"description": "ok"}}
    paths = {"/items": {"get": {"parameters": query, "responses": ok},
                        "post": {"consumes": ["application/x-www-form-urlencoded"],
                                 "parameters": form, "responses": ok}}}  # fmt: skip
    client = TestClient(create_app(make_spec(version="2.0", paths=paths), cache_dir=cache_dir))
    assert client.get("/items?id=7&q=").status_code == 200
    for query_text in ("id=", "id"):
        refused = client.get(f"/items?{query_text}")
        assert refused.status_code == 400, query_text
        assert "allowEmptyValue" in _errors(refused)[0]["message"]
    form_type = {"content-type": "application/x-www-form-urlencoded"}
    assert client.post("/items", content="id=7&note=", headers=form_type).status_code == 200
    empty_field = client.post("/items", content="id", headers=form_type)
    assert empty_field.status_code == 422 and _errors(empty_field)[0]["pointer"] == "/id"


def test_openapi_3_query_values_may_be_empty_unless_said(serve: Any) -> None:
    """OpenAPI 3 clients send `?q=` all the time: refused only with allowEmptyValue: false."""
    strict = {"name": "id", "in": "query", "schema": {"type": "string"}, "allowEmptyValue": False}
    loose = {"name": "q", "in": "query", "schema": {"type": "string"}}
    client = serve({"/items": {"get": {"parameters": [strict, loose], "responses": OK}}})
    assert client.get("/items?q=&id=1").status_code == 200
    assert client.get("/items?id=").status_code == 400


def test_generated_integers_stay_inside_their_format() -> None:
    from openmock.generate import GenerationEngine
    from openmock.schema.index import SchemaIndex

    engine = GenerationEngine(SchemaIndex({}))
    schema = {"type": "integer", "format": "int32", "minimum": 2**31 - 5}
    values = {engine.value(schema, str(n)) for n in range(30)}
    assert values and all(2**31 - 5 <= v <= 2**31 - 1 for v in values)


def test_a_generated_problem_says_about_blank_and_its_status(serve: Any) -> None:
    """A problem body generated for `Prefer: code=404` names no made-up `type` (issue 17,
    item 8) and its detail says the status, not a random word."""
    problem = {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
        },
    }
    missing = {"404": {"description": "no", "content": {"application/json": {"schema": problem}}}}
    client = serve({"/items": {"get": {"responses": {**OK, **missing}}}})
    body = client.get("/items", headers={"Prefer": "code=404"}).json()
    assert body == {"type": "about:blank", "title": "Not Found", "status": 404,
                    "detail": "404 Not Found"}  # fmt: skip


def test_an_invalid_request_gets_the_error_example_it_asks_for(serve: Any) -> None:
    """`Prefer: code=422, example=emailTaken` on an invalid request answers that example of
    the 422, not its first (issue 17, item 11)."""
    examples = {
        "usernameIsEmpty": {"value": {"message": "username is empty"}},
        "emailTaken": {"value": {"message": "email taken"}},
    }
    own = {"description": "no", "content": {"application/json": {"examples": examples}}}
    client = serve({"/items": {"post": _post({"422": own})}})
    first = client.post("/items", json={"price": "free"})
    assert first.status_code == 422 and first.json() == {"message": "username is empty"}
    asked = client.post(
        "/items", json={"price": "free"}, headers={"Prefer": "code=422, example=emailTaken"}
    )
    assert asked.status_code == 422 and asked.json() == {"message": "email taken"}

"""ROUTE and MATCH: route table precedence, base paths, 404/405, parameter styles, Accept."""

from __future__ import annotations

from typing import Any

import pytest
from budget import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from openmock.model import Parameter, Representation, Scenario, Stub
from openmock.request import RequestParts
from openmock.request import parse_parameters as parse
from openmock.request.body import collect_fields, multipart_by_email
from openmock.request.multipart import boundary_of, read_plain_multipart
from openmock.respond.negotiate import negotiate
from openmock.routing import MethodNotAllowed, NotFound, RouteMatch, RouteTable
from openmock.routing.table import MATCHES_KEPT

OK = Scenario(id="200", name="200", status=200, status_key="200", source="empty")


def stub(method: str, path: str, **kw: Any) -> Stub:
    return Stub(
        id=f"{method} {path}",
        method=method,
        path=path,
        scenarios=(OK,),
        default_scenario_id="200",
        **kw,
    )


def table(*routes: str, base: tuple[str, ...] = ()) -> RouteTable:
    return RouteTable([stub(*r.split(" ", 1)) for r in routes], base)


def matched(t: RouteTable, method: str, path: str) -> RouteMatch:
    result = t.match(method, path)
    assert isinstance(result, RouteMatch), result
    return result


def test_literal_beats_template_whatever_the_order() -> None:
    t = table("GET /pets/{id}", "GET /pets/mine")
    assert matched(t, "GET", "/pets/mine").stub.path == "/pets/mine"
    hit = matched(t, "GET", "/pets/42")
    assert (hit.stub.path, hit.path_params) == ("/pets/{id}", {"id": "42"})


def test_matches_kept_are_per_method_and_path_and_bounded() -> None:
    t = table("GET /pets/{id}", "DELETE /pets/{id}", "GET /pets/mine")
    for _ in range(2):  # the second round comes from what the table kept
        assert matched(t, "GET", "/pets/42").path_params == {"id": "42"}
        assert matched(t, "DELETE", "/pets/42").stub.method == "DELETE"
        assert matched(t, "get", "/pets/mine").stub.path == "/pets/mine"
        assert isinstance(t.match("PUT", "/pets/42"), MethodNotAllowed)
    for n in range(MATCHES_KEPT + 10):  # past the bound: cleared, still right
        assert matched(t, "GET", f"/pets/{n}").path_params == {"id": str(n)}
    assert len(t._matched) <= MATCHES_KEPT


def test_a_literal_path_does_not_borrow_a_templates_methods() -> None:
    """The concrete path item applies (issue 17, item 3): DELETE /orders/latest is a 405 with
    /orders/latest's own methods, not a DELETE of an order whose id is 'latest'."""
    t = table("GET /orders/latest", "GET /orders/{order-id}", "DELETE /orders/{order-id}")
    refused = t.match("DELETE", "/orders/latest")
    assert isinstance(refused, MethodNotAllowed)
    assert refused.allowed == ("GET", "HEAD") and refused.template == "/orders/latest"
    assert t.methods_at("/orders/latest") == ("GET", "HEAD")
    assert matched(t, "DELETE", "/orders/7").stub.path == "/orders/{order-id}"


def test_hyphenated_and_dotted_parameter_names() -> None:
    t = table("GET /owners/{owner-id}/pets/{pet.id}")
    assert matched(t, "GET", "/owners/7/pets/x").path_params == {"owner-id": "7", "pet.id": "x"}


def test_mixed_segment_beats_whole_parameter() -> None:
    t = table("GET /files/{name}", "GET /files/{name}.json")
    hit = matched(t, "GET", "/files/report.json")
    assert (hit.stub.path, hit.path_params) == ("/files/{name}.json", {"name": "report"})
    assert matched(t, "GET", "/files/report").stub.path == "/files/{name}"


def test_backtracks_to_a_less_specific_branch() -> None:
    t = table("GET /a/b/c", "GET /a/{x}/d")
    assert matched(t, "GET", "/a/b/d").path_params == {"x": "b"}


def test_percent_encoded_values_are_decoded() -> None:
    assert matched(table("GET /q/{term}"), "GET", "/q/a%20b%2Fc").path_params == {"term": "a b/c"}


def test_base_path_is_optional() -> None:
    t = table("GET /pets", base=("/v1",))
    assert matched(t, "GET", "/v1/pets").stub.path == "/pets"
    assert matched(t, "GET", "/pets").stub.path == "/pets"


def test_trailing_slash_is_forgiven() -> None:
    assert matched(table("GET /pets"), "GET", "/pets/").stub.path == "/pets"


def test_method_not_allowed_lists_allowed_methods() -> None:
    result = table("GET /pets", "POST /pets").match("DELETE", "/pets")
    assert isinstance(result, MethodNotAllowed)
    assert result.allowed == ("GET", "HEAD", "POST")


def test_head_falls_back_to_get() -> None:
    assert matched(table("GET /pets"), "HEAD", "/pets").stub.method == "GET"


def test_not_found_suggests_closest_paths() -> None:
    result = table("GET /pets", "GET /owners").match("GET", "/pet")
    assert isinstance(result, NotFound)
    assert result.closest[0] == "/pets"


def test_fragment_in_template_routes_its_path() -> None:
    assert matched(table("GET /cookies#x"), "GET", "/cookies").stub.path == "/cookies#x"


# --------------------------------------------------------------------------- parameters
def param(name: str, location: str, schema: dict[str, Any], style: str, explode: bool) -> Parameter:
    return Parameter(name, location, False, schema, style, explode)  # type: ignore[arg-type]


ARRAY = {"type": "array", "items": {"type": "integer"}}
OBJECT = {"type": "object", "properties": {"r": {"type": "integer"}, "g": {"type": "integer"}}}


def parts(
    path: dict[str, str] | None = None,
    query: str = "",
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> RequestParts:
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    return RequestParts(path or {}, pairs, headers or {}, cookies or {})  # type: ignore[arg-type]


def no_refs(schema: Any) -> Any:
    return schema


@pytest.mark.parametrize(
    ("style", "explode", "raw", "schema", "value"),
    [
        ("simple", False, "3,4,5", ARRAY, [3, 4, 5]),
        ("simple", False, "r,1,g,2", OBJECT, {"r": 1, "g": 2}),
        ("simple", True, "r=1,g=2", OBJECT, {"r": 1, "g": 2}),
        ("label", False, ".3,4", ARRAY, [3, 4]),
        ("label", True, ".3.4", ARRAY, [3, 4]),
        ("matrix", False, ";id=3,4", ARRAY, [3, 4]),
        ("matrix", True, ";id=3;id=4", ARRAY, [3, 4]),
        ("simple", False, "42", {"type": "integer"}, 42),
        ("simple", False, "true", {"type": "boolean"}, True),
    ],
)
def test_path_styles(
    style: str, explode: bool, raw: str, schema: dict[str, Any], value: Any
) -> None:
    p = param("id", "path", schema, style, explode)
    assert parse((p,), parts(path={"id": raw}), no_refs).get("path", "id") == value


TUPLE = {"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": {"type": "integer"}}


@pytest.mark.parametrize(
    ("style", "explode", "query", "schema", "value"),
    [
        ("form", True, "id=3&id=4", ARRAY, [3, 4]),
        ("form", False, "id=3,4", ARRAY, [3, 4]),
        ("spaceDelimited", False, "id=3 4", ARRAY, [3, 4]),
        ("pipeDelimited", False, "id=3|4", ARRAY, [3, 4]),
        ("form", True, "r=1&g=2", OBJECT, {"r": 1, "g": 2}),
        ("deepObject", True, "id[r]=1&id[g]=2", OBJECT, {"r": 1, "g": 2}),
        ("form", False, "id=7,8,9", TUPLE, ["7", 8, 9]),  # 3.1 prefixItems, then items
    ],
)
def test_query_styles(
    style: str, explode: bool, query: str, schema: dict[str, Any], value: Any
) -> None:
    p = param("id", "query", schema, style, explode)
    assert parse((p,), parts(query=query), no_refs).get("query", "id") == value


def test_header_and_cookie_and_missing_required() -> None:
    header = param("X-Ids", "header", ARRAY, "simple", False)
    cookie = param("session", "cookie", {"type": "string"}, "form", True)
    required = Parameter("limit", "query", True, {"type": "integer"}, "form", True)
    parsed = parse(
        (header, cookie, required),
        parts(headers={"x-ids": "1,2"}, cookies={"session": "abc"}),
        no_refs,
    )
    assert parsed.get("header", "X-Ids") == [1, 2]
    assert parsed.get("cookie", "session") == "abc"
    assert parsed.missing == [required]


# --------------------------------------------------------------------------- negotiation
JSON = Representation("application/json", {"type": "object"})
XML = Representation("application/xml", {"type": "object"})
PROBLEM = Representation("application/problem+json", {"type": "object"})


@pytest.mark.parametrize(
    ("accept", "reps", "chosen"),
    [
        (None, (XML, JSON), JSON),  # no preference: JSON
        ("*/*", (XML, JSON), JSON),
        ("application/xml", (JSON, XML), XML),
        ("application/xml;q=0.5, application/json", (XML, JSON), JSON),
        ("text/*, application/*;q=0.1", (XML,), XML),
        ("application/json", (PROBLEM,), PROBLEM),  # +json is JSON
        ("image/png", (JSON, XML), None),  # 406
        ("application/json;q=0", (JSON,), None),
    ],
)
def test_accept_negotiation(
    accept: str | None, reps: tuple[Representation, ...], chosen: Representation | None
) -> None:
    assert negotiate(reps, accept) is chosen


_FIELD_NAMES = st.text(
    st.characters(blacklist_characters='"\\\r\n;', blacklist_categories=("Cs", "Cc")),
    min_size=1,
    max_size=12,
)
_FIELDS = st.lists(
    st.tuples(
        _FIELD_NAMES,
        st.one_of(st.text(max_size=40), st.binary(max_size=40)),  # text field, or a file
        st.sampled_from(["", "; charset=utf-8", "; charset=latin-1"]),
    ),
    max_size=5,
)


def _multipart_body(fields: list[tuple[str, str | bytes, str]], boundary: str) -> bytes:
    out = b""
    for name, value, charset in fields:
        out += f"--{boundary}\r\n".encode()
        if isinstance(value, bytes):
            out += f'Content-Disposition: form-data; name="{name}"; filename="f.bin"\r\n'.encode()
            out += b"Content-Type: application/octet-stream\r\n\r\n" + value + b"\r\n"
        else:
            encoding = "latin-1" if "latin" in charset else "utf-8"
            out += f'Content-Disposition: form-data; name="{name}"\r\n'.encode()
            if charset:
                out += f"Content-Type: text/plain{charset}\r\n".encode()
            out += b"\r\n" + value.encode(encoding, "replace") + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


@settings(max_examples=examples(300), deadline=None)
@given(fields=_FIELDS)
def test_plain_multipart_reads_as_the_email_parser_does(
    fields: list[tuple[str, str | bytes, str]],
) -> None:
    boundary = "b0undary-7f3a9"
    raw = _multipart_body(fields, boundary)
    plain = read_plain_multipart(raw, boundary)
    assert plain is not None
    by_email = multipart_by_email(raw, f"multipart/form-data; boundary={boundary}")
    assert by_email.parsed and by_email.value == collect_fields(plain)


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b'--b\r\nContent-Disposition: form-data; name="f"\r\n\r\nabc\r\n--b',
         "the multipart body is cut short: it does not end with --b--"),
        (b'--b\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--b--\r\n',
         "a multipart part has no name in its Content-Disposition"),
    ],
)  # fmt: skip
def test_a_broken_multipart_body_is_named_for_what_is_wrong(raw: bytes, said: str) -> None:
    """A body cut before its closing boundary was reported as a part with no name."""
    assert multipart_by_email(raw, "multipart/form-data; boundary=b").error == said


def test_multipart_shapes_the_plain_reader_leaves_to_the_email_parser() -> None:
    form = 'Content-Disposition: form-data; name="a"\r\n'
    assert read_plain_multipart(f"--b\r\n{form}\r\nx\r\n--b--".encode(), "b") == [("a", "x")]
    for odd in [
        '--b\nContent-Disposition: form-data; name="a"\n\nx\n--b--',  # bare LF
        '--b\r\nContent-Disposition: form-data; name="a\\"q"\r\n\r\nx\r\n--b--',  # escape
        "--b\r\nContent-Disposition: form-data; name*=utf-8''%C3%A9\r\n\r\nx\r\n--b--",
        f"--b\r\n{form}Content-Transfer-Encoding: base64\r\n\r\neA==\r\n--b--",
        "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",  # no name
        f"--b\r\n{form}\r\nx\r\n",  # no closing delimiter
    ]:
        assert read_plain_multipart(odd.encode(), "b") is None, odd
    assert boundary_of('multipart/form-data; boundary="a b"; charset=x') == "a b"

"""VALIDATE the other way: an answer the mock did not make (a proxied upstream's) against the
operation's documented responses: its status, its required headers, its media type and its
body's schema. Each problem a `Violation` with where it is (`response body` at a pointer)."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from openmock.mediatypes import accepts, base_type, is_json, is_xml
from openmock.model import Scenario, Stub
from openmock.request.xml import read_xml, xml_value
from openmock.schema.index import SCHEMA_ERRORS, SchemaIndex
from openmock.schema.pointers import pointer_from_parts
from openmock.validation.verdict import Violation

MAX_RESPONSE_VIOLATIONS = 20


def documented_response(stub: Stub, status: int) -> Scenario | None:
    """The scenario documenting `status`: its own code, else its range (`4XX`), else
    `default` (the spec's, not one added at runtime)."""
    found = [s for s in stub.scenarios if s.source != "runtime" and s.covers(status)]
    for exact in (str(status), f"{str(status)[0]}XX", "DEFAULT"):
        for scenario in found:
            if scenario.status_key.upper() == exact:
                return scenario
    return None


def check_response(
    stub: Stub,
    status: int,
    headers: Mapping[str, str],
    body: bytes | None,
    index: SchemaIndex,
) -> list[Violation]:
    """What an answer breaks of the operation's documented responses. `headers` with
    lower-case names; `body` None when it was too large to check."""
    scenario = documented_response(stub, status)
    if scenario is None:
        documented = ", ".join(sorted({s.status_key for s in stub.scenarios})) or "none"
        return [
            Violation(
                "body", "response status", f"{status} is not documented (documented: {documented})"
            )
        ]
    found = [
        Violation("body", "response header", "a required response header is missing", name=h.name)
        for h in scenario.headers
        if h.required and h.name.lower() not in headers
    ]
    if not body or not scenario.representations:
        return found
    sent = headers.get("content-type", "")
    rep = next((r for r in scenario.representations if accepts(r.media_type, sent)), None)
    if rep is None:
        media = ", ".join(r.media_type for r in scenario.representations)
        said = f"Content-Type '{base_type(sent)}'" if sent else "a body without Content-Type"
        return [*found, Violation("body", "response header", f"{said} is not documented for "
                                  f"{scenario.status_key} (documented: {media})",
                                  name="Content-Type")]  # fmt: skip
    if rep.schema is None:
        return found
    value, unreadable = _read(body, sent, rep.schema, index)
    if unreadable is not None:
        return [*found, Violation("syntax", "response body", unreadable, pointer="")]
    if value is _UNCHECKED:
        return found
    try:
        if index.checker(rep.schema, "response")(value):  # compiled: the usual answer, fast
            return found
        errors = list(index.validator(rep.schema, "response").iter_errors(value))
    except SCHEMA_ERRORS:  # a schema the validator cannot run: nothing to say about the body
        return found
    for error in errors[:MAX_RESPONSE_VIOLATIONS]:
        pointer = pointer_from_parts(list(error.absolute_path))
        found.append(Violation("body", "response body", error.message[:300], pointer=pointer))
    return found


_UNCHECKED = object()


def _read(body: bytes, sent: str, schema: object, index: SchemaIndex) -> tuple[object, str | None]:
    """The body's value for its media type: JSON, XML (by its XML Object), text; other types
    are not read (`_UNCHECKED`). A string says why the body cannot be read."""
    if is_json(sent):
        try:
            return orjson.loads(body), None
        except orjson.JSONDecodeError as exc:
            return None, f"the body is not valid JSON: {exc}"
    if is_xml(sent):
        root = read_xml(body)
        if isinstance(root, str):
            return None, root
        try:
            return xml_value(root, schema, index.deref), None
        except SCHEMA_ERRORS:
            return _UNCHECKED, None
    if base_type(sent).startswith("text/"):
        return body.decode("utf-8", "replace"), None
    return _UNCHECKED, None

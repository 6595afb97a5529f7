"""VALIDATE: one operation's request checks, compiled once (docs/decisions/0002).

Per parameter a jsonschema validator for its schema; per request media type a validator for
its body schema; the security alternatives. A request is then checked without re-routing
or rebuilding anything: parameters (required, types, formats, enums, bounds), Content-Type
(415), the required body, the body by media type (JSON, form-urlencoded, multipart fields,
text), and credentials (401).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from jsonschema import ValidationError
from jsonschema.protocols import Validator

from openmock.mediatypes import accepts, base_type, is_xml
from openmock.model import MediaBody, Parameter, Stub
from openmock.request import ParsedParameters, RequestParts
from openmock.request.body import ParsedBody, parse_body, read_form
from openmock.request.xml import expected_root, local, read_xml, xml_value
from openmock.schema.checks import Check
from openmock.schema.index import SCHEMA_ERRORS, SchemaIndex
from openmock.schema.pointers import pointer_from_parts
from openmock.validation.credentials import CredentialsCheck
from openmock.validation.formpass import FormPass
from openmock.validation.forms import FormTyper
from openmock.validation.formshape import DECLINED
from openmock.validation.verdict import MAX_VIOLATIONS, Verdict, Violation

# OpenAPI: header parameters with these names are ignored (other fields describe them).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_FORM = "application/x-www-form-urlencoded"
_FORMS = frozenset({_FORM, "multipart/form-data"})


def _is_trivial(schema: Any) -> bool:
    return schema is True or schema == {}


@dataclass(frozen=True)
class Compiled:
    """A schema's fast yes/no check, and jsonschema's validator to say why on a no."""

    check: Check
    validator: Validator


@dataclass(frozen=True)
class _ParamCheck:
    param: Parameter
    validator: Compiled | None  # None: any value will do


@dataclass(frozen=True)
class _BodyCheck:
    media: MediaBody
    validator: Compiled | None


class OperationValidator:
    """Compiled checks of one stub's requests."""

    def __init__(self, stub: Stub, index: SchemaIndex, forms: FormTyper, passes: FormPass) -> None:
        self.stub = stub
        self.index = index
        self.forms = forms
        self.passes = passes
        self.params = tuple(
            _ParamCheck(p, self._compile(p.schema))
            for p in stub.parameters
            if not (p.location == "header" and p.name.lower() in _IGNORED_HEADERS)
        )
        body = stub.request_body
        self.body_required = body is not None and body.required
        self.bodies = tuple(
            _BodyCheck(m, self._compile(m.schema)) for m in (body.content if body else ())
        )
        self._by_type: dict[str, tuple[_BodyCheck | None, str]] = {}  # Content-Type -> body
        self._credentials = CredentialsCheck(stub.security)

    def _compile(self, schema: Any) -> Compiled | None:
        if schema is None or _is_trivial(schema):
            return None
        try:
            self.index.deref(schema)
            check = self.index.checker(schema, "request")
        except SCHEMA_ERRORS:  # an unresolved $ref (the importer has said so): nothing to check
            return None
        return Compiled(check, self.index.validator(schema, "request"))

    def check(
        self, params: ParsedParameters, parts: RequestParts, body: bytes, content_type: str | None
    ) -> tuple[Verdict | None, ParsedBody]:
        """What is wrong with a request (None: nothing), and its body as read for its media
        type (so pairing need not read it again)."""
        found, challenges = self._credentials(parts.headers, parts.query, parts.cookies)
        violations: list[Violation] = list(found)
        violations.extend(self._parameters(params))
        parsed, body_violations = self._body(body, content_type)
        violations.extend(body_violations)
        if not violations:
            return None, parsed
        return Verdict(tuple(violations[:MAX_VIOLATIONS]), challenges), parsed

    def _parameters(self, params: ParsedParameters) -> Iterator[Violation]:
        for param in params.missing:
            if param.location == "header" and param.name.lower() in _IGNORED_HEADERS:
                continue
            if param.location == "path":
                continue  # not in the template (the importer warns): no request could send it
            yield Violation(
                "parameter",
                param.location,
                f"required {param.location} parameter is missing",
                name=param.name,
            )
        for check in self.params:
            param = check.param
            value = params.values.get((param.location, param.name), _ABSENT)
            if value == "" and not param.allow_empty:
                yield Violation(
                    "parameter",
                    param.location,
                    "an empty value is not allowed (the parameter does not say "
                    "allowEmptyValue: true)",
                    name=param.name,
                )
                continue
            if check.validator is None or value is _ABSENT:
                continue
            for error in _errors(check.validator, value):
                where = _path_of(error)
                yield Violation(
                    "parameter",
                    param.location,
                    error.message[:300] + (f" (at {where})" if where else ""),
                    name=param.name,
                )

    def _body(self, raw: bytes, content_type: str | None) -> tuple[ParsedBody, list[Violation]]:
        if not raw:
            if self.body_required:
                accepted = ", ".join(c.media.media_type for c in self.bodies) or "any type"
                return ParsedBody(), [
                    Violation(
                        "body", "body", f"a request body ({accepted}) is required", pointer=""
                    )
                ]
            return ParsedBody(), []
        if not self.bodies:  # no body documented, or no media types: nothing to check
            return parse_body(raw, content_type), []
        sent = content_type or ""
        known = self._by_type.get(sent)
        if known is None:  # which documented type takes it, worked out once per header value
            check = next(
                (c for c in self.bodies if sent and accepts(c.media.media_type, sent)), None
            )
            known = (check, base_type(sent))
            if len(self._by_type) < 64:
                self._by_type[sent] = known
        check, base = known
        if check is None:
            accepted = ", ".join(c.media.media_type for c in self.bodies)
            said = f"Content-Type '{base}' is" if sent else "a body without Content-Type is"
            return ParsedBody(), [
                Violation(
                    "media-type",
                    "header",
                    f"{said} not accepted; send one of: {accepted}",
                    name="Content-Type",
                )
            ]
        if is_xml(base) and check.media.schema is not None:
            parsed, violations = self._xml(raw, check.media.schema)
            if violations or check.validator is None:
                return parsed, violations
        else:
            parsed = read_form(raw) if base == _FORM else parse_body(raw, sent)
        if parsed.error is not None:
            return parsed, [Violation("syntax", "body", parsed.error, pointer="")]
        if not parsed.parsed:
            if base.startswith("text/") and not base.endswith("xml") and check.validator:
                parsed = _text_body(raw, check.validator)
            else:
                return parsed, []  # well-formed XML, binary...: no JSON Schema reads them
        if base in _FORMS and isinstance(parsed.value, dict) and check.media.schema is not None:
            read = self.passes.read(parsed.value, check.media.schema)
            if read is not DECLINED:  # the one pass found it valid
                return ParsedBody(read, True), []
            typed, valid = self.forms.typed(parsed.value, check.media.schema)
            parsed = ParsedBody(typed, True)
            if valid:
                return parsed, []
        if check.validator is None:
            return parsed, []
        violations = [
            Violation("body", "body", error.message[:300], pointer=_path_of(error))
            for error in _errors(check.validator, parsed.value)
        ]
        return parsed, violations

    def _xml(self, raw: bytes, schema: Any) -> tuple[ParsedBody, list[Violation]]:
        """An XML body read as its schema's value (request/xml.py); its root element must have
        the name the schema gives it (`xml.name`), if any."""
        root = read_xml(raw)
        if isinstance(root, str):
            return ParsedBody(error=root), [Violation("syntax", "body", root, pointer="")]
        deref = self.index.deref
        wanted = expected_root(schema, deref)
        if wanted is not None and local(root.tag) != wanted:
            said = f"the root element is <{local(root.tag)}>; the schema names it <{wanted}>"
            return ParsedBody(), [Violation("body", "body", said, pointer="")]
        try:
            return ParsedBody(xml_value(root, schema, deref), True), []
        except SCHEMA_ERRORS:  # an unresolved $ref (the importer has said so)
            return ParsedBody(), []


_ABSENT = object()


def _text_body(raw: bytes, compiled: Compiled) -> ParsedBody:
    """A text body's value: its text, or, where the text cannot fit the schema, the JSON it
    holds (a client sending `{"a": 1}` as text/plain to an object schema; its violations
    are then pointed into that JSON)."""
    text = raw.decode("utf-8", "replace")
    if _fits(compiled, text):
        return ParsedBody(text, True)
    try:
        return ParsedBody(orjson.loads(raw), True)
    except orjson.JSONDecodeError:
        return ParsedBody(text, True)


def _errors(compiled: Compiled, value: Any) -> list[ValidationError]:
    """Every violation, in document order; none when the schema cannot be run (an
    unresolvable reference must not reject requests the spec would accept). The fast check
    answers for valid values; jsonschema is asked only to say what is wrong."""
    if _fits(compiled, value):
        return []
    try:
        errors = list(compiled.validator.iter_errors(value))
    except SCHEMA_ERRORS:
        return []
    return sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])


def _fits(compiled: Compiled, value: Any) -> bool:
    """The compiled check's yes or no; yes where the schema cannot be run."""
    try:
        return bool(compiled.check(value))
    except SCHEMA_ERRORS:
        return True


def _path_of(error: ValidationError) -> str:
    return pointer_from_parts(list(error.absolute_path))

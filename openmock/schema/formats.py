"""The `format`s openmock checks, the same for validating requests and for checking generated
values: jsonschema's for draft 2020-12 (with the checkers the package's dependencies bring:
uri, uri-reference, hostname, json-pointer, uri-template, duration), IRIs checked here, and
OpenAPI's own `int32`, `int64` (their ranges) and `byte` (base64)."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator, FormatChecker
from rfc3986_validator import validate_rfc3986  # type: ignore[import-untyped]

# The integers an OpenAPI integer format holds.
INTEGER_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}

# Every printable ASCII character: an IRI is a URI once its other characters are encoded.
_ASCII = "".join(chr(code) for code in range(0x21, 0x7F))


def format_checker() -> FormatChecker:
    """A checker of its own for one schema index (jsonschema's is shared by every validator)."""
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    for name, (low, high) in INTEGER_RANGES.items():
        checker.checks(name)(_in_range(low, high))
    checker.checks("byte", raises=(binascii.Error, ValueError))(_is_base64)
    checker.checks("iri")(_iri_check("URI"))
    checker.checks("iri-reference")(_iri_check("URI_reference"))
    return checker


def _in_range(low: int, high: int) -> Any:
    def check(value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return True  # formats constrain only the type they name
        return low <= value <= high

    return check


def _is_base64(value: object) -> bool:
    if not isinstance(value, str):
        return True
    base64.b64decode(value, validate=True)
    return True


def _iri_check(rule: str) -> Any:
    """RFC 3987 in the way its section 3.1 maps an IRI to a URI: the characters beyond ASCII
    percent-encoded, then the URI grammar (RFC 3986) decides."""

    def check(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if any(ord(char) < 0xA0 and not 0x20 < ord(char) < 0x7F for char in value):
            return False  # spaces and control characters are not in an IRI either
        return bool(validate_rfc3986(quote(value, safe=_ASCII), rule=rule))

    return check

"""The `format`s openmock checks, the same for validating requests and for checking generated
values: jsonschema's for draft 2020-12, and OpenAPI's own `int32`, `int64` (their ranges) and
`byte` (base64)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

# The integers an OpenAPI integer format holds.
INTEGER_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def format_checker() -> FormatChecker:
    """A checker of its own for one schema index (jsonschema's is shared by every validator)."""
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    for name, (low, high) in INTEGER_RANGES.items():
        checker.checks(name)(_in_range(low, high))
    checker.checks("byte", raises=(binascii.Error, ValueError))(_is_base64)
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

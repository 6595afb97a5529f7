"""Generators for strings, integers and numbers, and the pieces every generator shares.

Numbers honour bounds (inclusive and exclusive) and `multipleOf` with the strict float test
validators apply (`value / multipleOf` must be an integer in floating point)."""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openmock.generate import formats, regex
from openmock.schema.formats import INTEGER_RANGES

SOFT_DEPTH = 5  # below this depth, generators take the shallowest way out
ANNOTATIONS = frozenset(
    {"title", "description", "example", "examples", "deprecated", "readOnly", "writeOnly",
     "xml", "externalDocs", "$comment", "discriminator", "default", "$schema", "$id"}
)  # fmt: skip
_OBJECT_KEYS = ("properties", "required", "additionalProperties", "patternProperties",
                "minProperties", "maxProperties", "propertyNames", "dependentRequired")  # fmt: skip
_ARRAY_KEYS = ("items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems")
_STRING_KEYS = ("minLength", "maxLength", "pattern", "format")
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def infer_type(schema: dict[str, Any]) -> str:
    """The type a schema without `type` implies by its keywords."""
    for kind, keys in (("object", _OBJECT_KEYS), ("array", _ARRAY_KEYS),
                       ("string", _STRING_KEYS), ("number", _NUMBER_KEYS)):  # fmt: skip
        if any(k in schema for k in keys):
            return kind
    return "any"


class GenerationError(Exception):
    """No value can be made for a schema."""


@dataclass
class Draw:
    rng: random.Random
    depth: int = 0

    def deeper(self) -> Draw:
        return Draw(self.rng, self.depth + 1)


Gen = Callable[[Draw], Any]
Maker = Callable[[random.Random], Any]
Words = Callable[[random.Random, int], str]  # a text of at least n characters
Range = tuple[float, float, int]  # low, high, decimals: a sensible range for an unbounded number


def derive_seed(*parts: object) -> int:
    """A stable 64-bit seed from any parts (sha256; never Python's salted hash())."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def fail(message: str) -> Gen:
    def gen(draw: Draw) -> Any:
        raise GenerationError(message)

    return gen


def string_gen(schema: dict[str, Any], realistic: Maker | None, text: Words) -> Gen:
    """Strings for `schema`: from its pattern, else `realistic` (a maker chosen by format and
    property name, see realism.py), else its format, else words; within the length bounds."""
    lo = int(schema.get("minLength") or 0)
    hi = schema.get("maxLength")
    fmt = schema.get("format")
    pattern = schema.get("pattern")
    parsed = regex.compile_pattern(pattern) if isinstance(pattern, str) else None
    fmt_gen = formats.FORMATS.get(fmt) if isinstance(fmt, str) else None

    def fits(value: str) -> bool:
        return len(value) >= lo and (not isinstance(hi, int) or len(value) <= hi)

    try:
        matches = re.compile(pattern).search if isinstance(pattern, str) else None
    except re.error:
        matches = None

    def formatted(rng: random.Random) -> str | None:
        """A value of the format that also matches the pattern (`format: date, pattern:
        ^2024-0[1-3]`): a format value as it is, or with the pattern's value laid over its
        start ("2024-02" over "2019-11-23": "2024-02-23"); None when neither does."""
        assert fmt_gen is not None and parsed is not None and matches is not None
        for attempt in range(24):
            value = fmt_gen(rng)
            if matches(value) and fits(value):
                return value
            start = regex.generate(parsed, rng, extra=attempt % 3)
            laid = start + value[len(start) :]
            if matches(laid) and fits(laid):
                return laid
        return None

    def string(draw: Draw) -> str:
        rng = draw.rng
        if parsed is not None and fmt_gen is not None and matches is not None:
            found = formatted(rng)
            if found is not None:
                return found
        if parsed is not None:
            value = ""
            for attempt in range(24):
                top = hi if isinstance(hi, int) else lo + 8
                target = rng.randint(lo, max(lo, min(top, lo + 8))) if lo or attempt else None
                value = regex.generate(parsed, rng, extra=4 + attempt, target=target)
                if fits(value):
                    return value
            return value
        if realistic is not None:
            for _ in range(3):
                value = realistic(rng)
                if isinstance(value, str) and fits(value):
                    return value
        if fmt_gen is not None:
            value = fmt_gen(rng)
            if fits(value):
                return value
        value = text(rng, max(lo, 1))
        if isinstance(hi, int):
            value = value[:hi].rstrip() if hi > lo else value[:hi]
            value += "x" * (lo - len(value))
        return value

    return string


def _bounds(
    schema: dict[str, Any], integer: bool, default: Range | None = None
) -> tuple[float, float, bool, bool]:
    lo: float | None = schema.get("minimum")
    hi: float | None = schema.get("maximum")
    ex_lo = ex_hi = False
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        value = schema["exclusiveMinimum"]
        if lo is None or value >= lo:
            lo, ex_lo = value, True
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        value = schema["exclusiveMaximum"]
        if hi is None or value <= hi:
            hi, ex_hi = value, True
    if lo is None and hi is None:
        lo, hi = default[:2] if default else ((1, 1000) if integer else (0, 1000))
    elif lo is None:
        assert hi is not None
        lo = min(hi - 1000, 0) if hi > 0 else hi - 1000
    elif hi is None:
        hi = lo + 1000
    return float(lo), float(hi), ex_lo, ex_hi


def integer_gen(schema: dict[str, Any], default: Range | None = None) -> Gen:
    lo_f, hi_f, ex_lo, ex_hi = _bounds(schema, True, default)
    held = INTEGER_RANGES.get(str(schema.get("format")))
    if held is not None:  # int32 / int64: only what the format holds
        lo_f, hi_f = max(lo_f, held[0]), min(hi_f, held[1])
    lo = math.floor(lo_f) + 1 if ex_lo or lo_f != math.floor(lo_f) else int(lo_f)
    hi = math.ceil(hi_f) - 1 if ex_hi or hi_f != math.ceil(hi_f) else int(hi_f)
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and step > 0:
        if step != int(step):
            # an integer that is a multiple of a fraction: multiples of its numerator
            step = _integer_step(step)
        step = int(step)
        k_lo, k_hi = -(-lo // step), hi // step
        if k_lo > k_hi:
            return fail(f"no multiple of {step} lies between {lo} and {hi}")
        return lambda draw: draw.rng.randint(k_lo, k_hi) * step
    if lo > hi:
        return fail(f"no integer lies between the bounds {lo_f} and {hi_f}")
    return lambda draw: draw.rng.randint(lo, hi)


def _integer_step(step: float) -> int:
    for k in range(1, 10_001):
        if float(k * step).is_integer():
            return round(k * step)
    return 1


def number_gen(schema: dict[str, Any], default: Range | None = None) -> Gen:
    lo, hi, ex_lo, ex_hi = _bounds(schema, False, default)
    places = default[2] if default and default[2] else 2
    step = schema.get("multipleOf")

    def inside(v: float) -> bool:
        return (v > lo if ex_lo else v >= lo) and (v < hi if ex_hi else v <= hi)

    if isinstance(step, int | float) and step > 0:
        decimals = max(0, -math.floor(math.log10(step))) + 2 if step < 1 else 0
        k_lo, k_hi = math.ceil(lo / step), math.floor(hi / step)
        if k_lo > k_hi:
            return fail(f"no multiple of {step} lies between {lo} and {hi}")

        def multiple(draw: Draw) -> float | int:
            for _ in range(40):
                k = draw.rng.randint(k_lo, k_hi)
                value = round(k * step, decimals) if decimals else k * step
                if inside(value) and _is_multiple(value, step):
                    return value
            return _exact_multiple(k_lo, k_hi, step, inside)

        return multiple
    if lo > hi or (lo == hi and (ex_lo or ex_hi)):
        return fail(f"no number lies between the bounds {lo} and {hi}")

    def number(draw: Draw) -> float:
        for _ in range(20):
            value = round(draw.rng.uniform(lo, hi), places)
            if inside(value):
                return value
        return (lo + hi) / 2

    return number


def _is_multiple(value: float, step: float) -> bool:
    """The test validators apply: value / multipleOf must be integral in floating point."""
    if isinstance(step, float):
        quotient = value / step
        return math.isfinite(quotient) and int(quotient) == quotient
    return value % step == 0


def _exact_multiple(k_lo: int, k_hi: int, step: float, inside: Callable[[float], bool]) -> float:
    for k in range(k_lo, min(k_hi, k_lo + 10_000) + 1):
        for value in (k * step, round(k * step, 12), float(k) * step):
            if inside(value) and _is_multiple(value, step):
                return value
    raise GenerationError(f"no value passes the multipleOf {step} check in range")

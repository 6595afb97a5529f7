"""What a schema says about its own values: `example`, `examples`, `default`, `x-faker`.

A hint is used only when it is valid for its schema; many real specs carry invalid ones (an
integer with `example: "1644009612"`), and those are reported and replaced by generated
values, so a hint never makes a response invalid.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from openmock.generate.realism import Maker, XFakerError
from openmock.generate.scalars import Draw, Gen

HINT_SHARE = 0.5  # how often a valid hint is used instead of a generated value
Allows = Callable[[Any], bool]
Report = Callable[[str], None]


def hint_values(schema: dict[str, Any]) -> list[tuple[str, Any]]:
    """(keyword, value) of every value hint the schema carries."""
    found: list[tuple[str, Any]] = []
    if "example" in schema:
        found.append(("example", schema["example"]))
    examples = schema.get("examples")
    if isinstance(examples, list):  # JSON Schema's `examples` (3.1); a map is no schema keyword
        found.extend(("examples", v) for v in examples)
    if "default" in schema:
        found.append(("default", schema["default"]))
    return found


def with_hints(
    gen: Gen, schema: dict[str, Any], allows: Allows, report: Report, left_out: set[str]
) -> Gen:
    """`gen`, but about half the time one of the schema's own valid hints instead."""
    valid: list[Any] = []
    for keyword, value in hint_values(schema):
        if isinstance(value, dict) and left_out:
            # an object example without what this direction leaves out (writeOnly in
            # responses, readOnly in requests)
            value = {k: v for k, v in value.items() if k not in left_out}
        if allows(value):
            valid.append(value)
        else:
            report(f"`{keyword}` {_short(value)} is not valid for its schema; generated instead")
    if not valid:
        return gen

    def hinted(draw: Draw) -> Any:
        if draw.rng.random() < HINT_SHARE:
            return copy.deepcopy(draw.rng.choice(valid))
        return gen(draw)

    return hinted


def with_x_faker(
    gen: Gen, schema: dict[str, Any], make: Callable[[Any], Maker], allows: Allows, report: Report
) -> Gen:
    """`gen`, but values from the schema's `x-faker` method whenever they are valid."""
    try:
        maker = make(schema["x-faker"])
    except XFakerError as exc:
        report(str(exc))
        return gen
    kind = schema.get("type")

    def faked(draw: Draw) -> Any:
        for _ in range(3):
            value = _coerce(maker(draw.rng), kind)
            if allows(value):
                return value
        return gen(draw)

    return faked


def _coerce(value: Any, kind: Any) -> Any:
    if kind == "string" and not isinstance(value, str):
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "number" and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."

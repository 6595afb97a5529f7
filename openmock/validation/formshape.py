"""VALIDATE: one form body shape (the names of its fields, in order) as `formpass.py` worked it
out: where each field's value goes in the nested value, how it is typed and checked. Filled
per request; a shape met often (COMPILE_AFTER uses) is made into one straight-line Python
function (no loop, no unpacking per field: what is left is the typing and checking calls),
as fastjsonschema compiles JSON Schemas. The generated source holds only slot numbers, list
positions and names of its own; every value from the spec or the request (a field name, a
closure) is passed in as an argument, never written into the source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from jsonschema._utils import uniq

from openmock.schema.checks import Check

DECLINED: Final = object()  # the pass is not sure: use the full reading
# Uses of a shape before it is compiled. Compiling one costs about what 130 interpreted fills
# lose against compiled ones (Stripe's 223 body shapes, one run: 1.3 ms to compile a shape,
# ~120 us a field; 27.5 us a body interpreted, 18 compiled): compiled once its fills have
# cost what compiling would, a shape met a few times (a CI smoke test) never pays for it, and
# one under load pays at most twice the best choice in hindsight (the ski-rental rule).
COMPILE_AFTER: Final = 128

Typer = Callable[[Any, int], Any]
TextRule = tuple[int | None, int | None, frozenset[str] | None]  # min, max length; enum
# One field: (the containers it is the first to need, as (parent slot, key, slot, size, or
# -1 for an object); the typer, its reader of one text (None: an array's), the check, what
# the check says of a text kept as it is (None: ask it) and the depth of the field's
# schema; the slot and key its value goes to).
Field = tuple[
    tuple[tuple[int, Any, int, int], ...],
    Typer,
    Callable[[str], Any] | None,
    Check,
    TextRule | None,
    int,
    int,
    Any,
]
Fill = Callable[[Iterable[Any]], Any]


class FormShape:
    """What a body with these field names becomes, the checks that depend on names only
    (required names, closed objects, sizes) passed; per request each field is typed,
    checked and put in its place, and arrays with uniqueItems checked."""

    __slots__ = ("fields", "run", "slots", "unique", "uses")

    def __init__(
        self, fields: list[Field], slots: int, unique: list[int], compile_after: int
    ) -> None:
        self.fields = fields
        self.slots = slots
        self.unique = unique  # the slots of arrays whose items must differ
        self.uses = compile_after  # counted down: compiled when it reaches 0 (0: never)
        self.run: Fill = self.fill

    def read(self, values: Iterable[Any]) -> Any:
        """The nested, typed value of these field values (DECLINED: one fails)."""
        if self.uses:
            self.uses -= 1
            if not self.uses:  # met often: worth compiling (a shape met a few times is not)
                self.run = compiled(self)
        return self.run(values)

    def fill(self, values: Iterable[Any]) -> Any:
        boxes: list[Any] = [None] * self.slots
        out: dict[str, Any] = {}
        boxes[0] = out
        for value, field in zip(values, self.fields, strict=True):
            makes, typer, reader, check, _, depth, slot, key = field
            for parent, at, made, size in makes:
                box = {} if size < 0 else [None] * size
                boxes[made] = box
                boxes[parent][at] = box
            if reader is not None and value.__class__ is str:
                typed = reader(value)
            else:  # a repeated name's list, an array's text
                typed = typer(value, depth)
            if not check(typed):
                return DECLINED
            boxes[slot][key] = typed
        for slot in self.unique:
            if not uniq(boxes[slot]):
                return DECLINED
        return out


def compiled(shape: FormShape) -> Fill:
    """`shape.fill` as one function without a loop (the same steps, the same answers)."""
    arguments: dict[str, Any] = {"DECLINED": DECLINED, "uniq": uniq}
    values = "".join(f"v{i}, " for i in range(len(shape.fields)))
    body = [f"    {values}= values" if values else "    () = tuple(values)", "    b0 = {}"]

    def key(at: Any, name: str) -> str:
        if isinstance(at, int):
            return str(at)  # a list position
        arguments[name] = at
        return name

    for i, (makes, typer, reader, check, text, depth, slot, at) in enumerate(shape.fields):
        for n, (parent, where, made, size) in enumerate(makes):
            body.append(f"    b{made} = " + ("{}" if size < 0 else f"[None] * {size}"))
            body.append(f"    b{parent}[{key(where, f'M{i}_{n}')}] = b{made}")
        arguments[f"T{i}"], arguments[f"C{i}"] = typer, check
        place = f"b{slot}[{key(at, f'K{i}')}]"
        if reader is str and text is not None:  # a text checked here, without a call
            low, high, options = text
            tests = [f"len(v{i}) >= {int(low)}"] if low is not None else []
            tests += [f"len(v{i}) <= {int(high)}"] if high is not None else []
            if options is not None:
                arguments[f"E{i}"] = options
                tests.append(f"v{i} in E{i}")
            body.append(f"    if v{i}.__class__ is str:")
            if tests:
                body.append(f"        if not ({' and '.join(tests)}):\n            return DECLINED")
            body.append(f"        {place} = v{i}\n    else:")
            body.append(f"        t = T{i}(v{i}, {depth})\n        if not C{i}(t):")
            body.append(f"            return DECLINED\n        {place} = t")
            continue
        if reader is str:  # a string's text is itself
            body.append(f"    t = v{i} if v{i}.__class__ is str else T{i}(v{i}, {depth})")
        elif reader is not None:
            arguments[f"R{i}"] = reader
            body.append(f"    t = R{i}(v{i}) if v{i}.__class__ is str else T{i}(v{i}, {depth})")
        else:
            body.append(f"    t = T{i}(v{i}, {depth})")
        body.append(f"    if not C{i}(t):\n        return DECLINED")
        body.append(f"    {place} = t")
    body.extend(f"    if not uniq(b{slot}):\n        return DECLINED" for slot in shape.unique)
    body.append("    return b0")
    names = ", ".join(arguments)
    source = f"def make({names}):\n  def fill(values):\n" + "\n".join(
        "  " + line.replace("\n", "\n  ") for line in body
    )
    source += "\n  return fill\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<openmock form shape>", "exec"), namespace)
    fill: Fill = namespace["make"](**arguments)
    return fill

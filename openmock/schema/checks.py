"""Compiled yes/no schema checks: the same answers as jsonschema's `is_valid`, several times
faster, for the hot paths (every generated value, every request).

A schema is compiled once into nested closures, one per keyword, gated by the instance's
type; `$ref`s (recursive ones too) are followed through cells filled when the target is
compiled. Keywords whose meaning depends on other keywords' annotations
(`unevaluatedProperties`, `$dynamicRef`, ...) or on a new base URI (`$id`) are not
reimplemented: that schema node is handed to the jsonschema validator. Where an answer is
"no", callers that need to say why ask jsonschema for the errors.

jsonschema's own helpers (`equal`, `uniq`) decide JSON equality, so `enum`, `const` and
`uniqueItems` agree with it exactly (1 == 1.0, True != 1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema._utils import equal, uniq

from openmock.schema.malformed import guarded_check
from openmock.schema.pointers import UnresolvedRef

if TYPE_CHECKING:
    from openmock.schema.index import SchemaIndex

Check = Callable[[Any], bool]

# Keywords implemented here; any other keyword jsonschema knows sends the node to it.
_IMPLEMENTED = frozenset(
    {
        "$ref", "type", "enum", "const", "format", "allOf", "anyOf", "oneOf", "not",
        "if", "then", "else", "minLength", "maxLength", "pattern", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "items", "prefixItems",
        "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains",
        "properties", "required", "additionalProperties", "patternProperties",
        "propertyNames", "minProperties", "maxProperties", "dependentRequired",
        "dependentSchemas",
    }
)  # fmt: skip
_KNOWN_TO_JSONSCHEMA = frozenset(Draft202012Validator.VALIDATORS)
_DELEGATED = (_KNOWN_TO_JSONSCHEMA - _IMPLEMENTED) | {"$id", "$dynamicAnchor"}
_EXEMPT_FLAG = {"request": "readOnly", "response": "writeOnly"}


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


_KINDS: dict[str, type] = {"string": str, "array": list, "object": dict}  # one-class types


def _multiple_of(divisor: Any) -> Check:
    def check(value: Any) -> bool:
        if isinstance(divisor, float):
            quotient = value / divisor
            try:
                return bool(int(quotient) == quotient)
            except OverflowError:
                return (Fraction(value) / Fraction(divisor)).denominator == 1
        return not value % divisor

    return check


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]

    def check(value: Any) -> bool:
        for one in checks:  # noqa: SIM110  (a loop: all() over a generator is slower here)
            if not one(value):
                return False
        return True

    return check


class CheckCompiler:
    """Compiles the schemas of one document for one direction (see SchemaIndex)."""

    def __init__(self, index: SchemaIndex, direction: str) -> None:
        self.index = index
        self.direction = direction
        self._cells: dict[int, tuple[Any, list[Check | None]]] = {}
        self._roots: dict[int, tuple[Any, Check]] = {}  # the guarded checks handed out
        self._formats = index.format_checker

    def compile(self, schema: Any) -> Check:
        """The check of `schema`; it raises MalformedSchema, naming the part that is no JSON
        Schema, where the compiled checks or jsonschema would fail inside (malformed.py)."""
        known = self._roots.get(id(schema))
        if known is not None and known[0] is schema:
            return known[1]
        check = guarded_check(self.index, schema, self._compile)
        self._roots[id(schema)] = (schema, check)
        return check

    def _compile(self, schema: Any) -> Check:
        known = self._cells.get(id(schema))
        if known is not None and known[0] is schema:
            filled = known[1]
            if filled[0] is not None:
                return filled[0]

            def later(value: Any) -> bool:  # a cycle: the cell is filled when its
                target = filled[0]  # schema's compilation finishes
                assert target is not None
                return target(value)

            return later
        cell: list[Check | None] = [None]
        self._cells[id(schema)] = (schema, cell)
        try:
            check = self._build(schema)
        except BaseException:  # no half-compiled cell for the next caller
            del self._cells[id(schema)]
            raise
        cell[0] = check
        return check

    def _delegate(self, schema: Any) -> Check:
        check: Check = self.index.validator(schema, self.direction).validator.is_valid
        return check  # (unguarded: the root's guard in `compile` names the schema)

    def _build(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict) or "x-openmock-unresolved-ref" in schema:
            return self._delegate(schema)
        if any(key in schema for key in _DELEGATED):
            return self._delegate(schema)
        ref = schema.get("$ref")
        if ref is not None and not (isinstance(ref, str) and ref.startswith("#")):
            return self._delegate(schema)
        try:
            return self._keywords(schema)
        except (TypeError, ValueError, re.error, KeyError):
            return self._delegate(schema)  # an odd keyword value: jsonschema decides

    def _keywords(self, schema: dict[str, Any]) -> Check:
        generic: list[Check] = []
        if "$ref" in schema:
            try:
                target = self.index.lookup(schema["$ref"])
            except UnresolvedRef:  # jsonschema raises its own for it, and callers handle that
                return self._delegate(schema)
            generic.append(self._compile(target))
        types = schema.get("type")
        if types is not None:
            names = [types] if isinstance(types, str) else list(types)
            tests = [_TYPES[name] for name in names]
            generic.insert(0, tests[0] if len(tests) == 1 else lambda v: any(t(v) for t in tests))
        if "enum" in schema:
            options = list(schema["enum"])
            if types == "string" and options and all(isinstance(o, str) for o in options):
                generic.pop(0)  # the enum's own test says "a string" (Stripe's hundreds)
            generic.append(_enum(options))
        if "const" in schema:
            const = schema["const"]
            generic.append(lambda v: equal(v, const))
        if "format" in schema:
            fmt = schema["format"]
            formats = self._formats
            generic.append(lambda v: formats.conforms(v, fmt))
        for key in ("allOf", "anyOf", "oneOf"):
            if key in schema:
                branches = [self._compile(branch) for branch in schema[key]]
                generic.append(_combinator(key, branches))
        if "not" in schema:
            negated = self._compile(schema["not"])
            generic.append(lambda v: not negated(v))
        if "if" in schema:
            generic.append(self._conditional(schema))
        by_type = (
            (str, self._strings(schema)),
            (list, self._arrays(schema)),
            (dict, self._objects(schema)),
        )
        numbers = self._numbers(schema)
        checks: list[tuple[Any, Check]] = [(kind, _all(found)) for kind, found in by_type if found]
        everything = _all(generic)
        if numbers:
            number_check = _all(numbers)
            checks.insert(0, (int | float, lambda v: isinstance(v, bool) or number_check(v)))
        if not checks:
            return everything
        if len(checks) == 1:  # the usual node: one type's keywords (an object's properties)
            ((only_kind, only),) = checks
            if everything is _always:
                return lambda v: not isinstance(v, only_kind) or only(v)
            one_class = _KINDS.get(types) if isinstance(types, str) else None
            if one_class == only_kind and generic == [_TYPES[str(types)]]:  # `type: string`...
                return lambda v: isinstance(v, only_kind) and only(v)  # ...and its keywords
            return lambda v: everything(v) and (not isinstance(v, only_kind) or only(v))

        def check(value: Any) -> bool:
            if not everything(value):
                return False
            for kind, one in checks:
                if isinstance(value, kind):
                    return one(value)
            return True

        return check

    def _conditional(self, schema: dict[str, Any]) -> Check:
        condition = self._compile(schema["if"])
        then = self._compile(schema.get("then", True))
        otherwise = self._compile(schema.get("else", True))
        return lambda v: then(v) if condition(v) else otherwise(v)

    def _strings(self, schema: dict[str, Any]) -> list[Check]:
        found = _sizes(schema, "minLength", "maxLength")
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            found.append(lambda v: search(v) is not None)
        return found

    def _numbers(self, schema: dict[str, Any]) -> list[Check]:
        found: list[Check] = []
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key in schema:
                bound = schema[key]
                if not _is_number(bound):
                    raise TypeError(key)
                found.append(_bound(key, bound))
        if "multipleOf" in schema:
            found.append(_multiple_of(schema["multipleOf"]))
        return found

    def _arrays(self, schema: dict[str, Any]) -> list[Check]:
        found: list[Check] = []
        prefix = [self._compile(s) for s in schema.get("prefixItems", [])]
        if prefix:
            found.append(lambda v: all(c(item) for c, item in zip(prefix, v, strict=False)))
        if "items" in schema:
            if not isinstance(schema["items"], dict | bool):
                raise TypeError("items")  # draft 4's tuple form: jsonschema decides
            items = self._compile(schema["items"])
            start = len(prefix)
            if start:
                found.append(lambda v: all(items(item) for item in v[start:]))
            else:
                found.append(_each(items))
        found.extend(_sizes(schema, "minItems", "maxItems"))
        if schema.get("uniqueItems") is True:
            found.append(uniq)
        if "contains" in schema:
            contains = self._compile(schema["contains"])
            low = int(schema.get("minContains", 1))
            most = schema.get("maxContains")
            ceiling = None if most is None else int(most)

            def counted(v: list[Any]) -> bool:
                hits = sum(1 for item in v if contains(item))
                return hits >= low and (ceiling is None or hits <= ceiling)

            found.append(counted)
        return found

    def _objects(self, schema: dict[str, Any]) -> list[Check]:
        found: list[Check] = []
        properties = {
            name: self._compile(sub) for name, sub in schema.get("properties", {}).items()
        }
        if properties:
            found.append(_properties_check(properties))
        required = schema.get("required")
        if isinstance(required, list) and required:
            flag = _EXEMPT_FLAG.get(self.direction)
            exempt = self.index.flagged_properties(schema, flag) if flag else set()
            names = [name for name in required if name not in exempt]
            if names:
                found.append(_has_all(names))
        patterns = [
            (re.compile(p).search, self._compile(sub))
            for p, sub in schema.get("patternProperties", {}).items()
        ]
        if patterns:
            found.append(
                lambda v: all(c(value) for key, value in v.items() for s, c in patterns if s(key))
            )
        if "additionalProperties" in schema:
            found.append(self._additional(schema, properties))
        if "propertyNames" in schema:
            names_check = self._compile(schema["propertyNames"])
            found.append(lambda v: all(names_check(key) for key in v))
        found.extend(_sizes(schema, "minProperties", "maxProperties"))
        for name, needed in schema.get("dependentRequired", {}).items():
            found.append(_dependent(name, _has_all(list(needed))))
        for name, sub in schema.get("dependentSchemas", {}).items():
            found.append(_dependent(name, self._compile(sub)))
        return found

    def _additional(self, schema: dict[str, Any], properties: dict[str, Check]) -> Check:
        extra = schema["additionalProperties"]
        joined = "|".join(schema.get("patternProperties", {}))
        search = re.compile(joined).search if joined else None

        def extras(v: dict[str, Any]) -> list[str]:
            return [
                key
                for key in v
                if key not in properties and not (search is not None and search(key))
            ]

        if extra is False:
            if search is None:
                declared = frozenset(properties)
                return lambda v: v.keys() <= declared
            return lambda v: not extras(v)
        extra_check = self._compile(extra)
        if extra_check is _always:
            return _always
        return lambda v: all(extra_check(v[key]) for key in extras(v))


def _sizes(schema: dict[str, Any], low_key: str, high_key: str) -> list[Check]:
    """minLength/maxLength, minItems/maxItems, minProperties/maxProperties: bounds on len()."""
    low = int(schema[low_key]) if low_key in schema else None
    high = int(schema[high_key]) if high_key in schema else None
    if low is not None and high is not None:
        return [lambda v: low <= len(v) <= high]
    if low is not None:
        return [lambda v: len(v) >= low]
    if high is not None:
        return [lambda v: len(v) <= high]
    return []


def _bound(key: str, bound: float) -> Check:
    if key == "minimum":
        return lambda v: bool(v >= bound)
    if key == "maximum":
        return lambda v: bool(v <= bound)
    if key == "exclusiveMinimum":
        return lambda v: bool(v > bound)
    return lambda v: bool(v < bound)


def _properties_check(properties: dict[str, Check]) -> Check:
    """Each present property by its schema; walks the instance's keys, not the declared
    ones (an API object may declare a hundred properties, a request carries a few)."""
    get = properties.get

    def check(value: dict[str, Any]) -> bool:
        for key, item in value.items():
            one = get(key)
            if one is not None and not one(item):
                return False
        return True

    return check


def _each(items: Check) -> Check:
    """`items` without prefixItems: a loop (all() over a generator is slower)."""

    def check(value: list[Any]) -> bool:
        for item in value:  # noqa: SIM110
            if not items(item):
                return False
        return True

    return check


def _enum(options: list[Any]) -> Check:
    """`enum`. Only strings (Stripe's hundreds of enums, most APIs'): a set lookup, which is
    JSON equality for strings; anything else by jsonschema's `equal`."""
    if options and all(isinstance(option, str) for option in options):
        strings = frozenset(options)
        return lambda v: isinstance(v, str) and v in strings
    return lambda v: any(equal(v, option) for option in options)


def _has_all(names: list[str]) -> Check:
    needed = frozenset(names)
    return lambda v: needed <= v.keys()


def _dependent(name: str, then: Check) -> Check:
    """A check that applies when property `name` is present."""
    return lambda v: name not in v or then(v)


def _combinator(key: str, branches: list[Check]) -> Check:
    if key == "allOf":
        return _all(branches)
    if key == "anyOf":

        def any_of(value: Any) -> bool:
            for branch in branches:  # noqa: SIM110  (a loop: any() over a generator is slower)
                if branch(value):
                    return True
            return False

        return any_of

    def exactly_one(value: Any) -> bool:
        hits = 0
        for branch in branches:
            if branch(value):
                hits += 1
                if hits > 1:
                    return False
        return hits == 1

    return exactly_one

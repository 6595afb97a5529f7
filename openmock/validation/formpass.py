"""VALIDATE: a form body's fields nested, typed and checked in one pass.

The full reading of a form (`forms.FormTyper`: bracket names nested, every field typed, then
the whole value checked against the body schema) walks the value three times. For the
bodies clients send (plain names and `a[b][0][c]` brackets under objects and arrays the
schema declares), this pass does the same work per field: it follows the field's name
down a plan of the schema, types the field's text with the typer's own closure, and checks
it with the compiled check of the schema it sits under; an object or array it builds is
checked by what is left of its schema (required names, closed objects, sizes).

It only answers "valid, and this is the value": anything it is not sure of (a name shape
the nesting rules treat specially, a schema node whose check does not split into its
parts, a field that fails) is DECLINED, and the full reading, which says what is wrong,
runs instead. Its value is always the full reading's value (tests hold it to that).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from openmock.schema.checks import Check
from openmock.schema.index import SCHEMA_ERRORS, SchemaIndex, UnresolvedRef
from openmock.validation.forms import MAX_DEPTH, FormTyper, Typer, leaf_reader
from openmock.validation.formshape import COMPILE_AFTER, DECLINED, Field, FormShape, TextRule

MAX_SHAPES: Final = 256  # body shapes (sets of field names) kept per body schema
MAX_NAMES_LENGTH: Final = 16_384  # a shape with longer names together is not kept

# Keywords that say nothing about validity (what a node may carry and still be split).
_ANNOTATIONS = frozenset(
    {
        "title", "description", "example", "examples", "default", "deprecated", "readOnly",
        "writeOnly", "$comment", "externalDocs", "xml", "discriminator", "nullable",
        "$schema", "$anchor", "contentMediaType", "contentEncoding",
    }
)  # fmt: skip
_OBJECT_KEYWORDS = frozenset(
    {"type", "properties", "additionalProperties", "required", "minProperties", "maxProperties"}
)
_TEXT_KEYWORDS = frozenset({"type", "minLength", "maxLength", "enum"})
_ARRAY_KEYWORDS = frozenset({"type", "items", "minItems", "maxItems", "uniqueItems"})
_JSON_TYPE: dict[type, str] = {dict: "object", list: "array"}


def _validation_keys(node: dict[str, Any]) -> set[str]:
    return {k for k in node if k not in _ANNOTATIONS and not k.startswith("x-")}


class _Plan:
    """One schema node as the pass sees it: how a field under it is typed and checked, and,
    when its check splits into its parts, what an object or array built under it needs."""

    __slots__ = (
        "check", "children", "container", "extra", "items", "properties", "reader", "shallow",
        "shapes", "text", "typer", "unique",
    )  # fmt: skip

    def __init__(self, typer: Typer, check: Check) -> None:
        self.typer = typer
        self.reader: Callable[[str], Any] | None = None  # the typer, for one field's text
        self.text: TextRule | None = None  # the check, for a text kept as it is
        self.check = check  # the node's whole check, for a field's typed value
        self.container: str | None = None  # "object" | "array": what may be built under it
        self.shallow: Callable[[Any], bool] | None = None  # its own keywords, by keys/length
        self.unique = False  # an array's uniqueItems: checked per request, on the values
        self.properties: dict[str, Any] = {}  # an object's declared properties (schemas)
        self.extra: Any = None  # the schema of an object's other names, of an array's items
        self.children: dict[str, _Plan] = {}  # an object's names, planned on first use
        self.items: _Plan | None = None
        self.shapes: dict[tuple[str, ...], FormShape | None] = {}  # a body root's known shapes


class FormPass:
    """The plans of one mock state's body schemas, and the body shapes met (made on first
    use, kept; at most MAX_SHAPES shapes per body schema, the oldest dropped first)."""

    def __init__(
        self, index: SchemaIndex, typer: FormTyper, compile_after: int = COMPILE_AFTER
    ) -> None:
        self.index = index
        self.forms = typer
        self.compile_after = compile_after  # a shape's uses before it is compiled (0: never)
        self._plans: dict[int, tuple[Any, _Plan]] = {}

    def read(self, fields: dict[str, Any], schema: Any) -> Any:
        """The fields nested and typed, when that value is valid for `schema`; DECLINED when
        it is not, or when the pass cannot tell (the full reading decides then)."""
        root = self._plan(schema)
        if root.container != "object":
            return DECLINED
        names = tuple(fields)
        try:
            shape = root.shapes[names]
        except KeyError:  # a shape not met before (or dropped)
            shape = self._shape(root, names)
            if sum(map(len, names)) <= MAX_NAMES_LENGTH:
                if len(root.shapes) >= MAX_SHAPES:
                    del root.shapes[next(iter(root.shapes))]
                root.shapes[names] = shape
        if shape is None:
            return DECLINED
        return shape.read(fields.values())

    def _shape(self, root: _Plan, names: tuple[str, ...]) -> FormShape | None:
        """The shape of a body with these names, as the full reading would nest them (None:
        one the pass leaves to it, or one whose names alone break the schema)."""
        skeleton: list[dict[Any, Any]] = [{}]  # per slot: keys met (a leaf's value: None)
        plans = [root]
        slot_of = {id(skeleton[0]): 0}
        raw: list[tuple[list[tuple[int, Any, int]], _Plan, int, int, Any]] = []
        for name in names:
            makes: list[tuple[int, Any, int]] = []
            slot, key, plan, depth = 0, name, self._child(root, name), 1
            if "[" in name:
                if name in root.properties or name[0] == "[" or name[-1] != "]":
                    return None  # kept as a literal name by the nesting rules
                head, _, rest = name.partition("[")
                segments = rest[:-1].split("][")
                if len(segments) >= MAX_DEPTH - 1:
                    return None
                key, plan, depth = head, self._child(root, head), 1 + len(segments)
                for segment in segments:
                    kind = plan.container
                    container = skeleton[slot].get(key)
                    if kind is None or (container is None and key in skeleton[slot]):
                        return None  # not built by parts, or a field's value is there
                    if container is None:
                        container = skeleton[slot][key] = {}
                        slot_of[id(container)] = len(skeleton)
                        makes.append((slot, key, len(skeleton)))
                        skeleton.append(container)
                        plans.append(plan)
                    if kind == "object":
                        if segment.isdigit() or not segment:  # the nesting rules make lists
                            return None
                        plan = self._child(plan, segment)
                    else:  # an array: indexes (sorted as numbers, as the nesting rules do)
                        if not (segment.isdigit() and segment.isascii()):
                            return None
                        if plan.items is None:
                            plan.items = self._plan(plan.extra)
                        plan = plan.items
                    slot, key = slot_of[id(container)], segment
            if key in skeleton[slot]:
                return None
            skeleton[slot][key] = None
            raw.append((makes, plan, depth, slot, key))
        return self._laid_out(skeleton, plans, raw)

    def _laid_out(
        self,
        skeleton: list[dict[Any, Any]],
        plans: list[_Plan],
        raw: list[tuple[list[tuple[int, Any, int]], _Plan, int, int, Any]],
    ) -> FormShape | None:
        """Arrays' indexes as positions; the checks that names decide, made now."""
        positions: dict[int, dict[str, int]] = {}
        sizes: list[int] = []
        for slot, (plan, box) in enumerate(zip(plans, skeleton, strict=True)):
            if slot and plan.container == "array":
                order = sorted(box, key=int)
                positions[slot] = {index: at for at, index in enumerate(order)}
                sizes.append(len(order))
                keyed: Any = [None] * len(order)
            else:
                sizes.append(-1)
                keyed = box
            if plan.shallow is not None and not plan.shallow(keyed):
                return None
        unique = [slot for slot, plan in enumerate(plans) if slot and plan.unique]

        def place(slot: int, key: Any) -> Any:
            found = positions.get(slot)
            return key if found is None else found[key]

        fields: list[Field] = [
            (
                tuple((parent, place(parent, at), made, sizes[made]) for parent, at, made in makes),
                plan.typer,
                plan.reader,
                plan.check,
                plan.text,
                depth,
                slot,
                place(slot, key),
            )
            for makes, plan, depth, slot, key in raw
        ]
        return FormShape(fields, len(skeleton), unique, self.compile_after)

    def _child(self, plan: _Plan, name: str) -> _Plan:
        found = plan.children.get(name)
        if found is None:
            properties = plan.properties
            schema = properties.get(name, plan.extra)
            if len(plan.children) < 512:  # a client's made-up names do not grow it for ever
                found = plan.children[name] = self._plan(schema)
            else:
                found = self._plan(schema)
        return found

    def _plan(self, schema: Any) -> _Plan:
        known = self._plans.get(id(schema))
        if known is not None and known[0] is schema:
            return known[1]
        plan = self._make(schema)
        self._plans[id(schema)] = (schema, plan)
        return plan

    def _make(self, schema: Any) -> _Plan:
        typer = self.forms.typer_for(schema)
        try:
            check = self.index.checker(schema, "request")
        except SCHEMA_ERRORS:  # an unresolvable reference: nothing here is provably valid
            return _Plan(typer, lambda value: False)
        plan = _Plan(typer, check)
        shape = self.forms.shape_of(schema)
        if shape.kind != "array":  # what the typer does with a text (`str`: keeps it)
            plan.reader = leaf_reader(shape.kind) or str
            if plan.reader is str:
                plan.text = self._text_rule(schema)
        if shape.kind == "object":
            branch = self._accepting(schema, dict)
            if branch is not None and _validation_keys(branch) <= _OBJECT_KEYWORDS:
                declared = branch.get("properties", {})
                extra = branch.get("additionalProperties", {})
                anything = extra is True or extra is False or extra == {}  # False: shallow
                same_extra = extra is shape.extra or (anything and shape.extra == {})
                if _same_children(declared, shape.properties) and same_extra:
                    plan.container = "object"
                    plan.properties, plan.extra = shape.properties, shape.extra
                    plan.shallow = self._object_check(branch)
        elif shape.kind == "array":
            branch = self._accepting(schema, list)
            if (
                branch is not None
                and _validation_keys(branch) <= _ARRAY_KEYWORDS
                and "items" in branch
                and branch["items"] is shape.items
            ):
                plan.container = "array"
                plan.extra = shape.items
                plan.shallow = _array_check(branch)
                plan.unique = branch.get("uniqueItems") is True
        return plan

    def _accepting(self, schema: Any, kind: type) -> dict[str, Any] | None:
        """The one schema node whose check is `schema`'s check for values of `kind` (a
        dict or a list): through bare `$ref`s and the one anyOf/oneOf branch that can take
        such a value. None: no such node (the check does not split)."""
        node = self._bare(schema)
        if node is None:
            return None
        for _ in range(MAX_DEPTH):
            keys = _validation_keys(node)
            combined = keys & {"anyOf", "oneOf", "allOf", "not", "if"}
            if not combined:
                return node if _may_be(node, kind) else None
            if combined not in ({"anyOf"}, {"oneOf"}) or not keys <= {"anyOf", "oneOf", "type"}:
                return None
            if not _may_be(node, kind):
                return None
            branches = [self._bare(b) for b in node["anyOf" if "anyOf" in keys else "oneOf"]]
            if any(b is None for b in branches):
                return None
            taking = [b for b in branches if b is not None and _may_be(b, kind)]
            if len(taking) != 1:
                return None
            node = taking[0]
        return None

    def _bare(self, schema: Any) -> dict[str, Any] | None:
        """`schema` through `$ref`s that carry nothing else to check (None: one does, or a
        reference does not resolve)."""
        for _ in range(MAX_DEPTH):
            if not isinstance(schema, dict):
                return None
            if "$ref" not in schema:
                return schema
            if _validation_keys(schema) != {"$ref"}:
                return None
            try:
                schema = self.index.lookup(schema["$ref"])
            except (UnresolvedRef, Exception):
                return None
        return None

    def _text_rule(self, schema: Any) -> TextRule | None:
        """The check of a string schema, for a string, as (minLength, maxLength, the enum's
        strings): what the compiled check says for a text (None: it says more)."""
        node = self._bare(schema)
        if node is None or not _validation_keys(node) <= _TEXT_KEYWORDS:
            return None
        types = node.get("type", "string")
        if types != "string" and not (isinstance(types, list) and "string" in types):
            return None
        low, high = _bounds(node, "minLength", "maxLength")
        options = node.get("enum")
        if low == -1 or not (options is None or isinstance(options, list)):
            return None
        strings = None if options is None else frozenset(o for o in options if isinstance(o, str))
        return low, high, strings

    def _object_check(self, node: dict[str, Any]) -> Callable[[Any], bool] | None:
        """An object's own keywords (its properties are checked field by field)."""
        required = node.get("required") or []
        if not isinstance(required, list):
            return _never
        exempt = self.index.flagged_properties(node, "readOnly")
        needed = frozenset(n for n in required if n not in exempt)
        closed = (
            frozenset(node.get("properties", {}))
            if node.get("additionalProperties") is False
            else None
        )
        low, high = _bounds(node, "minProperties", "maxProperties")
        if low == -1:
            return _never
        if not needed and closed is None and low is None and high is None:
            return None

        def check(value: dict[str, Any]) -> bool:
            keys = value.keys()
            if not needed <= keys or (closed is not None and not keys <= closed):
                return False
            return (low is None or len(value) >= low) and (high is None or len(value) <= high)

        return check


def _array_check(node: dict[str, Any]) -> Callable[[Any], bool] | None:
    """An array's sizes (uniqueItems, which needs the values, is checked per request)."""
    low, high = _bounds(node, "minItems", "maxItems")
    if low == -1:
        return _never
    if low is None and high is None:
        return None
    return lambda value: (low is None or len(value) >= low) and (high is None or len(value) <= high)


def _never(value: Any) -> bool:
    return False  # a keyword value the pass does not read: the full reading decides


def _bounds(node: dict[str, Any], low_key: str, high_key: str) -> tuple[int | None, int | None]:
    """A size range as checks.py reads it ((-1, None): a value it would not read)."""
    try:
        low, high = node.get(low_key), node.get(high_key)
        return (None if low is None else int(low)), (None if high is None else int(high))
    except (TypeError, ValueError):
        return -1, None


def _may_be(node: dict[str, Any], kind: type) -> bool:
    """Whether a node's own `type`/`enum`/`const` may let a value of `kind` through (True
    when unsure: the caller then refuses to pick among several)."""
    name = _JSON_TYPE[kind]
    types = node.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        if isinstance(names, list) and name not in names:
            return False
    options = node.get("enum")
    if isinstance(options, list) and not any(isinstance(o, kind) for o in options):
        return False
    return not ("const" in node and not isinstance(node["const"], kind))


def _same_children(declared: Any, typed: dict[str, Any]) -> bool:
    """The properties the check uses are the ones the typer types by (the same nodes)."""
    if not isinstance(declared, dict) or declared.keys() != typed.keys():
        return False
    return all(declared[name] is typed[name] for name in declared)

"""Schemas of a loaded document: dereferencing, and validators bound to the document.

One `SchemaIndex` per loaded spec; its validator cache belongs to it, not to the module.
"""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import UnknownType
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from openmock.schema.checks import Check, CheckCompiler
from openmock.schema.formats import format_checker
from openmock.schema.malformed import GuardedValidator, MalformedSchema, malformed_schema
from openmock.schema.nodes import child_map
from openmock.schema.pointers import UnresolvedRef as UnresolvedRef
from openmock.schema.pointers import resolve_pointer

ROOT_URI = "urn:openmock:document"
MAX_REF_HOPS = 64


# What running a schema from a user's spec may raise, and what callers that must not fail on
# a bad spec catch (anything else is a bug, for the server's guard): a reference to nowhere
# (ours, or jsonschema's through `referencing`), a pattern Python's re cannot compile, a type
# jsonschema does not know, nesting too deep to follow, a schema that is no JSON Schema.
SCHEMA_ERRORS: tuple[type[Exception], ...] = (
    UnresolvedRef,
    MalformedSchema,
    Unresolvable,
    UnknownType,
    re.error,
    RecursionError,
)


class SchemaIndex:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource: Resource[Any] = DRAFT202012.create_resource(document)
        self._registry: Registry[Any] = Registry().with_resource(ROOT_URI, resource)
        # The 2020-12 formats (a bare FormatChecker() mixes in draft 3's `time` without an
        # offset) and OpenAPI's own: int32, int64, byte (formats.py).
        self.format_checker = format_checker()
        self._validators: dict[tuple[int, str], tuple[Any, GuardedValidator]] = {}
        self._compilers: dict[str, CheckCompiler] = {}  # per direction; they cache by schema
        self._malformed: dict[int, tuple[Any, str | None]] = {}  # what malformed_schema said
        self._pointers: dict[int, str] | None = None
        self._classes = {
            "any": Draft202012Validator,
            # OpenAPI: a required writeOnly property may be absent from a response, a
            # required readOnly property from a request.
            "response": extend(Draft202012Validator, {"required": self._required("writeOnly")}),
            "request": extend(Draft202012Validator, {"required": self._required("readOnly")}),
        }

    def _required(self, exempt_flag: str) -> Any:
        def required(validator: Any, names: Any, instance: Any, schema: Any) -> Any:
            if not validator.is_type(instance, "object") or not isinstance(names, list):
                return
            exempt = self.flagged_properties(schema, exempt_flag)
            for name in names:
                if name not in instance and name not in exempt:
                    yield ValidationError(f"{name!r} is a required property")

        return required

    def flagged_properties(self, schema: Any, flag: str) -> set[str]:
        """Names of `schema`'s own properties marked `flag` (readOnly / writeOnly) is true,
        through a property's $ref. Those are left out of (and not required in) the direction
        that flag excludes: writeOnly from responses, readOnly from requests."""
        flagged: set[str] = set()
        for name, sub in child_map(schema, "properties").items():
            try:
                target = self.deref(sub)
            except UnresolvedRef:
                continue
            if isinstance(target, dict) and target.get(flag) is True:
                flagged.add(name)
        return flagged

    def deref(self, schema: Any) -> Any:
        """Follow `$ref`s until a schema that is not a bare reference."""
        for _ in range(MAX_REF_HOPS):
            if not isinstance(schema, dict):
                return schema
            if "x-openmock-unresolved-ref" in schema:
                raise UnresolvedRef(str(schema["x-openmock-unresolved-ref"]))
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                return schema
            schema = self.lookup(ref)
        raise UnresolvedRef("reference chain too long")

    def pointer_of(self, schema: Any) -> str:
        """The JSON pointer where `schema` sits in the document ("(inline)" when it was made
        by the generator, e.g. a merged allOf). Built on first use: only reports need it."""
        if self._pointers is None:
            self._pointers = {}
            stack: list[tuple[Any, str]] = [(self.document, "")]
            while stack:
                node, pointer = stack.pop()
                if isinstance(node, dict):
                    self._pointers.setdefault(id(node), pointer or "/")
                    for key, value in node.items():
                        if isinstance(value, dict | list):
                            escaped = str(key).replace("~", "~0").replace("/", "~1")
                            stack.append((value, f"{pointer}/{escaped}"))
                elif isinstance(node, list):
                    stack.extend(
                        (v, f"{pointer}/{i}")
                        for i, v in enumerate(node)
                        if isinstance(v, dict | list)
                    )
        found = self._pointers.get(id(schema))
        return "#" + found if found else "(a schema made from allOf/oneOf)"

    def lookup(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise UnresolvedRef(ref)
        try:
            return resolve_pointer(self.document, ref[1:])
        except KeyError:
            raise UnresolvedRef(ref) from None

    def validator(self, schema: Any, direction: str = "any") -> GuardedValidator:
        """A compiled validator for `schema` (which must stay alive while cached); it raises
        MalformedSchema where the schema is no JSON Schema (malformed.py).

        direction: "response", "request" or "any" (see readOnly/writeOnly above)."""
        key = (id(schema), direction)
        cached = self._validators.get(key)
        if cached is not None and cached[0] is schema:
            return cached[1]
        validator = self._classes[direction](
            schema,
            registry=self._registry,
            format_checker=self.format_checker,
            _resolver=self._registry.resolver(base_uri=ROOT_URI),
        )
        guarded = GuardedValidator(validator, self)
        self._validators[key] = (schema, guarded)
        return guarded

    def malformed(self, schema: Any) -> MalformedSchema | None:
        """What is wrong with `schema` as a JSON Schema (malformed.py), worked out once: a
        served spec's bad schema costs the meta-schema's walk (2.6 ms for the petstore's Pet)
        on its first failure, not on every request."""
        known = self._malformed.get(id(schema))
        if known is None or known[0] is not schema:
            found = malformed_schema(self, schema)
            known = (schema, None if found is None else str(found))
            self._malformed[id(schema)] = known
        return None if known[1] is None else MalformedSchema(known[1])

    def checker(self, schema: Any, direction: str = "any") -> Check:
        """A compiled yes/no check for `schema` (checks.py): jsonschema's answer, faster.
        May raise what jsonschema raises (an unresolvable reference)."""
        compiler = self._compilers.get(direction)
        if compiler is None:
            compiler = self._compilers[direction] = CheckCompiler(self, direction)
        return compiler.compile(schema)

    def is_valid(self, schema: Any, value: Any, direction: str = "any") -> bool:
        try:
            return bool(self.checker(schema, direction)(value))
        except SCHEMA_ERRORS:  # an unresolvable reference makes nothing provably valid
            return False

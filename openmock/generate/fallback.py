"""The search fallback: hypothesis-jsonschema, behind this one module.

The compiled generator covers nearly every schema real specs use; for the rest (`oneOf`
branches that overlap, `not`, allOf merges it cannot express) this module asks
hypothesis-jsonschema for values. That costs seconds per schema (docs/decisions/0003), so it
is never done on the event loop: the server runs `search()` in a worker thread the first time
a schema needs it and keeps a pool of valid values per schema; requests then pick from the
pool with their own seed.

hypothesis-jsonschema understands JSON Schema drafts 4/6/7 without recursive references, so a
schema is inlined and translated to draft 7 first (docs/decisions/0005). The hypothesis pin
that keeps this pairing working is in pyproject.toml and guarded by tests/test_fallback.py.
"""

from __future__ import annotations

import base64
import re
import threading
import warnings
from typing import Any

from openmock.schema.index import SchemaIndex, UnresolvedRef
from openmock.schema.nodes import child_map

POOL_SIZE = 12  # valid values kept per schema
MAX_EXAMPLES = 120  # hypothesis examples tried per schema before giving up
# ... and at most this many draws, valid or not. Bounded by work, not time: the same schema
# gets the same values (or the same refusal) on any machine, however busy.
MAX_DRAWS = 200  # a hopeless schema (readme.json's oneOfs) took ~16 s at 600 draws here
_DROP = frozenset(
    {"$schema", "$id", "$defs", "definitions", "$comment", "discriminator", "xml", "example",
     "examples", "externalDocs", "deprecated", "readOnly", "writeOnly", "contentMediaType",
     "contentEncoding", "unevaluatedProperties", "unevaluatedItems", "minContains",
     "maxContains", "$anchor", "$dynamicAnchor", "$dynamicRef", "title", "description"}
)  # fmt: skip
_FORMATS_KNOWN = frozenset(
    {"date", "time", "date-time", "email", "idn-email", "hostname", "idn-hostname", "ipv4",
     "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uri-template", "json-pointer",
     "relative-json-pointer", "regex", "color", "uuid"}
)  # fmt: skip


class SearchExhausted(Exception):
    """The search made MAX_DRAWS draws (its budget of work)."""


class FallbackUnsupported(Exception):
    """The schema cannot be given to hypothesis-jsonschema (e.g. it is recursive)."""


class SearchFallback:
    """Pools of values found by search, per schema and direction. Owned by an engine."""

    def __init__(self, index: SchemaIndex) -> None:
        self.index = index
        self._pools: dict[tuple[int, str], list[Any] | str] = {}
        self._alive: list[Any] = []
        self._lock = threading.Lock()  # hypothesis runs one search at a time

    def pool(self, schema: Any, direction: str) -> list[Any] | str | None:
        """The values found for `schema`, a reason string when none could be found, or None
        when it has not been searched yet."""
        return self._pools.get((id(schema), direction))

    def search(self, schema: Any, direction: str) -> None:
        """Fill the pool of `schema` (slow: seconds). Safe to call from a worker thread."""
        key = (id(schema), direction)
        with self._lock:
            if key in self._pools:
                return
            self._alive.append(schema)
            try:
                self._pools[key] = self._draw(schema, direction)
            except FallbackUnsupported as exc:
                self._pools[key] = str(exc)

    def _draw(self, schema: Any, direction: str) -> list[Any] | str:
        # Imported here: hypothesis costs ~0.3 s to import and most specs never need it.
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import strategies as st
        from hypothesis_jsonschema import from_schema

        draft7 = to_draft7(schema, self.index, direction)
        validator = self.index.validator(schema, direction)
        found: list[Any] = []

        class Enough(Exception):
            pass

        formats = {
            "uuid": st.uuids().map(str),
            "byte": st.binary(max_size=12).map(lambda b: base64.b64encode(b).decode()),
        }
        try:
            inner = from_schema(draft7, allow_x00=False, codec="ascii", custom_formats=formats)
        except Exception as exc:  # hypothesis-jsonschema refuses the schema outright
            return f"the search fallback cannot read the schema: {exc}"
        draws = [0]

        @st.composite
        def strategy(draw: Any) -> Any:
            # Candidates hypothesis-jsonschema filters out internally never reach `collect`,
            # so the work is counted here, at every draw.
            draws[0] += 1
            if draws[0] > MAX_DRAWS:
                raise SearchExhausted
            return draw(inner)

        @settings(
            max_examples=MAX_EXAMPLES, database=None, derandomize=True, deadline=None,
            phases=[Phase.generate], suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )  # fmt: skip
        @given(strategy())
        def collect(value: Any) -> None:
            if not validator.is_valid(value):
                return
            # hypothesis-jsonschema fills open objects with made-up keys ("\u0018": {...}):
            # left out wherever the value stays valid without them.
            pruned = _prune(value, schema, self.index, 0)
            if pruned != value and validator.is_valid(pruned):
                value = pruned
            if value not in found:
                found.append(value)
                if len(found) >= POOL_SIZE:
                    raise Enough

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                collect()
            except Enough:
                pass
            except Exception as exc:  # a fragile library: whatever it raises is a reason
                if not found:
                    exhausted = draws[0] > MAX_DRAWS  # hypothesis may rewrap the stop
                    why = f"nothing found in {MAX_DRAWS} draws" if exhausted else _reason(exc)
                    return f"the search fallback found no value either ({why})"
        if not found:
            return f"the search fallback found no valid value in {MAX_EXAMPLES} tries"
        return found


def _prune(value: Any, schema: Any, index: SchemaIndex, depth: int) -> Any:
    """`value` without the object keys its schema does not name (in `properties`, through
    $ref, allOf, anyOf and oneOf, or a `patternProperties` pattern); kept where the schema
    describes extra keys (`additionalProperties` as a schema: a map)."""
    if depth > 32 or not isinstance(value, dict | list):
        return value
    parts = _parts(schema, index)
    if isinstance(value, list):
        items: Any = next((p["items"] for p in parts if isinstance(p.get("items"), dict)), {})
        return [_prune(item, items, index, depth + 1) for item in value]
    named: dict[str, Any] = {}
    patterns: list[str] = []
    extra: Any = None
    for part in parts:
        for name, sub in child_map(part, "properties").items():
            named.setdefault(name, sub)
        patterns.extend(child_map(part, "patternProperties"))
        if isinstance(part.get("additionalProperties"), dict) and part["additionalProperties"]:
            extra = part["additionalProperties"]
    kept: dict[str, Any] = {}
    for key, item in value.items():
        if key in named:
            kept[key] = _prune(item, named[key], index, depth + 1)
        elif extra is not None or any(_matches(pattern, key) for pattern in patterns):
            kept[key] = item
    return kept


def _parts(schema: Any, index: SchemaIndex) -> list[dict[str, Any]]:
    """A schema and every schema it is made of (allOf, anyOf, oneOf), through $refs."""
    found: list[dict[str, Any]] = []
    todo = [schema]
    while todo and len(found) < 64:
        try:
            node = index.deref(todo.pop())
        except UnresolvedRef:
            continue
        if isinstance(node, dict) and all(node is not seen for seen in found):
            found.append(node)
            for key in ("allOf", "anyOf", "oneOf"):
                if isinstance(node.get(key), list):
                    todo.extend(node[key])
    return found


def _matches(pattern: str, key: str) -> bool:
    try:
        return re.search(pattern, key) is not None
    except re.error:
        return True  # a pattern Python cannot read: keep the key rather than guess


def _reason(exc: Exception) -> str:
    kind = type(exc).__name__
    if kind == "Unsatisfiable":
        return "every candidate broke the schema"
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{kind}: {text}" if text else kind


def to_draft7(schema: Any, index: SchemaIndex, direction: str = "response") -> Any:
    """`schema` with every `$ref` inlined and 2020-12 keywords rewritten for draft 7.
    Raises FallbackUnsupported for recursive schemas."""
    skip_flag = "writeOnly" if direction == "response" else "readOnly"
    return _convert(schema, index, skip_flag, ())


def _convert(node: Any, index: SchemaIndex, skip_flag: str, refs: tuple[str, ...]) -> Any:
    if isinstance(node, bool) or not isinstance(node, dict):
        return node
    if "x-openmock-unresolved-ref" in node:
        raise FallbackUnsupported(f"unresolved $ref {node['x-openmock-unresolved-ref']}")
    if "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or ref in refs:
            raise FallbackUnsupported("the schema is recursive, which the search cannot handle")
        if len(refs) > 32:
            raise FallbackUnsupported("the schema nests references too deeply")
        try:
            target = index.lookup(ref)
        except UnresolvedRef as exc:
            raise FallbackUnsupported(f"unresolved $ref {exc}") from None
        siblings = {k: v for k, v in node.items() if k != "$ref" and k not in _DROP}
        inlined = _convert(target, index, skip_flag, (*refs, ref))
        if not siblings:
            return inlined
        return {"allOf": [inlined, _convert(siblings, index, skip_flag, refs)]}

    def sub(value: Any) -> Any:
        return _convert(value, index, skip_flag, refs)

    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP or key.startswith("x-"):
            continue
        if key in ("properties", "patternProperties", "dependentSchemas") and isinstance(
            value, dict
        ):
            out["dependencies" if key == "dependentSchemas" else key] = {
                k: sub(v) for k, v in value.items()
            }
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            out[key] = [sub(v) for v in value]
        elif key in ("items", "additionalProperties", "not", "contains", "propertyNames",
                     "if", "then", "else", "additionalItems"):  # fmt: skip
            out[key] = sub(value)
        elif key == "prefixItems" and isinstance(value, list):
            out["items"] = [sub(v) for v in value]
            if "items" in node:
                out["additionalItems"] = sub(node["items"])
        elif key == "dependentRequired" and isinstance(value, dict):
            out.setdefault("dependencies", {}).update(value)
        elif key == "format" and value not in _FORMATS_KNOWN:
            continue  # formats it does not know make it refuse; the validator still checks
        else:
            out[key] = value
    if "prefixItems" in node and "items" in node:
        out["items"] = [sub(v) for v in node["prefixItems"]]
    if isinstance(out.get("required"), list):
        flagged = index.flagged_properties(node, skip_flag)
        out["required"] = [r for r in out["required"] if r not in flagged]
    return out

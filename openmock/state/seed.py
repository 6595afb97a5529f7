"""What each collection starts with: the spec's own examples (list items, item examples,
created items; ids kept), else a few generated items; `--data FILE` replaces the seed of the
resources it names."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from openmock.mediatypes import is_json
from openmock.model import Stub
from openmock.state.resources import Resource, Resources
from openmock.state.store import Item, Scope
from openmock.template import has_templates

GENERATED_ITEMS = 3  # seeded into a collection the spec gives no example items for

MakeValue = Callable[[Any, str], Any]
IsValid = Callable[[Any, Any], bool]


class DataError(Exception):
    """A `--data` file that cannot be used; each problem names the file and a JSON pointer."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def item_key(resource: Resource, item: Mapping[str, Any]) -> str | None:
    value = item.get(resource.id_property)
    if value is None or isinstance(value, dict | list):
        return None
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


class Seeds:
    """The seed of every resource, worked out on its first use and kept."""

    def __init__(
        self,
        resources: Resources,
        stubs: Mapping[str, Stub],
        make_value: MakeValue,
        is_valid: IsValid,
        data: Mapping[str, list[Item]] | None = None,
    ) -> None:
        self.resources = resources
        self.stubs = stubs
        self.make_value = make_value
        self.is_valid = is_valid
        self.data = dict(data or {})
        self._made: dict[str, list[tuple[str, Item]]] = {}

    def __call__(self, name: str, scope: Scope) -> list[tuple[str, Item]]:
        found = self._made.get(name)
        if found is None:
            resource = self.resources.resources[name]
            if name in self.data:
                found = [(item_key(resource, i) or "", i) for i in self.data[name]]
            else:
                found = self._from_examples(resource) or self._generated(resource)
            self._made[name] = found
        return found

    def _from_examples(self, resource: Resource) -> list[tuple[str, Item]]:
        seen: dict[str, Item] = {}
        for stub_id, role in self.resources.roles.items():
            if role.resource != resource.name or role.action not in ("list", "read", "create"):
                continue
            for value in _example_values(self.stubs[stub_id]):
                candidates = value if isinstance(value, list) else [value]
                if role.action == "list" and isinstance(value, dict):
                    wrapped = value.get(resource.listing.items or "")
                    candidates = wrapped if isinstance(wrapped, list) else []
                for item in candidates:
                    if not isinstance(item, dict):
                        continue
                    key = item_key(resource, item)
                    if key is None or key in seen or not self.is_valid(resource.schema, item):
                        continue
                    seen[key] = _without(item, resource.write_only)
        return list(seen.items())

    def _generated(self, resource: Resource) -> list[tuple[str, Item]]:
        made: list[tuple[str, Item]] = []
        schema = resource.id_schema if isinstance(resource.id_schema, dict) else {}
        floor = schema.get("minimum", 1)
        for n in range(1, GENERATED_ITEMS + 1):
            value = self.make_value(resource.schema, f"state-seed|{resource.name}|{n}")
            if not isinstance(value, dict):
                continue
            item = _without(value, resource.write_only)
            item[resource.id_property] = _seed_id(resource, schema, n, floor, self.make_value)
            key = item_key(resource, item)
            if key is not None and self.is_valid(resource.schema, item):
                made.append((key, item))
        return made


def _seed_id(
    resource: Resource, schema: Mapping[str, Any], n: int, floor: Any, make: MakeValue
) -> Any:
    kind = schema.get("type")
    if kind == "integer" or (isinstance(kind, list) and "integer" in kind):
        return max(int(floor), 1) + n - 1 if isinstance(floor, int | float) else n
    if schema.get("format") == "uuid":
        bits = random.Random(f"{resource.name}|{n}").getrandbits(128)
        return str(uuid.UUID(int=bits, version=4))
    return make(schema, f"state-seed-id|{resource.name}|{n}")


def _example_values(stub: Stub) -> list[Any]:
    values: list[Any] = []
    for scenario in stub.scenarios:
        if not 200 <= scenario.status < 300:
            continue
        for rep in scenario.representations:
            example = rep.example
            # a template has no request to be filled in from here
            if example is not None and is_json(rep.media_type):
                values.extend(() if has_templates(example.value) else (example.value,))
    return values


def _without(item: Mapping[str, Any], names: frozenset[str]) -> Item:
    return {k: v for k, v in item.items() if k not in names}


def read_data(
    path: str | Path, resources: Resources, why_invalid: Callable[[Any, Any], str | None]
) -> dict[str, list[Item]]:
    """The items of a `--data` file (JSON or YAML: resource name -> list of items), each
    checked against its resource's schema (`why_invalid` says what breaks it, with the
    pointer inside the item). Raises DataError naming file and pointer."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError([f"--data {source}: cannot be read ({exc.strerror})."]) from None
    try:
        document = json.loads(text) if source.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise DataError([f"--data {source}: not valid JSON or YAML ({exc})."]) from None
    if not isinstance(document, dict):
        raise DataError(
            [f"--data {source}: write an object of resource names, each with a list of items."]
        )
    known = ", ".join(sorted(resources.resources)) or "none"
    problems: list[str] = []
    data: dict[str, list[Item]] = {}
    for name, items in document.items():
        resource = resources.resources.get(str(name))
        if resource is None:
            problems.append(
                f"{source}#/{name}: no stateful resource is called {name!r} (there are: {known})."
            )
            continue
        if not isinstance(items, list):
            problems.append(f"{source}#/{name}: write a list of items.")
            continue
        seen: set[str] = set()
        for position, item in enumerate(items):
            pointer = f"{source}#/{name}/{position}"
            key = item_key(resource, item) if isinstance(item, dict) else None
            why = None if key is None else why_invalid(resource.schema, item)
            if key is None:
                problems.append(
                    f"{pointer}: an item must be an object with its id in {resource.id_property!r}."
                )
            elif key in seen:
                problems.append(f"{pointer}: the id {key!r} is there twice; ids are unique.")
            elif why is not None:
                problems.append(f"{pointer}{why}; fix the item or leave it out.")
            seen.add(key or "")
        data[str(name)] = [i for i in items if isinstance(i, dict)]
    if problems:
        raise DataError(problems)
    return data

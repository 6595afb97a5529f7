"""Specs broken one node at a time: a value replaced by null, a string, a list, or a schema
keyword given a value JSON Schema does not allow (`properties: []`, `anyOf: [5]`, `pattern:
"("`...). Invalid specs are served, so each must load (or be refused with a SpecError), and
every operation must answer: its answer or a problem saying why, never the mock's own
internal error."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SPECS

from openmock.generate import FallbackNeeded
from openmock.pipeline import Request, answer
from openmock.server import create_app
from openmock.spec import SpecError

MUTATIONS = 40  # per spec: each is a load, an import and a request per operation
NODE_VALUES: list[Any] = [None, "x", [], {}, 0, [None], {"a": None}]
KEYWORD_VALUES: list[tuple[str, Any]] = [
    ("pattern", "("), ("format", 5), ("minimum", "a"), ("required", "name"), ("enum", []),
    ("enum", None), ("items", [{}]), ("additionalProperties", "x"), ("type", "foo"),
    ("type", []), ("properties", []), ("properties", {"a": None}), ("allOf", [None]),
    ("anyOf", [5]), ("not", None), ("const", {"a": [1]}), ("if", 5), ("$ref", "#"),
    ("unevaluatedProperties", "x"), ("propertyNames", {"pattern": "["}), ("multipleOf", 0),
    ("discriminator", "x"), ("xml", {"name": 5}), ("$ref", True),
]  # fmt: skip


def _nodes(document: Any) -> list[tuple[list[Any], Any]]:
    found: list[tuple[list[Any], Any]] = []
    stack: list[tuple[list[Any], Any]] = [([], document)]
    while stack:
        path, node = stack.pop()
        found.append((path, node))
        if isinstance(node, dict):
            stack.extend(([*path, k], v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(([*path, i], v) for i, v in enumerate(node))
    return found[1:]


def _mutated(document: Any, rng: random.Random, n: int) -> tuple[Any, str]:
    changed = copy.deepcopy(document)
    nodes = _nodes(changed)
    if n % 2:
        path, _ = rng.choice(nodes)
        value = rng.choice(NODE_VALUES)
    else:
        keys = {"type", "properties", "$ref"}
        schemas = [(p, v) for p, v in nodes if isinstance(v, dict) and keys & set(v)]
        parent, _ = rng.choice(schemas)
        keyword, value = rng.choice(KEYWORD_VALUES)
        path = [*parent, keyword]
    holder = changed
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = copy.deepcopy(value)
    return changed, "/".join(map(str, path)) + f" = {value!r}"


def _answer(state: Any, request: Request) -> Any:
    for _ in range(4):
        try:
            return answer(state, request)
        except FallbackNeeded as need:
            need.run()
    raise AssertionError("the search fallback was asked for too many times")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["petstore.yaml", "bookshop-3.1.yaml", "inventory-swagger2.yaml"])
def test_a_spec_broken_one_node_at_a_time_never_crashes_the_mock(name: str, tmp_path: Path) -> None:
    document = yaml.safe_load((SPECS / name).read_text())
    rng = random.Random(name)
    for n in range(MUTATIONS):
        changed, where = _mutated(document, rng, n)
        spec = tmp_path / f"api-{n}.json"
        spec.write_text(json.dumps(changed))
        try:
            app = create_app(spec, log_db=None, cache_dir=tmp_path / "cache", stateful=n % 4 < 2)
        except SpecError:
            continue  # refused with a clear error: fine
        state = app.state.mock.state
        for stub in state.catalog.stubs:
            path = stub.path.replace("{", "").replace("}", "")
            for body in (b"", b'{"name": "x"}'):
                headers = {"content-type": "application/json"}
                try:
                    _answer(state, Request(stub.method, path, "", headers, body))
                except Exception as exc:  # what the server would turn into an internal error
                    pytest.fail(f"{where}: {stub.method} {path}: {exc!r}")

"""Read one YAML or JSON file into plain Python data, safely and within bounds.

YAML is read with YAML 1.2 core scalars as OpenAPI tools expect (dates and `18:00` stay
strings, only true/false are booleans, `1e5`, `0o17` and `0x1F` are numbers, `017` is 17, `_`
separates digits), by the fast reader (spec/yamlfast.py) where it reads the document as PyYAML
would and by PyYAML otherwise; mapping keys become strings (`200:` is the key "200"), and the
result is checked for alias bombs, recursive aliases and excessive nesting before any other
stage walks it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from openmock.schema.pointers import escape_pointer_token
from openmock.spec.errors import SpecError, SpecProblem
from openmock.spec.parsecache import cached_parse
from openmock.spec.yamlfast import NotRead, has_duplicate_keys, read_yaml

MAX_EXPANDED_NODES = 20_000_000
MAX_DEPTH = 500

_BaseLoader: type[yaml.SafeLoader]
try:
    _BaseLoader = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader with YAML 1.2 core scalars (what the fast reader reads)."""


# Numbers as YAML 1.2's core schema has them, `_` allowed between digits (after the sign).
_INT = re.compile(
    r"^[-+]?(?:0[bB]_*[01][01_]*|0[oO]_*[0-7][0-7_]*|0[xX]_*[0-9a-fA-F][0-9a-fA-F_]*"
    r"|_*[0-9][0-9_]*)$"
)
_FLOAT = re.compile(
    r"^[-+]?(?:_*[0-9][0-9_]*(?:\.[0-9_]*)?|_*\._*[0-9][0-9_]*)(?:[eE][-+]?_*[0-9][0-9_]*)?$"
    r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
)
_REPLACED = ("timestamp", "bool", "int", "float")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag.rsplit(":", 1)[-1] not in _REPLACED]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789_"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789_."))


def _int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node)).replace("_", "")
    prefixed = text.lstrip("+-")[:2].lower() in ("0b", "0o", "0x")
    try:
        return int(text, 0) if prefixed else int(text, 10)
    except ValueError:  # `!!int 1:30`: a tag on what is no integer
        raise _unreadable(node, "an integer") from None


def _float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if text.lstrip("+-").lower() in (".inf", ".nan"):
        return float(text.replace(".", "", 1))
    try:
        return float(text)
    except ValueError:  # `!!float 1:30`
        raise _unreadable(node, "a number") from None


def _unreadable(node: yaml.ScalarNode, what: str) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(
        None, None, f"{node.value!r} is tagged {node.tag.rsplit(':', 1)[-1]} but is not {what}",
        node.start_mark,
    )  # fmt: skip


_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:float", _float)


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def parse_text(text: str, file: str) -> Any:
    """Parse YAML or JSON text. JSON is chosen by the file name, YAML otherwise."""
    if file.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError.single(
                f"not valid JSON: {exc.msg} (column {exc.colno})",
                file,
                line=exc.lineno,
                hint="Fix the JSON syntax at that line, or rename the file to .yaml if it is YAML.",
            ) from None
        except RecursionError:
            raise _too_deep(file) from None
        return normalise_tree(data, file)  # no shared nodes, string keys: depth only
    try:
        data = read_yaml(text)  # shares no nodes: the document has no anchors
    except NotRead:
        return normalise_shared_tree(_read_with_pyyaml(text, file), file)
    return normalise_tree(data, file)


def _read_with_pyyaml(text: str, file: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        raise SpecError.single(
            f"not valid YAML: {problem}",
            file,
            line=line,
            hint="Fix the YAML syntax at that line (indentation, quotes, a stray ':').",
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError.single(f"not valid YAML: {exc}", file) from None
    except RecursionError:
        raise _too_deep(file) from None


def duplicate_keys(text: str, file: str) -> list[SpecProblem]:
    """A YAML mapping's keys written twice (a path, a status code pasted again): the later
    one is read, the earlier is lost. Each with its pointer and lines; the fast reader tells
    whether there are any, PyYAML's node tree (with lines) says where."""
    if file.endswith(".json") or not has_duplicate_keys(text):
        return []
    try:
        root = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return []
    found: list[SpecProblem] = []
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else ""
                here = f"{pointer}/{escape_pointer_token(name)}"
                line = key.start_mark.line + 1
                if name and name in first and name != "<<":
                    found.append(
                        SpecProblem(
                            f"key '{name}' is written twice in one mapping (lines {first[name]} "
                            f"and {line}): the second is read, the first is lost",
                            file,
                            here,
                            line,
                            "Merge the two, or rename one: YAML keys must be unique.",
                        )
                    )
                first.setdefault(name, line)
                stack.append((value, here))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, f"{pointer}/{i}") for i, item in enumerate(node.value))
    return sorted(found, key=lambda problem: problem.line or 0)


def read_document(path: Path, cache_dir: Path | None = None) -> tuple[Any, str]:
    """Read and parse a file. Returns (data, text). YAML parses are cached in `cache_dir`."""
    file = str(path)
    if not path.exists():
        raise SpecError.single(
            "file not found", file, hint="Check the path; it is relative to the current directory."
        )
    if path.is_dir():
        raise SpecError.single(
            "is a directory, not a spec file", file, hint="Name the YAML or JSON file."
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError.single(
            f"cannot be read: {exc.strerror}", file, hint="Check the file's permissions."
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError.single(
            f"is not UTF-8 text (bad byte at offset {exc.start})",
            file,
            hint="Save the spec as UTF-8 YAML or JSON.",
        ) from None
    if path.suffix.lower() == ".json":  # json.loads is already fast
        return parse_text(text, file), text
    return cached_parse(raw, cache_dir, lambda: parse_text(text, file)), text


def _too_deep(file: str) -> SpecError:
    return SpecError.single(
        f"is nested more than {MAX_DEPTH} levels deep",
        file,
        hint="Real specs nest a few dozen levels; check for a generated or corrupted document.",
    )


def normalise_tree(data: Any, file: str) -> Any:
    """Stringify mapping keys and check the depth, without recursion, of a tree that shares
    no nodes (JSON, or YAML without anchors)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep(file)
        if isinstance(node, dict):
            for key in node:
                if not isinstance(key, str):
                    items = [(_key(k), v) for k, v in node.items()]
                    node.clear()
                    node.update(items)
                    break
            children: Any = node.values()
        else:
            children = node
        depth += 1
        stack.extend((child, depth) for child in children if isinstance(child, dict | list))
    return data


def normalise_shared_tree(data: Any, file: str) -> Any:
    """Stringify mapping keys and check bounds, without recursion.

    Shared nodes (YAML aliases) are visited once; the expanded size each would have if
    copied is accumulated so that an alias bomb is refused before anything walks it.
    """
    if not isinstance(data, dict | list):
        return data
    # Iterative post-order walk computing expanded size, with a cycle check.
    size: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(data, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        nid = id(node)
        if done:
            on_stack.discard(nid)
            children = node.values() if isinstance(node, dict) else node
            total = 1
            for child in children:
                if isinstance(child, dict | list):
                    total += size[id(child)]
                else:
                    total += 1
            if total > MAX_EXPANDED_NODES:
                raise SpecError.single(
                    f"expands to more than {MAX_EXPANDED_NODES:,} values through YAML aliases",
                    file,
                    hint="This looks like an alias bomb ('billion laughs'); "
                    "remove the repeated anchors/aliases.",
                )
            size[nid] = total
            continue
        if nid in size:
            continue
        if nid in on_stack:
            raise SpecError.single(
                "contains a recursive YAML alias (a node that contains itself)",
                file,
                hint="Use a $ref for recursive structures instead of YAML anchors.",
            )
        if depth > MAX_DEPTH:
            raise _too_deep(file)
        if isinstance(node, dict) and any(not isinstance(k, str) for k in node):
            items = [(_key(k), v) for k, v in node.items()]
            node.clear()
            node.update(items)
        on_stack.add(nid)
        stack.append((node, depth, True))
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, dict | list) and id(child) not in size:
                stack.append((child, depth + 1, False))
    return data

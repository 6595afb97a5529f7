"""Check a bundled document against the OpenAPI specification (openapi-spec-validator).

Checking a large spec costs seconds (measured: 4-6 s on the GitHub, Stripe and Kubernetes
documents, nearly all of it the meta-schema walk), so a result is cached on disk keyed by the
sha256 of every source file and the validator version; an unchanged spec starts at once.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

from jsonschema.exceptions import UnknownType

from openmock.schema.pointers import escape_pointer_token, pointer_from_parts, resolve_pointer
from openmock.spec.bundle import Bundle
from openmock.spec.errors import SpecProblem
from openmock.spec.locate import Locator
from openmock.spec.reader import duplicate_keys

MAX_PROBLEMS = 200


def default_cache_dir() -> Path:
    env = os.environ.get("OPENMOCK_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "openmock"


def _validator_class(kind: str) -> Any:
    import openapi_spec_validator as osv

    return {
        "2.0": osv.OpenAPIV2SpecValidator,
        "3.0": osv.OpenAPIV30SpecValidator,
        "3.1": osv.OpenAPIV31SpecValidator,
        "3.2": osv.OpenAPIV32SpecValidator,
    }[kind]


def _cache_key(bundle: Bundle, kind: str) -> str:
    digest = hashlib.sha256()
    # format=2: file names stored relative to the root document's folder; format=3: with
    # the format checkers (uri, hostname...) that change what a document's defaults may hold;
    # format=4: the validator's inside failures said, Schema Objects' errors located.
    digest.update(f"format=4;osv={version('openapi-spec-validator')};kind={kind}".encode())
    for source in [bundle.root_file, *bundle.files.values()]:
        digest.update(b"\0" + str(source.key).encode() + b"\0" + source.text.encode())
    return digest.hexdigest()


def cache_file_of(bundle: Bundle, kind: str, cache_dir: Path | None) -> Path | None:
    """Where the check of this content is cached (a hash of every file: ~10 ms for 4 MB);
    None without a cache."""
    if cache_dir is None:
        return None
    return cache_dir / "validated" / (_cache_key(bundle, kind) + ".json")


def read_cached(cache_file: Path | None, bundle: Bundle) -> list[SpecProblem] | None:
    """The problems an earlier check cached in `cache_file`, or None when there are none."""
    if cache_file is None:
        return None
    try:
        cached = json.loads(cache_file.read_text())
        return [_from_cache(p, bundle) for p in cached]
    except (OSError, ValueError, TypeError, KeyError):
        return None


def cached_problems(bundle: Bundle, kind: str, cache_dir: Path | None) -> list[SpecProblem] | None:
    """The problems an earlier check of the same content found, or None when there was none."""
    return read_cached(cache_file_of(bundle, kind, cache_dir), bundle)


def check_document(bundle: Bundle, kind: str, cache_dir: Path | None) -> list[SpecProblem]:
    """All problems openapi-spec-validator finds, and keys written twice in a YAML mapping,
    each with its file, pointer and line."""
    cache_file = cache_file_of(bundle, kind, cache_dir)  # hashed once, read then written
    cached = read_cached(cache_file, bundle)
    if cached is not None:
        return cached
    problems = _run_validator(bundle, kind)
    for source in (bundle.root_file, *bundle.files.values()):
        problems += duplicate_keys(source.text, str(source.path))
    if cache_file is not None:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(".tmp")
            tmp.write_text(json.dumps([_to_cache(p, bundle) for p in problems]))
            tmp.replace(cache_file)
        except OSError:
            pass  # a read-only home is no reason to refuse to serve
    return problems


# The same content may sit elsewhere next time: cache file names relative to the root's folder.
def _to_cache(problem: SpecProblem, bundle: Bundle) -> dict[str, Any]:
    entry = dict(problem.__dict__)
    entry["file"] = os.path.relpath(problem.file, bundle.root_file.path.parent)
    return entry


def _from_cache(entry: dict[str, Any], bundle: Bundle) -> SpecProblem:
    entry = dict(entry)
    entry["file"] = os.path.normpath(os.path.join(bundle.root_file.path.parent, entry["file"]))
    return SpecProblem(**entry)


# What openapi-spec-validator raises from inside on a malformed document (tried: an empty path
# item, a string or list as one, empty `responses:` or `parameters:`, a null parameter, a
# parameter's `type: x` with a default, which jsonschema cannot check: UnknownType).
VALIDATOR_CRASHES = (KeyError, TypeError, AttributeError, AssertionError, IndexError, UnknownType)


def _run_validator(bundle: Bundle, kind: str) -> list[SpecProblem]:
    validator = _validator_class(kind)(bundle.root)
    problems: list[SpecProblem] = []
    seen: set[tuple[str, str]] = set()
    # One per file: composing a large YAML text for its lines takes a second or more, and a
    # document may have MAX_PROBLEMS problems (OpenAI's did: 200 composes, minutes).
    locators: dict[str, Locator] = {}
    places = _Places(bundle.root)
    try:
        errors = validator.iter_errors()
        for error in errors:
            message = _short_message(error)
            taken = {p for p, m in seen if m == message}
            pointer = _pointer_of(bundle.root, error, taken, places)
            if (pointer, message) in seen:
                continue
            seen.add((pointer, message))
            source, inner = bundle.source_of(pointer)
            locator = locators.setdefault(str(source.path), Locator(source.text))
            problems.append(
                SpecProblem(
                    f"invalid OpenAPI {kind}: {message}",
                    str(source.path),
                    inner,
                    locator.line(inner),
                    "Fix the document; without --strict, openmock serves what can be served.",
                )
            )
            if len(problems) >= MAX_PROBLEMS:
                break
    except RecursionError:
        problems.append(
            SpecProblem(
                "the spec validator ran out of stack (the document is too deeply nested)",
                str(bundle.root_file.path),
                hint="Leave out --strict to skip the strict check.",
            )
        )
    except VALIDATOR_CRASHES as exc:
        # openapi-spec-validator walks the document assuming the shapes its schema asks for:
        # an empty path item (`/pets:` and nothing), a string where an object belongs, or
        # `responses:` left empty make it fail inside, before it says what is wrong.
        problems.append(
            SpecProblem(
                "the OpenAPI schema check stopped early: part of the document is not the shape "
                f"OpenAPI gives it ({type(exc).__name__} {_first_line(exc)} in the validator)",
                str(bundle.root_file.path),
                hint="Fix the problems listed with it (a path item, operation, parameter or "
                "responses left empty, or a string or list where an object belongs), then check "
                "again: what lies past the stop has not been checked.",
            )
        )
    return problems


def _pointer_of(root: Any, error: Any, taken: set[str], places: _Places) -> str:
    """Where in the document an error is. The validator checks each `default` against its
    schema as a value of its own, so such an error's path starts inside the default, not at
    the document's root: then the default is the first one not yet reported that holds the
    failing value at that path."""
    parts = list(getattr(error, "absolute_path", []) or [])
    pointer = pointer_from_parts(parts)
    instance = getattr(error, "instance", None)
    try:
        if resolve_pointer(root, pointer) == instance:
            return pointer
    except KeyError:
        pass
    inner = pointer_from_parts(parts)
    failed_schema = getattr(error, "schema", None)
    for holder in _defaults(root, ""):
        candidate = holder + "/default" + inner
        if candidate in taken:
            continue
        if _other_schema(root, holder, inner, failed_schema):
            continue  # the same value under a schema that takes it
        try:
            if resolve_pointer(root, candidate) == instance:
                return candidate
        except KeyError:
            continue
    # A Schema Object checked on its own (3.1's dialect): the path starts at that schema.
    return places.ending_in(parts, instance, taken) or pointer


class _Places:
    """Where each key's values sit in the document, indexed on first use (one walk, only
    when an error's path does not lead from the root)."""

    def __init__(self, root: Any) -> None:
        self._root = root
        self._by_key: dict[str, list[tuple[str, Any]]] | None = None

    def ending_in(self, parts: list[Any], instance: Any, taken: set[str]) -> str | None:
        """The first pointer, in document order, that ends with `parts` and holds `instance`."""
        if not parts or isinstance(parts[-1], int):
            return None
        if self._by_key is None:
            self._by_key = self._index()
        inner = pointer_from_parts(parts)
        for pointer, value in self._by_key.get(str(parts[-1]), []):
            if value == instance and pointer.endswith(inner) and pointer not in taken:
                return pointer
        return None

    def _index(self) -> dict[str, list[tuple[str, Any]]]:
        by_key: dict[str, list[tuple[str, Any]]] = {}
        stack: list[tuple[Any, str]] = [(self._root, "")]  # depth first, children in order
        while stack:
            item, at = stack.pop()
            children: list[tuple[Any, str]] = []
            if isinstance(item, dict):
                for key, value in item.items():
                    here = f"{at}/{escape_pointer_token(str(key))}"
                    by_key.setdefault(str(key), []).append((here, value))
                    children.append((value, here))
            elif isinstance(item, list):
                children = [(v, f"{at}/{i}") for i, v in enumerate(item)]
            stack.extend(c for c in reversed(children) if isinstance(c[0], dict | list))
        return by_key


def _other_schema(root: Any, holder: str, inner: str, failed_schema: Any) -> bool:
    if inner or not isinstance(failed_schema, dict) or "default" not in failed_schema:
        return False  # nothing to compare with
    return bool(resolve_pointer(root, holder) != failed_schema)


def _defaults(node: Any, pointer: str) -> Iterator[str]:
    """The pointers of every object with a `default`, in document order."""
    if isinstance(node, dict):
        if "default" in node:
            yield pointer
        for key, value in node.items():
            if isinstance(value, dict | list):
                yield from _defaults(value, pointer + "/" + escape_pointer_token(str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _defaults(value, f"{pointer}/{index}")


def _short_message(error: Any) -> str:
    message = str(getattr(error, "message", error))
    if len(message) > 300:
        message = message[:297] + "..."
    return message


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(":") if text else ""

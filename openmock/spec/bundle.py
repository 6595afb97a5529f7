"""Resolve `$ref`s across files into one document whose references are all local.

External documents are embedded under the root's `x-openmock-files` key and references to
them are rewritten to local pointers, so references stay references: recursive schemas stay
finite and one resolver (a JSON pointer into one document) serves every later stage.
References inside data (examples, defaults, enums, `x-` extensions) are left alone: they are
payloads such as SCIM `$ref` URLs or Redocly code-sample includes, not references.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from openmock.schema.pointers import escape_pointer_token, resolve_pointer, unescape_pointer_token
from openmock.spec.errors import SpecError, SpecProblem
from openmock.spec.reader import parse_text, read_document

FILES_KEY = "x-openmock-files"

# Keys whose values are data, not spec structure, unless they appear as names in a map.
_DATA_KEYS = frozenset({"example", "default", "enum", "const", "value", "externalValue"})
# Keys under which a schema starts, and maps whose entries are schemas.
_SCHEMA_KEYS = frozenset({"schema"})
_SCHEMA_MAP_SUFFIXES = ("/schemas", "/definitions", "/$defs")
# Keys whose values are maps from user-chosen names to objects.
_NAMED_MAPS = frozenset(
    {
        "paths", "webhooks", "properties", "patternProperties", "$defs", "definitions",
        "schemas", "parameters", "responses", "examples", "requestBodies", "headers",
        "securitySchemes", "links", "callbacks", "pathItems", "content", "encoding",
        "variables", "dependentSchemas", "securityDefinitions", "mapping",
    }
)  # fmt: skip


@dataclass
class SourceFile:
    path: Path
    text: str
    data: Any
    key: str  # "" for the root, else its key under FILES_KEY


@dataclass
class Bundle:
    root: dict[str, Any]
    root_file: SourceFile
    files: dict[str, SourceFile] = field(default_factory=dict)  # by key
    problems: list[SpecProblem] = field(default_factory=list)

    def source_of(self, pointer: str) -> tuple[SourceFile, str]:
        """Map a pointer in the bundled document back to (file, pointer within it)."""
        prefix = "/" + FILES_KEY + "/"
        if pointer.startswith(prefix):
            rest = pointer[len(prefix) :]
            token, _, inner = rest.partition("/")
            key = unescape_pointer_token(token)
            if key in self.files:
                return self.files[key], ("/" + inner) if inner else ""
        return self.root_file, pointer


class _Bundler:
    def __init__(self, root_path: Path, lenient: bool, cache_dir: Path | None) -> None:
        data, text = read_document(root_path, cache_dir)
        self.cache_dir = cache_dir
        self.lenient = lenient
        self.root_file = SourceFile(root_path, text, data, "")
        self.root_dir = root_path.parent.resolve()
        self.by_path: dict[Path, SourceFile] = {root_path.resolve(): self.root_file}
        self.problems: list[SpecProblem] = []
        self.walked: set[int] = set()
        self.rewritten: set[int] = set()
        self.files: dict[str, SourceFile] = {}

    # -- loading other files -------------------------------------------------------
    def _load(self, path: Path, origin: SourceFile, pointer: str) -> SourceFile | None:
        path = path.resolve()
        if path in self.by_path:
            return self.by_path[path]
        if not path.is_file():
            self._problem(
                f"$ref points to a file that does not exist: {path}",
                origin,
                pointer,
                "Fix the relative path; it is resolved from the referring file's folder.",
            )
            return None
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml", ".json"):
            data, text = read_document(path, self.cache_dir)
        else:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._problem(
                    f"$ref points to a file that is not text: {path.name}",
                    origin,
                    pointer,
                    "A $ref may point to YAML, JSON or a text file (e.g. Markdown).",
                )
                return None
            try:
                data = parse_text(text, str(path)) if suffix == "" else text
            except SpecError:
                data = text
        try:
            key = str(path.relative_to(self.root_dir))
        except ValueError:
            key = str(path)
        source = SourceFile(path, text, data, key)
        self.by_path[path] = source
        self.files[key] = source
        return source

    def _problem(self, message: str, origin: SourceFile, pointer: str, hint: str) -> None:
        self.problems.append(SpecProblem(message, str(origin.path), pointer, None, hint))

    # -- rewriting references ------------------------------------------------------
    def _rewrite(
        self, ref: str, origin: SourceFile, pointer: str
    ) -> tuple[str, Any, SourceFile] | None:
        """Return (local ref, target value, its file) for `ref` written in `origin`."""
        parts = urlsplit(ref)
        if parts.scheme in ("http", "https"):
            self._problem(
                f"$ref to a remote URL cannot be followed: {ref}",
                origin,
                pointer,
                "openmock works offline; download the document and refer to it by relative path.",
            )
            return None
        file_part, _, fragment = ref.partition("#")
        fragment = unquote(fragment)
        if file_part:
            target_file = self._load(origin.path.parent / unquote(file_part), origin, pointer)
            if target_file is None:
                return None
        else:
            target_file = origin
        try:
            target = resolve_pointer(target_file.data, fragment)
        except KeyError:
            self._problem(
                f"$ref '{ref}' points to nothing: '{fragment or '/'}' does not exist"
                + (f" in {target_file.path.name}" if file_part else ""),
                origin,
                pointer,
                "Fix the reference or add the missing definition.",
            )
            return None
        if target_file.key:
            local = "#/" + FILES_KEY + "/" + escape_pointer_token(target_file.key) + fragment
        else:
            local = "#" + fragment
        return local, target, target_file

    # -- walking ---------------------------------------------------------------------
    def run(self) -> Bundle:
        self._walk(self.root_file)
        root = self.root_file.data
        if self.files:
            root[FILES_KEY] = {k: f.data for k, f in self.files.items()}
        self._check_ref_cycles(root)
        return Bundle(root, self.root_file, self.files, self.problems)

    def _walk(self, root_source: SourceFile) -> None:
        """Walk from the root, following references into other files.

        In schemas, references stay references (rewritten to local pointers), so recursive
        schemas stay finite. Elsewhere a reference to another file is replaced by its target,
        as Redocly's bundler does, so that multi-file specs that `$ref` whole operations or
        responses become standard OpenAPI.
        """
        # (node, its file, pointer in the bundle, node is a named map, in a schema)
        stack: list[tuple[Any, SourceFile, str, bool, bool]] = [
            (root_source.data, root_source, "", False, False)
        ]
        while stack:
            node, source, pointer, named, in_schema = stack.pop()
            if not isinstance(node, dict | list) or id(node) in self.walked:
                continue
            self.walked.add(id(node))
            if isinstance(node, list):
                for i, child in enumerate(node):
                    item, src, ptr = self._follow(
                        child, source, f"{pointer}/{i}", not in_schema, stack, False
                    )
                    node[i] = item
                    stack.append((item, src, ptr, False, in_schema))
                continue
            disc = node.get("discriminator")
            if not named and isinstance(disc, dict) and isinstance(disc.get("mapping"), dict):
                self._rewrite_mapping(disc["mapping"], source, pointer + "/discriminator/mapping")
            for key, child in list(node.items()):
                if not isinstance(child, dict | list) or key == FILES_KEY:
                    continue
                if not named and (key in _DATA_KEYS or key.startswith("x-")):
                    continue
                if key == "examples" and isinstance(child, list):
                    continue
                child_pointer = f"{pointer}/{escape_pointer_token(key)}"
                child_schema = in_schema or (
                    key in _SCHEMA_KEYS if not named else pointer.endswith(_SCHEMA_MAP_SUFFIXES)
                )
                names = not named and key in _NAMED_MAPS  # `$ref` there is a name, not a reference
                inline = not child_schema or names
                item, src, ptr = self._follow(child, source, child_pointer, inline, stack, names)
                node[key] = item
                stack.append((item, src, ptr, key in _NAMED_MAPS, child_schema))

    def _follow(
        self,
        child: Any,
        source: SourceFile,
        pointer: str,
        inline: bool,
        stack: list[tuple[Any, SourceFile, str, bool, bool]],
        names: bool,
    ) -> tuple[Any, SourceFile, str]:
        """Rewrite a reference object; return (what stands in its place, its file, pointer).

        Chains of references are followed. A reference to a scalar (a Markdown description)
        is replaced by the scalar. `names`: `child` maps names to objects (`properties`), so a
        `$ref` key in it is a name.
        """
        for _ in range(100):
            if not isinstance(child, dict) or id(child) in self.rewritten:
                break
            ref = child.get("$ref")
            if ref is not None and not isinstance(ref, str) and not names:
                self._problem(
                    f"$ref must be a string (a URI reference), not {ref!r}; what it stands for "
                    "is served as an unresolved reference",
                    source,
                    pointer + "/$ref",
                    "Write the reference as a string: $ref: '#/components/schemas/Pet'.",
                )
                del child["$ref"]
                child["x-openmock-unresolved-ref"] = repr(ref)
                break
            if not isinstance(ref, str):
                break
            result = self._rewrite(ref, source, pointer + "/$ref")
            if result is None:
                del child["$ref"]
                child["x-openmock-unresolved-ref"] = ref
                break
            local, target, target_file = result
            if not isinstance(target, dict | list):
                return target, source, pointer
            if target_file.key and inline and len(child) == 1:
                child, source, pointer = target, target_file, local[1:]
                continue
            child["$ref"] = local
            self.rewritten.add(id(child))
            stack.append((target, target_file, local[1:], False, not inline))
            break
        return child, source, pointer

    def _rewrite_mapping(self, mapping: dict[str, Any], source: SourceFile, pointer: str) -> None:
        for name, value in list(mapping.items()):
            if isinstance(value, str) and ("#" in value or "/" in value or "." in value):
                result = self._rewrite(value, source, f"{pointer}/{escape_pointer_token(name)}")
                if result is not None:
                    mapping[name] = result[0]

    def _check_ref_cycles(self, root: dict[str, Any]) -> None:
        """A chain of references that only points at further references never ends."""
        seen_ok: set[int] = set()
        for node in _iter_ref_nodes(root):
            chain: list[int] = []
            current: Any = node
            while isinstance(current, dict) and isinstance(current.get("$ref"), str):
                if id(current) in seen_ok:
                    break
                if id(current) in chain:
                    self.problems.append(
                        SpecProblem(
                            f"circular $ref chain: '{current['$ref']}' leads back to itself "
                            "through references only",
                            str(self.root_file.path),
                            current["$ref"].lstrip("#"),
                            None,
                            "Point the reference at a real object.",
                        )
                    )
                    current.pop("$ref")
                    break
                chain.append(id(current))
                try:
                    current = resolve_pointer(root, current["$ref"][1:])
                except KeyError:
                    break
            seen_ok.update(chain)


def _iter_ref_nodes(root: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
                found.append(node)
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))
    return found


def bundle(root_path: Path, lenient: bool = False, cache_dir: Path | None = None) -> Bundle:
    """Load `root_path` and every file it references into one self-contained document.

    `cache_dir` keeps parsed YAML trees between runs (see parsecache.py)."""
    bundler = _Bundler(root_path, lenient, cache_dir)
    if not isinstance(bundler.root_file.data, dict):
        raise SpecError.single(
            "is not an OpenAPI document: the top level must be a mapping",
            str(root_path),
            hint="An OpenAPI document starts with `openapi: 3.x.y` (or `swagger: '2.0'`), "
            "`info` and `paths`.",
        )
    return bundler.run()

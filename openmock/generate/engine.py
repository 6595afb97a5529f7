"""GENERATE stage: schema-valid values, reproducible from a seed.

The engine owns everything stateful about generation (compiled generators, the base seed)
so that nothing lives in module globals. Every value it returns has passed an independent
JSON Schema validator; a schema no draw can satisfy raises GenerationError, which the server
reports as a problem, never as invalid data.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from openmock.generate.compile import Compiler
from openmock.generate.regex import RegexUnsupported
from openmock.generate.scalars import Draw, GenerationError
from openmock.spec.schemas import SchemaIndex

ATTEMPTS = 8


def derive_seed(*parts: object) -> int:
    """A stable 64-bit seed from any parts (sha256; never Python's salted hash())."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class GenerationEngine:
    def __init__(self, index: SchemaIndex, seed: int = 0) -> None:
        self.index = index
        self.seed = seed
        self._compilers = {d: Compiler(index, d) for d in ("response", "request")}

    def value(self, schema: Any, key: str, direction: str = "response") -> Any:
        """A value valid for `schema`, the same for the same `key` and engine seed."""
        try:
            gen = self._compilers[direction].compile(schema)
        except RegexUnsupported as exc:
            raise GenerationError(str(exc)) from None
        validator = self.index.validator(schema, direction)
        problem = "no draw succeeded"
        for attempt in range(ATTEMPTS):
            draw = Draw(random.Random(derive_seed(self.seed, key, attempt)))
            try:
                value = gen(draw)
            except (GenerationError, RegexUnsupported) as exc:
                problem = str(exc)
                continue
            except RecursionError:
                problem = "the schema nests too deeply"
                continue
            try:
                error = next(iter(validator.iter_errors(value)), None)
            except Exception as exc:  # e.g. a pattern Python's re cannot compile
                raise GenerationError(f"the schema cannot be checked: {exc}") from None
            if error is None:
                return value
            problem = f"{error.message} at {'/'.join(str(p) for p in error.absolute_path) or '/'}"
        raise GenerationError(f"no valid value found in {ATTEMPTS} draws ({problem})")

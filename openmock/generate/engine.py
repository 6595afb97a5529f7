"""GENERATE stage: schema-valid values, reproducible from a seed.

The engine owns everything stateful about generation (compiled generators, Faker and its
pools, the search fallback's pools, the base seed) so that nothing lives in module globals.
Every value it returns has passed an independent JSON Schema validator; a schema no draw can
satisfy raises GenerationError, which the server reports as a problem, never as invalid data.

Order: the compiled generator (fast path, microseconds); when it fails for a schema, the
search fallback's pool for that schema (hypothesis-jsonschema, filled once, off the event
loop: `FallbackNeeded` tells the server to run the search in a worker thread).
"""

from __future__ import annotations

import copy
import random
from collections import Counter
from typing import Any, Literal

from openmock.generate.compile import Compiler
from openmock.generate.fallback import SearchFallback
from openmock.generate.realism import Realism
from openmock.generate.regex import RegexUnsupported
from openmock.generate.scalars import Draw, GenerationError, derive_seed
from openmock.schema.index import SCHEMA_ERRORS, SchemaIndex

ATTEMPTS = 8
Outcome = Literal["fast", "fallback", "unsatisfiable"]


class FallbackNeeded(Exception):
    """The fast path cannot make a value and the schema has not been searched yet. Call
    `run()` off the event loop (it takes seconds), then ask the engine again."""

    def __init__(self, fallback: SearchFallback, schema: Any, direction: str) -> None:
        super().__init__("the schema needs the search fallback")
        self._fallback, self._schema, self._direction = fallback, schema, direction

    def run(self) -> None:
        self._fallback.search(self._schema, self._direction)


class GenerationEngine:
    def __init__(
        self, index: SchemaIndex, seed: int = 0, locale: str = "en_US", search: bool = True
    ) -> None:
        self.index = index
        self.seed = seed
        self.search = search  # False: the compiled generator only (tests of the fast path)
        self.realism = Realism(locale)  # raises UnknownLocale
        self._compilers = {d: Compiler(index, d, self.realism) for d in ("response", "request")}
        self.fallback = SearchFallback(index)
        self._fast_failed: dict[tuple[int, str], str] = {}
        self.outcomes: dict[tuple[int, str], Outcome] = {}

    @property
    def problems(self) -> list[str]:
        """Hints in the spec that could not be used (invalid examples, unknown x-faker)."""
        seen = dict.fromkeys(p for c in self._compilers.values() for p in c.problems)
        return list(seen)

    def outcome_counts(self) -> Counter[str]:
        return Counter(self.outcomes.values())

    def value(
        self,
        schema: Any,
        key: str,
        direction: str = "response",
        *,
        seed: int | None = None,
        blocking: bool = True,
    ) -> Any:
        """A value valid for `schema`, the same for the same `key` and seed (the engine's,
        or `seed`). With blocking=False a schema that needs the slow search raises
        FallbackNeeded instead of searching on the caller's thread."""
        base = self.seed if seed is None else seed
        slot = (id(schema), direction)
        problem = self._fast_failed.get(slot)
        if problem is None:
            try:
                value = self._fast(schema, key, direction, base)
            except GenerationError as exc:
                problem = self._fast_failed[slot] = str(exc)
            else:
                self.outcomes.setdefault(slot, "fast")
                return value
        if not self.search:
            self.outcomes[slot] = "unsatisfiable"
            raise GenerationError(problem)
        pool = self.fallback.pool(schema, direction)
        if pool is None:
            if not blocking:
                raise FallbackNeeded(self.fallback, schema, direction)
            self.fallback.search(schema, direction)
            pool = self.fallback.pool(schema, direction)
        if not isinstance(pool, list):
            self.outcomes[slot] = "unsatisfiable"
            raise GenerationError(f"{problem}; {pool}")
        self.outcomes[slot] = "fallback"
        rng = random.Random(derive_seed(base, key, "fallback"))
        return copy.deepcopy(pool[rng.randrange(len(pool))])

    def _fast(self, schema: Any, key: str, direction: str, base: int) -> Any:
        try:
            gen = self._compilers[direction].compile(schema)
        except RegexUnsupported as exc:
            raise GenerationError(str(exc)) from None
        try:
            check = self.index.checker(schema, direction)
        except SCHEMA_ERRORS as exc:  # e.g. a schema that is no JSON Schema
            raise GenerationError(f"the schema cannot be checked: {exc}") from None
        problem = "no draw succeeded"
        for attempt in range(ATTEMPTS):
            draw = Draw(random.Random(derive_seed(base, key, attempt)))
            try:
                value = gen(draw)
            except (GenerationError, RegexUnsupported) as exc:
                problem = str(exc)
                continue
            except RecursionError:
                problem = "the schema nests too deeply"
                continue
            try:
                if check(value):
                    return value
                validator = self.index.validator(schema, direction)  # to say why not
                error = next(iter(validator.iter_errors(value)), None)
            except SCHEMA_ERRORS as exc:  # e.g. a pattern Python's re cannot compile
                raise GenerationError(f"the schema cannot be checked: {exc}") from None
            if error is None:  # the two disagree: jsonschema is the reference
                return value
            problem = f"{error.message} at {'/'.join(str(p) for p in error.absolute_path) or '/'}"
        raise GenerationError(f"no valid value found in {ATTEMPTS} draws ({problem})")

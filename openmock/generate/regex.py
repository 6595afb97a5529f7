"""Strings that match a regular expression, built from Python's own regex parser."""

from __future__ import annotations

import importlib
import random
import re
import string
from typing import Any

# Python 3.11 moved the regex parser here; it is private but stable across 3.11-3.14. Loaded
# by name: whether type checkers know these private modules varies, their use here is untyped.
sre_constants: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

_ALNUM = string.ascii_letters + string.digits
_CATEGORY = {
    sre_constants.CATEGORY_DIGIT: string.digits,
    sre_constants.CATEGORY_NOT_DIGIT: string.ascii_letters + "-_",
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_SPACE: _ALNUM,
    sre_constants.CATEGORY_WORD: _ALNUM + "_",
    sre_constants.CATEGORY_NOT_WORD: "-.~ ",
}
_PRINTABLE = string.ascii_letters + string.digits + "-_."
MAX_EXTRA_REPEAT = 4


class RegexUnsupported(Exception):
    pass


def compile_pattern(pattern: str) -> Any:
    """The pattern parsed, with every character class worked out into the characters to draw
    from (once, not on every string made: a `[a-z]` was 26 chr() calls per character)."""
    try:
        # JSON Schema patterns are ECMA 262; \d etc. mean ASCII there.
        return _with_sets(sre_parse.parse(pattern, re.ASCII))
    except (re.error, OverflowError, RecursionError) as exc:
        raise RegexUnsupported(
            f"pattern {pattern!r} is not a regular expression Python reads: {exc}"
        ) from None


def _with_sets(parsed: Any) -> list[tuple[Any, Any]]:
    """The parse tree as (op, arg) lists, each IN's items replaced by a CharacterSet."""
    out: list[tuple[Any, Any]] = []
    for op, arg in parsed:
        if op is sre_constants.IN:
            arg = _character_set(arg)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
                    sre_constants.POSSESSIVE_REPEAT):  # fmt: skip
            arg = (arg[0], arg[1], _with_sets(arg[2]))
        elif op is sre_constants.SUBPATTERN:
            arg = (arg[0], arg[1], arg[2], _with_sets(arg[3]))
        elif op is sre_constants.ATOMIC_GROUP:
            arg = _with_sets(arg)
        elif op is sre_constants.BRANCH:
            arg = (arg[0], [_with_sets(branch) for branch in arg[1]])
        elif op is sre_constants.GROUPREF_EXISTS:
            arg = (arg[0], _with_sets(arg[1]), _with_sets(arg[2]) if arg[2] else None)
        out.append((op, arg))
    return out


class CharacterSet(str):
    """The characters a regex class (`[a-z0-9_]`, `[^,]`) may produce, worked out once."""


def _character_set(items: list[tuple[Any, Any]]) -> CharacterSet:
    negate = False
    choices: list[str] = []
    for op, arg in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            choices.append(chr(arg))
        elif op is sre_constants.RANGE:
            lo, hi = arg
            choices.extend(chr(c) for c in range(lo, min(hi, lo + 200) + 1))
        elif op is sre_constants.CATEGORY:
            choices.extend(_CATEGORY.get(arg, _ALNUM))
    if negate:
        excluded = set(choices)
        return CharacterSet("".join(c for c in _PRINTABLE if c not in excluded) or "#")
    return CharacterSet("".join(choices) or "a")


def generate(
    parsed: Any, rng: random.Random, extra: int = MAX_EXTRA_REPEAT, target: int | None = None
) -> str:
    """A string matching `parsed`. With `target`, open-ended repeats stretch toward that
    total length (so `^[a-f0-9]+$` with minLength 40 is reachable)."""
    out: list[str] = []
    groups: dict[int, str] = {}
    _emit(parsed, rng, out, groups, extra, target)
    return "".join(out)


def _emit(
    parsed: Any,
    rng: random.Random,
    out: list[str],
    groups: dict[int, str],
    extra: int,
    target: int | None = None,
) -> None:
    for op, arg in parsed:
        if op is sre_constants.LITERAL:
            out.append(chr(arg))
        elif op is sre_constants.NOT_LITERAL:
            out.append("a" if chr(arg) != "a" else "b")
        elif op is sre_constants.ANY:
            out.append(rng.choice(_ALNUM))
        elif op is sre_constants.IN:
            out.append(rng.choice(arg))  # a CharacterSet
        elif op in (
            sre_constants.MAX_REPEAT,
            sre_constants.MIN_REPEAT,
            sre_constants.POSSESSIVE_REPEAT,
        ):
            lo, hi, sub = arg
            limit = hi
            hi = lo + extra if hi is sre_constants.MAXREPEAT else min(hi, lo + extra)
            count = rng.randint(lo, max(lo, hi))
            if target is not None:
                missing = target - sum(len(part) for part in out)
                unbounded = limit is sre_constants.MAXREPEAT
                count = max(lo, min(missing if unbounded else min(missing, limit), count + missing))
            for _ in range(count):
                _emit(sub, rng, out, groups, extra)
        elif op is sre_constants.SUBPATTERN:
            group, _add, _del, sub = arg
            start = len(out)
            _emit(sub, rng, out, groups, extra)
            if group is not None:
                groups[group] = "".join(out[start:])
        elif op is sre_constants.ATOMIC_GROUP:
            _emit(arg, rng, out, groups, extra)
        elif op is sre_constants.BRANCH:
            _emit(rng.choice(arg[1]), rng, out, groups, extra)
        elif op is sre_constants.GROUPREF:
            out.append(groups.get(arg, ""))
        elif op is sre_constants.GROUPREF_EXISTS:
            group, yes, no = arg
            _emit(yes if group in groups else (no or []), rng, out, groups, extra)
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue  # anchors and lookarounds: the validator checks the result
        elif op is sre_constants.CATEGORY:
            out.append(rng.choice(_CATEGORY.get(arg, _ALNUM)))
        else:
            raise RegexUnsupported(f"regex construct {op} is not supported")

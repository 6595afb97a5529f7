"""The fast YAML reader: yaml-rs (Rust), about ten times PyYAML's C parser on big documents
(Stripe's 4 MB: 0.21 s against 2.0 s), behind this one module.

It reads scalars by the same rules as the PyYAML loader in `reader.py` (YAML 1.2 core: only
true/false are booleans, dates and `18:00` stay strings, `1e5` and `0o17` are numbers; `_`
separates digits), which property tests hold it to. Where the two would build different
trees, the document is left to PyYAML, which reads it as it always has: anchors (a recursive
alias would be null), merge keys (`<<`), tags (`!!binary`, `!custom`), complex keys (`? `),
several documents, YAML 1.1's other line breaks (NEL, U+2028, U+2029), and a last line
without a line break (a `|` block there would gain one). Every text the fast reader refuses
(a tab before a value, say) is left to PyYAML too, so errors keep PyYAML's located messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml_rs

# What the fast reader builds differently, found in the text (a false alarm only costs speed).
# Each construct is looked for where its rare character is (str.find, memchr-fast): one regex
# over Stripe's 4 MB took longer than reading it.
_LINE_BREAKS_OF_YAML_1_1 = ("\x85", "\u2028", "\u2029")  # not line breaks to YAML 1.2
_BEFORE_TOKEN = " \t\r\n[{,"
_AFTER_INDICATOR = " \t\r\n"


def _occurrences(text: str, needle: str) -> Iterator[int]:
    at = text.find(needle)
    while at != -1:
        yield at
        at = text.find(needle, at + 1)


def _tag_or_anchor(text: str, at: int) -> bool:  # `!tag`, `&anchor` (a recursive alias: null)
    before = text[at - 1] if at else "\n"
    return before in _BEFORE_TOKEN and text[at + 1 : at + 2] not in ("", *_AFTER_INDICATOR)


def _complex_key(text: str, at: int) -> bool:  # `? key` at the start of a line
    line_start = text.rfind("\n", 0, at) + 1
    alone = text[line_start:at].strip(" \t-") == ""
    return alone and text[at + 1 : at + 2] in ("", *_AFTER_INDICATOR)


def _document_marker(text: str, at: int) -> bool:  # `---` or `...`: maybe several documents
    at_line_start = at == 0 or text[at - 1] == "\n"
    return at_line_start and text[at + 3 : at + 4] in ("", *_AFTER_INDICATOR)


def _read_differently(text: str) -> bool:
    return (
        not text.endswith("\n")
        or "<<" in text  # a merge key
        or any(mark in text for mark in _LINE_BREAKS_OF_YAML_1_1)
        or any(_tag_or_anchor(text, at) for c in "!&" for at in _occurrences(text, c))
        or any(_complex_key(text, at) for at in _occurrences(text, "?"))
        or any(_document_marker(text, at) for m in ("---", "...") for at in _occurrences(text, m))
    )


class NotRead(Exception):
    """The fast reader did not read this text; PyYAML must."""


def read_yaml(text: str) -> Any:
    """The data of one YAML document, read fast; raises NotRead where PyYAML must read it."""
    if _read_differently(text):
        raise NotRead
    try:
        data = yaml_rs.loads(
            text,
            parse_datetime=False,
            duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins,
        )
    except (yaml_rs.YAMLDecodeError, RecursionError, OverflowError):
        raise NotRead from None
    return data


def has_duplicate_keys(text: str) -> bool:
    """Whether a mapping of the YAML text holds a key twice (both readers keep the last one,
    as PyYAML always has); False where the fast reader cannot tell (it did not read it)."""
    try:
        yaml_rs.loads(
            text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error
        )
    except yaml_rs.YAMLDecodeError as exc:
        return "duplicate" in str(exc)
    except (RecursionError, OverflowError):
        return False
    return False

"""Media type names, as every stage compares them (parameters and case ignored)."""

from __future__ import annotations


def base_type(media_type: str) -> str:
    """'Application/JSON; charset=utf-8' -> 'application/json'."""
    return media_type.split(";")[0].strip().lower()


def is_json(media_type: str) -> bool:
    """JSON, a `+json` type, or `*/*` (which openmock answers with JSON)."""
    base = base_type(media_type)
    return base == "application/json" or base.endswith("+json") or base == "*/*"


def is_xml(media_type: str) -> bool:
    """`application/xml`, `text/xml` or a `+xml` type."""
    base = base_type(media_type)
    return base.endswith("/xml") or base.endswith("+xml")


def accepts(declared: str, sent: str) -> bool:
    """Whether a request body of media type `sent` fits the spec's `declared` type, which may
    be a range (`image/*`, `*/*`). Parameters such as `charset` are not compared."""
    want, got = base_type(declared), base_type(sent)
    if want == got or want == "*/*":
        return True
    major, _, minor = want.partition("/")
    return minor == "*" and got.partition("/")[0] == major

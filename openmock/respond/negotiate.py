"""Content negotiation: which of a scenario's media types answers a request's Accept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from openmock.mediatypes import base_type, is_json
from openmock.model import Representation


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges of an Accept header; a missing or empty header accepts anything."""
    ranges: list[MediaRange] = []
    for part in (header or "").split(","):
        media, *params = part.strip().split(";")
        media = media.strip().lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        kind, _, sub = media.partition("/")
        q = 1.0
        for param in params:
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub or "*", q))
    return ranges or [MediaRange("*", "*", 1.0)]


def _quality(media_type: str, ranges: list[MediaRange]) -> tuple[float, int]:
    """(q, specificity) of the most specific range matching `media_type`. A documented range
    (`*/*`, `application/*`) is served as a concrete type within it (`concrete`), so it
    matches whatever it overlaps."""
    kind, _, sub = base_type(media_type).partition("/")
    if sub == "*":
        overlapping = [r.q for r in ranges if kind == "*" or r.type in ("*", kind)]
        return (max(overlapping), 0) if overlapping else (0.0, -1)
    best: tuple[int, float] | None = None
    for r in ranges:
        if r.type == kind and r.subtype == sub:
            spec = 3
        elif r.type == kind and r.subtype == "*":
            spec = 2
        elif r.type == "*" and r.subtype == "*":
            spec = 1
        elif r.type == kind and r.subtype == "json" and sub.endswith("+json"):
            spec = 0  # application/json accepts vnd.x+json, a little less eagerly
        else:
            continue
        if best is None or spec > best[0]:
            best = (spec, r.q * (0.99 if spec == 0 else 1.0))
    return (best[1], best[0]) if best else (0.0, -1)


def negotiate(
    representations: tuple[Representation, ...], accept: str | None
) -> Representation | None:
    """The representation the client prefers; None when it accepts none of them.

    Ties go to JSON when the client named no type explicitly, else to spec order."""
    ranges = parse_accept(accept)
    best: Representation | None = None
    best_key: tuple[float, int, int] = (0.0, -2, 0)
    for rep in representations:
        q, spec = _quality(rep.media_type, ranges)
        if q <= 0:
            continue
        key = (q, spec, 1 if spec <= 1 and is_json(rep.media_type) else 0)
        if best is None or key > best_key:
            best, best_key = rep, key
    return best


Body = Literal["structured", "text", "binary"]  # what a schema's values are, for serialising
# What each kind of body is sent as when the spec documents only a range, in order of choice,
# and which of a client's explicit types it may be sent as instead.
DEFAULT_TYPE: dict[Body, str] = {
    "structured": "application/json",
    "text": "text/plain",
    "binary": "application/octet-stream",
}


def is_range(media_type: str) -> bool:
    return base_type(media_type).endswith("/*")


def _can_send(body: Body, media_type: str) -> bool:
    if body == "binary":
        return True
    if body == "text":
        return media_type.startswith("text/") or is_json(media_type)
    structured = ("xml", "yaml")  # serialise writes these too; and JSON text is plain text
    return is_json(media_type) or media_type.endswith(structured) or media_type == "text/plain"


def concrete(documented: str, accept: str | None, body: Body) -> str:
    """The media type a response documented as a range (`*/*`, `application/*`) is sent as:
    the client's most preferred explicit type within the range that such a body can be sent
    as, else JSON for structured values, text/plain for strings, octet-stream for bytes (the
    first of these within the range), else the range's own type with `octet-stream`."""
    kind = base_type(documented).partition("/")[0]

    def within(media_type: str) -> bool:
        return kind == "*" or media_type.partition("/")[0] == kind

    explicit = sorted(
        (r for r in parse_accept(accept) if r.type != "*" and r.subtype != "*" and r.q > 0),
        key=lambda r: -r.q,
    )
    for r in explicit:
        media_type = f"{r.type}/{r.subtype}"
        if within(media_type) and _can_send(body, media_type):
            return media_type
    for media_type in (DEFAULT_TYPE[body], *DEFAULT_TYPE.values()):
        if within(media_type):
            return media_type
    return f"{kind}/octet-stream"

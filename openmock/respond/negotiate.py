"""Content negotiation: which of a scenario's media types answers a request's Accept."""

from __future__ import annotations

from dataclasses import dataclass

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
    """(q, specificity) of the most specific range matching `media_type`."""
    kind, _, sub = base_type(media_type).partition("/")
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

"""CORS, on by default as in Prism: a browser app on another origin can call the mock.

A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) for a mocked path is
answered by the mock itself: 204, the methods the spec has at that path, the headers asked for.
Every other answer to a request with an `Origin` echoes it, allows credentials and exposes
its headers (X-Openmock-* included). `--no-cors` turns all of it off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

MAX_AGE_SECONDS = "600"


def preflight_headers(
    headers: Mapping[str, str], allowed: tuple[str, ...]
) -> list[tuple[str, str]]:
    """The headers of a 204 preflight answer for a path whose operations allow `allowed`."""
    methods = ", ".join(m for m in allowed if m != "HEAD") or "GET"
    out = [
        ("access-control-allow-origin", headers.get("origin", "*")),
        ("access-control-allow-methods", methods),
        ("access-control-max-age", MAX_AGE_SECONDS),
        ("access-control-allow-credentials", "true"),
        ("vary", "Origin"),
    ]
    asked = headers.get("access-control-request-headers")
    if asked:
        out.append(("access-control-allow-headers", asked))
    return out


def response_headers(origin: str, sent: Iterable[str]) -> list[tuple[str, str]]:
    """What an answer to a cross-origin request adds: the origin echoed, credentials allowed,
    its own headers exposed (so a browser app can read X-Openmock-Scenario)."""
    exposed = sorted({name.lower() for name in sent} | {"x-openmock-call-id"})
    return [
        ("access-control-allow-origin", origin),
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", ", ".join(exposed)),
        ("vary", "Origin"),
    ]


def is_preflight(headers: Mapping[str, str]) -> bool:
    """Whether an OPTIONS request's headers make it a CORS preflight."""
    return "origin" in headers and "access-control-request-method" in headers

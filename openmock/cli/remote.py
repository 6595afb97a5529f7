"""Asking a running mock's admin API from the command line (stubs export, verify, webhook)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

ADMIN = "/__openmock"


class Unreachable(Exception):
    """The mock cannot be asked, or refused; the message says why and what to do."""


def admin_call(
    url: str, path: str, token: str | None = None, payload: Any = None, method: str = "GET"
) -> Any:
    """The JSON answer of `method ADMIN+path` on the mock at `url`. Raises Unreachable."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise Unreachable(
            f"--url {url!r} is not an http(s) URL; give the mock's address, such as "
            "http://127.0.0.1:4010"
        )
    address = f"{url.rstrip('/')}{ADMIN}{path}"
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(address, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise Unreachable(f"{address} answered {exc.code}: {_detail(exc)}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(
            f"no openmock server answers at {url} ({reason}); start one with "
            "`openmock from-spec SPEC` or pass --url"
        ) from None


def _detail(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read())
    except (ValueError, OSError):
        return exc.reason or "no detail"
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)
    return str(body)

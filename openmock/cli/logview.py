"""`openmock logs`: a running server's call log on the terminal (the admin API's client)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

ADMIN_CALLS = "/__openmock/calls"


class LogsUnavailable(Exception):
    """The server cannot be asked; the message says why and what to do."""


def fetch_calls(
    url: str, token: str | None = None, since: float | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Calls newest first, from the admin API of the server at `url`."""
    query: dict[str, Any] = {"limit": limit}
    if since is not None:
        query["since"] = since
    address = f"{url.rstrip('/')}{ADMIN_CALLS}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(address)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            calls: list[dict[str, Any]] = json.loads(response.read())
            return calls
    except urllib.error.HTTPError as exc:
        detail = _problem_detail(exc)
        raise LogsUnavailable(f"{address} answered {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LogsUnavailable(
            f"no openmock server answers at {url} ({reason}); start one with "
            "`openmock from-spec SPEC` or pass --url"
        ) from None


def _problem_detail(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read()).get("detail", exc.reason))
    except (ValueError, AttributeError):
        return str(exc.reason)


def format_call(call: dict[str, Any]) -> str:
    """`12:04:05.123  POST /v1/pets  422  createPet/422-example  1.2 ms  invalid request: ...`"""
    at = dt.datetime.fromtimestamp(call["time"]).strftime("%H:%M:%S.%f")[:-3]
    answered = f"{call['stub']}/{call['scenario']}" if call.get("stub") else "-"
    line = (
        f"{at}  {call['method']:<6} {call['url']}  {call['status']}  {answered}  "
        f"{call['duration_ms']:.1f} ms  {call.get('reason') or ''}"
    )
    for error in call.get("errors") or []:
        where = error.get("name") or error.get("pointer") or ""
        line += f"\n    {error.get('in', '')} {where}: {error.get('message', '')}"
    return line.rstrip()

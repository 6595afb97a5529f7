"""`openmock logs`: a running server's call log on the terminal (the admin API's client)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

from openmock.cli.remote import admin_call


def fetch_calls(
    url: str, token: str | None = None, since: float | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Calls newest first, from the admin API of the server at `url`. Raises
    cli.remote.Unreachable."""
    query: dict[str, Any] = {"limit": limit}
    if since is not None:
        query["since"] = since
    calls: list[dict[str, Any]] = admin_call(url, f"/calls?{urllib.parse.urlencode(query)}", token)
    return calls


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

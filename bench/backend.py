"""A backend-like upstream for bench/proxy.py: answers the petstore's pet reads and creates
with JSON valid for the spec after BACKEND_MS milliseconds (what a database round trip costs a
real backend), its CPU cost small. Run: python bench/backend.py PORT."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
import uvicorn

BACKEND_MS = 5
PET = orjson.dumps({"id": 42, "name": "Rex", "tag": "dog", "status": "available"})
PETS = orjson.dumps([{"id": n, "name": f"Pet {n}", "status": "available"} for n in range(1, 6)])
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


async def app(scope: MutableMapping[str, Any], receive: Any, send: Send) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await asyncio.sleep(BACKEND_MS / 1000)
    path, method = scope["path"], scope["method"]
    status, body = 200, PET
    if path.rstrip("/").endswith("/pets"):
        status, body = (201, PET) if method == "POST" else (200, PETS)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


if __name__ == "__main__":
    uvicorn.run(app, port=int(sys.argv[1]), log_level="warning", access_log=False)

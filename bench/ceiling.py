"""The reference for `make bench`: a bare Starlette app returning one fixed JSON body, under the
same uvicorn settings openmock uses (uvloop, httptools), through uvicorn's ASGI path. It was the
ceiling of a Python ASGI app; openmock's answers are made in the HTTP parser's callback instead
(openmock/server/protocol.py) and pass it. openmock's figures are also given as a share of it.

Run: python -m uvicorn bench.ceiling:app --loop uvloop --http httptools --no-access-log
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# The size of petstore's listPets example, so the bytes on the wire are alike.
BODY = (
    b'[{"id":1,"name":"Tom","tag":"cat","status":"available","birthDate":"2020-04-01"},'
    b'{"id":2,"name":"Felix","tag":"cat","status":"sold","birthDate":"2019-11-23"}]'
)


async def answer(_: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])

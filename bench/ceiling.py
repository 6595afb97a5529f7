"""The ceiling for `make bench`: a bare Starlette app returning one fixed JSON body, under the same
uvicorn settings openmock uses (uvloop, httptools). Nothing can serve a mock answer faster in
Python; openmock's figures are also given as a fraction of this one.

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

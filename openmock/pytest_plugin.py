"""The `openmock` pytest fixture (registered through the `pytest11` entry point):

    def test_signup(openmock):
        mock = openmock("api.yaml", seed=7)
        client = MyClient(base_url=mock.url)
        client.sign_up("ann@example.com")
        mock.assert_called(method="POST", path="/users", body={"email": "ann@example.com"})

Each call starts a real server (see openmock.serve); all stop when the test ends.

With a stateful mock shared between tests (a session-scoped fixture of your own), the
`openmock_session` fixture gives each test a store of its own:

    def test_create(shared_mock, openmock_session):
        client = httpx.Client(base_url=shared_mock.url, headers=openmock_session)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from openmock.embed import RunningMock, serve


@pytest.fixture
def openmock() -> Iterator[Callable[..., RunningMock]]:
    with ExitStack() as stack:

        def start(spec: Any, **options: Any) -> RunningMock:
            return stack.enter_context(serve(spec, **options))

        yield start


@pytest.fixture
def openmock_session(request: pytest.FixtureRequest) -> dict[str, str]:
    """`X-Openmock-Session` headers naming this test: a `--stateful` store of its own."""
    return {"X-Openmock-Session": request.node.nodeid}

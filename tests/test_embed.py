"""In-process use from Python: openmock.create_app, openmock.serve, the pytest fixture."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from conftest import SPECS

import openmock
from openmock.embed import RunningMock

PETSTORE = SPECS / "petstore.yaml"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # anyio's pytest plugin (anyio is a dependency) runs the async test


def test_serve_runs_a_real_server_and_verifies_calls() -> None:
    with openmock.serve(PETSTORE, seed=3) as mock:
        assert mock.url.startswith("http://127.0.0.1:")
        created = httpx.post(f"{mock.url}/v1/pets", json={"name": "Rex"})
        assert created.status_code == 201
        httpx.get(f"{mock.url}/v1/pets/1")
        assert [c["method"] for c in mock.calls()] == ["GET", "POST"]
        assert mock.verify(method="POST", path="/v1/pets", body={"name": "Rex"})["met"]
        mock.assert_called(method="GET", path="/v1/pets/*", count=1)
        with pytest.raises(AssertionError, match="closest"):
            mock.assert_called(method="POST", path="/v1/pets", body={"name": "Max"})
        mock.reset_calls()
        assert mock.calls() == []
    with pytest.raises(httpx.ConnectError):  # stopped when the block ended
        httpx.get(f"{mock.url}/v1/pets", timeout=2)


def test_the_fixture_starts_mocks_for_a_test(openmock: Callable[..., RunningMock]) -> None:
    pets = openmock(PETSTORE)
    books = openmock(SPECS / "bookshop-3.1.yaml", validate=False)
    assert httpx.get(f"{pets.url}/v1/pets").status_code == 200
    assert pets.url != books.url
    pets.assert_called(method="GET", path="/v1/pets")


@pytest.mark.anyio
async def test_create_app_works_in_process_without_a_socket() -> None:
    app = openmock.create_app(PETSTORE)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        answer = await client.get("/v1/pets", headers={"Prefer": "example=dogs"})
    assert answer.status_code == 200 and answer.json()[0]["name"] == "Rex"


@pytest.fixture(scope="module")
def shared_mock() -> Iterator[RunningMock]:
    with openmock.serve(PETSTORE, stateful=True) as mock:
        yield mock


@pytest.mark.parametrize("name", ["Ann", "Bob"])
def test_each_test_gets_a_stateful_store_of_its_own(
    shared_mock: RunningMock, openmock_session: dict[str, str], name: str
) -> None:
    with httpx.Client(base_url=shared_mock.url, headers=openmock_session) as client:
        assert client.post("/pets", json={"name": name}).status_code == 201
        names = [pet["name"] for pet in client.get("/pets").json()]
    assert names == ["Tom", "Felix", "Rex", name]  # not the other test's pet
    mine = shared_mock.session()
    assert mine != shared_mock.session()  # a fresh session each time
    assert len(httpx.get(f"{shared_mock.url}/pets", headers=mine).json()) == 3

"""The inspector page at /__openmock/, driven in headless Chromium (issue 5 item 5, issue 7
item 7): live calls, filter, detail with the reason, links from a call to its stub, and the
stub forms that call the admin API."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SPECS, running_server

from openmock.server.app import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As the machine's probe starts it: no sandbox as root, and nothing reaching for Google's hosts.
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
pytestmark = [
    pytest.mark.slow,  # a browser: not in the quick tier (`make check`)
    pytest.mark.skipif(
        CHROMIUM is None, reason="no Chromium (`make test` installs Debian's chromium package)"
    ),
]


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 860})
            tab.set_default_timeout(10_000)
            yield tab
        finally:
            browser.close()


@pytest.fixture
def mock_url(cache_dir: Path) -> Iterator[str]:
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir)
    with running_server(app) as url:
        yield url


def test_calls_appear_live_and_show_why(page: Any, mock_url: str) -> None:
    httpx.get(f"{mock_url}/v1/pets/7")
    httpx.post(f"{mock_url}/v1/pets", json={"name": 5})  # invalid: 422 with a violation
    page.goto(f"{mock_url}/__openmock/")
    rows = page.locator("#call-rows tr")
    rows.nth(1).wait_for()
    assert rows.count() == 2
    first = rows.nth(0)  # newest first
    assert "POST" in first.inner_text() and "422" in first.inner_text()
    assert "s4" in (first.locator("td.status").get_attribute("class") or "")
    # A call made while the page is open appears without a reload.
    httpx.get(f"{mock_url}/v1/pets", headers={"Prefer": "code=500"})
    page.locator("#call-rows tr", has_text="/v1/pets").nth(2).wait_for()
    assert rows.count() == 3
    # The detail: request and response side by side, and why.
    page.locator("#call-rows tr", has_text="422").click()
    detail = page.locator("#call-detail")
    detail.locator(".sides").wait_for()
    text = detail.inner_text()
    assert "invalid request" in text and "body" in text and "/name" in text
    assert '"name": 5' in text  # the request body, pretty-printed
    # The filter box narrows the table.
    page.fill("#call-filter", "pets/7")
    assert rows.count() == 1 and "/v1/pets/7" in rows.nth(0).inner_text()
    page.fill("#call-filter", "")
    # A call links to its stub in the stubs tab.
    page.locator("#call-rows tr", has_text="/v1/pets/7").click()
    detail.locator("a[data-stub]").click()
    stub = page.locator('[data-stub-id="getPet"]')
    stub.wait_for()
    assert stub.is_visible() and "#stub/getPet" in page.url


def test_stub_forms_change_the_running_mock(page: Any, mock_url: str, tmp_path: Path) -> None:
    page.goto(f"{mock_url}/__openmock/#")
    page.click("#tab-stubs")
    page.locator('[data-stub-id="listPets"]').wait_for()
    # Add a stub through the form.
    page.click("#new-stub-open")
    form = page.locator("#new-stub")
    form.locator("[name=path]").fill("/hello/{name}")
    form.locator("[name=name]").fill("hello")
    form.locator("[name=body]").fill('{"msg": "hi from the form"}')
    form.locator("button[type=submit]").click()
    page.locator('[data-stub-id="hello"]').wait_for()
    assert httpx.get(f"{mock_url}/hello/ann").json() == {"msg": "hi from the form"}
    # Add a scenario to a spec stub and make it the default.
    _add_scenario(page, "listPets", "nobody", "[]", default=True)
    page.locator('[data-stub-id="listPets"] [data-default="nobody"]:checked').wait_for()
    assert httpx.get(f"{mock_url}/v1/pets").json() == []
    # A body the spec's schema rejects is refused, and the page says where.
    message = _add_scenario(page, "listPets", "wrong", '{"not": "a list"}')
    message.filter(has_text="/body").wait_for()
    assert "force=true" in message.inner_text()
    # Pick another default with the radio button; toggle body matching.
    page.locator('[data-stub-id="listPets"] [data-default]').first.check()
    page.locator('[data-stub-id="listPets"] [data-default="nobody"]:not(:checked)').wait_for()
    assert httpx.get(f"{mock_url}/v1/pets").json() != []
    page.locator('[data-stub-id="hello"] [data-match-body]').check()
    page.locator('[data-stub-id="hello"] [data-match-body]:checked').wait_for()
    assert httpx.get(f"{mock_url}/__openmock/stubs/hello").json()["match_body"] is True
    page.evaluate("window.scrollTo(0, 0)")
    shots = os.environ.get("OPENMOCK_SCREENSHOTS")  # set to docs/ to refresh the README's
    page.screenshot(path=str(Path(shots or tmp_path) / "inspector-stubs.png"))


def _add_scenario(page: Any, stub: str, name: str, body: str, default: bool = False) -> Any:
    """Fill and send a stub's add-scenario form; its message line."""
    card = page.locator(f'[data-stub-id="{stub}"]')
    card.locator("[data-open-scenario]").click()
    form = card.locator("form.add")
    form.locator("[name=name]").fill(name)
    form.locator("[name=body]").fill(body)
    if default:
        form.locator("[name=default]").check()
    form.locator("button[type=submit]").click()
    return form.locator("[data-msg]")


def test_the_page_asks_for_the_admin_token(page: Any, cache_dir: Path) -> None:
    app = create_app(SPECS / "petstore.yaml", admin_token="s3cret", cache_dir=cache_dir)
    with running_server(app) as url:
        httpx.get(f"{url}/v1/pets/1")
        page.goto(f"{url}/__openmock/")
        page.locator("#token-box").wait_for()
        page.fill("#token", "s3cret")
        page.click("#token-save")
        page.locator("#call-rows tr").first.wait_for()
        assert "/v1/pets/1" in page.locator("#call-rows").inner_text()


def test_screenshot_of_the_calls_tab(page: Any, mock_url: str, tmp_path: Path) -> None:
    for path in ("/v1/pets", "/v1/pets/3", "/v1/pets/nope", "/v1/owners"):
        httpx.get(f"{mock_url}{path}")
    httpx.post(f"{mock_url}/v1/pets", json={"name": "Rex", "tag": "dog"})
    page.goto(f"{mock_url}/__openmock/")
    page.locator("#call-rows tr").nth(4).wait_for()
    page.locator("#call-rows tr", has_text="POST").click()
    page.locator("#call-detail .sides").wait_for()
    shots = Path(os.environ.get("OPENMOCK_SCREENSHOTS") or tmp_path)
    target = shots / "inspector-calls.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000


def test_the_data_tab_shows_and_edits_stateful_items(
    page: Any, cache_dir: Path, tmp_path: Path
) -> None:
    app = create_app(SPECS / "petstore.yaml", stateful=True, cache_dir=cache_dir)
    with running_server(app) as url:
        httpx.post(f"{url}/pets", json={"name": "Zorro", "tag": "fox"})
        page.goto(f"{url}/__openmock/")
        page.click("#tab-data")
        page.locator('[data-item-id="4"]').wait_for()
        assert page.locator("#data-count").inner_text().startswith("4 items")
        assert "Zorro" in page.locator('[data-item-id="4"]').inner_text()
        # Edit one item: a value the schema refuses is refused, with its pointer.
        card = page.locator('[data-item-id="4"]')
        card.locator("[data-item-edit]").click()
        card.locator("textarea").fill('{"id": 4, "name": 12}')
        card.locator("button[type=submit]").click()
        card.locator("[data-msg]").filter(has_text="/0/name").wait_for()
        card.locator("textarea").fill('{"id": 4, "name": "Zorra", "status": "sold"}')
        card.locator("button[type=submit]").click()
        page.locator('[data-item-id="4"]', has_text="Zorra").wait_for()
        assert httpx.get(f"{url}/pets/4").json()["name"] == "Zorra"
        # Delete one; another session's data is its own.
        page.locator('[data-item-id="1"] [data-item-delete]').click()
        page.locator('[data-item-id="1"]').wait_for(state="detached")
        assert httpx.get(f"{url}/pets/1").status_code == 404
        page.fill("#data-session", "other")
        page.press("#data-session", "Enter")
        page.locator('[data-item-id="1"]').wait_for()
        assert page.locator('[data-item-id="4"]').count() == 0
        page.fill("#data-session", "")
        page.press("#data-session", "Enter")
        page.locator('[data-item-id="4"]').wait_for()
        shots = os.environ.get("OPENMOCK_SCREENSHOTS")  # set to docs/ to refresh the docs'
        page.screenshot(path=str(Path(shots or tmp_path) / "inspector-data.png"))
        # Back to the seed.
        page.click("#data-reset")
        page.locator('[data-item-id="1"]').wait_for()
        assert [p["name"] for p in httpx.get(f"{url}/pets").json()] == ["Tom", "Felix", "Rex"]


def test_the_data_tab_shows_and_sets_state_machines(page: Any, cache_dir: Path) -> None:
    """Issue 18: the inspector shows a machine's state (per session) and sets it."""
    stub = {"method": "GET", "path": "/door", "scenarios": [
        {"name": "closed", "body": "closed", "machine": "door", "when_state": "Started"},
        {"name": "open", "body": "open", "machine": "door", "when_state": "open"}]}  # fmt: skip
    app = create_app(SPECS / "petstore.yaml", cache_dir=cache_dir)
    with running_server(app) as url:
        assert httpx.post(f"{url}/__openmock/stubs", json=stub).status_code == 201
        page.goto(f"{url}/__openmock/")
        page.click("#tab-data")
        row = page.locator('[data-machine="door"]')
        row.wait_for()
        assert row.locator("input").input_value() == "Started"
        row.locator("input").fill("open")
        row.locator("[data-machine-set]").click()
        page.wait_for_function(
            "() => document.querySelector('[data-machine=door] input').value === 'open'"
        )
        assert httpx.get(f"{url}/door").json() == "open"
        assert httpx.get(f"{url}/door", headers={"X-Openmock-Session": "b"}).json() == "closed"

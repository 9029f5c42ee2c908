"""Two app processes behind the workshop's proxy, in a real browser: a shared link opened by two participants, the
diagram images (media files, served only by the process that made them), and a page switch keeping the state.

Without cookie affinity the same journey fails: the images are fetched from the other process and come back 404.
To see it, run `ROOM_AFFINITY=0 .venv/bin/python -m pytest tests/test_browser_room.py -n 0` (not part of the suite).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from deploy.workshop import AFFINITY_COOKIE, running_room
from explorer.render import VIEWS
from tests.conftest import BROWSER_TIMEOUT_MS, settle

pytestmark = pytest.mark.browser
LINK = "/diagrams?scenario=3&use_case=1A&customer=Room%20Seven"


@pytest.fixture(scope="module")
def room_url() -> Iterator[str]:
    with running_room(2, address="127.0.0.1", affinity=os.environ.get("ROOM_AFFINITY", "1") != "0") as room:
        yield room.url


def _media_responses(page) -> list[tuple[str, int]]:
    responses: list[tuple[str, int]] = []
    page.on("response", lambda r: responses.append((r.url, r.status)) if "/media/" in r.url else None)
    return responses


def _diagrams_drawn(page) -> int:
    """Wait for the Diagrams page's images; return how many loaded (each must be a media file that decoded)."""
    page.get_by_role("heading", name="Diagrams").first.wait_for()
    page.settle()
    page.wait_for_function(f"() => document.querySelectorAll('[data-testid=stImage] img').length >= {len(VIEWS)}")
    images = page.locator("[data-testid=stImage] img")
    count = images.count()
    sources = [images.nth(i).get_attribute("src") or "" for i in range(count)]
    assert all("/media/" in s for s in sources), sources
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stImage] img')].every(i => i.complete)")
    loaded = page.locator("[data-testid=stImage] img").evaluate_all("imgs => imgs.filter(i => i.naturalWidth > 0)"
                                                                    ".length")
    return loaded


def test_a_shared_link_on_two_processes_draws_its_images_and_keeps_state_across_pages(browser, room_url, page):
    media = _media_responses(page)
    page.goto(room_url + LINK)
    count = _diagrams_drawn(page)
    assert page.locator("[data-testid=stImage] img").count() == count, f"only {count} images loaded: {media}"
    assert media and all(status == 200 for _, status in media), media

    # A second participant opens the same link in another browser: the proxy sends it to the other process.
    other = browser.new_context(viewport={"width": 1600, "height": 1000})
    other.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        second = other.new_page()
        second.settle = lambda: settle(second)
        second_media = _media_responses(second)
        second.goto(room_url + LINK)
        count2 = _diagrams_drawn(second)
        assert second.locator("[data-testid=stImage] img").count() == count2, second_media
        assert second_media and all(status == 200 for _, status in second_media), second_media
        replicas = {c["value"] for ctx in (page.context, other) for c in ctx.cookies() if c["name"] == AFFINITY_COOKIE}
        assert replicas == {"app1", "app2"}  # both processes served the room
    finally:
        other.close()

    # A page switch keeps the state (it lives in the first process, which the cookie keeps this tab on).
    customer = page.get_by_test_id("stSidebar").get_by_label("Customer")
    expect(customer).to_have_value("Room Seven")
    page.get_by_test_id("stSidebarNav").get_by_text("Explorer").click()
    page.get_by_text("Scenario 3: Local Training and Serving.").first.wait_for()
    page.settle()
    expect(customer).to_have_value("Room Seven")
    page.get_by_test_id("stSidebarNav").get_by_text("Diagrams").click()
    assert _diagrams_drawn(page) == page.locator("[data-testid=stImage] img").count()
    assert parse_qs(urlparse(page.url).query)["scenario"] == ["3"]
    assert all(status == 200 for _, status in media), media
    assert page.get_by_test_id("stException").count() == 0
    assert page.requests.external == []

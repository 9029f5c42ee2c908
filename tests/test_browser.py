"""Real-browser journeys: Chromium against `streamlit run`, recording every request."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _wait_for_app(page) -> None:
    page.wait_for_selector("[data-testid=stApp]")
    page.wait_for_selector("[data-testid=stImage] img")


def test_shared_link_shows_scenario_3_and_its_diagram_offline(page, app_url, tmp_path):
    page.goto(f"{app_url}/?scenario=3&use_case=1A")
    _wait_for_app(page)
    page.get_by_text("Scenario 3: Local Training and Serving.").first.wait_for()
    image = page.locator("[data-testid=stImage] img").first
    assert image.evaluate("img => img.complete && img.naturalWidth > 400")
    page.wait_for_timeout(1500)  # let late requests (fonts, icons, health checks) happen before we judge
    page.screenshot(path=str(tmp_path / "explorer.png"), full_page=True)
    assert page.requests.external == []
    assert any(url.startswith(app_url) for url in page.requests.urls)


def test_download_png_and_pdf_of_the_diagram(page, app_url, tmp_path):
    page.goto(f"{app_url}/?scenario=4&use_case=1B")
    _wait_for_app(page)
    with page.expect_download() as png:
        page.get_by_test_id("stDownloadButton").filter(has_text="PNG").first.click()
    path = tmp_path / png.value.suggested_filename
    png.value.save_as(path)
    assert path.name == "explorer-s4-1B-architecture.png"
    assert path.read_bytes().startswith(b"\x89PNG")
    with page.expect_download() as pdf:
        page.get_by_test_id("stDownloadButton").filter(has_text="PDF").first.click()
    pdf_path = tmp_path / pdf.value.suggested_filename
    pdf.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    assert page.requests.external == []


def test_picking_a_scenario_updates_the_shared_link(page, app_url):
    page.goto(f"{app_url}/")
    _wait_for_app(page)
    page.get_by_role("combobox", name="Scenario").click()
    page.get_by_role("option", name="Scenario 2: Training in Public Cloud with Foundational Model").click()
    page.wait_for_function("() => location.search.includes('scenario=2')")
    query = parse_qs(urlparse(page.url).query)
    assert query["scenario"] == ["2"] and query["use_case"] == ["1A"]
    # A colleague opening the same link sees the same view.
    colleague = page.context.new_page()
    colleague.goto(page.url)
    colleague.get_by_text("Scenario 2: Training in Public Cloud with Foundational Model.").first.wait_for()
    colleague.close()
    assert page.requests.external == []


def test_bad_link_shows_a_message_and_the_default_view(page, app_url):
    page.goto(f"{app_url}/?scenario=9")
    _wait_for_app(page)
    warning = page.get_by_test_id("stAlert").filter(has_text="The shared link could not be used")
    warning.wait_for()
    assert "Scenario must be 1, 2, 3 or 4 (the link says 9)." in warning.inner_text()
    assert page.get_by_test_id("stException").count() == 0
    assert page.requests.external == []


def test_reference_page_opens_directly(page, app_url):
    page.goto(f"{app_url}/reference?scenario=2&use_case=1B")
    page.get_by_text("Table 2: Locality of operations").wait_for()
    page.get_by_text("Cloud-based Model Training with Proprietary Elements").first.wait_for()
    # The page runs inside the app's navigation (not as a bare file of the pages/ folder).
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    assert "Explorer" in nav and "Reference" in nav
    assert "common" not in nav and "app" not in nav.lower().split()
    assert page.get_by_test_id("stException").count() == 0
    assert page.requests.external == []


@pytest.mark.browser
def test_deep_link_as_the_first_request_of_a_fresh_process(page, fresh_app_url):
    """/compare opened in a fresh tab on a server that has served nothing yet: Streamlit's legacy pages/
    discovery runs pages/compare.py directly; the page's guard hands the run to app.py's navigation."""
    page.goto(f"{fresh_app_url}/compare?scenario=3&use_case=1B&customer=Deep%20Link%20Ltd")
    page.get_by_text("Compare all options").wait_for()
    page.settle()
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    assert all(name in nav for name in ("Explorer", "Compare", "Cost", "Diagrams", "Report", "Reference"))
    assert not any(name in nav.lower() for name in ("parts", "shell", "state", "sidebar"))
    customer = page.get_by_test_id("stSidebar").get_by_label("Customer")
    expect(customer).to_have_value("Deep Link Ltd")
    # A page switch keeps the state: the sidebar is drawn by app.py before every page. (expect() retries while
    # the sidebar is redrawn, when its input is briefly empty; a lost value stays empty and fails.)
    page.get_by_test_id("stSidebarNav").get_by_text("Explorer").click()
    page.get_by_text("Scenario 3: Local Training and Serving.").wait_for()
    page.settle()
    expect(customer).to_have_value("Deep Link Ltd")
    assert "customer=Deep+Link+Ltd" in page.url or "customer=Deep%20Link%20Ltd" in page.url
    # A widget two pages share under one key (Scenario) keeps its value from page to page.
    page.get_by_test_id("stSidebarNav").get_by_text("Cost").click()
    page.get_by_role("heading", name="Cost model").wait_for()
    page.settle()
    assert parse_qs(urlparse(page.url).query)["scenario"] == ["3"]
    assert page.get_by_test_id("stException").count() == 0
    assert page.requests.external == []


HOSTILE = "%21%5Bx%5D%28http%3A%2F%2Fevil.example%2Fpixel.png%29"  # ![x](http://evil.example/pixel.png)


@pytest.mark.parametrize(("path", "shown"), [
    (f"/?workload.model={HOSTILE}", "The shared link could not be used"),  # echoed in the link's notice
    (f"/?{HOSTILE}=1", "The shared link could not be used"),  # an unknown key, echoed the same way
    (f"/report?customer={HOSTILE}", "One PDF of the whole assessment for"),  # the customer's name
])
def test_a_crafted_link_fetches_nothing_from_outside(page, app_url, path, shown):
    page.goto(f"{app_url}{path}")
    page.get_by_text(shown).first.wait_for()  # the text that holds the hostile value is on screen
    page.settle()
    assert "![x](http://evil.example/pixel.png)" in page.get_by_test_id("stMain").inner_text()  # shown literally
    errors = page.get_by_test_id("stException")
    assert errors.count() == 0, errors.first.inner_text()
    assert not any(urlparse(url).hostname == "evil.example" for url in page.requests.urls)
    assert page.requests.external == []


def test_the_content_security_policy_blocks_outside_images(page, app_url):
    """A second line of defence: even markup that slipped through could not load an image from elsewhere."""
    response = page.goto(f"{app_url}/")
    assert "img-src 'self' data: blob:" in response.headers["content-security-policy"]
    page.get_by_test_id("stSidebar").wait_for()
    page.settle()
    blocked = page.evaluate("""() => new Promise(done => {
        document.addEventListener('securitypolicyviolation', e => done(e.blockedURI), {once: true});
        const img = new Image(); img.src = 'http://evil.example/pixel.png'; document.body.appendChild(img);
        setTimeout(() => done(''), 5000);
    })""")
    # Chromium refused it under the policy (Playwright still logs the attempt, so the event is the evidence).
    assert blocked.startswith("http://evil.example")
    assert page.get_by_test_id("stException").count() == 0

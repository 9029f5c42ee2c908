"""The Explorer on a projector, in a real browser: the first screen at 1280×800, nothing cut at three widths,
and presenter mode stepping through the options by keyboard with the link following."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser

SHOTS = "/tmp/shots/i12-pages"

# Every text a person must read whole: an element whose content is wider than its box is cut (or hidden behind
# an ellipsis); a chart's text outside its chart is clipped by the chart's frame; a bar chart's plot area under
# 200 px is squashed.
OVERFLOW = """() => {
  const bad = [];
  const text = (el) => (el.innerText || el.textContent || "").trim().slice(0, 70);
  const check = (sel, what) => document.querySelectorAll(sel).forEach(el => {
    if (el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
      bad.push(`${what} "${text(el)}" ${el.scrollWidth}>${el.clientWidth}`);
  });
  check('[data-testid=stMetricLabel], [data-testid=stMetricLabel] *', 'metric label');
  check('[data-testid=stMetricValue], [data-testid=stMetricValue] *', 'metric value');
  check('[data-testid=stMain] h1, [data-testid=stMain] h2, [data-testid=stMain] h3', 'heading');
  check('[data-testid=stMain] th, [data-testid=stMain] th *', 'table header');
  check('[data-testid=stMain] td', 'table cell');
  check('[data-testid=stMain] [data-testid=stWidgetLabel] p', 'widget label');
  check('[data-testid=stMain] button p', 'button label');
  document.querySelectorAll('[data-testid=stMain] [data-testid=stButtonGroup]').forEach(group => {
    const edge = (group.closest('[data-testid=stColumn]') || group.parentElement).getBoundingClientRect().right;
    group.querySelectorAll('button').forEach(b => {
      if (b.getBoundingClientRect().right > edge + 1) bad.push(`choice "${text(b)}" past its column`);
    });
  });
  document.querySelectorAll('[data-testid=stMain] .js-plotly-plot').forEach(plot => {
    const box = plot.getBoundingClientRect();
    if (box.width === 0) return;
    plot.querySelectorAll('.gtitle, .g-xtitle text, .g-ytitle text, .legendtext, .annotation-text, '
                          + '.angularaxistick text').forEach(t => {
      const r = t.getBoundingClientRect();
      if (r.width && (r.right > box.right + 1 || r.left < box.left - 1))
        bad.push(`chart text "${text(t)}" ${Math.round(r.left)}..${Math.round(r.right)} outside `
                 + `${Math.round(box.left)}..${Math.round(box.right)}`);
    });
    const area = plot.querySelector('.nsewdrag');
    if (area && !plot.querySelector('.polar') && area.getBoundingClientRect().width < 200)
      bad.push(`chart "${text(plot.querySelector('.gtitle') || plot)}" plot area `
               + `${Math.round(area.getBoundingClientRect().width)} px wide`);
  });
  return bad;
}"""


def _open(page, url: str, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    if "/cost" not in url:
        page.wait_for_selector("[data-testid=stImage] img")
    page.settle()
    page.wait_for_selector(".js-plotly-plot .gtitle")  # the cost panel's chart has drawn
    page.wait_for_timeout(1000)


def _top(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("el => el.getBoundingClientRect().top")


def test_the_first_screen_at_1280_by_800_holds_the_placement_and_the_diagram(page, app_url):
    _open(page, f"{app_url}/?scenario=4&use_case=1B", 1280, 800)
    page.screenshot(path=f"{SHOTS}/explorer-1280x800.png")
    placement = page.get_by_test_id("stTable").first
    assert "Training" in placement.inner_text() and "Exchanged between both" in placement.inner_text()
    assert placement.evaluate("el => el.getBoundingClientRect().top") < 400
    image = page.locator(".st-key-diagram [data-testid=stImage] img")
    box = image.evaluate("el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom, r.width]; }")
    assert box[0] < 300 and box[2] > 200, box  # the diagram's top is near the top, and it is not a thumbnail
    assert box[1] <= 800, box  # and the whole diagram is in the first screen
    assert image.get_attribute("alt").startswith("Architecture diagram of scenario 4 with use case 1B: ")
    sidebar = page.get_by_test_id("stSidebar").evaluate("el => el.getBoundingClientRect().width")
    assert sidebar <= 260, sidebar
    assert _top(page, "[data-testid=stMain] h1") < 80  # no empty band above the title
    assert page.requests.external == []


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1600, 1000), (1920, 1080)])
@pytest.mark.parametrize("path", ["/", "/cost"])
def test_nothing_is_cut_at_projector_and_desktop_widths(page, app_url, path, width, height):
    _open(page, f"{app_url}{path}?scenario=2&use_case=1B", width, height)
    if path == "/" and width == 1920:
        page.screenshot(path=f"{SHOTS}/explorer-1920x1080.png")
    assert page.evaluate(OVERFLOW) == []
    if path == "/":  # the cost panel's other charts, one tab at a time (the tornado once was 70 px wide)
        for tab, title in (("Totals", "Total cost of each option"), ("What moves it", "What moves the total most")):
            page.get_by_role("tab", name=tab).click()
            page.locator(".js-plotly-plot .gtitle", has_text=title).wait_for()
            page.settle()
            assert page.evaluate(OVERFLOW) == [], tab
    assert page.get_by_test_id("stException").count() == 0


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1920, 1080)])
@pytest.mark.parametrize(("path", "heading"), [("/compare", "Compare all options"), ("/diagrams", "Diagrams"),
                                               ("/report", "Report"), ("/reference", "Reference")])
def test_nothing_is_cut_on_the_other_pages(page, app_url, path, heading, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_url}{path}?scenario=2&use_case=1B")
    page.get_by_role("heading", name=heading).first.wait_for()
    page.settle()
    page.wait_for_timeout(1000)
    assert page.evaluate(OVERFLOW) == []
    assert page.get_by_test_id("stException").count() == 0


HOSPITAL = ("scenario=4&use_case=1A&workload.model=mistral-7b&workload.dataset_tokens=300000000"
            "&workload.requests_per_day=20000&workload.input_tokens=2000&workload.output_tokens=350"
            "&constraints.data_classification=regulated&constraints.compliance=hipaa&constraints.cloud_provider=gcp")


def test_the_tornados_notes_stay_inside_their_chart_at_1280(page, app_url):
    """The hospital's tensor-parallel step changes the sizing regime, so its tornado carries a note under the axis
    (it once ran past the chart's right edge)."""
    _open(page, f"{app_url}/cost?{HOSPITAL}", 1280, 800)
    tornado = page.locator(".js-plotly-plot", has_text="What moves the total most").first
    tornado.scroll_into_view_if_needed()
    assert "⚠" in tornado.locator(".annotation-text").first.text_content()
    assert page.evaluate(OVERFLOW) == []


def _choice(page) -> tuple[str, str]:
    query = parse_qs(urlparse(page.url).query)
    return query["scenario"][0], query["use_case"][0]


def test_presenter_mode_steps_through_the_options_by_keyboard_and_the_link_follows(page, app_url):
    _open(page, f"{app_url}/?present=1&scenario=1&use_case=1A", 1280, 800)
    page.screenshot(path=f"{SHOTS}/presenter-1280x800.png")
    assert page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true"
    image = page.locator(".st-key-diagram [data-testid=stImage] img")
    box = image.evaluate("el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom, r.width]; }")
    assert box[1] <= 800 and box[1] - box[0] > 450, box  # as tall as the screen leaves room for
    size = page.locator("[data-testid=stMain] [data-testid=stTable] td").first.evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 18, size  # larger type than the desktop's 14–16 px
    page.locator("[data-testid=stMain] h1").click()  # focus on the page, not in a widget
    for expected in (("1", "1B"), ("2", "1A"), ("2", "1B")):
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => location.search.includes('scenario={expected[0]}') && "
                               f"location.search.includes('use_case={expected[1]}')")
        page.settle()
        assert _choice(page) == expected
        page.get_by_text(f"Scenario {expected[0]}: ").first.wait_for()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => location.search.includes('scenario=2') && location.search.includes('use_case=1A')")
    page.settle()
    page.get_by_role("button", name="Next").click()  # the page's own buttons do the same
    page.wait_for_function("() => location.search.includes('use_case=1B')")
    page.settle()
    assert _choice(page) == ("2", "1B") and parse_qs(urlparse(page.url).query)["present"] == ["1"]
    assert page.get_by_text("4 of 8").count() == 1
    page.screenshot(path=f"{SHOTS}/presenter-step-2-1B.png")
    assert page.get_by_test_id("stException").count() == 0
    assert page.requests.external == []

"""The Cost page and the Explorer's cost panel: AppTest smoke and interactions, and a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pages.parts import state
from tests.conftest import open_sidebar

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120


def open_cost(query: dict[str, str] | None = None) -> AppTest:
    """The app, opened on the Cost page as a link to /cost would open it."""
    at = open_sidebar(AppTest.from_file(APP, default_timeout=TIMEOUT))
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at.switch_page("pages/cost.py").run()


def test_cost_page_smoke():
    at = open_cost()
    assert not at.exception
    assert at.title[0].value == "Cost model"
    labels = [m.label for m in at.metric]
    assert any(label.startswith("Total, S1 · 1A, 36 months") for label in labels)
    assert "Break-even vs S2 · 1B (cheapest feasible cloud)" in labels
    assert len(at.get("plotly_chart")) >= 5  # totals, breakdown, cumulative, per million, tornado
    assert not at.error


def test_a_one_month_horizon_reads_one_month():
    at = open_cost()
    at.number_input(key="horizon_months").set_value(1).run()
    assert not at.exception
    total = next(m.label for m in at.metric if m.label.startswith("Total"))
    assert total == "Total, S1 · 1A, 1 month"  # never "1 months"


def test_changing_the_cloud_gpu_and_traffic_recomputes():
    at = open_cost()
    before = next(m.value for m in at.metric if m.label.startswith("Total"))
    at.selectbox(key="costing_gpu").select("a100-80gb").run()
    assert not at.exception
    assert at.session_state[state.STATE]["costing"]["gpu"] == "a100-80gb"
    assert at.query_params["costing.gpu"] == "a100-80gb"
    at.number_input(key="requests_per_day").set_value(500_000.0).run()
    assert at.session_state[state.STATE]["workload"]["requests_per_day"] == 500_000.0
    after = next(m.value for m in at.metric if m.label.startswith("Total"))
    assert after != before


def test_training_deadline_and_sensitivity_slider():
    at = open_cost()
    at.number_input(key="training_days").set_value(2.0).run()
    at.slider(key="sensitivity_pct").set_value(40.0).run()
    assert not at.exception
    assert at.session_state[state.STATE]["costing"]["training_days"] == 2.0
    assert at.session_state[state.STATE]["costing"]["sensitivity_pct"] == 40.0


def test_price_override_from_the_link_round_trips():
    at = open_cost({"prices.aws:h100-sxm:on_demand": "2.5", "scenario": "2", "use_case": "1B"})
    assert not at.exception and not at.error
    assert at.session_state[state.STATE]["prices"] == {"aws:h100-sxm:on_demand": 2.5}
    assert at.query_params["prices.aws:h100-sxm:on_demand"] == "2.5"
    assert any("1 override(s)" in c.value for c in at.caption)
    at.button(key="reset_prices").click().run()
    assert at.session_state[state.STATE]["prices"] == {}


def test_a_gpu_the_provider_does_not_offer_is_one_message():
    at = open_cost({"constraints.cloud_provider": "azure", "costing.gpu": "l4"})
    assert not at.exception
    assert at.error[0].value.startswith("The cloud provider azure has no NVIDIA L4 24GB price")


def test_explorer_shows_the_cost_panel():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert "Cost over the horizon" in [s.value for s in at.subheader]
    # One chart tab at a time is built (tabs are lazy); each one appears when its tab is opened.
    charts = {c.key for c in at.get("plotly_chart")}
    assert "panel_cumulative" in charts
    for tab, key in (("Totals", "panel_totals"), ("Breakdown", "panel_breakdown"),
                     ("What moves it", "panel_tornado_top")):
        at.session_state["cost_tab"] = tab
        at.run()
        assert not at.exception
        assert key in {c.key for c in at.get("plotly_chart")}
    at.selectbox(key="scenario").select(3).run()
    assert any(m.label.startswith("Total, S3 · 1A") for m in at.metric)


@pytest.mark.browser
def test_cost_page_in_a_browser(page, app_url):
    page.goto(f"{app_url}/cost?scenario=3&use_case=1A")
    page.get_by_role("heading", name="Cost model").wait_for()
    page.locator(".js-plotly-plot").nth(4).wait_for()
    assert page.locator(".js-plotly-plot").count() >= 5
    assert page.get_by_text("Break-even vs S2 · 1B").count() >= 1
    assert page.locator("[data-testid='stException']").count() == 0
    page.goto(f"{app_url}/explorer")
    page.get_by_text("Cost over the horizon").wait_for()
    page.locator(".js-plotly-plot").nth(1).wait_for()  # the radar and the cost chart in sight (tabs are lazy)
    assert page.requests.external == []


def _frame(at: AppTest, has: str):
    """The page's table with this column or row (AppTest finds dataframes by position, not key)."""
    return next(d.value for d in at.dataframe if has in d.value.columns or has in d.value.index)


def test_the_premises_region_sets_the_power_price_and_the_pool_table_shows():
    at = open_cost({"scenario": "3", "use_case": "1A"})
    assert at.selectbox(key="region").value == "us"
    pool = _frame(at, "Pool busy")
    assert list(pool["Option"])[:3] == ["S1 · 1A", "S1 · 1B", "S2 · 1A"]
    us = _frame(at, "Power × PUE").loc["Power × PUE", "S3 · 1A"]
    at.selectbox(key="region").select("eu").run()
    assert not at.exception
    assert at.query_params["constraints.region"] == "eu"  # the link carries it
    eu = _frame(at, "Power × PUE").loc["Power × PUE", "S3 · 1A"]
    # The same kWh at Eurostat's $0.205 instead of EIA's $0.082 per kWh.
    assert eu == pytest.approx(us * 0.205 / 0.082)
def test_cloud_serving_mode_and_crossover_on_the_cost_page():
    # Llama 3.1 70B served as published: Bedrock serves it per token, so both modes are costed.
    at = open_cost({"workload.finetune_method": "none", "scenario": "2", "use_case": "1B"})
    assert not at.exception
    captions = "\n".join(str(c.value) for c in at.caption)
    assert "Amazon Bedrock on-demand costs" in captions and "Dedicated cloud serving is billed hour by hour" in captions
    shown = next(m.value for m in at.metric if m.label.startswith("GPUs: cloud serving"))
    assert shown.startswith("endpoint /")
    at.button_group(key="cloud_serving").set_value("dedicated").run()
    assert not at.exception
    assert at.session_state[state.STATE]["workload"]["cloud_serving"] == "dedicated"
    assert at.query_params["workload.cloud_serving"] == "dedicated"
    shown = next(m.value for m in at.metric if m.label.startswith("GPUs: cloud serving"))
    assert shown.startswith("8 /")  # one whole p5.48xlarge at the peak hour

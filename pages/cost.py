"""Cost: the cost model in depth — all eight options, curves, breakdown, tornado, sizing, every price and source."""

from __future__ import annotations

import streamlit as st

from explorer import ExplorerError
from explorer.model.assessment import bounds
from explorer.model.vocabulary import CAPEX_LABELS, PRECISION_LABELS, PRICING_LABELS, SERVING_MODE_LABELS
from explorer.render.markdown import literal
from pages.parts import cache, cost_panel, cost_tables, shell, state

shell.guard()
st.title("Cost model")
cat = shell.catalog()
st.caption("All eight scenario × use-case options priced month by month over the horizon. Every price and "
           "efficiency default below has its source and date, and can be overridden; overrides travel in the link "
           "and the assessment file.")

state.bind("scenario", "use_case", "costing_gpu", "serving_precision", "capex", "cloud_pricing", "training_days",
           "sensitivity_pct", "cloud_serving")
scenarios = {s.id: s for s in cat.scenarios}
gpus = {g.id: g.name for g in cat.gpus}
row = st.columns([3, 1.2, 2.2, 1.4])
row[0].selectbox("Scenario", list(scenarios), key="scenario",
                 format_func=lambda i: f"Scenario {i}: {scenarios[i].name}")
row[1].segmented_control("Use case", ["1A", "1B"], key="use_case", required=True)
row[2].selectbox("GPU (cloud, and on-prem purchases)", list(gpus), format_func=gpus.__getitem__, key="costing_gpu",
                 help="On premises uses the GPUs already owned (sidebar, Workload) when there are any.")
row[3].selectbox("Serving precision", list(PRECISION_LABELS), format_func=PRECISION_LABELS.__getitem__,
                 key="serving_precision")
row = st.columns([3, 3, 1.6, 0.8])  # the two choices whole at 1280 px (tests/test_browser_projector.py)
row[0].segmented_control("On-premises servers", list(CAPEX_LABELS), format_func=CAPEX_LABELS.__getitem__,
                         key="capex", required=True)
row[1].segmented_control("Cloud GPU pricing", list(PRICING_LABELS), format_func=PRICING_LABELS.__getitem__,
                         key="cloud_pricing", required=True)
row[2].number_input("Training deadline (days)", **bounds("costing.training_days"), step=1.0, key="training_days",
                    help="Longest acceptable wall clock of one fine-tuning run; more GPUs are used to meet it.")
row[3].segmented_control("Cloud serving", list(SERVING_MODE_LABELS), format_func=SERVING_MODE_LABELS.__getitem__,
                         key="cloud_serving", required=True,
                         help="Dedicated GPUs billed hour by hour in whole instances, or a managed per-token "
                         "endpoint where the provider offers one; by default the cheaper of the two.")
page = shell.page()
state.show_notice()
decision = page.decision

try:
    result, unc = decision.require_cost(), decision.uncertainty()
except ExplorerError as exc:
    st.error(literal(exc))
    st.stop()
cost_panel.headline(decision, result, unc)
for note in result.notes:
    st.info(note, icon=":material/info:")

left, right = st.columns(2)
with left:
    st.plotly_chart(cache.cost_figure(decision, "totals"), key="cost_totals")
    st.plotly_chart(cache.cost_figure(decision, "breakdown"), key="cost_breakdown")
with right:
    st.plotly_chart(cache.cost_figure(decision, "cumulative"), key="cost_cumulative")
    st.plotly_chart(cache.cost_figure(decision, "per_million"), key="cost_per_million")

st.subheader("Sensitivity")
col_t, col_s = st.columns([3, 1])
with col_s:
    st.slider("Move each input by ± (%)", **bounds("costing.sensitivity_pct"), step=1.0, key="sensitivity_pct")
    st.caption(f"Uncertainty: {unc.samples:,} samples of {len(unc.inputs)} uncertain inputs, each triangular "
               "between its low and high (table below). The total uses the defaults; where a range reaches further "
               "above its default than below, P50 sits above the total. Bands on the curves use the first 2,000 "
               "samples.")
with col_t:
    try:
        if decision.sensitivity().rows:
            st.plotly_chart(cache.cost_figure(decision, "tornado"), key="cost_tornado")
        else:
            st.caption("No input moves this option's total.")
    except ExplorerError as exc:
        st.error(literal(exc))

cost_tables.line_items(result, shell.file_stem(page.assessment, "monthly-costs"))
cost_tables.sizing(result)
cost_tables.prices(cat, page.assessment, result)

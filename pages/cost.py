"""Cost: the cost model in depth — all eight options, curves, breakdown, tornado, sizing, every price and source."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from explorer import ExplorerError, charts
from explorer.catalog import option_key
from explorer.cost import LINE_ITEMS
from pages import common, cost_panel

PRECISIONS = {"bf16": "BF16", "fp8": "FP8", "int4": "INT4 (weights)"}
CAPEX = {"buy": "Buy up front", "amortise": "Amortise"}
PRICING = {"on_demand": "On demand", "committed": "1-year commitment"}
PRICES_NOTICE = "_price_notice"


def _apply_price_edits(editor_key: str, keys: list[str]) -> None:
    """Turn the editor's edited rows into overrides in ``assessment.prices`` (validated here, not later)."""
    cat = common.catalog()
    if cat is None:
        return
    edits = (st.session_state.get(editor_key) or {}).get("edited_rows", {})
    prices = dict(st.session_state[common.STATE].get("prices") or {})
    for row, change in edits.items():
        if "Value" not in change:
            continue
        key = keys[int(row)]
        item = cat.price_items[key]
        value = change["Value"]
        if value is None or float(value) == item.value:
            prices.pop(key, None)
        elif not item.min <= float(value) <= item.max:
            st.session_state[PRICES_NOTICE] = (
                f"Price '{key}' must be between {item.min:g} and {item.max:g} {item.unit} (got {value:g}); "
                "the previous value is kept."
            )
        else:
            prices[key] = float(value)
    st.session_state[common.STATE]["prices"] = prices


def _reset_prices() -> None:
    st.session_state[common.STATE]["prices"] = {}


cat, assessment = common.page_setup()
st.title("Cost model")
common.show_notice()
st.caption("All eight scenario × use-case options priced month by month over the horizon. Every price and "
           "efficiency default below has its source and date, and can be overridden; overrides travel in the link "
           "and the assessment file.")

scenarios = {s.id: s for s in cat.scenarios}
gpus = {g.id: g.name for g in cat.gpus}
row = st.columns([3, 1.2, 2.2, 1.4])
row[0].selectbox("Scenario", list(scenarios), key="scenario",
                 format_func=lambda i: f"Scenario {i}: {scenarios[i].name}")
row[1].segmented_control("Use case", ["1A", "1B"], key="use_case", required=True)
row[2].selectbox("GPU (cloud, and on-prem purchases)", list(gpus), format_func=gpus.__getitem__, key="costing_gpu",
                 help="On premises uses the GPUs already owned (sidebar, Workload) when there are any.")
row[3].selectbox("Serving precision", list(PRECISIONS), format_func=PRECISIONS.__getitem__, key="serving_precision")
row = st.columns([2, 2, 1.4, 2.4])
row[0].segmented_control("On-premises servers", list(CAPEX), format_func=CAPEX.__getitem__, key="capex",
                         required=True)
row[1].segmented_control("Cloud GPU pricing", list(PRICING), format_func=PRICING.__getitem__, key="cloud_pricing",
                         required=True)
row[2].number_input("Training deadline (days)", min_value=0.25, max_value=365.0, step=1.0, key="training_days",
                    help="Longest acceptable wall clock of one fine-tuning run; more GPUs are used to meet it.")

try:
    analysis = cost_panel.analysis(cat, assessment)
except ExplorerError as exc:
    st.error(str(exc))
    st.stop()
result, sens, unc = analysis.result, analysis.sensitivity, analysis.uncertainty
s, u = assessment.scenario, assessment.use_case
cost_panel.headline(result, analysis, s, u)
for note in result.notes:
    st.info(note, icon=":material/info:")

left, right = st.columns(2)
with left:
    st.plotly_chart(charts.totals_chart(result, unc, option_key(s, u)), key="cost_totals")
    st.plotly_chart(charts.breakdown_chart(result), key="cost_breakdown")
with right:
    st.plotly_chart(charts.cumulative_chart(result, unc, (s, u)), key="cost_cumulative")
    st.plotly_chart(charts.per_million_chart(result), key="cost_per_million")

st.subheader("Sensitivity")
col_t, col_s = st.columns([3, 1])
with col_s:
    st.slider("Move each input by ± (%)", min_value=1.0, max_value=90.0, step=1.0, key="sensitivity_pct")
    st.caption(f"Uncertainty: {unc.samples:,} samples of {len(unc.inputs)} uncertain inputs, each triangular "
               "between its low and high (table below). The total uses the defaults; where a range reaches further "
               "above its default than below, P50 sits above the total. Bands on the curves use the first 2,000 "
               "samples.")
with col_t:
    if sens.rows:
        st.plotly_chart(charts.tornado_chart(sens), key="cost_tornado")
    else:
        st.caption("No input moves this option's total.")

st.subheader("Line items by option")
items = pd.DataFrame(
    {f"S{o.scenario} · {o.use_case}": {LINE_ITEMS[k]: v for k, v in o.line_items.items()} for o in result.options}
)
items.loc["Total"] = items.sum()
st.dataframe(items.style.format("${:,.0f}"), key="cost_items")
monthly = pd.DataFrame({f"S{o.scenario} · {o.use_case}": o.monthly for o in result.options},
                       index=pd.RangeIndex(1, result.horizon_months + 1, name="Month"))
st.download_button("Monthly costs (CSV)", monthly.to_csv().encode(), "monthly-costs.csv", "text/csv",
                   key="dl_monthly_csv", icon=":material/download:", on_click="ignore")

st.subheader("Sizing behind the cost")
train_rows, serve_rows = [], []
for where, t in (("Public cloud", result.training_cloud), ("On premises", result.training_local)):
    if t is not None:
        train_rows.append({"Where": where, "GPU": t.gpu, "Method": t.method, "Tokens": f"{t.tokens:.3g}",
                           "FLOPs": f"{t.flops:.3g}", "MFU": f"{t.mfu:.0%}", "GPU-hours per run": round(t.gpu_hours),
                           "GPUs": t.gpus, "GPUs for memory": t.gpus_for_memory,
                           "Wall clock (h)": round(t.wall_clock_hours, 1),
                           "Memory per GPU (GB)": round(t.memory_gb_per_gpu, 1)})
for where, v in (("Public cloud", result.serving_cloud), ("On premises", result.serving_local)):
    if v is not None:
        serve_rows.append({"Where": where, "GPU": v.gpu, "Precision": v.precision, "Tensor parallel": v.tensor_parallel,
                           "Batch": v.batch, "Replicas": v.replicas, "GPUs": v.gpus,
                           "Tokens/s per replica": round(v.tokens_per_second_per_replica),
                           "TTFT (ms)": round(v.ttft_ms), "TPOT (ms)": round(v.tpot_ms, 1),
                           "TPOT met": v.tpot_met, "Bound": v.bound,
                           "Memory per GPU (GB)": round(v.memory_gb_per_gpu, 1)})
if train_rows:
    st.markdown("**Fine-tuning** (6·N·D FLOPs × the method's factor, at the stated MFU)")
    st.dataframe(pd.DataFrame(train_rows), hide_index=True, key="sizing_training")
if serve_rows:
    st.markdown("**Serving** (roofline: decode reads weights + KV cache per step, prefill is compute-bound)")
    st.dataframe(pd.DataFrame(serve_rows), hide_index=True, key="sizing_serving")

st.subheader("Prices and assumptions")
notice = st.session_state.pop(PRICES_NOTICE, None)
if notice:
    st.warning(notice)
used = set(result.used)
keys = sorted(cat.price_items, key=lambda k: (k not in used, list(cat.price_items).index(k)))
rows = []
for key in keys:
    item = cat.price_items[key]
    rows.append({"Used": key in used, "Key": key, "Group": item.group, "Item": item.label,
                 "Value": result.prices[key], "Default": item.value, "Unit": item.unit,
                 "Range (low–high)": f"{item.low:g}–{item.high:g}" if item.low is not None else "",
                 "Estimate": item.estimate, "Source": item.source, "As of": item.as_of})
frame = pd.DataFrame(rows)
digest = hashlib.sha1(json.dumps([keys, assessment.prices], sort_keys=True).encode()).hexdigest()[:10]
editor_key = f"price_editor_{digest}"
st.caption(f"{len(assessment.prices)} override(s). Edit a value to override it; set it back to its default "
           "to remove the override. Rows used by this assessment come first.")
st.data_editor(
    frame, key=editor_key, hide_index=True, disabled=[c for c in frame.columns if c != "Value"],
    on_change=_apply_price_edits, args=(editor_key, keys), height=420,
    column_config={"Value": st.column_config.NumberColumn(format="%.4g"),
                   "Default": st.column_config.NumberColumn(format="%.4g"),
                   "Source": st.column_config.TextColumn(width="large")},
)
st.button("Reset all prices to defaults", key="reset_prices", on_click=_reset_prices,
          disabled=not assessment.prices)

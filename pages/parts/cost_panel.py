"""The cost panel: the Explorer's summary of the decision's cost, and the headline the Cost page shares."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import CostResult, Decision, ExplorerError, Uncertainty
from explorer.engine.uncertainty import band_note
from explorer.model.formatting import money, months
from explorer.model.vocabulary import SERVING_MODE_LABELS, option_short
from explorer.render.markdown import literal
from pages.parts import cache, paint


def headline(decision: Decision, result: CostResult, unc: Uncertainty) -> None:
    """Four numbers for the chosen option: total with P10–P90, per million tokens, break-even, GPUs."""
    key, a = decision.key, decision.assessment
    chosen = result.option(a.scenario, a.use_case)
    if not chosen.feasible:
        st.warning(f"{option_short(key)} is ruled out by a hard rule: its cost is shown for comparison only.",
                   icon=":material/block:")
    cols = st.columns(4)
    band = f"P10 {money(unc.p10[key])} · P50 {money(unc.p50[key])} · P90 {money(unc.p90[key])}"
    cols[0].metric(f"Total, {option_short(key)}, {months(result.horizon_months)}", money(chosen.total),
                   help=f"{band} ({unc.samples:,} samples)")
    cols[0].caption(band)
    cols[1].metric("Per million generated tokens", money(chosen.per_million_tokens))
    cols[2].metric(result.break_even_label, result.break_even_text(key),
                   help=result.reference_note + " Break-even is the first month from which this option's cumulative "
                   "cost stays at or below the reference's.")
    cloud = "endpoint" if chosen.serving_mode == "per_token" else str(chosen.cloud_serving_gpus)
    cols[3].metric("GPUs: cloud serving / on premises", f"{cloud} / {chosen.onprem_gpus}",
                   help=f"{chosen.onprem_gpus_new} of the on-premises GPUs are bought. Cloud serving GPUs are those "
                   "rented at the peak hour; 'endpoint' means a per-token endpoint serves.")
    note = band_note(chosen.total, unc.p10[key], unc.p50[key], unc.p90[key], unc.samples)
    st.caption(f"Present value {money(chosen.present_value)}. {result.finance_note}" + (f" {note}" if note else ""))
    if result.reference is None:
        st.caption(result.reference_note)
    serving = serving_caption(result)
    if serving:
        st.caption(serving)


def serving_caption(result: CostResult) -> str:
    """How cloud serving is billed, which way is cheaper at this traffic and where the two cross."""
    return " ".join(s for s in (result.serving_note, result.serving_choice) if s)


def sizing_caption(result: CostResult) -> str:
    parts = []
    for label, s in (("cloud", result.serving_cloud), ("on premises", result.serving_local)):
        if s is not None:
            parts.append(
                f"Serving {label}: {s.replicas} × {s.tensor_parallel} {s.gpu} (batch {s.batch}, "
                f"{s.tokens_per_second_per_replica:,.0f} tokens/s per replica, TTFT {s.ttft_ms:.0f} ms, "
                f"TPOT {s.tpot_ms:.1f} ms, {s.memory_gb_per_gpu:.0f} GB per GPU)"
            )
    for label, t in (("cloud", result.training_cloud), ("on premises", result.training_local)):
        if t is not None and t.method != "none":
            parts.append(
                f"Fine-tuning {label}: {t.gpus} {t.gpu}, {t.gpu_hours:,.0f} GPU-hours per run, "
                f"{t.wall_clock_hours:,.1f} h, {t.memory_gb_per_gpu:.0f} GB per GPU"
            )
    return ". ".join(parts) + "." if parts else ""


def show(decision: Decision) -> None:
    """The Explorer's cost panel: headline, then one chart at a time (only the open tab is built)."""
    st.subheader("Cost over the horizon")
    if decision.cost is None:
        st.error(literal(decision.cost_error))
        return
    try:
        unc = decision.uncertainty()
    except ExplorerError as exc:
        st.error(literal(exc))
        return
    result = decision.cost
    headline(decision, result, unc)
    for note in result.notes:
        st.info(note, icon=":material/info:")
    names = {"cumulative": "Cumulative", "totals": "Totals", "breakdown": "Breakdown", "tornado_top": "What moves it"}
    tabs = st.tabs(list(names.values()), key="cost_tab", on_change="rerun")
    for name, tab in zip(names, tabs, strict=True):
        if tab.open:  # lazy: only the chart in sight is built (the tornado's sweep runs only there)
            with tab:
                if not paint.charts_now():  # a session's first run: the chart follows (pages/parts/paint.py)
                    paint.waiting()
                    continue
                try:
                    st.plotly_chart(cache.cost_figure(decision, name), key=f"panel_{name}")
                except ExplorerError as exc:
                    st.error(literal(exc))
    st.caption(sizing_caption(result))
    table = pd.DataFrame(
        [{"Option": option_short(o.key), "Status": "feasible" if o.feasible else "✕ ruled out",
          "Total": money(o.total), "Present value": money(o.present_value), "P50": money(unc.p50[o.key]),
          "P10–P90": f"{money(unc.p10[o.key])} – {money(unc.p90[o.key])}",
          "Per million tokens": money(o.per_million_tokens),
          "Break-even": result.break_even_text(o.key),
          "Cloud serving": SERVING_MODE_LABELS[o.serving_mode] if o.serving_mode else "—",
          "Cloud GPUs busy": "—" if o.cloud_utilisation is None else f"{o.cloud_utilisation:.0%}",
          "On-prem pool busy": "—" if o.onprem_utilisation is None else f"{o.onprem_utilisation:.0%}"}
         for o in result.options]
    )
    st.dataframe(table, hide_index=True, key="panel_table")
    st.page_link("pages/cost.py", label="Open the cost model: prices, sources, sizing", icon=":material/payments:")

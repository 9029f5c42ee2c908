"""The cost panel: the Explorer's summary of the cost model, and the cached analysis both pages use."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import Assessment, Catalog, ExplorerError, charts
from explorer.catalog import option_key
from explorer.cost import CostAnalysis, CostResult, analyse

SAMPLES = 2000


@st.cache_data(max_entries=256, show_spinner=False)
def _analyse(_cat: Catalog, catalog_id: int, assessment_json: str, samples: int) -> CostAnalysis:
    del catalog_id  # part of the cache key only: a reloaded catalog is a new object
    return analyse(_cat, Assessment.model_validate_json(assessment_json), samples=samples)


def analysis(cat: Catalog, assessment: Assessment, samples: int = SAMPLES) -> CostAnalysis:
    """The cost analysis of ``assessment``, cached by its content."""
    return _analyse(cat, id(cat), assessment.model_dump_json(), samples)


@st.cache_resource(max_entries=128, show_spinner=False)
def _panel_figures(_cat: Catalog, catalog_id: int, assessment_json: str, samples: int) -> tuple:
    """The panel's four figures, built once per content (building a plotly figure costs tens of ms).

    Shared read-only across sessions: st.plotly_chart only serialises a figure, it never changes it.
    """
    del catalog_id
    assessment = Assessment.model_validate_json(assessment_json)
    a = analysis(_cat, assessment, samples)
    result, s, u = a.result, assessment.scenario, assessment.use_case
    return (
        charts.cumulative_chart(result, a.uncertainty, (s, u)),
        charts.breakdown_chart(result),
        charts.totals_chart(result, a.uncertainty, option_key(s, u)),
        charts.tornado_chart(a.sensitivity, top=8),
    )


def money(value: float | None) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.2f}M"
    if abs(value) >= 1e4:
        return f"${value / 1e3:,.0f}k"
    return f"${value:,.2f}"


def headline(result: CostResult, a: CostAnalysis, scenario: int, use_case: str) -> None:
    """Four numbers for the chosen option: total with P10–P90, per million tokens, break-even, GPUs."""
    chosen = result.option(scenario, use_case)
    key = option_key(scenario, use_case)
    unc = a.uncertainty
    cols = st.columns(4)
    cols[0].metric(f"Total, S{scenario} · {use_case}, {result.horizon_months} months", money(chosen.total),
                   help=f"P10 {money(unc.p10[key])} · P50 {money(unc.p50[key])} · P90 {money(unc.p90[key])} "
                        f"({unc.samples:,} samples)")
    cols[0].caption(f"P10 {money(unc.p10[key])} · P50 {money(unc.p50[key])} · P90 {money(unc.p90[key])}")
    cols[1].metric("Per million generated tokens", money(chosen.per_million_tokens))
    if key == result.reference:
        be = "reference"
    elif chosen.break_even_month is None:
        be = "never"
    else:
        be = f"month {chosen.break_even_month}"
    cols[2].metric("Break-even vs all-cloud (S2 · 1B)", be,
                   help="First month from which this option's cumulative cost stays at or below the all-cloud one.")
    cols[3].metric("GPUs: cloud serving / on premises", f"{chosen.cloud_serving_gpus} / {chosen.onprem_gpus}",
                   help=f"{chosen.onprem_gpus_new} of the on-premises GPUs are bought.")


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


def show(cat: Catalog, assessment: Assessment) -> None:
    """The Explorer's cost panel: headline, cumulative curves, totals, breakdown and tornado."""
    st.subheader("Cost over the horizon")
    try:
        a = analysis(cat, assessment)
    except ExplorerError as exc:
        st.error(str(exc))
        return
    result = a.result
    s, u = assessment.scenario, assessment.use_case
    headline(result, a, s, u)
    for note in result.notes:
        st.info(note, icon=":material/info:")
    cumulative, breakdown, totals, tornado = _panel_figures(cat, id(cat), assessment.model_dump_json(), SAMPLES)
    left, right = st.columns(2)
    with left:
        st.plotly_chart(cumulative, key="panel_cumulative")
        st.plotly_chart(breakdown, key="panel_breakdown")
    with right:
        st.plotly_chart(totals, key="panel_totals")
        st.plotly_chart(tornado, key="panel_tornado")
    st.caption(sizing_caption(result))
    table = pd.DataFrame(
        [{"Option": f"S{o.scenario} · {o.use_case}", "Total": money(o.total),
          "P10–P90": f"{money(a.uncertainty.p10[o.key])} – {money(a.uncertainty.p90[o.key])}",
          "Per million tokens": money(o.per_million_tokens),
          "Break-even (month)": "reference" if o.key == result.reference else (o.break_even_month or "never")}
         for o in result.options]
    )
    table["Break-even (month)"] = table["Break-even (month)"].astype(str)
    st.dataframe(table, hide_index=True, key="panel_table")
    st.page_link("pages/cost.py", label="Open the cost model: prices, sources, sizing", icon=":material/payments:")

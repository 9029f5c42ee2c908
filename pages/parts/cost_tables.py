"""The Cost page's tables: line items by option, the sizing behind the cost, and every price to edit."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from explorer import Assessment, Catalog, CostResult
from explorer.engine.cost import LINE_ITEMS
from explorer.model.vocabulary import option_short
from explorer.render.estimate import monthly_csv
from explorer.render.markdown import literal
from explorer.render.tables import onprem_pool_rows
from pages.parts import shell, state

PRICES_NOTICE = "_price_notice"


def line_items(result: CostResult, stem: str) -> None:
    st.subheader("Line items by option")
    items = pd.DataFrame({_column(o): {LINE_ITEMS[k]: v for k, v in o.line_items.items()}
                          for o in result.options})
    items.loc["Total"] = items.sum()
    st.dataframe(items.style.format("${:,.0f}"), key="cost_items")
    if not all(o.feasible for o in result.options):
        st.caption("✕ marks an option a hard rule rules out: costed for comparison only.")
    pool = onprem_pool_rows(result)
    if pool:
        st.markdown("**On-premises GPU pool** (training uses the spare serving replicas first; all-in = servers "
                    "less residual, power, space, support and staff)")
        st.dataframe(pd.DataFrame(pool), hide_index=True, key="cost_pool")
    st.download_button("Monthly costs (CSV)", monthly_csv(result), f"{stem}.csv", "text/csv",
                       key="dl_monthly_csv", icon=":material/download:", on_click="ignore")


def _column(o) -> str:
    return option_short(o.key) + ("" if o.feasible else " ✕ ruled out")


def _round(value: float | None, digits: int = 0) -> float | None:
    """A latency for the table; None (no steady state) stays empty."""
    return None if value is None else round(value, digits)


def sizing(result: CostResult) -> None:
    st.subheader("Sizing behind the cost")
    train_rows, serve_rows = [], []
    for where, t in (("Public cloud", result.training_cloud), ("On premises", result.training_local)):
        if t is not None:
            train_rows.append({"Where": where, "GPU": t.gpu, "Method": t.method, "Tokens": f"{t.tokens:.3g}",
                               "FLOPs": f"{t.flops:.3g}", "MFU": f"{t.mfu:.0%}",
                               "GPU-hours per run": round(t.gpu_hours), "GPUs": t.gpus,
                               "GPUs for memory": t.gpus_for_memory, "Wall clock (h)": round(t.wall_clock_hours, 1),
                               "Memory per GPU (GB)": round(t.memory_gb_per_gpu, 1)})
    for where, v in (("Public cloud", result.serving_cloud), ("On premises", result.serving_local)):
        if v is not None:
            load = v.load
            loaded = {"TTFT P50 (ms)": _round(load.ttft_p50_ms), "TTFT peak (ms)": _round(load.ttft_peak_ms),
                      "TPOT P50 (ms)": _round(load.tpot_p50_ms, 1), "TPOT peak (ms)": _round(load.tpot_peak_ms, 1),
                      "Load at peak": f"{load.utilisation_peak:.0%}"} if load else {}
            serve_rows.append({"Where": where, "Engine": load.engine_name if load else "", "GPU": v.gpu,
                               "Precision": v.precision, "Tensor parallel": v.tensor_parallel, "Batch": v.batch,
                               "Replicas": v.replicas, "GPUs": v.gpus, **loaded,
                               "Tokens/s per replica": round(v.tokens_per_second_per_replica),
                               "Prefill alone (ms)": round(v.ttft_ms), "Step at full batch (ms)": round(v.tpot_ms, 1),
                               "TPOT met": v.tpot_met, "Bound": v.bound,
                               "Memory per GPU (GB)": round(v.memory_gb_per_gpu, 1)})
    if train_rows:
        st.markdown("**Fine-tuning** (6·N·D FLOPs × the method's factor, at the stated MFU)")
        st.dataframe(pd.DataFrame(train_rows), hide_index=True, key="sizing_training")
    if serve_rows:
        st.markdown("**Serving** (roofline: decode reads weights + KV cache per step, prefill is compute-bound; "
                    "TTFT and TPOT under load at the average (P50) and the peak traffic per replica, with queueing "
                    "and prefill–decode interference)")
        st.dataframe(pd.DataFrame(serve_rows), hide_index=True, key="sizing_serving")
    if result.serving_note:
        st.caption(" ".join(s for s in (result.serving_note, result.serving_choice) if s))


def _apply_price_edits(editor_key: str, keys: list[str]) -> None:
    """Turn the editor's edited rows into overrides in ``assessment.prices`` (validated here, not later)."""
    cat = shell.catalog()
    edits = (st.session_state.get(editor_key) or {}).get("edited_rows", {})
    prices = dict(st.session_state[state.STATE].get("prices") or {})
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
    st.session_state[state.STATE]["prices"] = prices


def _reset_prices() -> None:
    st.session_state[state.STATE]["prices"] = {}


def prices(cat: Catalog, assessment: Assessment, result: CostResult) -> None:
    st.subheader("Prices and assumptions")
    notice = st.session_state.pop(PRICES_NOTICE, None)
    if notice:
        st.warning(literal(notice))
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

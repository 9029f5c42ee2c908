"""The sidebar's folding sections: constraints, criterion weights and workload (drawn only while open)."""

from __future__ import annotations

import streamlit as st

from explorer import Catalog
from explorer.model.assessment import bounds
from explorer.model.link import WEIGHT_PREFIX, default_weights
from explorer.model.vocabulary import (
    CLASSIFICATIONS,
    METHOD_CHOICES,
    PROVIDER_NAMES,
    REGIME_LABELS,
    REGION_NAMES,
    RESIDENCY_LABELS,
    SKILL_LABELS,
)
from pages.parts import state


def constraints(cat: Catalog) -> None:
    """Where the work may run: provider, region, data rules, latency, skills and lead time."""
    st.selectbox("Cloud provider", list(PROVIDER_NAMES), key="cloud_provider",
                 format_func=PROVIDER_NAMES.__getitem__)
    st.selectbox("Premises region", list(REGION_NAMES), key="region", format_func=REGION_NAMES.__getitem__,
                 help="Where the on-premises GPUs run: sets the electricity price (US EIA industrial, Eurostat "
                      "non-household; see the Cost page's table).")
    st.selectbox("Data classification", list(CLASSIFICATIONS), key="data_classification",
                 format_func=str.capitalize)
    st.multiselect("Data classes policy allows in the cloud", list(CLASSIFICATIONS), key="cloud_allowed_classes",
                   format_func=str.capitalize,
                   help="The customer's policy. Data of a class not listed (and training on it) stays on the "
                        "premises. Regulations alone never forbid the cloud: HIPAA, GDPR and PCI DSS ask for "
                        "a BAA, a DPA and an AoC, shown as cautions.")
    st.selectbox("Residency", list(RESIDENCY_LABELS), key="residency", format_func=RESIDENCY_LABELS.__getitem__)
    st.multiselect("Compliance", list(REGIME_LABELS), key="compliance", format_func=REGIME_LABELS.__getitem__)
    st.toggle("Air-gapped site", key="air_gapped")
    st.selectbox("Model licence", ["open", "proprietary"], key="model_licence", format_func=str.capitalize)
    st.number_input("Cloud round trip (ms)", **bounds("constraints.cloud_rtt_ms"), step=5.0, key="cloud_rtt_ms")
    st.number_input("Uplink to the cloud (Gbit/s)", **bounds("constraints.uplink_gbps"), step=1.0,
                    key="uplink_gbps", help="The premises' link to the cloud: how long the dataset, the weights "
                    "and the daily data take to cross it.")
    st.number_input("Time-to-first-token target (ms)", **bounds("workload.ttft_target_ms"), step=50.0,
                    key="ttft_target_ms")
    st.toggle("Data is anonymised", key="anonymised_data",
              help="Anonymised (de-identified, tokenised) data is exempt from the classification and "
                   "residency rules.")
    st.toggle("Cloud only", key="cloud_only", help="The customer runs no AI infrastructure of its own.")
    st.multiselect("Skills in house", list(SKILL_LABELS), key="skills", format_func=SKILL_LABELS.__getitem__)
    st.number_input("Procurement lead time (weeks)", **bounds("constraints.procurement_weeks"), step=1.0,
                    key="procurement_weeks", help="How long new GPUs take to arrive (GPUs owned: see Workload).")


def weights(cat: Catalog) -> None:
    """How much each criterion counts in the score."""
    st.caption("How much each criterion counts in the score (0 = ignore, 5 = dominant).")
    saved = st.session_state.get(state.WEIGHTS) or default_weights(cat)
    for c in cat.criteria:
        key = f"{WEIGHT_PREFIX}{c.id}"
        if key not in st.session_state:
            st.session_state[key] = float(saved.get(c.id, c.default_weight))
        st.slider(c.name, min_value=0.0, max_value=5.0, step=0.25, key=key, help=c.question)
    st.button("Reset weights", key="reset_weights", on_click=state.reset_weights, args=(cat,))


def workload(cat: Catalog) -> None:
    """The cost model's workload: traffic, tokens, fine-tuning and the horizon."""
    st.number_input("Horizon (months)", **bounds("horizon_months"), step=6, key="horizon_months")
    st.number_input("Requests per day", **bounds("workload.requests_per_day"), step=5_000.0, format="%.0f",
                    key="requests_per_day")
    cols = st.columns(2)
    cols[0].number_input("Input tokens", **bounds("workload.input_tokens"), step=100, key="input_tokens")
    cols[1].number_input("Output tokens", **bounds("workload.output_tokens"), step=50, key="output_tokens")
    cols = st.columns(2)
    cols[0].number_input("TPOT target (ms)", **bounds("workload.tpot_target_ms"), step=5.0, key="tpot_target_ms",
                         help="Time per output token: limits the serving batch.")
    cols[1].number_input("Peak factor", **bounds("workload.peak_factor"), step=0.5, key="peak_factor",
                         help="Peak request rate over the daily average.")
    engines = {e.id: e.name for e in cat.engines}
    st.selectbox("Serving engine", list(engines), format_func=engines.__getitem__, key="serving_engine",
                 help="Its efficiency profile, calibrated against its published benchmarks (data/engines.yaml), "
                      "sets throughput and the latency under load.")
    st.selectbox("Fine-tuning", list(METHOD_CHOICES), format_func=METHOD_CHOICES.__getitem__,
                 key="finetune_method")
    cols = st.columns(2)
    cols[0].number_input("Dataset tokens", **bounds("workload.dataset_tokens"), step=1e8, format="%.3g",
                         key="dataset_tokens")
    cols[1].number_input("Epochs", **bounds("workload.epochs"), step=1.0, key="epochs")
    st.number_input("Retrain every (months, 0 = never)", **bounds("workload.retrain_every_months"), step=1,
                    key="retrain_every_months")
    gpus = {g.id: g.name for g in cat.gpus}
    cols = st.columns([3, 2])
    cols[0].selectbox("GPUs already owned", list(gpus), format_func=gpus.__getitem__, key="owned_gpu")
    cols[1].number_input("Count", **bounds("constraints.owned_gpus.count"), step=8, key="owned_gpu_count")

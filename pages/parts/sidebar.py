"""The shared sidebar: presets, customer, model, constraints, weights, workload and the assessment file.

Drawn by app.py before the page runs, so its widgets keep their state on every page switch.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from explorer import Catalog, ExplorerError, decide, parse_assessment
from explorer.model.assessment import bounds
from explorer.model.formatting import slug
from explorer.model.link import WEIGHT_PREFIX, default_weights
from explorer.model.vocabulary import (
    CLASSIFICATIONS,
    METHOD_CHOICES,
    PROVIDER_NAMES,
    REGIME_LABELS,
    REGION_NAMES,
    RESIDENCY_LABELS,
    SKILL_LABELS,
    split_key,
)
from pages.parts import state, uploads

# The sidebar's folding sections, by label: the key is the expander's, which tests and load tools open.
SECTIONS = {"Constraints": "sidebar_constraints", "Criterion weights": "sidebar_weights",
            "Workload": "sidebar_workload"}


def _load_preset(cat: Catalog) -> None:
    """Load the chosen preset, on the option the decision recommends for it (or its own, if none is open)."""
    preset_id = st.session_state.get("preset")
    if not preset_id:
        return
    try:
        assessment = parse_assessment(cat.preset(preset_id).assessment, f"preset '{preset_id}'", cat)
        best = decide(cat, assessment, state.current_weights(cat)).recommended
        if best is not None:
            assessment = assessment.with_choice(*split_key(best.key))
        state.replace_assessment(assessment)
        st.session_state.pop(state.NOTICE, None)
        st.session_state["preset"] = None
    except ExplorerError as exc:
        state.notify(str(exc))


def sidebar(cat: Catalog) -> DeltaGenerator:
    """The assessment inputs every page shares; returns the place for the assessment file's download."""
    state.bind(*(k for k in state.FIELDS if k not in state.PAGE_KEYS))
    sb = st.sidebar
    sb.header("Assessment")
    presets = {p.id: p.name for p in cat.presets}
    sb.selectbox("Preset", list(presets), format_func=presets.__getitem__, key="preset", index=None,
                 placeholder="Choose a preset…", on_change=_load_preset, args=(cat,),
                 help="A worked example: choosing one loads its whole assessment, on the option recommended for "
                      "it. The box then empties again, so it never names a preset the page no longer shows.")
    sb.text_input("Customer", key="customer", max_chars=200, placeholder="Customer name, shown in titles")
    models = {m.id: m.name for m in cat.models}
    sb.selectbox("Model", list(models), format_func=models.__getitem__, key="model")
    file_box = sb.container(border=True, key="assessment_file")
    with file_box:
        st.markdown("**Assessment file**")
        st.file_uploader("Load an assessment (YAML or JSON)", type=["yaml", "yml", "json"], key="upload",
                         on_change=uploads.assessment_file, args=(cat,))
        st.file_uploader("Price book (YAML or CSV: key, value)", type=["yaml", "yml", "csv"], key="price_book",
                         on_change=uploads.price_book, args=(cat,),
                         help="Your negotiated prices for any catalog keys (see the Cost page's table). They "
                              "replace the catalog's, and travel with the assessment as price overrides.")
    # Drawn only while open (``on_change="rerun"``): a closed section sends nothing, and its fields keep their
    # values in the assessment (state.bind seeds them again when it opens). A room's reruns stay small.
    for (label, key), draw in zip(SECTIONS.items(), (_constraints, _weights, _workload), strict=True):
        section = sb.expander(label, key=key, on_change="rerun")
        with section:
            if section.open:
                draw(cat)
    return file_box


def _constraints(cat: Catalog) -> None:
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


def _weights(cat: Catalog) -> None:
    """How much each criterion counts in the score."""
    st.caption("How much each criterion counts in the score (0 = ignore, 5 = dominant).")
    saved = st.session_state.get(state.WEIGHTS) or default_weights(cat)
    for c in cat.criteria:
        key = f"{WEIGHT_PREFIX}{c.id}"
        if key not in st.session_state:
            st.session_state[key] = float(saved.get(c.id, c.default_weight))
        st.slider(c.name, min_value=0.0, max_value=5.0, step=0.25, key=key, help=c.question)
    st.button("Reset weights", key="reset_weights", on_click=state.reset_weights, args=(cat,))


def _workload(cat: Catalog) -> None:
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


def downloads(where: DeltaGenerator, yaml_text: str, customer: str) -> None:
    """Save: the assessment as the widgets now say, as a file (drawn in the sidebar's file box)."""
    where.download_button("Save the assessment (YAML)", yaml_text, f"{slug(customer or 'assessment')}.yaml",
                          "application/yaml", key="download_yaml", on_click="ignore", icon=":material/download:",
                          width="stretch")

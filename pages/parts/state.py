"""The session's assessment and weights: taken from the link once, then from the widgets, and written back."""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from explorer import Assessment, Catalog, ExplorerError, parse_assessment
from explorer.model.formatting import sentence
from explorer.model.link import WEIGHT_PREFIX, assessment_from_link, default_weights, link_query, weights_from_link
from explorer.render.markdown import literal
from pages.parts import view

STATE = "_assessment"  # the canonical assessment, as a JSON-able dict
NOTICE = "_notice"  # a message to show once, after a rerun
SHOWN = "_notice_shown"  # the notice this run showed (a follow-up run shows it again: pages/parts/paint.py)
WEIGHTS = "_weights"  # the canonical criterion weights, {criterion: weight}

# Widget key -> dotted field of the assessment. Widget keys are also what tests and load tools drive.
FIELDS: dict[str, str] = {
    "scenario": "scenario", "use_case": "use_case", "customer": "customer", "model": "workload.model",
    "cloud_provider": "constraints.cloud_provider", "region": "constraints.region",
    "data_classification": "constraints.data_classification",
    "residency": "constraints.residency", "compliance": "constraints.compliance",
    "cloud_allowed_classes": "constraints.cloud_allowed_classes",
    "air_gapped": "constraints.air_gapped", "model_licence": "constraints.model_licence",
    "cloud_rtt_ms": "constraints.cloud_rtt_ms", "uplink_gbps": "constraints.uplink_gbps",
    "ttft_target_ms": "workload.ttft_target_ms",
    "anonymised_data": "constraints.anonymised_data", "cloud_only": "constraints.cloud_only",
    "skills": "constraints.skills", "procurement_weeks": "constraints.procurement_weeks",
    "horizon_months": "horizon_months", "requests_per_day": "workload.requests_per_day",
    "input_tokens": "workload.input_tokens", "output_tokens": "workload.output_tokens",
    "tpot_target_ms": "workload.tpot_target_ms", "peak_factor": "workload.peak_factor",
    "serving_engine": "workload.serving_engine",
    "finetune_method": "workload.finetune_method", "dataset_tokens": "workload.dataset_tokens",
    "epochs": "workload.epochs", "retrain_every_months": "workload.retrain_every_months",
    "owned_gpu": "constraints.owned_gpus.gpu", "owned_gpu_count": "constraints.owned_gpus.count",
    "costing_gpu": "costing.gpu", "serving_precision": "costing.serving_precision", "capex": "costing.capex",
    "cloud_pricing": "costing.cloud_pricing", "training_days": "costing.training_days",
    "sensitivity_pct": "costing.sensitivity_pct", "cloud_serving": "workload.cloud_serving",
}


# The widgets pages draw themselves (Explorer, Cost); every other field's widget is in the shared sidebar.
PAGE_KEYS = frozenset({"scenario", "use_case", "costing_gpu", "serving_precision", "capex", "cloud_pricing",
                       "training_days", "sensitivity_pct", "cloud_serving"})


def _get(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        data = data[part]
    return data


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data[part]
    data[last] = value


def _widget_value(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value


def init_state(cat: Catalog) -> None:
    """On a session's first run, take the assessment and the weights from the link (or the defaults)."""
    if STATE in st.session_state:
        return
    params = st.query_params.to_dict()
    assessment, problem = assessment_from_link(params, cat)
    weights, problems = weights_from_link(params, cat)
    view_problem = view.from_link(params)
    st.session_state[STATE] = assessment.to_dict()
    st.session_state[WEIGHTS] = weights
    notice = " ".join(p for p in (problem, *problems, view_problem) if p)
    if notice:
        st.session_state[NOTICE] = notice


def bind(*keys: str) -> None:
    """Seed the widgets a page draws (``keys``) from the assessment, so they survive a page switch.

    A widget that another page also draws under the same key (Scenario, Use case) is a new widget there,
    and Streamlit resets it to its default unless the key holds a value set by code; so the value is set
    here, before the widget is drawn: the widget's own state if it has one, else the assessment's.
    """
    values = st.session_state[STATE]
    for key in keys:
        current = st.session_state.get(key)
        st.session_state[key] = _widget_value(_get(values, FIELDS[key])) if current is None else current


def current_assessment(cat: Catalog, weights: dict[str, float]) -> Assessment:
    """The assessment as the widgets now say, also written into the URL.

    A widget value the assessment refuses is named in one sentence; the previous assessment is kept whole.
    """
    previous = st.session_state[STATE]
    values = copy.deepcopy(previous)
    for key, path in FIELDS.items():
        if st.session_state.get(key) is not None:  # no field takes None: a cleared control keeps its value
            _set(values, path, st.session_state[key])
    try:
        assessment = parse_assessment(values, "the form", cat)
    except ExplorerError as exc:
        st.error(literal(f"{sentence(str(exc))} The previous value is kept."))
        assessment = parse_assessment(previous, "the form", cat)
    st.session_state[STATE] = assessment.to_dict()
    query = link_query(assessment, weights, cat, present=view.presenting())
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    return assessment


def current_weights(cat: Catalog) -> dict[str, float]:
    """The weights the sliders now say (the canonical copy is kept in session state)."""
    weights = dict(st.session_state.get(WEIGHTS) or default_weights(cat))
    for cid in weights:
        key = f"{WEIGHT_PREFIX}{cid}"
        if key in st.session_state:
            weights[cid] = float(st.session_state[key])
    st.session_state[WEIGHTS] = weights
    return weights


def reset_weights(cat: Catalog) -> None:
    st.session_state[WEIGHTS] = default_weights(cat)
    for cid, value in default_weights(cat).items():
        st.session_state[f"{WEIGHT_PREFIX}{cid}"] = value


def replace_assessment(assessment: Assessment) -> None:
    """Make ``assessment`` current: every widget takes its value on the next run."""
    st.session_state[STATE] = assessment.to_dict()
    for key, path in FIELDS.items():
        st.session_state[key] = _widget_value(_get(st.session_state[STATE], path))


def notify(message: str) -> None:
    st.session_state[NOTICE] = message


def show_notice() -> None:
    notice = st.session_state[SHOWN] = st.session_state.pop(NOTICE, None)
    if notice:
        st.warning(literal(notice))

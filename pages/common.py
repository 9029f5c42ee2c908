"""What every page shares: the catalog, the assessment in session state and the URL, the sidebar."""

from __future__ import annotations

from typing import Any

import streamlit as st

from explorer import (
    Assessment,
    Catalog,
    ExplorerError,
    from_query,
    load_catalog,
    parse_assessment,
    parse_assessment_text,
    to_query,
)
from explorer.catalog import LOCATION_LABELS

STATE = "_assessment"  # the canonical assessment, as a JSON-able dict
NOTICE = "_notice"  # a message to show once, after a rerun

# Widget key -> dotted field of the assessment. Widget keys are also what tests drive.
FIELDS: dict[str, str] = {
    "scenario": "scenario",
    "use_case": "use_case",
    "customer": "customer",
    "model": "workload.model",
    "cloud_provider": "constraints.cloud_provider",
    "data_classification": "constraints.data_classification",
    "residency": "constraints.residency",
    "compliance": "constraints.compliance",
    "air_gapped": "constraints.air_gapped",
    "model_licence": "constraints.model_licence",
    "cloud_rtt_ms": "constraints.cloud_rtt_ms",
    "ttft_target_ms": "workload.ttft_target_ms",
    # Workload (sidebar) and costing (Cost page): the cost model's inputs.
    "horizon_months": "horizon_months",
    "requests_per_day": "workload.requests_per_day",
    "input_tokens": "workload.input_tokens",
    "output_tokens": "workload.output_tokens",
    "tpot_target_ms": "workload.tpot_target_ms",
    "peak_factor": "workload.peak_factor",
    "finetune_method": "workload.finetune_method",
    "dataset_tokens": "workload.dataset_tokens",
    "epochs": "workload.epochs",
    "retrain_every_months": "workload.retrain_every_months",
    "owned_gpu": "constraints.owned_gpus.gpu",
    "owned_gpu_count": "constraints.owned_gpus.count",
    "costing_gpu": "costing.gpu",
    "serving_precision": "costing.serving_precision",
    "capex": "costing.capex",
    "cloud_pricing": "costing.cloud_pricing",
    "training_days": "costing.training_days",
    "sensitivity_pct": "costing.sensitivity_pct",
}
METHODS = {"none": "None (use the foundation model)", "full": "Full fine-tuning", "lora": "LoRA", "qlora": "QLoRA"}


PROVIDERS = {"aws": "AWS", "azure": "Microsoft Azure", "gcp": "Google Cloud", "ibm": "IBM Cloud"}
RESIDENCY = {"none": "None", "in_country": "In country", "on_premises": "On premises"}
REGIMES = {"gdpr": "GDPR", "hipaa": "HIPAA", "pci_dss": "PCI DSS", "eu_ai_act_high_risk": "EU AI Act (high risk)"}


def catalog() -> Catalog | None:
    """The catalog, or None after showing the one-sentence error that names the file."""
    try:
        return load_catalog()
    except ExplorerError as exc:
        st.error(f"The app's data could not be loaded. {exc}")
        return None


def _get(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        data = data[part]
    return data


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data[part]
    data[last] = value


def _load_widgets(values: dict[str, Any]) -> None:
    for key, path in FIELDS.items():
        value = _get(values, path)
        st.session_state[key] = list(value) if isinstance(value, list | tuple) else value


def init_state(cat: Catalog) -> None:
    """On a session's first run, take the assessment from the URL (or the default)."""
    if STATE in st.session_state:
        return
    try:
        assessment = from_query(st.query_params.to_dict(), cat)
    except ExplorerError as exc:
        st.session_state[NOTICE] = f"The shared link could not be used as it is. {exc} Showing the default view."
        assessment = _salvage_choice(st.query_params.to_dict())
    st.session_state[STATE] = assessment.to_dict()


def _salvage_choice(params: dict[str, str]) -> Assessment:
    """Keep a valid scenario and use case from a link whose other fields are bad."""
    keep = {}
    for key in ("scenario", "use_case"):
        if key in params:
            try:
                parse_assessment({key: params[key]})
                keep[key] = params[key]
            except ExplorerError:
                pass
    return parse_assessment(keep)


def current_assessment(cat: Catalog) -> Assessment:
    """The assessment as the widgets now say; also written into the URL."""
    init_state(cat)
    values = st.session_state[STATE]
    for key, path in FIELDS.items():
        if key in st.session_state:
            _set(values, path, st.session_state[key])
    try:
        assessment = parse_assessment(values, "the form", cat)
    except ExplorerError as exc:
        st.error(str(exc))
        assessment = Assessment()
    st.session_state[STATE] = assessment.to_dict()
    query = to_query(assessment)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    return assessment


def show_notice() -> None:
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.warning(notice)


def replace_assessment(assessment: Assessment) -> None:
    """Make ``assessment`` current: every widget takes its value on the next run."""
    st.session_state[STATE] = assessment.to_dict()
    _load_widgets(st.session_state[STATE])


def bind_widgets() -> None:
    """Give each widget that has no state yet its value from the assessment (e.g. after a page switch)."""
    values = st.session_state[STATE]
    for key, path in FIELDS.items():
        if key not in st.session_state:
            value = _get(values, path)
            st.session_state[key] = list(value) if isinstance(value, list | tuple) else value


def _load_preset(cat: Catalog) -> None:
    preset_id = st.session_state.get("preset")
    if not preset_id:
        return
    try:
        replace_assessment(parse_assessment(cat.preset(preset_id).assessment, f"preset '{preset_id}'", cat))
        st.session_state[NOTICE] = None
    except ExplorerError as exc:
        st.session_state[NOTICE] = str(exc)


def _load_upload(cat: Catalog) -> None:
    upload = st.session_state.get("upload")
    if upload is None:
        return
    try:
        text = upload.getvalue().decode("utf-8")
        replace_assessment(parse_assessment_text(text, f"file '{upload.name}'", cat))
    except UnicodeDecodeError:
        st.session_state[NOTICE] = f"Assessment file '{upload.name}' is not UTF-8 text; upload a YAML or JSON file."
    except ExplorerError as exc:
        st.session_state[NOTICE] = f"{exc} The previous assessment is kept."


def page_setup() -> tuple[Catalog, Assessment]:
    """Every page starts here: catalog, assessment from the URL or session, the shared sidebar.

    Stops the page (after one clear message) when the catalog cannot be loaded.
    """
    cat = catalog()
    if cat is None:
        st.stop()
    init_state(cat)
    sidebar(cat)
    assessment = current_assessment(cat)
    assessment_downloads(assessment)
    return cat, assessment


def sidebar(cat: Catalog) -> None:
    """The assessment inputs every page shares."""
    bind_widgets()
    sb = st.sidebar
    sb.header("Assessment")
    presets = {p.id: p.name for p in cat.presets}
    col1, col2 = sb.columns([2, 1], vertical_alignment="bottom")
    col1.selectbox("Preset", list(presets), format_func=presets.__getitem__, key="preset")
    col2.button("Load", key="load_preset", on_click=_load_preset, args=(cat,))
    sb.text_input("Customer", key="customer", max_chars=200, placeholder="Customer name, shown in titles")
    models = {m.id: m.name for m in cat.models}
    sb.selectbox("Model", list(models), format_func=models.__getitem__, key="model")
    with sb.expander("Constraints", expanded=True):
        st.selectbox("Cloud provider", list(PROVIDERS), key="cloud_provider", format_func=PROVIDERS.__getitem__)
        st.selectbox("Data classification", ["public", "internal", "confidential", "regulated"],
                     key="data_classification", format_func=str.capitalize)
        st.selectbox("Residency", list(RESIDENCY), key="residency", format_func=RESIDENCY.__getitem__)
        st.multiselect("Compliance", list(REGIMES), key="compliance", format_func=REGIMES.__getitem__)
        st.toggle("Air-gapped site", key="air_gapped")
        st.selectbox("Model licence", ["open", "proprietary"], key="model_licence", format_func=str.capitalize)
        st.number_input("Cloud round trip (ms)", min_value=0.0, max_value=10_000.0, step=5.0, key="cloud_rtt_ms")
        st.number_input("Time-to-first-token target (ms)", min_value=1.0, max_value=600_000.0, step=50.0,
                        key="ttft_target_ms")
    workload_inputs(cat)
    with sb.expander("Save or load a file"):
        st.file_uploader("Assessment file (YAML or JSON)", type=["yaml", "yml", "json"], key="upload",
                         on_change=_load_upload, args=(cat,))


def workload_inputs(cat: Catalog) -> None:
    """The cost model's workload: traffic, tokens, fine-tuning and the horizon."""
    with st.sidebar.expander("Workload", expanded=False):
        st.number_input("Horizon (months)", min_value=1, max_value=240, step=6, key="horizon_months")
        st.number_input("Requests per day", min_value=0.0, max_value=1e10, step=5_000.0, format="%.0f",
                        key="requests_per_day")
        cols = st.columns(2)
        cols[0].number_input("Input tokens", min_value=0, max_value=1_000_000, step=100, key="input_tokens")
        cols[1].number_input("Output tokens", min_value=0, max_value=1_000_000, step=50, key="output_tokens")
        cols = st.columns(2)
        cols[0].number_input("TPOT target (ms)", min_value=0.1, max_value=60_000.0, step=5.0, key="tpot_target_ms",
                             help="Time per output token: limits the serving batch.")
        cols[1].number_input("Peak factor", min_value=1.0, max_value=100.0, step=0.5, key="peak_factor",
                             help="Peak request rate over the daily average.")
        st.selectbox("Fine-tuning", list(METHODS), format_func=METHODS.__getitem__, key="finetune_method")
        cols = st.columns(2)
        cols[0].number_input("Dataset tokens", min_value=0.0, max_value=1e14, step=1e8, format="%.3g",
                             key="dataset_tokens")
        cols[1].number_input("Epochs", min_value=0.0, max_value=100.0, step=1.0, key="epochs")
        st.number_input("Retrain every (months, 0 = never)", min_value=0, max_value=120, step=1,
                        key="retrain_every_months")
        gpus = {g.id: g.name for g in cat.gpus}
        cols = st.columns([3, 2])
        cols[0].selectbox("GPUs already owned", list(gpus), format_func=gpus.__getitem__, key="owned_gpu")
        cols[1].number_input("Count", min_value=0, max_value=100_000, step=8, key="owned_gpu_count")


def assessment_downloads(assessment: Assessment) -> None:
    name = _slug(assessment.customer or "assessment")
    st.sidebar.download_button("Download assessment (YAML)", assessment.to_yaml(), f"{name}.yaml",
                               "application/yaml", key="download_yaml", on_click="ignore")


def _slug(text: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")
    return "-".join(part for part in slug.split("-") if part)[:60] or "assessment"


def location_label(location: str) -> str:
    return LOCATION_LABELS[location]


def file_stem(assessment: Assessment, view: str) -> str:
    return f"{_slug(assessment.customer or 'explorer')}-s{assessment.scenario}-{assessment.use_case}-{view}"


_RATING_COLOURS = {1: "#F8D7DA", 2: "#FCE5CD", 3: "#FFF3CD", 4: "#DFF0D8", 5: "#C3E6CB"}


def rating_style(rating: int) -> str:
    """Background colour of a 1..5 rating cell: red (weak) through green (strong)."""
    return f"background-color: {_RATING_COLOURS.get(int(rating), '#FFFFFF')}; text-align: center; font-weight: 600"

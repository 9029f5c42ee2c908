"""What every page shares: the catalog, the assessment in session state and the URL, the sidebar."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import streamlit as st

from explorer import (
    Assessment,
    AssessmentError,
    Catalog,
    ExplorerError,
    from_query,
    load_catalog,
    parse_assessment,
    parse_assessment_text,
    to_query,
)
from explorer.catalog import LOCATION_LABELS
from explorer.governance import resolve_weights

STATE = "_assessment"  # the canonical assessment, as a JSON-able dict
NOTICE = "_notice"  # a message to show once, after a rerun
WEIGHTS = "_weights"  # the canonical criterion weights, {criterion: weight}
WEIGHT_PREFIX = "w."  # URL query keys and widget keys of the weight sliders: w.<criterion>

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
    "anonymised_data": "constraints.anonymised_data",
    "cloud_only": "constraints.cloud_only",
    "skills": "constraints.skills",
    "procurement_weeks": "constraints.procurement_weeks",
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
SKILL_LABELS = {"gpu_infrastructure": "GPU infrastructure", "cloud_platform": "Cloud platform",
                "ml_engineering": "ML engineering"}


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
    """On a session's first run, take the assessment and the weights from the URL (or the defaults)."""
    if STATE in st.session_state:
        return
    params = st.query_params.to_dict()
    assessment, problem = assessment_from_link(params, cat)
    if problem:
        st.session_state[NOTICE] = problem
    st.session_state[STATE] = assessment.to_dict()
    weights, problems = weights_from_query(cat, params)
    st.session_state[WEIGHTS] = weights
    if problems:
        notice = st.session_state.get(NOTICE) or ""
        st.session_state[NOTICE] = (notice + " " if notice else "") + " ".join(problems)


def default_weights(cat: Catalog) -> dict[str, float]:
    return {c.id: float(c.default_weight) for c in cat.criteria}


def weights_from_query(cat: Catalog, params: dict[str, str]) -> tuple[dict[str, float], list[str]]:
    """Weights from ``w.<criterion>`` query keys; a bad key or value is skipped with one sentence each."""
    weights = default_weights(cat)
    problems = []
    for key, raw in params.items():
        if not key.startswith(WEIGHT_PREFIX):
            continue
        criterion = key.removeprefix(WEIGHT_PREFIX)
        value = raw[-1] if isinstance(raw, list) else raw
        if criterion not in weights:
            problems.append(f'The link\'s weight "{key}" names no criterion and is ignored; '
                            f'criteria: {", ".join(weights)}.')
            continue
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not 0 <= number <= 5:  # also rejects NaN
            problems.append(f'The link\'s weight "{key}" must be a number from 0 to 5 (got {value!r}) and is ignored.')
            continue
        weights[criterion] = number
    return weights, problems


def weight_query(cat: Catalog) -> dict[str, str]:
    """The weights that differ from the defaults, as ``w.<criterion>`` query parameters."""
    current = st.session_state.get(WEIGHTS) or default_weights(cat)
    return {
        f"{WEIGHT_PREFIX}{cid}": f"{value:g}"
        for cid, value in current.items()
        if value != default_weights(cat).get(cid)
    }


def current_weights(cat: Catalog) -> dict[str, float]:
    """The weights the sliders now say (canonical copy kept in session state)."""
    weights = dict(st.session_state.get(WEIGHTS) or default_weights(cat))
    for cid in weights:
        key = f"{WEIGHT_PREFIX}{cid}"
        if key in st.session_state:
            weights[cid] = float(st.session_state[key])
    st.session_state[WEIGHTS] = weights
    return weights


def weights(cat: Catalog) -> dict[str, float]:
    """The weights to use: the user's, or the defaults after one clear message when they cannot be used."""
    chosen = current_weights(cat)
    try:
        resolve_weights(cat, chosen)
    except ExplorerError as exc:
        st.error(f"{exc} Showing the default weights until one is raised.", icon=":material/balance:")
        return default_weights(cat)
    return chosen


def _reset_weights(cat: Catalog) -> None:
    st.session_state[WEIGHTS] = default_weights(cat)
    for cid, value in default_weights(cat).items():
        st.session_state[f"{WEIGHT_PREFIX}{cid}"] = value


def assessment_from_link(params: dict[str, str], cat: Catalog) -> tuple[Assessment, str]:
    """The assessment a link describes; a bad field is dropped (and named) rather than losing the whole link."""
    remaining = dict(params)
    dropped: list[str] = []
    first_error = ""
    for _ in range(len(params) + 1):
        try:
            assessment = from_query(remaining, cat)
            break
        except AssessmentError as exc:
            first_error = first_error or str(exc)
            field = exc.field.split("[", 1)[0]
            bad = [k for k in remaining if k == field or k.startswith(field + ".")]
            if not bad:
                return _salvage_choice(params), (
                    f"The shared link could not be used as it is. {_sentence(first_error)} Showing the default view.")
            dropped += bad
            for k in bad:
                del remaining[k]
        except ExplorerError as exc:
            return _salvage_choice(params), (
                f"The shared link could not be used as it is. {_sentence(str(exc))} Showing the default view.")
    else:  # pragma: no cover - every round drops a key, so the loop ends before this
        return _salvage_choice(params), "The shared link could not be used. Showing the default view."
    if not dropped:
        return assessment, ""
    names = ", ".join(f"'{k}'" for k in dropped)
    return assessment, (
        f"The shared link could not be used as it is. {_sentence(first_error)} Ignored {names}; the rest is kept.")


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


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
    query = {**to_query(assessment), **weight_query(cat)}
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
    """Give each widget that has no state yet its value from the assessment (e.g. after a page switch).

    A widget's own state is dropped when another page's script runs, which reset every sidebar input to its
    default on a page switch; re-assigning each key at the start of the run makes it session state that
    survives the switch (Streamlit's documented workaround).
    """
    values = st.session_state[STATE]
    for key, path in FIELDS.items():
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
        else:
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


_IN_NAVIGATION: contextvars.ContextVar[bool] = contextvars.ContextVar("in_navigation", default=False)


@contextlib.contextmanager
def navigation_context() -> Iterator[None]:
    """Marks the pages run by app.py's st.navigation (see :func:`page_setup`)."""
    token = _IN_NAVIGATION.set(True)
    try:
        yield
    finally:
        _IN_NAVIGATION.reset(token)


def run_through_app() -> None:
    """Run the app's navigation, then stop this run.

    Because a ``pages/`` folder exists, Streamlit also treats each file in it as a page of its
    own: a URL such as ``/reference`` can run ``pages/reference.py`` directly, without app.py's
    page config and navigation. Such a run hands over to app.py, whose navigation runs the page.
    """
    import app

    app.main()
    st.stop()


def page_setup() -> tuple[Catalog, Assessment]:
    """Every page starts here: catalog, assessment from the URL or session, the shared sidebar.

    Stops the page (after one clear message) when the catalog cannot be loaded.
    """
    if not _IN_NAVIGATION.get():
        run_through_app()
    cat = catalog()
    if cat is None:
        st.stop()
    init_state(cat)
    sidebar(cat)
    current_weights(cat)
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
        st.toggle("Data is anonymised", key="anonymised_data",
                  help="Anonymised (de-identified, tokenised) data is exempt from the classification and "
                       "residency rules.")
        st.toggle("Cloud only", key="cloud_only", help="The customer runs no AI infrastructure of its own.")
        st.multiselect("Skills in house", list(SKILL_LABELS), key="skills", format_func=SKILL_LABELS.__getitem__)
        st.number_input("Procurement lead time (weeks)", min_value=0.0, max_value=260.0, step=1.0,
                        key="procurement_weeks", help="How long new GPUs take to arrive (GPUs owned: see Workload).")
    with sb.expander("Criterion weights"):
        st.caption("How much each criterion counts in the score (0 = ignore, 5 = dominant).")
        saved = st.session_state.get(WEIGHTS) or default_weights(cat)
        for c in cat.criteria:
            key = f"{WEIGHT_PREFIX}{c.id}"
            # Re-assigned for the same reason as in bind_widgets: to survive a page switch.
            st.session_state[key] = st.session_state.get(key, float(saved.get(c.id, c.default_weight)))
            st.slider(c.name, min_value=0.0, max_value=5.0, step=0.25, key=key, help=c.question)
        st.button("Reset weights", key="reset_weights", on_click=_reset_weights, args=(cat,))
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


@st.cache_data(max_entries=256, show_spinner=False)
def _decide(data_dir: str, assessment_json: str, weight_items: tuple[tuple[str, float], ...]):
    from explorer.placement import place
    from explorer.thresholds import decision_thresholds

    cat = load_catalog(data_dir)
    assessment = Assessment.model_validate_json(assessment_json)
    result = place(cat, assessment, dict(weight_items))
    return result, decision_thresholds(cat, assessment, dict(weight_items), result=result)


def decision(cat: Catalog, assessment: Assessment, weights: dict[str, float]):
    """Placement of every option and the thresholds that would flip the recommendation (cached by content)."""
    return _decide(cat.data_dir, assessment.model_dump_json(), tuple(sorted(weights.items())))


def option_label(key: str) -> str:
    scenario, use_case = key.split("-")
    return f"Scenario {scenario} · {use_case}"


def trade_off_html(table, *, compact: bool = False) -> str:
    """The trade-off table as HTML: colour-coded ratings, the rationale on hover (escaped everywhere)."""
    import html as _html

    rows = []
    for r in table.rows:
        tip = _html.escape(f"{r.rationale} ({r.source})", quote=True)
        colour = _RATING_COLOURS.get(int(r.rating), "#FFFFFF")
        rows.append(
            f'<tr title="{tip}"><td>{_html.escape(r.name)}</td>'
            f'<td style="text-align:center">{r.weight:g}</td>'
            f'<td style="background:{colour};text-align:center;font-weight:700">{r.rating}</td>'
            f'<td class="why">{_html.escape(r.rationale)}</td></tr>'
        )
    style = ("<style>.tot{border-collapse:collapse;width:100%;font-size:13px;table-layout:fixed}"
             ".tot td,.tot th{border:1px solid #E2E8F0;padding:3px 6px;vertical-align:top;overflow:hidden;"
             "white-space:nowrap;text-overflow:ellipsis}"
             ".tot th{background:#F7FAFC;text-align:left}"
             ".tot td.why{color:#4A5568;font-size:12px}.tot tr:hover td{background-color:#EDF2F7}</style>")
    return (style + '<table class="tot"><colgroup><col style="width:32%"><col style="width:13%">'
            '<col style="width:12%"><col style="width:43%"></colgroup><thead><tr><th>Criterion</th>'
            "<th>Weight</th><th>Rating</th><th title=\"Hover a row for the full rationale\">Why (hover)</th>"
            "</tr></thead><tbody>" + "".join(rows)
            + "</tbody></table>")


if __name__ == "__main__":  # this helper module was opened as a page by its URL (/common)
    run_through_app()

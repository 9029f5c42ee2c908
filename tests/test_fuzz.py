"""Hypothesis over the assessment's whole allowed domain: every decision is finite and every renderer copes."""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer import ExplorerError, decide
from explorer.model.assessment import bounds
from explorer.model.loading import parse_assessment
from explorer.render import view_source

NUMBERS = ("workload.dataset_tokens", "workload.epochs", "workload.retrain_every_months", "workload.requests_per_day",
           "workload.input_tokens", "workload.output_tokens", "workload.ttft_target_ms", "workload.tpot_target_ms",
           "workload.peak_factor", "horizon_months", "constraints.cloud_rtt_ms", "constraints.procurement_weeks",
           "constraints.owned_gpus.count", "costing.training_days")


def _value(path: str) -> st.SearchStrategy[float]:
    """Any allowed value, its two ends and the smallest positive floats (subnormals) included."""
    b = bounds(path)
    lo, hi = b["min_value"], b["max_value"]
    if isinstance(lo, int):
        return st.integers(lo, hi)
    edges = [lo, hi, *((5e-324, 1e-300) if lo == 0 else ())]
    return st.one_of(st.sampled_from(edges), st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def _nested(values: dict[str, float]) -> dict:
    out: dict = {}
    for path, value in values.items():
        *parents, last = path.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


ASSESSMENTS = st.fixed_dictionaries(
    {"scenario": st.integers(1, 4), "use_case": st.sampled_from(["1A", "1B"])},
    optional={path: _value(path) for path in NUMBERS},
).map(_nested)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=ASSESSMENTS, model=st.sampled_from(["llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "mixtral-8x7b"]))
def test_every_allowed_assessment_decides_finitely(catalog, raw, model):
    a = parse_assessment({**raw, "workload": {**raw.get("workload", {}), "model": model}}, catalog=catalog)
    d = decide(catalog, a)
    assert len(d.options) == 8
    assert all(math.isfinite(o.score) for o in d.options)
    if d.cost is not None:
        json.dumps(d.cost.to_dict(), allow_nan=False)  # raises on NaN or infinity anywhere in the contract
    for view in ("architecture", "c4-context", "c4-container", "sequence", "flowchart"):
        assert view_source(d, view).startswith("digraph")
    for view in ("flowchart", "c4-context", "sequence"):
        assert view_source(d, view, fmt="mermaid")
    try:
        u = d.uncertainty(200)
    except ExplorerError:
        return  # one sentence for the user (the cost panel shows it): not a crash
    assert all(math.isfinite(v) for v in (*u.p10.values(), *u.p90.values()))


# --- random links through every page (AppTest) ------------------------------------------------------------

PAGES = ("pages/explore.py", "pages/compare.py", "pages/cost.py", "pages/diagrams.py", "pages/report.py",
         "pages/reference.py")
KEYS = ("scenario", "use_case", "customer", "workload.model", "workload.requests_per_day", "workload.epochs",
        "workload.ttft_target_ms", "constraints.compliance", "constraints.air_gapped", "constraints.owned_gpus.count",
        "costing.training_days", "prices.aws:h100-sxm:on_demand", "w.privacy", "horizon_months", "nonsense")
HOSTILE = st.sampled_from(["", "nan", "-inf", "1e999", "5e-324", "-1", "0", "9" * 400, "![x](http://evil.example/p.png)",
                           "<script>alert(1)</script>", "a,b,,c", "true", "%00", "\u202e", "{{}}", "[[[["])


@settings(max_examples=18, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(page=st.sampled_from(PAGES),
       query=st.dictionaries(st.sampled_from(KEYS), st.one_of(HOSTILE, st.text(max_size=40)), max_size=5))
def test_random_links_never_raise_on_any_page(page, query):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, (query, [e.value for e in at.exception])
    at.switch_page(page).run()
    assert not at.exception, (page, query, [e.value for e in at.exception])
    shown = [m.value for m in (*at.markdown, *at.warning, *at.error, *at.info, *at.caption)]
    assert not any("![x](" in m or "<script>" in m for m in shown)

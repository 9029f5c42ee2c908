"""Serving engine profiles: the catalog, the assessment field, the link, the prices they set and the sidebar."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from explorer.engine.capacity import capacity_of
from explorer.engine.prices import resolve_prices
from explorer.model.assessment import Assessment
from explorer.model.catalog import load_catalog
from explorer.model.engine_profiles import PROFILE_FACTORS, engine_profile
from explorer.model.errors import AssessmentError, CatalogError, UnknownChoiceError
from explorer.model.link import from_query, to_query
from explorer.model.loading import parse_assessment
from tests.conftest import open_sidebar

ROOT = Path(__file__).resolve().parent.parent


def test_three_sourced_profiles(catalog):
    assert [e.id for e in catalog.engines] == ["vllm", "tensorrt_llm", "sglang"]
    for e in catalog.engines:
        assert e.source and e.as_of and e.estimate and e.calibration
        # Every benchmark is named with its year: the fit's and the held-out ones.
        assert "2024" in e.calibration or "2025" in e.calibration
        assert all(0 < getattr(e, f) <= 1 for f in PROFILE_FACTORS)
    vllm = engine_profile(catalog.engines, "vllm")
    assert (vllm.decode_bandwidth_efficiency, vllm.tensor_parallel_efficiency, vllm.scheduler_steps) == (0.46, 0.90, 10)
    with pytest.raises(UnknownChoiceError, match="tgi"):
        engine_profile(catalog.engines, "tgi")


def test_the_default_engine_is_vllm_and_sets_the_prices(catalog):
    assert Assessment().workload.serving_engine == "vllm"
    prices = resolve_prices(catalog, Assessment())
    assert prices["eff:decode_bandwidth_efficiency"] == 0.46 and prices["eff:tensor_parallel_efficiency"] == 0.90
    sglang = parse_assessment({"workload": {"serving_engine": "sglang"}}, catalog=catalog)
    assert resolve_prices(catalog, sglang)["eff:decode_bandwidth_efficiency"] == 0.60
    # An explicit override still wins over the engine's profile.
    mine = parse_assessment({"workload": {"serving_engine": "sglang"},
                             "prices": {"eff:decode_bandwidth_efficiency": 0.5}}, catalog=catalog)
    assert resolve_prices(catalog, mine)["eff:decode_bandwidth_efficiency"] == 0.5


def test_an_unknown_engine_is_named_with_the_choices(catalog):
    with pytest.raises(AssessmentError) as exc:
        parse_assessment({"workload": {"serving_engine": "tgi"}}, catalog=catalog)
    message = str(exc.value)
    assert "workload.serving_engine" in message and "vllm" in message and "sglang" in message
    assert "Traceback" not in message


def test_the_engine_travels_in_the_link(catalog):
    a = parse_assessment({"workload": {"serving_engine": "tensorrt_llm"}}, catalog=catalog)
    query = to_query(a)
    assert query["workload.serving_engine"] == "tensorrt_llm"
    assert from_query(query, catalog) == a
    assert "workload.serving_engine" not in to_query(Assessment())  # the default stays out of the link


def test_each_engine_sizes_differently(catalog):
    # 70B bf16 on H100, 800/300 tokens: the isolated prefill at tensor parallel 4 is 2 · 70.6e9 · 800 /
    # (4 × e² × 989e12 × 0.5): e = 0.90 (vLLM) 70.504 ms, 0.85 (TensorRT-LLM) 79.042 ms, 0.82 (SGLang) 84.93 ms.
    for engine, e in (("vllm", 0.90), ("tensorrt_llm", 0.85), ("sglang", 0.82)):
        cap = capacity_of(catalog, parse_assessment({"workload": {"serving_engine": engine}}, catalog=catalog))
        s = cap.serving_cloud
        assert s.tensor_parallel == 4 and s.load.engine == engine
        assert s.ttft_ms == pytest.approx(2 * 70.6e9 * 800 / (4 * e**2 * 989e12 * 0.5) * 1e3)
    # TensorRT-LLM schedules every step: a prompt waits half a step, not half of vLLM's 10-step round.
    trt = capacity_of(catalog, parse_assessment({"workload": {"serving_engine": "tensorrt_llm"}}, catalog=catalog))
    vllm = capacity_of(catalog, Assessment())
    assert trt.prefill_ms("public_cloud") < vllm.prefill_ms("public_cloud")


def test_a_catalog_without_an_engine_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    raw = yaml.safe_load((data / "engines.yaml").read_text())
    raw["engines"] = [e for e in raw["engines"] if e["id"] != "sglang"]
    (data / "engines.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(CatalogError, match="must define vllm, tensorrt_llm, sglang, found tensorrt_llm, vllm"):
        load_catalog(data)


def test_cli_refuses_an_unknown_engine():
    out = subprocess.run([sys.executable, "-m", "explorer", "size", "serving", "--model", "llama-3.1-8b", "--gpu",
                          "h100-sxm", "--engine", "tgi"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr == "python -m explorer size serving: --engine 'tgi' is not one of: vllm, tensorrt_llm, sglang.\n"


def test_the_sidebar_sets_the_engine():
    from streamlit.testing.v1 import AppTest

    at = open_sidebar(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    at.run()
    at = at.switch_page("pages/cost.py").run()
    assert not at.exception
    assert at.selectbox(key="serving_engine").value == "vllm"
    at.selectbox(key="serving_engine").set_value("sglang").run()
    assert not at.exception
    assert at.query_params.get("workload.serving_engine") in ("sglang", ["sglang"])
    (table,) = [d.value for d in at.dataframe if "Engine" in d.value.columns]
    assert set(table["Engine"]) == {"SGLang"}
    assert {"TTFT P50 (ms)", "TTFT peak (ms)", "TPOT P50 (ms)", "TPOT peak (ms)"} <= set(table.columns)


def test_the_decision_panel_shows_the_loaded_latency():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    # The default option 1-1A serves on premises with vLLM: 215.020 / 222.256 ms to the first token and
    # 29.820 / 33.463 ms per output token at the average / the peak (tests/handcalc.py, tests/test_loaded_latency.py).
    (caption,) = [c.value for c in at.caption if c.value.startswith("Latency (")]
    assert caption == ("Latency (vLLM, on premises): time to first token 215 ms at the average load, 222 ms at the "
                       "peak (target 1,500); per output token 29.8 ms / 33.5 ms (target 60).")

"""Latency under load (explorer/engine/latency.py): every figure against a hand calculation."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from handcalc import _BW, LOADED_TPOT_MS, LOADED_TTFT_MS, PEAK_RATE, PREFILL_MS, loaded_ms

from explorer.engine.capacity import capacity_of
from explorer.engine.latency import MIN_UTILISATION, erlang_c_wait, loaded_latency, with_load
from explorer.engine.pipeline import cost_of
from explorer.engine.prices import default_factors
from explorer.engine.sizing import size_serving
from explorer.model.assessment import Assessment
from explorer.model.engine_profiles import engine_profile
from explorer.model.loading import parse_assessment

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS, KV_SEQ = 141.2e9, 327_680 * 950  # Llama 3.1 70B bf16; KV bytes per sequence at the mean context


def test_erlang_c_by_hand():
    # One Erlang on two servers held 1 s: B(1) = 1 / (1 + 1) = 0.5, B(2) = 1 × 0.5 / (2 + 0.5) = 0.2;
    # C = 2 × 0.2 / (2 − 1 × 0.8) = 1/3; W = C × 1 / (2 − 1) = 0.3333 s.
    assert erlang_c_wait(1.0, 2, 1.0) == pytest.approx(1 / 3)
    # Three Erlangs on one server is M/M/1 at ρ = 3 > 1: no steady state.
    assert math.isinf(erlang_c_wait(3.0, 1, 1.0))
    # M/M/1 at ρ = 0.5, hold 2 s: C = ρ = 0.5, W = 0.5 × 2 / (1 − 0.5) = 2 s (ρ/(1 − ρ) × hold).
    assert erlang_c_wait(0.5, 1, 2.0) == pytest.approx(2.0)
    assert erlang_c_wait(0.0, 256, 1.0) == 0.0
    # Beyond 4,096 slots the wait is taken at the same utilisation on 4,096: finite and tiny at 50 %.
    assert erlang_c_wait(5_000.0, 10_000, 1.0) == pytest.approx(0.0, abs=1e-12)


def test_the_default_workload_at_the_average_and_the_peak(catalog):
    s = capacity_of(catalog, Assessment()).serving_cloud
    load = s.load
    assert load.engine == "vllm" and load.scheduler_steps == 10 and s.replicas == 1
    # Peak: 1.736111 requests/s on one replica (tests/handcalc.py): TTFT 222.256 ms, TPOT 33.463 ms.
    assert load.rate_peak == pytest.approx(PEAK_RATE)
    assert load.ttft_peak_ms == pytest.approx(LOADED_TTFT_MS) and load.tpot_peak_ms == pytest.approx(LOADED_TPOT_MS)
    # Average (P50): 50,000 / 86,400 = 0.578704 requests/s: ρ_p = 0.578704 × 0.070504 = 0.040801;
    # TPOT = 28.2805 / (1 − 0.040801 − 173.61 × 0.062349e-3) = 28.2805 / 0.948375 = 29.820 ms;
    # TTFT = 70.504 + 10 × 29.820 × 0.959199 / 2 + 0.040801 × 70.504 / (2 × 0.959199) = 215.020 ms.
    ttft, tpot = loaded_ms(PREFILL_MS, WEIGHTS, KV_SEQ, _BW, 50_000 / 86_400, 300, 10)
    assert (ttft, tpot) == (pytest.approx(215.020, abs=1e-3), pytest.approx(29.820, abs=1e-3))
    assert load.ttft_p50_ms == pytest.approx(ttft) and load.tpot_p50_ms == pytest.approx(tpot)
    # Utilisation: 1.736111 / 8.1733 requests/s the replica carries = 21.24 %; in flight (Little):
    # 1.736111 × (0.222256 + 300 × 0.033463) = 17.81 sequences.
    assert load.utilisation_peak == pytest.approx(PEAK_RATE / s.requests_per_second_per_replica)
    assert load.concurrency_peak == pytest.approx(PEAK_RATE * (LOADED_TTFT_MS + 300 * LOADED_TPOT_MS) / 1e3)
    assert load.concurrency_peak == pytest.approx(17.81, abs=0.01)


def test_an_idle_replica_prefills_alone(catalog):
    s = capacity_of(catalog, Assessment()).serving_cloud
    r = loaded_latency(s, default_factors(catalog, "vllm"), 10, 0.0)
    # No traffic: the prompt's own 70.504 ms, and one sequence's step, max(28.2805 + 0.0623, 22.56 / 256) ms.
    assert float(r["ttft"]) * 1e3 == pytest.approx(PREFILL_MS)
    assert float(r["tpot"]) * 1e3 == pytest.approx((WEIGHTS + KV_SEQ) / _BW * 1e3)


def test_a_saturated_replica_never_answers(catalog):
    s = capacity_of(catalog, Assessment()).serving_cloud
    r = loaded_latency(s, default_factors(catalog, "vllm"), 10, np.array([s.requests_per_second_per_replica, 100.0]))
    assert np.isinf(r["ttft"]).all() and np.isinf(r["tpot"]).all()


def test_prefills_stretch_the_decode_steps(catalog):
    # Continuous batching: at 5 requests/s the replica prefills ρ_p = 5 × 0.070504 = 35.25 % of the time, and
    # TPOT = 28.2805 / (1 − 0.352520 − 1,500 × 0.062349e-3) = 28.2805 / 0.553956 = 51.052 ms, where the step
    # itself (weights + 1,500 × 0.051052 = 76.6 sequences' KV) takes only 51.052 × 0.647480 = 33.055 ms.
    s = capacity_of(catalog, Assessment()).serving_cloud
    r = loaded_latency(s, default_factors(catalog, "vllm"), 10, 5.0)
    tpot = float(r["tpot"]) * 1e3
    assert tpot == pytest.approx(loaded_ms(PREFILL_MS, WEIGHTS, KV_SEQ, _BW, 5.0, 300, 10)[1])
    assert tpot == pytest.approx(51.052, abs=1e-3)
    in_flight = 5.0 * 300 * tpot / 1e3
    assert tpot * (1 - 5.0 * PREFILL_MS / 1e3) == pytest.approx((WEIGHTS + in_flight * KV_SEQ) / _BW * 1e3)


def test_replicas_are_added_until_the_peak_meets_the_tpot_target(catalog):
    # 10 M requests/day × 3 / 86,400 = 347.22 requests/s at the peak. For throughput, 347.22 / 8.1733 = 42.5 → 43
    # replicas; the 60 ms TPOT target holds up to λ = 5.9261 requests/s per replica (tests/test_thresholds.py),
    # so 347.22 / 5.9261 = 58.6 → 59 replicas of 4 GPUs.
    a = parse_assessment({"workload": {"requests_per_day": 10_000_000}}, catalog=catalog)
    s = capacity_of(catalog, a).serving_cloud
    peak = 10_000_000 * 3 / 86_400
    lam = (1 - WEIGHTS / _BW / 0.060) / (PREFILL_MS / 1e3 + 300 * KV_SEQ / _BW)
    assert s.load.replicas_for_throughput == math.ceil(peak / 8.1733) == 43
    assert s.replicas == math.ceil(peak / lam) == 59 and s.gpus == 236
    assert s.load.max_utilisation == pytest.approx(lam / s.requests_per_second_per_replica, abs=1e-4)
    assert s.load.tpot_peak_ms <= 60 and s.load.latency_met
    assert "59 replicas instead of 43" in s.notes[-1]
    # The cost model's autoscaler rents its peak hour by throughput: 43 replicas × 4 GPUs = 172 GPUs, in whole
    # 8-GPU p5.48xlarge instances ceil(172 / 8) = 22 → 176 GPUs (it does not add the TPOT target's 16 replicas).
    assert cost_of(catalog, a).option(2, "1B").cloud_serving_gpus == math.ceil(43 * 4 / 8) * 8 == 176


def test_a_target_no_load_meets_adds_no_replicas(catalog):
    # 100 ms: even at 5 % load a prompt waits for half of vLLM's 10-step round (≥ 141 ms) after its own 70.5 ms.
    a = parse_assessment({"workload": {"ttft_target_ms": 100}}, catalog=catalog)
    s = capacity_of(catalog, a).serving_cloud
    assert s.replicas == 1 and not s.load.latency_met
    floor = loaded_ms(PREFILL_MS, WEIGHTS, KV_SEQ, _BW, MIN_UTILISATION * s.requests_per_second_per_replica, 300, 10)
    assert floor[0] > 100
    # TensorRT-LLM schedules every step: the wait is half of one step, so more replicas can meet 100 ms.
    trt = capacity_of(catalog, parse_assessment({"workload": {"ttft_target_ms": 100, "serving_engine": "tensorrt_llm"}},
                                                catalog=catalog)).serving_cloud
    assert trt.load.latency_met and trt.load.ttft_peak_ms <= 100


def test_fixed_gpus_keep_their_replicas(catalog):
    factors = default_factors(catalog, "vllm")
    s = size_serving(catalog.model("llama-3.1-70b"), catalog.gpu("h100-sxm"), factors, tpot_ms=60, gpus=4)
    loaded = with_load(s, factors, engine_profile(catalog.engines, "vllm"), average_rate=10.0, peak_rate=30.0,
                       tpot_target_ms=60, fixed_replicas=True)
    assert loaded.replicas == 1 and loaded.load.max_utilisation == 1.0
    # 30 requests/s is beyond the replica's 8.17: no steady state (None, as JSON has no infinity).
    assert loaded.load.ttft_peak_ms is None and loaded.load.tpot_peak_ms is None
    assert not loaded.load.latency_met


def test_published_online_latency_is_held(catalog):
    # Held out (never fitted to): the SGLang team's online tables (sgl-project/sglang
    # benchmark/benchmark_vllm_060, 2024-09), ShareGPT (224 prompt / 194 output tokens on average), bf16,
    # median TTFT and TPOT (ms) at 4 and 8 requests/s. Every figure within 1.5×.
    published = {
        ("vllm", "llama-3.1-8b", "a100-80gb", 1): {4: (100.48, 14.14), 8: (120.39, 17.09)},
        ("sglang", "llama-3.1-8b", "a100-80gb", 1): {4: (31.98, 13.17), 8: (35.68, 17.85)},
        ("vllm", "llama-3.1-70b", "h100-sxm", 4): {4: (179.15, 23.58), 8: (207.12, 29.15)},
        ("sglang", "llama-3.1-70b", "h100-sxm", 4): {4: (53.94, 25.03), 8: (58.11, 33.07)},
    }
    for (engine, model, gpu, tp), rows in published.items():
        factors = default_factors(catalog, engine)
        s = size_serving(catalog.model(model), catalog.gpu(gpu), factors, input_tokens=224, output_tokens=194,
                         tensor_parallel=tp)
        for rate, (ttft, tpot) in rows.items():
            r = loaded_latency(s, factors, engine_profile(catalog.engines, engine).scheduler_steps, rate)
            assert 1 / 1.5 <= float(r["ttft"]) * 1e3 / ttft <= 1.5, (engine, model, rate, float(r["ttft"]))
            assert 1 / 1.5 <= float(r["tpot"]) * 1e3 / tpot <= 1.5, (engine, model, rate, float(r["tpot"]))


def test_tpot_at_full_throughput_matches_the_calibration_benchmark(catalog):
    # Lambda Labs (vLLM 0.6.0, 2024-09) measured a median TPOT of 25.57 ms (8B, H100) and 61.10 ms (70B, 4 × H100)
    # at 256 sequences. At the replica's throughput every slot is busy: TPOT = 256 sequences ÷ tokens/s.
    factors = default_factors(catalog, "vllm")
    for model, tp, published in (("llama-3.1-8b", 1, 25.57), ("llama-3.1-70b", 4, 61.10)):
        s = size_serving(catalog.model(model), catalog.gpu("h100-sxm"), factors, input_tokens=224, output_tokens=194,
                         tensor_parallel=tp)
        r = loaded_latency(s, factors, 10, 0.9999 * s.requests_per_second_per_replica)
        assert float(r["tpot"]) == pytest.approx(256 / s.tokens_per_second_per_replica, rel=1e-2)
        assert 1 / 1.25 <= float(r["tpot"]) * 1e3 / published <= 1.25


def test_size_serving_json_reports_the_load():
    out = subprocess.run(
        [sys.executable, "-m", "explorer", "size", "serving", "--model", "llama-3.1-70b", "--gpu", "h100-sxm",
         "--requests-per-day", "50000", "--peak-factor", "3", "--tpot-ms", "60", "--ttft-ms", "1500", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data["engine"] == "vllm" and data["replicas"] == 1 and data["tensor_parallel"] == 4
    # Extended, not renamed: ttft_ms and tpot_ms stay the prefill alone and the step at the full batch.
    assert data["ttft_ms"] == pytest.approx(PREFILL_MS) and data["tpot_ms"] == pytest.approx(44.2417, abs=1e-4)
    assert data["ttft_peak_ms"] == pytest.approx(LOADED_TTFT_MS)
    assert data["tpot_peak_ms"] == pytest.approx(LOADED_TPOT_MS)
    assert data["ttft_p50_ms"] == pytest.approx(215.020, abs=1e-3)
    assert data["load"]["ttft_peak_ms"] == data["ttft_peak_ms"]
    bad = subprocess.run([sys.executable, "-m", "explorer", "size", "serving", "--model", "llama-3.1-8b", "--gpu",
                          "h100-sxm", "--ttft-ms", "0"], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode != 0 and "--ttft-ms must be more than 0 (got 0)." in bad.stderr


def test_traffic_no_target_can_meet_still_gets_a_steady_state(catalog):
    # 1.17 billion requests/day of 8B with a 1 ms TTFT target nobody meets: replicas still keep the peak below
    # the load where the slots fill (prefill + decode at 256 sequences), so every latency stays finite (JSON-safe).
    import json

    from explorer.engine.decision import decide

    a = parse_assessment({"workload": {"model": "llama-3.1-8b", "dataset_tokens": 0.0,
                                       "requests_per_day": 1_165_265_299.0, "ttft_target_ms": 1.0}}, catalog=catalog)
    s = capacity_of(catalog, a).serving_cloud
    assert s.replicas > s.load.replicas_for_throughput and not s.load.latency_met
    assert s.load.ttft_peak_ms is not None and math.isfinite(s.load.ttft_peak_ms)
    assert "so that the queue stays finite at the peak" in s.notes[-1]
    json.dumps(decide(catalog, a).cost.to_dict(), allow_nan=False)

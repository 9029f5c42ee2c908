"""The serving roofline against published throughput, per serving engine (data/engines.yaml).

Every point names its benchmark and date. ``CALIBRATION`` points were used to fit the engine's factors;
``HELD_OUT`` points never were: they test the fit. The engine sizes the same model, precision, GPU,
tensor-parallel size and prompt/output lengths with that engine's profile and no TPOT target, and the
ratio is engine tokens/s ÷ published output tokens/s at an unlimited request rate (offline).

ShareGPT points use the dataset's mean 224 prompt and 194 output tokens (DataCrunch's SGLang ShareGPT run:
448,102 prompt tokens / 2,000 requests; the SGLang team's table: 4,281.51 tok/s ÷ 22.03 requests/s = 194).
"""

from __future__ import annotations

import math

import pytest

from explorer.engine.prices import default_factors
from explorer.engine.sizing import size_serving

SHAREGPT = (224, 194)
ISL_OSL = [(128, 128), (128, 2048), (128, 4096), (500, 2000), (1000, 1000), (2048, 128), (2048, 2048), (5000, 500),
           (20000, 2000)]
ISL_OSL_V1 = [(128, 128), (128, 2048), (128, 4096), (500, 2000), (1000, 1000), (1000, 2000), (2048, 128),
              (2048, 2048), (5000, 500), (20000, 2000)]

# NVIDIA TensorRT-LLM v0.19 "Performance Overview", Llama 3.1 70B FP8, total output tokens/s (2025-05);
# https://nvidia.github.io/TensorRT-LLM/0.19.0/performance/perf-overview.html
TRT_019 = {
    ("h100-sxm", 2): [6183.41, 5822.02, 3714.87, 4704.31, 4191.26, 747.51, 2732.86, 866.77, 408.43],
    ("h100-sxm", 4): [10260.68, 11442.01, 8209.91, 10278.02, 7427.35, 1240.12, 5640.31, 1571.92, 910.77],
    ("h200", 1): [3657.58, 4351.07, 2696.61, 3475.58, 2727.42, 433.30, 1990.25, 543.88, 276.99],
    ("h200", 2): [6477.50, 8450.31, 5598.92, 6712.35, 5097.36, 772.97, 3822.83, 1005.81, 618.01],
}
# NVIDIA TensorRT-LLM v1.0 "Performance Overview" (docs/source/performance/perf-overview.md, 2025-09):
# Llama 3.1 8B FP8 and Llama 3.3 70B FP8 (the 3.1 architecture), total output tokens/s.
TRT_10 = {
    ("llama-3.1-8b", "h200", 1): [27911, 26221, 18027, 20770, 17744, 16828, 3538, 12194, 3902, 1804],
    ("llama-3.1-8b", "h100-sxm", 1): [28312, 22714, 14325, 17660, 15220, 13899, 3450, 9305, 3459, 1351],
    ("llama-3.1-70b", "h200", 1): [3803, 4336, 2872, 3666, 2909, 2994, 442, 2003, 566, 283],
    ("llama-3.1-70b", "h100-sxm", 2): [6378, 6651, 4199, 5222, 4205, 4146, 762, 3082, 898, 437],
}
LAMBDA = "Lambda Labs vLLM benchmark (LambdaLabsML/vllm-benchmark benchmark_v0.md), vLLM 0.6.0, 10 steps, 2024-09"
SGL_060 = "SGLang team, SGLang v0.3.0 vs vLLM v0.6.0 (sgl-project/sglang benchmark/benchmark_vllm_060), 2024-09"
DATACRUNCH = "DataCrunch, SGLang benchmarks H200 (datacrunch-research/h200-benchmarks sglang/README.md), 2024-12"
TRT_019_SRC = "NVIDIA TensorRT-LLM v0.19 perf overview, Llama 3.1 70B FP8, 2025-05"
TRT_10_SRC = "NVIDIA TensorRT-LLM v1.0 perf overview, 2025-09"

# (engine, model, gpu, precision, tensor parallel, input, output, published tokens/s, source)
CALIBRATION = [
    *[("tensorrt_llm", "llama-3.1-70b", gpu, "fp8", tp, i, o, tps, TRT_019_SRC)
      for (gpu, tp), row in TRT_019.items() for (i, o), tps in zip(ISL_OSL, row, strict=True)],
    ("vllm", "llama-3.1-8b", "h100-sxm", "bf16", 1, *SHAREGPT, 8088.35, LAMBDA),
    ("vllm", "llama-3.1-70b", "h100-sxm", "bf16", 4, *SHAREGPT, 3542.88, LAMBDA),
    ("sglang", "llama-3.1-70b", "h100-sxm", "bf16", 4, *SHAREGPT, 3856.01, SGL_060),
    ("sglang", "llama-3.1-70b", "h200", "bf16", 8, *SHAREGPT, 7376.03, DATACRUNCH),
]
HELD_OUT = [
    *[("tensorrt_llm", model, gpu, "fp8", tp, i, o, tps, TRT_10_SRC)
      for (model, gpu, tp), row in TRT_10.items() for (i, o), tps in zip(ISL_OSL_V1, row, strict=True)],
    ("vllm", "llama-3.1-8b", "a100-80gb", "bf16", 1, *SHAREGPT, 4132.37, SGL_060),
    ("vllm", "llama-3.1-70b", "h100-sxm", "bf16", 4, *SHAREGPT, 3700.64, SGL_060),
    ("sglang", "llama-3.1-8b", "a100-80gb", "bf16", 1, *SHAREGPT, 4281.51, SGL_060),
    ("sglang", "llama-3.1-70b", "h200", "bf16", 4, *SHAREGPT, 4885.17, DATACRUNCH),
]


def ratio(catalog, point) -> float:
    engine, model, gpu, precision, tp, i, o, published, _ = point
    s = size_serving(catalog.model(model), catalog.gpu(gpu), default_factors(catalog, engine), precision=precision,
                     input_tokens=i, output_tokens=o, tensor_parallel=tp)
    assert s.tensor_parallel == tp and s.replicas == 1
    return s.tokens_per_second / published


@pytest.fixture(scope="module")
def calibration(catalog):
    return {p: ratio(catalog, p) for p in CALIBRATION}


@pytest.fixture(scope="module")
def held_out(catalog):
    return {p: ratio(catalog, p) for p in HELD_OUT}


def test_every_engine_has_held_out_points_for_two_models():
    for engine in ("vllm", "tensorrt_llm", "sglang"):
        models = {p[1] for p in HELD_OUT if p[0] == engine}
        assert {"llama-3.1-8b", "llama-3.1-70b"} <= models, engine
        assert not set(HELD_OUT) & set(CALIBRATION)


def test_every_calibration_point_within_a_factor_of_1_6(calibration):
    # The roofline has no scheduler, kernel-launch or attention costs beyond KV reads: short outputs come out
    # low (prefill dominates), long outputs at TP 2–4 high. No point may be off by more than 1.6×.
    off = {k[:7]: round(r, 2) for k, r in calibration.items() if not 1 / 1.6 <= r <= 1.6}
    assert not off, off


@pytest.mark.parametrize("engine", ["vllm", "tensorrt_llm", "sglang"])
def test_no_bias_on_the_calibration_points(calibration, engine):
    # The fit: the geometric mean of engine/published over the engine's calibration points is 1 ± 10 %.
    rs = [r for p, r in calibration.items() if p[0] == engine]
    geo = math.exp(sum(math.log(r) for r in rs) / len(rs))
    assert 0.9 <= geo <= 1.1, geo


@pytest.mark.parametrize("engine", ["vllm", "tensorrt_llm", "sglang"])
def test_held_out_points_within_a_factor_of_1_6(held_out, engine):
    # Never fitted to: every held-out point within 1.6×, and their geometric mean within 15 %.
    rs = {p[1:7]: round(r, 2) for p, r in held_out.items() if p[0] == engine}
    off = {k: r for k, r in rs.items() if not 1 / 1.6 <= r <= 1.6}
    assert not off, off
    geo = math.exp(sum(math.log(r) for r in rs.values()) / len(rs))
    assert 0.85 <= geo <= 1.15, geo


def test_the_tensorrt_llm_profile_is_the_rooflines_default(catalog):
    # data/efficiency.yaml's defaults are the TensorRT-LLM calibration; the other engines replace them.
    defaults = default_factors(catalog)
    assert default_factors(catalog, "tensorrt_llm") == defaults
    assert default_factors(catalog, "vllm")["eff:tensor_parallel_efficiency"] == 0.90


def test_a_group_size_that_is_not_a_power_of_two_is_refused(catalog):
    from explorer.model.errors import SizingError

    with pytest.raises(SizingError, match="The tensor-parallel size must be one of 1, 2, 4, 8, 16, 32, 64 \\(got 3\\)"):
        size_serving(catalog.model("llama-3.1-8b"), catalog.gpu("h100-sxm"), default_factors(catalog),
                     tensor_parallel=3)


def test_cli_fixes_the_group_size_and_the_engine():
    import json
    import subprocess
    import sys
    from pathlib import Path

    def run(engine: str) -> dict:
        out = subprocess.run(
            [sys.executable, "-m", "explorer", "size", "serving", "--model", "llama-3.1-70b", "--gpu", "h200",
             "--precision", "fp8", "--input-tokens", "1000", "--output-tokens", "1000", "--tensor-parallel", "2",
             "--engine", engine, "--json"],
            cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=True,
        )
        return json.loads(out.stdout)

    data = run("tensorrt_llm")
    assert data["tensor_parallel"] == 2 and data["gpus"] == 2 and data["engine"] == "tensorrt_llm"
    assert data["tokens_per_second"] / 5097.36 == pytest.approx(1.12, abs=0.01)  # vs the published 5,097 tok/s
    assert run("vllm")["tokens_per_second"] < data["tokens_per_second"]  # vLLM's 0.46 of bandwidth, not 0.70

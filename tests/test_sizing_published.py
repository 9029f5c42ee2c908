"""The serving roofline against published throughput: NVIDIA's TensorRT-LLM benchmark tables.

Source: NVIDIA TensorRT-LLM v0.19 "Performance Overview", table "Llama 3.1 70B FP8", Total Output Throughput
(tokens/s) at an unlimited request rate; https://nvidia.github.io/TensorRT-LLM/0.19.0/performance/perf-overview.html
(docs/source/performance/perf-overview.md in NVIDIA/TensorRT-LLM). The engine sizes the same model, precision,
GPU, tensor-parallel size and prompt/output lengths with its default efficiency factors and no TPOT target.
"""

from __future__ import annotations

import math

import pytest

from explorer.engine.prices import resolve_prices
from explorer.engine.sizing import size_serving
from explorer.model.assessment import Assessment

# (gpu, tensor parallel) -> {(input tokens, output tokens): published total output tokens/s}
PUBLISHED = {
    ("h100-sxm", 2): {(128, 128): 6183.41, (128, 2048): 5822.02, (128, 4096): 3714.87, (500, 2000): 4704.31,
                      (1000, 1000): 4191.26, (2048, 128): 747.51, (2048, 2048): 2732.86, (5000, 500): 866.77,
                      (20000, 2000): 408.43},
    ("h100-sxm", 4): {(128, 128): 10260.68, (128, 2048): 11442.01, (128, 4096): 8209.91, (500, 2000): 10278.02,
                      (1000, 1000): 7427.35, (2048, 128): 1240.12, (2048, 2048): 5640.31, (5000, 500): 1571.92,
                      (20000, 2000): 910.77},
    ("h200", 1): {(128, 128): 3657.58, (128, 2048): 4351.07, (128, 4096): 2696.61, (500, 2000): 3475.58,
                  (1000, 1000): 2727.42, (2048, 128): 433.30, (2048, 2048): 1990.25, (5000, 500): 543.88,
                  (20000, 2000): 276.99},
    ("h200", 2): {(128, 128): 6477.50, (128, 2048): 8450.31, (128, 4096): 5598.92, (500, 2000): 6712.35,
                  (1000, 1000): 5097.36, (2048, 128): 772.97, (2048, 2048): 3822.83, (5000, 500): 1005.81,
                  (20000, 2000): 618.01},
}
CASES = [(gpu, tp, i, o, tps) for (gpu, tp), rows in PUBLISHED.items() for (i, o), tps in rows.items()]


@pytest.fixture(scope="module")
def ratios(catalog):
    factors = resolve_prices(catalog, Assessment())
    model = catalog.model("llama-3.1-70b")
    out = {}
    for gpu, tp, i, o, published in CASES:
        s = size_serving(model, catalog.gpu(gpu), factors, precision="fp8", input_tokens=i, output_tokens=o,
                         tensor_parallel=tp)
        assert s.tensor_parallel == tp and s.replicas == 1
        out[(gpu, tp, i, o)] = s.tokens_per_second / published
    return out


def test_every_point_within_a_factor_of_1_6(ratios):
    # The roofline has no scheduler, kernel-launch or attention costs beyond KV reads: short outputs come out
    # low (prefill dominates), long outputs at TP 2–4 high. No point may be off by more than 1.6×.
    off = {k: round(r, 2) for k, r in ratios.items() if not 1 / 1.6 <= r <= 1.6}
    assert not off, off


def test_no_bias_across_the_table(ratios):
    # Calibrated by tensor_parallel_efficiency = 0.85: the geometric mean of engine/published over 36 points.
    geo = math.exp(sum(math.log(r) for r in ratios.values()) / len(ratios))
    assert 0.9 <= geo <= 1.1, geo


def test_a_group_size_that_is_not_a_power_of_two_is_refused(catalog):
    from explorer.model.errors import SizingError

    factors = resolve_prices(catalog, Assessment())
    with pytest.raises(SizingError, match="The tensor-parallel size must be one of 1, 2, 4, 8, 16, 32, 64 \\(got 3\\)"):
        size_serving(catalog.model("llama-3.1-8b"), catalog.gpu("h100-sxm"), factors, tensor_parallel=3)


def test_cli_fixes_the_group_size():
    import json
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run(
        [sys.executable, "-m", "explorer", "size", "serving", "--model", "llama-3.1-70b", "--gpu", "h200",
         "--precision", "fp8", "--input-tokens", "1000", "--output-tokens", "1000", "--tensor-parallel", "2", "--json"],
        cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=True,
    )
    data = json.loads(out.stdout)
    assert data["tensor_parallel"] == 2 and data["gpus"] == 2
    assert data["tokens_per_second"] / 5097.36 == pytest.approx(1.12, abs=0.01)  # vs the published 5,097 tok/s

"""Sizing: training FLOPs, memory, GPU count; serving roofline, batch, latency, replicas — by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.engine.prices import default_factors
from explorer.engine.sizing import requests_per_second, size_serving, size_training
from explorer.model.catalog import load_catalog
from explorer.model.errors import SizingError
from explorer.model.hardware import GpuSpec


@pytest.fixture(scope="module")
def factors(catalog):
    return default_factors(catalog)


def tiny_gpu(memory_gb: float = 1.0) -> GpuSpec:
    return GpuSpec(id="tiny", name="Tiny GPU", memory_gb=memory_gb, bandwidth_tb_s=0.1, tflops={"bf16": 10},
                   power_w=10, source="test fixture", as_of=dt.date(2025, 1, 1))


# --- training -------------------------------------------------------------------------------


def test_full_fine_tuning_of_llama_8b_by_hand(catalog, factors):
    t = size_training(catalog.model("llama-3.1-8b"), catalog.gpu("h100-sxm"), "full", 1e9, 1, factors)
    n = 8.03e9
    # 6·N·D, plus one recomputed forward pass (2·N·D) for activation checkpointing: 8·N·D = 6.424e19
    assert t.flops == pytest.approx(8 * n * 1e9)
    assert t.gpu_hours == pytest.approx(8 * n * 1e9 / (989e12 * 0.40) / 3600)  # = 45.11 h at 40% MFU
    assert t.gpu_hours == pytest.approx(45.11, abs=0.01)
    state = 16 * n  # ZeRO: 2 + 2 + 12 bytes per parameter
    usable = 80e9 * 0.9
    gathered = 2 * n / 32 * 2  # two layers of bf16 weights
    activations = 4096 * 4096 * (2 * 32 + 34)  # tokens × hidden × (2·layers + 34) bytes
    assert t.gpus_for_memory == math.ceil(state / (usable - gathered - activations)) == 2
    assert t.gpus == 2
    assert t.memory_gb_per_gpu == pytest.approx((state / 2 + gathered + activations) / 1e9)
    assert t.wall_clock_hours == pytest.approx(t.gpu_hours / 2)


def test_lora_and_qlora_factors(catalog, factors):
    model, gpu = catalog.model("llama-3.1-70b"), catalog.gpu("h100-sxm")
    full = size_training(model, gpu, "full", 2e9, 2, factors)
    lora = size_training(model, gpu, "lora", 2e9, 2, factors)
    qlora = size_training(model, gpu, "qlora", 2e9, 2, factors)
    # D = dataset tokens × epochs; every method recomputes one forward pass (2·N·D) for checkpointing.
    assert full.flops == pytest.approx(6 * 70.6e9 * 4e9 * (1 + 1 / 3))
    lora_factor = 0.6667 + 1 / 3  # weight gradients skipped (4/6), plus the recomputed forward (2/6)
    assert lora.flops == pytest.approx(6 * 70.6e9 * 4e9 * lora_factor)
    assert qlora.flops == pytest.approx(6 * 70.6e9 * 4e9 * lora_factor * 1.39)  # plus dequantisation
    # LoRA: frozen bf16 base (2 B/param) + adapters (0.3% of params × 16 B); QLoRA base 0.516 B/param.
    assert lora.state_gb == pytest.approx((70.6e9 * 2 + 70.6e9 * 0.003 * 16) / 1e9)
    assert qlora.state_gb == pytest.approx((70.6e9 * 0.516 + 70.6e9 * 0.003 * 16) / 1e9)
    assert full.state_gb == pytest.approx(70.6e9 * 16 / 1e9)
    assert full.gpus_for_memory > lora.gpus_for_memory >= qlora.gpus_for_memory


def test_moe_flops_use_active_parameters(catalog, factors):
    t = size_training(catalog.model("mixtral-8x7b"), catalog.gpu("h100-sxm"), "full", 1e9, 1, factors)
    assert t.flops == pytest.approx(8 * 12.9e9 * 1e9)  # 6·N·D plus the recomputed forward, N active
    assert t.state_gb == pytest.approx(46.7e9 * 16 / 1e9)  # all experts are stored and trained


def test_deadline_adds_gpus_and_rounds_to_nodes(catalog, factors):
    model, gpu = catalog.model("llama-3.1-70b"), catalog.gpu("h100-sxm")
    t = size_training(model, gpu, "lora", 2e9, 2, factors, max_days=7)
    assert t.gpu_hours == pytest.approx(6 * 70.6e9 * 4e9 * (0.6667 + 1 / 3) / (989e12 * 0.4) / 3600)  # ≈ 1,190 h
    assert t.gpus_for_time == math.ceil(t.gpu_hours / (7 * 24)) == 8  # 1,190 h / 168 h = 7.08
    assert t.gpus == 8  # a whole 8-GPU node


def test_explicit_gpus_and_mfu(catalog, factors):
    t = size_training(catalog.model("llama-3.1-8b"), catalog.gpu("h100-sxm"), "lora", 1e9, 1, factors,
                      gpus=4, mfu=0.5)
    assert t.gpus == 4
    assert t.gpu_hours == pytest.approx(6 * 8.03e9 * 1e9 * (0.6667 + 1 / 3) / (989e12 * 0.5) / 3600)
    assert t.wall_clock_hours == pytest.approx(t.gpu_hours / 4)


def test_no_fine_tuning_is_zero(catalog, factors):
    t = size_training(catalog.model("llama-3.1-8b"), catalog.gpu("h100-sxm"), "none", 1e9, 1, factors)
    assert (t.flops, t.gpu_hours, t.gpus) == (0.0, 0.0, 0)


def test_zero_tokens_trains_nothing_but_still_needs_memory(catalog, factors):
    t = size_training(catalog.model("llama-3.1-8b"), catalog.gpu("l4"), "lora", 0, 3, factors)
    assert t.flops == 0 and t.gpu_hours == 0 and t.wall_clock_hours == 0
    assert t.gpus >= 1


def test_big_model_reduces_microbatch(catalog, factors):
    t = size_training(catalog.model("llama-3.1-405b"), catalog.gpu("l4"), "lora", 1e8, 1, factors)
    assert t.microbatch_tokens < 4096
    assert any("Micro-batch reduced" in n for n in t.notes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "dpo"}, 'Fine-tune method "dpo" is not valid; choose from: none, full, lora, qlora.'),
        ({"mfu": 0.0}, "MFU must be greater than 0 and at most 1 (got 0)."),
        ({"gpus": 0}, "The GPU count must be at least 1 (got 0)."),
        ({"gpus": 1, "method": "full"}, "1 GPU cannot hold llama-3.1-8b for full training on NVIDIA H100 SXM5 80GB"),
    ],
)
def test_training_errors(catalog, factors, kwargs, message):
    args = {"method": "lora", **kwargs}
    method = args.pop("method")
    with pytest.raises(SizingError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        size_training(catalog.model("llama-3.1-8b"), catalog.gpu("h100-sxm"), method, 1e9, 1, factors, **args)


def test_model_that_cannot_train_on_a_tiny_gpu(catalog, factors):
    with pytest.raises(SizingError, match=r"cannot be trained on Tiny GPU: one layer's weights and activations"):
        size_training(catalog.model("llama-3.1-70b"), tiny_gpu(1.0), "lora", 1e9, 1, factors)


def test_training_state_beyond_any_cluster(catalog, factors):
    # 256-token micro-batch: two bf16 layers (1.00375 GB) + 256 × 4096 × 98 B of activations = 1.1065 GB fixed;
    # leave 1 MB per GPU for 128.5 GB of full fine-tuning state -> more than 100,000 GPUs.
    fixed = 2 * 8.03e9 / 32 * 2 + 256 * 4096 * (2 * 32 + 34)
    gpu = tiny_gpu((fixed + 1e6) / 0.9 / 1e9)
    with pytest.raises(SizingError, match=r"needs 128,\d{3} × Tiny GPU to hold its training state"):
        size_training(catalog.model("llama-3.1-8b"), gpu, "full", 1e9, 1, factors)


# --- serving --------------------------------------------------------------------------------


def test_llama_8b_serving_roofline_by_hand(catalog, factors):
    s = size_serving(catalog.model("llama-3.1-8b"), catalog.gpu("h100-sxm"), factors, input_tokens=800,
                     output_tokens=300)
    weights = 8.03e9 * 2
    kv = 2 * 32 * 8 * 128 * 2  # 2 · layers · kv_heads · head_dim · bytes = 131,072 B per token
    assert s.kv_bytes_per_token == kv
    assert s.tensor_parallel == 1  # TP 2 gives the same throughput per GPU; the smaller wins
    free = 80e9 * 0.9 - weights
    assert s.batch_memory_limit == min(256, int(free // (kv * 1100))) == 256  # capped by max_batch
    assert s.batch == 256
    step = max((weights + 256 * kv * 950) / (3.35e12 * 0.7),  # bytes read: weights + KV at mean context 800+150
               256 * 2 * 8.03e9 / (989e12 * 0.5))  # FLOPs: 2·N per sequence
    assert s.tpot_ms == pytest.approx(step * 1000)  # ≈ 20.4 ms, bandwidth-bound
    assert s.bound == "memory bandwidth"
    prefill = max(2 * 8.03e9 * 800 / (989e12 * 0.5), weights / (3.35e12 * 0.7))
    assert s.ttft_ms == pytest.approx(prefill * 1000)  # ≈ 26 ms
    rate = 1 / (prefill + 300 * step / 256)
    assert s.requests_per_second_per_replica == pytest.approx(rate)
    assert s.tokens_per_second == pytest.approx(rate * 300)  # ≈ 6,008 tokens/s
    assert s.replicas == 1 and s.gpus == 1


def test_tpot_target_limits_the_batch(catalog, factors):
    model, gpu = catalog.model("llama-3.1-8b"), catalog.gpu("h100-sxm")
    s = size_serving(model, gpu, factors, input_tokens=800, output_tokens=300, tpot_ms=10)
    weights, kv = 8.03e9 * 2, 131072
    # bandwidth: (T·bw·eff − W) / (kv · 950); compute: T·peak·eff / (2N)
    by_bw = (0.010 * 3.35e12 * 0.7 - weights) / (kv * 950)
    by_flops = 0.010 * 989e12 * 0.5 / (2 * 8.03e9)
    assert s.tpot_met
    assert s.tpot_ms <= 10 + 1e-9
    tp = s.tensor_parallel
    group = tp * 0.85 ** math.log2(tp)  # a tensor-parallel group keeps 0.85 per doubling
    expected = int(min((0.010 * group * 3.35e12 * 0.7 - weights) / (kv * 950), by_flops * group))
    assert s.batch_tpot_limit == expected
    assert by_bw < 256  # at TP 1 the target would bind below the memory limit


def test_replicas_cover_the_peak_rate(catalog, factors):
    s = size_serving(catalog.model("llama-3.1-8b"), catalog.gpu("h100-sxm"), factors,
                     peak_requests_per_second=100.0)
    assert s.replicas == math.ceil(100.0 / s.requests_per_second_per_replica)
    assert s.gpus == s.replicas * s.tensor_parallel
    assert s.tokens_per_second == pytest.approx(s.replicas * s.tokens_per_second_per_replica)


def test_gpus_fill_replicas(catalog, factors):
    s = size_serving(catalog.model("llama-2-70b"), catalog.gpu("h100-sxm"), factors, precision="fp8", gpus=8)
    assert s.gpus == 8 // s.tensor_parallel * s.tensor_parallel
    assert s.weights_gb_per_gpu == pytest.approx(68.98e9 * 1 / s.tensor_parallel / 1e9)  # fp8: 1 byte/param


def test_int4_halves_the_weights(catalog, factors):
    s = size_serving(catalog.model("llama-3.1-70b"), catalog.gpu("h100-sxm"), factors, precision="int4")
    assert s.weights_gb_per_gpu * s.tensor_parallel == pytest.approx(70.6e9 * 0.5 / 1e9)


def test_unmeetable_tpot_gives_a_finite_result_and_a_note(catalog, factors):
    s = size_serving(catalog.model("llama-3.1-405b"), catalog.gpu("l4"), factors, tpot_ms=1)
    assert not s.tpot_met and s.batch == 1
    assert any(n.startswith("No batch meets the 1 ms TPOT target on NVIDIA L4 24GB") for n in s.notes)
    assert math.isfinite(s.tokens_per_second) and s.tokens_per_second > 0


def test_zero_tokens_and_zero_traffic_are_finite(catalog, factors):
    s = size_serving(catalog.model("mistral-7b"), catalog.gpu("l4"), factors, input_tokens=0, output_tokens=0,
                     peak_requests_per_second=0)
    assert s.replicas == 0 and s.gpus == 0 and s.tokens_per_second == 0
    assert math.isfinite(s.requests_per_second_per_replica) and s.ttft_ms == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"precision": "fp4"}, 'Precision "fp4" is not valid; choose from: bf16, fp8, int4.'),
        ({"input_tokens": -1}, "Input and output tokens must be zero or more."),
        ({"tpot_ms": 0}, "The TPOT target must be more than 0 ms (got 0)."),
        ({"gpus": 0}, "The GPU count must be at least 1 (got 0)."),
        ({"gpus": 1}, "1 GPU cannot hold llama-3.1-70b on NVIDIA H100 SXM5 80GB at bf16; one replica needs"),
    ],
)
def test_serving_errors(catalog, factors, kwargs, message):
    with pytest.raises(SizingError) as err:
        size_serving(catalog.model("llama-3.1-70b"), catalog.gpu("h100-sxm"), factors, **kwargs)
    assert str(err.value).startswith(message)


def test_model_that_fits_on_no_gpu_count(catalog, factors):
    with pytest.raises(SizingError, match=r"^Model llama-3.1-405b does not fit on 64 × Tiny GPU at bf16"):
        size_serving(catalog.model("llama-3.1-405b"), tiny_gpu(1.0), factors)


def test_requests_per_second_is_vectorised():
    import numpy as np

    rate, step, prefill = requests_per_second(10.0, 4.0, 8.0, 10.0, np.array([10.0, 20.0]), 2.0, 2, 3, 1.0, 1.0, 1.0)
    # step = max(10/10, 4/2) = 2 s, then max(0.5, 2) = 2; prefill = max(8/2, 10/bw)
    assert step.tolist() == [2.0, 2.0]
    assert prefill.tolist() == [4.0, 4.0]
    assert rate.tolist() == pytest.approx([1 / (4 + 3 * 2 / 2)] * 2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    model=st.sampled_from(["llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "mixtral-8x7b", "granite-3.1-8b"]),
    gpu=st.sampled_from(["h100-sxm", "h200", "a100-80gb", "l40s", "l4"]),
    precision=st.sampled_from(["bf16", "fp8", "int4"]),
    inp=st.integers(0, 200_000),
    out=st.integers(0, 20_000),
    tpot=st.one_of(st.none(), st.floats(0.01, 1000)),
    rps=st.floats(0, 1e4),
)
def test_serving_is_finite_and_non_negative(model, gpu, precision, inp, out, tpot, rps):
    catalog = load_catalog()
    factors = default_factors(catalog)
    try:
        s = size_serving(catalog.model(model), catalog.gpu(gpu), factors, precision=precision, input_tokens=inp,
                         output_tokens=out, tpot_ms=tpot, peak_requests_per_second=rps)
    except SizingError as exc:
        assert "does not fit" in str(exc)
        return
    for name, value in s.model_dump().items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert math.isfinite(value) and value >= 0, name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    model=st.sampled_from(["llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "mistral-7b"]),
    gpu=st.sampled_from(["h100-sxm", "a100-80gb", "l40s", "l4"]),
    method=st.sampled_from(["none", "full", "lora", "qlora"]),
    tokens=st.floats(0, 1e13),
    epochs=st.floats(0, 100),
    days=st.one_of(st.none(), st.floats(0.01, 365)),
)
def test_training_is_finite_and_non_negative(model, gpu, method, tokens, epochs, days):
    catalog = load_catalog()
    t = size_training(catalog.model(model), catalog.gpu(gpu), method, tokens, epochs, default_factors(catalog),
                      max_days=days)
    for name, value in t.model_dump().items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert math.isfinite(value) and value >= 0, name


def test_qlora_of_a_70b_model_fits_one_48gb_gpu(catalog):
    """Dettmers et al. 2023: "finetune a 65B parameter model on a single 48GB GPU". Llama 3.1 70B on an L40S."""
    from explorer.engine.prices import default_factors

    model, gpu = catalog.model("llama-3.1-70b"), catalog.gpu("l40s")
    t = size_training(model, gpu, "qlora", 1e8, 1, default_factors(catalog))
    assert t.gpus == t.gpus_for_memory == 1
    # Usable: 48 GB × 0.90 = 43.2 GB. Resident: the 4-bit base and adapters (39.82 GB, the engine's state), one
    # layer dequantised to bf16 (70.6e9 / 80 layers × 2 bytes = 1.765 GB), and checkpointed activations of
    # 8,192 hidden × (2 × 80 layers + 34) = 1,589,248 bytes per token. 1,024 tokens would need
    # 39.82 + 1.765 + 1.627 = 43.21 GB > 43.2, so the micro-batch halves to 512: 39.82 + 1.765 + 0.814 = 42.40 GB.
    per_token = 8192 * (2 * 80 + 34)
    layer = model.params / 80 * 2
    assert t.microbatch_tokens == 512
    assert t.memory_gb_per_gpu == pytest.approx((t.state_gb * 1e9 + layer + 512 * per_token) / 1e9)
    assert t.memory_gb_per_gpu <= 48 * 0.9
    assert any("QLoRA on one GPU" in n for n in t.notes)
    # LoRA keeps bf16 weights (141 GB): it still needs several GPUs.
    assert size_training(model, gpu, "lora", 1e8, 1, default_factors(catalog)).gpus >= 4

"""Sizing: GPU memory, GPU count, training time and serving throughput from first principles.

Training FLOPs: 6·N·D (Kaplan et al. 2020) plus the recomputed forward pass; LoRA skips frozen weights'
gradients, QLoRA adds dequantisation. Memory: ZeRO's 16 bytes per trained parameter, sharded as FSDP does,
plus one checkpointed micro-batch (Korthikanti et al. 2022); QLoRA may fit one GPU (Dettmers et al. 2023).
Serving is a roofline: each decode step reads the weights and KV cache or does 2·N FLOPs per sequence,
whichever takes longer; prefill is 2·N FLOPs per prompt token. Factors: ``data/efficiency.yaml``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from explorer.engine.load_result import ServingLoad
from explorer.model.errors import SizingError
from explorer.model.hardware import BYTES_PER_PARAM, GpuSpec, ModelSpec
from explorer.model.vocabulary import METHODS, PRECISIONS

MAX_TENSOR_PARALLEL = 64  # beyond 8 GPUs a replica spans nodes (tensor × pipeline parallel)
MAX_TRAINING_GPUS = 100_000
MIN_MICROBATCH_TOKENS = 256
HOURS_PER_DAY = 24.0


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class TrainingSizing(_Result):
    model: str
    gpu: str
    method: str
    tokens: float  # dataset tokens × epochs
    flops: float
    flops_factor: float  # multiple of 6·N·D
    mfu: float
    gpu_hours: float
    gpus: int
    gpus_for_memory: int
    gpus_for_time: int
    wall_clock_hours: float
    memory_gb_per_gpu: float
    state_gb: float  # weights + gradients + optimizer state, before sharding
    activations_gb_per_gpu: float
    microbatch_tokens: int
    notes: tuple[str, ...] = ()


class ServingSizing(_Result):
    model: str
    gpu: str
    precision: str
    tensor_parallel: int
    batch: int
    batch_memory_limit: int
    batch_tpot_limit: int | None
    replicas: int
    gpus: int
    tokens_per_second: float  # generated tokens per second across all replicas
    tokens_per_second_per_replica: float
    requests_per_second_per_replica: float
    memory_gb_per_gpu: float
    weights_gb_per_gpu: float
    kv_gb_per_gpu: float
    kv_bytes_per_token: float
    ttft_ms: float
    tpot_ms: float
    tpot_met: bool
    bound: str  # "memory bandwidth" or "compute"
    # The roofline inputs, so the cost engine can re-evaluate throughput under sampled efficiencies.
    step_bytes: float  # bytes read per decode step per replica
    step_flops: float  # FLOPs per decode step per replica
    prefill_flops: float  # FLOPs to prefill one request
    replica_bandwidth: float  # bytes/s of a replica's GPUs at peak, × the tensor-parallel scaling
    replica_flops: float  # FLOP/s of a replica's GPUs at peak, × the tensor-parallel scaling
    tp_efficiency: float = 1.0  # the tensor_parallel_efficiency the scaling used
    weight_bytes: float
    output_tokens: int
    notes: tuple[str, ...] = ()
    load: ServingLoad | None = None  # latency at the average and peak traffic (explorer/engine/latency.py)


def factor(factors: Mapping[str, float], name: str) -> float:
    return float(factors[f"eff:{name}"])


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------


def training_flops_factor(method: str, factors: Mapping[str, Any]) -> Any:
    """Training FLOPs as a multiple of 6·N·D per method, with the forward pass checkpointing recomputes (2·N·D)."""
    recompute = factors["eff:activation_recompute"] / 3.0
    if method == "full":
        return 1.0 + recompute
    if method == "lora":
        return factors["eff:lora_flops_factor"] + recompute
    if method == "qlora":
        return (factors["eff:lora_flops_factor"] + recompute) * factors["eff:qlora_overhead"]
    return 0.0


def training_state_bytes(model: ModelSpec, method: str, factors: Mapping[str, float]) -> float:
    """Weights + gradients + optimizer state for the whole model, before sharding across GPUs."""
    n = model.params
    adam = factor(factors, "adam_bytes_per_param")
    adapters = n * factor(factors, "lora_trainable_fraction") * adam
    if method == "full":
        return n * adam
    if method == "lora":
        return n * BYTES_PER_PARAM["bf16"] + adapters
    if method == "qlora":
        return n * factor(factors, "qlora_bytes_per_param") + adapters
    return 0.0


def _qlora_single_gpu(model: ModelSpec, state: float, usable: float, per_token: float,
                      factors: Mapping[str, float]) -> int | None:
    """The largest micro-batch (halving down to 256 tokens) that fits a QLoRA run on one GPU: 4-bit base and
    adapters, one layer's bf16 dequantisation buffer, checkpointed activations. None when none fits."""
    layer = model.params / model.layers * BYTES_PER_PARAM["bf16"]
    microbatch = int(factor(factors, "training_microbatch_tokens"))
    while microbatch >= MIN_MICROBATCH_TOKENS:
        if state + layer + microbatch * per_token <= usable:
            return microbatch
        microbatch //= 2
    return None


def _round_gpus(count: int) -> int:
    """Whole nodes: 1, 2, 4 or 8 GPUs, then multiples of 8."""
    if count <= 1:
        return 1
    if count <= 8:
        return 1 << (count - 1).bit_length()
    return -(-count // 8) * 8


def size_training(
    model: ModelSpec,
    gpu: GpuSpec,
    method: str,
    dataset_tokens: float,
    epochs: float,
    factors: Mapping[str, float],
    *,
    gpus: int | None = None,
    mfu: float | None = None,
    max_days: float | None = None,
) -> TrainingSizing:
    """FLOPs, GPU-hours, GPU count (for memory and for the deadline), wall clock and memory per GPU."""
    if method not in METHODS:
        raise SizingError(f'Fine-tune method "{method}" is not valid; choose from: {", ".join(METHODS)}.')
    mfu = factor(factors, "training_mfu") if mfu is None else mfu
    if not 0 < mfu <= 1:
        raise SizingError(f"MFU must be greater than 0 and at most 1 (got {mfu:g}).")
    if gpus is not None and gpus < 1:
        raise SizingError(f"The GPU count must be at least 1 (got {gpus}).")
    tokens = max(dataset_tokens, 0.0) * max(epochs, 0.0)
    if method == "none":
        return TrainingSizing(
            model=model.id, gpu=gpu.id, method=method, tokens=0.0, flops=0.0, flops_factor=0.0, mfu=mfu,
            gpu_hours=0.0, gpus=0, gpus_for_memory=0, gpus_for_time=0, wall_clock_hours=0.0,
            memory_gb_per_gpu=0.0, state_gb=0.0, activations_gb_per_gpu=0.0, microbatch_tokens=0,
            notes=("No fine-tuning: the foundation model is served as it is.",),
        )
    flops_factor = training_flops_factor(method, factors)
    flops = 6.0 * model.active_params_b * 1e9 * tokens * flops_factor
    peak = gpu.tflops["bf16"] * 1e12
    gpu_hours = flops / (peak * mfu) / 3600.0

    usable = gpu.memory_gb * 1e9 * factor(factors, "memory_usable_fraction")
    state = training_state_bytes(model, method, factors)
    # FSDP gathers one layer's bf16 weights while prefetching the next: two layers resident.
    gathered = 2 * model.params / model.layers * BYTES_PER_PARAM["bf16"]
    per_token = model.hidden_size * (2 * model.layers + factor(factors, "activation_bytes_per_hidden"))
    microbatch = int(factor(factors, "training_microbatch_tokens"))
    notes: list[str] = []
    while microbatch > MIN_MICROBATCH_TOKENS and gathered + microbatch * per_token >= usable:
        microbatch //= 2
    fixed = gathered + microbatch * per_token
    if fixed >= usable:
        raise SizingError(
            f"Model {model.id} cannot be trained on {gpu.name}: one layer's weights and activations need "
            f"{fixed / 1e9:.1f} GB, more than the {usable / 1e9:.1f} GB usable on one GPU; choose a larger GPU."
        )
    single = _qlora_single_gpu(model, state, usable, per_token, factors) if method == "qlora" else None
    if single is not None:
        # QLoRA (Dettmers et al. 2023): "a 65B parameter model on a single 48GB GPU".
        microbatch = single
        fixed = model.params / model.layers * BYTES_PER_PARAM["bf16"] + microbatch * per_token
        notes.append(f"QLoRA on one GPU: 4-bit base, one layer dequantised at a time, gradient checkpointing and a "
                     f"{microbatch}-token micro-batch (Dettmers et al. 2023).")
    elif microbatch < factor(factors, "training_microbatch_tokens"):
        notes.append(f"Micro-batch reduced to {microbatch} tokens per GPU so that activations fit.")
    gpus_for_memory = 1 if single is not None else max(1, math.ceil(state / (usable - fixed)))
    if gpus_for_memory > MAX_TRAINING_GPUS:
        raise SizingError(
            f"Model {model.id} needs {gpus_for_memory:,} × {gpu.name} to hold its training state, more than "
            f"{MAX_TRAINING_GPUS:,}; choose a larger GPU or LoRA/QLoRA."
        )
    gpus_for_time = 1
    if max_days is not None and max_days > 0:
        gpus_for_time = max(1, math.ceil(gpu_hours / (max_days * HOURS_PER_DAY)))
    if gpus is None:
        count = _round_gpus(max(gpus_for_memory, min(gpus_for_time, MAX_TRAINING_GPUS)))
    else:
        if gpus < gpus_for_memory:
            raise SizingError(
                f"{gpus} GPU{'s' if gpus != 1 else ''} cannot hold {model.id} for {method} training on {gpu.name}; "
                f"at least {gpus_for_memory} are needed."
            )
        count = gpus
    return TrainingSizing(
        model=model.id, gpu=gpu.id, method=method, tokens=tokens, flops=flops, flops_factor=flops_factor, mfu=mfu,
        gpu_hours=gpu_hours, gpus=count, gpus_for_memory=gpus_for_memory, gpus_for_time=gpus_for_time,
        # QLoRA's single-GPU recipe replicates the 4-bit base on every GPU (data parallel); the rest shard it.
        wall_clock_hours=gpu_hours / count,
        memory_gb_per_gpu=((state if single is not None else state / count) + fixed) / 1e9,
        state_gb=state / 1e9, activations_gb_per_gpu=microbatch * per_token / 1e9, microbatch_tokens=microbatch,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------------------------


def requests_per_second(
    step_bytes: np.ndarray | float,
    step_flops: np.ndarray | float,
    prefill_flops: np.ndarray | float,
    weight_bytes: np.ndarray | float,
    bandwidth: np.ndarray | float,
    flops: np.ndarray | float,
    batch: np.ndarray | float,
    output_tokens: np.ndarray | float,
    bw_eff: np.ndarray | float,
    compute_eff: np.ndarray | float,
    prefill_eff: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Requests per second one replica completes, with its decode step time and prefill time (seconds).

    A replica's second is shared between prefilling arriving prompts and decode steps that each
    advance ``batch`` sequences by one token, so R · (prefill + out · step / batch) = 1. A request
    costs at least one step even with no output. Vectorised: every argument may be an array.
    """
    step = np.maximum(step_bytes / (bandwidth * bw_eff), step_flops / (flops * compute_eff))
    prefill = np.where(
        prefill_flops > 0, np.maximum(prefill_flops / (flops * prefill_eff), weight_bytes / (bandwidth * bw_eff)), 0.0
    )
    per_request = prefill + np.maximum(output_tokens, 1) * step / batch
    return 1.0 / per_request, step, prefill


def tensor_parallel_scaling(tp: Any, efficiency: Any) -> Any:
    """The fraction of ``tp`` GPUs' peak a tensor-parallel group delivers: ``efficiency`` per doubling.

    Every doubling of the group adds all-reduces to each layer and shrinks each GPU's matrices, so a
    group of 2 delivers 2 × e, of 4 delivers 4 × e², of 8 delivers 8 × e³ (TP 1 is not scaled).
    """
    return np.power(efficiency, np.log2(tp))


def _serving_flops(gpu: GpuSpec, precision: str) -> float:
    if precision == "fp8" and "fp8" in gpu.tflops:
        return gpu.tflops["fp8"] * 1e12
    return gpu.tflops["bf16"] * 1e12


def size_serving(
    model: ModelSpec,
    gpu: GpuSpec,
    factors: Mapping[str, float],
    *,
    precision: str = "bf16",
    input_tokens: int = 800,
    output_tokens: int = 300,
    tpot_ms: float | None = None,
    gpus: int | None = None,
    peak_requests_per_second: float | None = None,
    tensor_parallel: int | None = None,
) -> ServingSizing:
    """Tensor-parallel size, batch, throughput, latency and replicas for one model on one GPU type.

    Without ``tpot_ms`` the batch is limited by memory only (the offline, maximum-throughput figure).
    With ``peak_requests_per_second`` the replicas cover that rate; with ``gpus`` they fill those GPUs;
    otherwise one replica. ``tensor_parallel`` fixes the group size (to compare with a benchmark);
    by default the size that serves the most requests per GPU is chosen.
    """
    if precision not in PRECISIONS:
        raise SizingError(f'Precision "{precision}" is not valid; choose from: {", ".join(PRECISIONS)}.')
    if input_tokens < 0 or output_tokens < 0:
        raise SizingError("Input and output tokens must be zero or more.")
    if tpot_ms is not None and not tpot_ms > 0:
        raise SizingError(f"The TPOT target must be more than 0 ms (got {tpot_ms:g}).")
    if gpus is not None and gpus < 1:
        raise SizingError(f"The GPU count must be at least 1 (got {gpus}).")
    allowed_tp = [2**k for k in range(MAX_TENSOR_PARALLEL.bit_length())]
    if tensor_parallel is not None and tensor_parallel not in allowed_tp:
        raise SizingError(
            f"The tensor-parallel size must be one of {', '.join(map(str, allowed_tp))} (got {tensor_parallel})."
        )
    weights = model.params * BYTES_PER_PARAM[precision]
    kv_precision = "fp8" if precision == "fp8" else "bf16"
    kv_token = model.kv_bytes_per_token(kv_precision)
    usable = gpu.memory_gb * 1e9 * factor(factors, "memory_usable_fraction")
    bw_eff = factor(factors, "decode_bandwidth_efficiency")
    c_eff = factor(factors, "decode_compute_efficiency")
    p_eff = factor(factors, "prefill_mfu")
    tp_eff = factor(factors, "tensor_parallel_efficiency")
    max_batch = max(1, int(factor(factors, "max_batch")))
    bandwidth = gpu.bandwidth_tb_s * 1e12
    flops = _serving_flops(gpu, precision)
    context = input_tokens + output_tokens  # KV held per sequence at its longest
    mean_context = input_tokens + output_tokens / 2  # KV read per sequence per step, on average
    flops_per_seq = 2.0 * model.active_params_b * 1e9
    target = None if tpot_ms is None else tpot_ms / 1000.0

    candidates = []
    tp = 1
    while tp <= MAX_TENSOR_PARALLEL:
        free = tp * usable - weights
        if free > kv_token * max(context, 1) and tensor_parallel in (None, tp):
            b_mem = min(max_batch, int(free // (kv_token * max(context, 1))))
            b_tpot = None
            group = tp * float(tensor_parallel_scaling(tp, tp_eff))  # effective GPUs: all-reduces cost each doubling
            if target is not None:
                by_bw = (target * group * bandwidth * bw_eff - weights) / max(kv_token * mean_context, 1e-30)
                by_flops = target * group * flops * c_eff / flops_per_seq
                b_tpot = int(max(0.0, min(by_bw, by_flops, 1e9)))
            batch = max(1, min(b_mem, b_tpot) if b_tpot is not None else b_mem)
            rate, step, prefill = requests_per_second(
                weights + batch * kv_token * mean_context, batch * flops_per_seq, flops_per_seq * input_tokens,
                weights, group * bandwidth, group * flops, batch, output_tokens, bw_eff, c_eff, p_eff,
            )
            met = target is None or (b_tpot is not None and b_tpot >= 1)
            candidates.append((tp, b_mem, b_tpot, batch, float(rate), float(step), float(prefill), met))
        tp *= 2
    if not candidates:
        group_size = tensor_parallel or MAX_TENSOR_PARALLEL
        raise SizingError(
            f"Model {model.id} does not fit on {group_size} × {gpu.name} at {precision}: its weights need "
            f"{weights / 1e9:.0f} GB; choose a GPU with more memory or a lower precision."
        )
    notes: list[str] = []
    meeting = [c for c in candidates if c[7]]
    if meeting:
        # Most requests per GPU; ties (within rounding) go to the smaller tensor-parallel group.
        top = max(c[4] / c[0] for c in meeting)
        best = min((c for c in meeting if c[4] / c[0] >= top * (1 - 1e-9)), key=lambda c: c[0])
    else:
        best = min(candidates, key=lambda c: (c[5], c[0]))
        notes.append(
            f"No batch meets the {tpot_ms:g} ms TPOT target on {gpu.name}: the fastest is "
            f"{best[5] * 1000:.1f} ms per token at batch 1 with {best[0]} GPUs per replica."
        )
    tp, b_mem, b_tpot, batch, rate, step, prefill, met = best
    group = tp * float(tensor_parallel_scaling(tp, tp_eff))
    if tp > 8:
        notes.append(f"{tp} GPUs per replica span several 8-GPU nodes (tensor × pipeline parallel).")

    if peak_requests_per_second is not None:
        demand = max(peak_requests_per_second, 0.0)
        replicas = math.ceil(demand / rate - 1e-9) if demand > 0 else 0
    elif gpus is not None:
        if gpus < tp:
            raise SizingError(
                f"{gpus} GPU{'s' if gpus != 1 else ''} cannot hold {model.id} on {gpu.name} at {precision}; "
                f"one replica needs {tp} GPUs."
            )
        replicas = gpus // tp
    else:
        replicas = 1
    step_bytes = weights + batch * kv_token * mean_context
    step_flops = batch * flops_per_seq
    bound = "memory bandwidth" if step_bytes / (bandwidth * bw_eff) >= step_flops / (flops * c_eff) else "compute"
    per_replica_tokens = rate * output_tokens
    return ServingSizing(
        model=model.id, gpu=gpu.id, precision=precision, tensor_parallel=tp, batch=batch,
        batch_memory_limit=b_mem, batch_tpot_limit=b_tpot, replicas=replicas, gpus=replicas * tp,
        tokens_per_second=replicas * per_replica_tokens, tokens_per_second_per_replica=per_replica_tokens,
        requests_per_second_per_replica=rate,
        memory_gb_per_gpu=(weights + batch * kv_token * context) / tp / 1e9, weights_gb_per_gpu=weights / tp / 1e9,
        kv_gb_per_gpu=batch * kv_token * context / tp / 1e9, kv_bytes_per_token=kv_token,
        ttft_ms=prefill * 1000.0, tpot_ms=step * 1000.0, tpot_met=met, bound=bound,
        step_bytes=step_bytes, step_flops=step_flops, prefill_flops=flops_per_seq * input_tokens,
        replica_bandwidth=group * bandwidth, replica_flops=group * flops, tp_efficiency=tp_eff, weight_bytes=weights,
        output_tokens=output_tokens, notes=tuple(notes),
    )

"""What serving looks like under the traffic: latency at the average (P50) and the peak load, per replica."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ServingLoad(BaseModel):
    """Loaded time to first token and per output token at the average and the peak request rate.

    The TTFT is the serving stack's own (no network round trip). ``max_utilisation`` is the share of a
    replica's throughput it may carry at the peak and still meet both latency targets (1 when throughput,
    not latency, sets the replica count); the cost model applies it to every (sampled) throughput. A latency of
    None means the replica has no steady state at that rate (more requests arrive than it serves: the queue
    grows without bound); sizing never leaves the peak there, a fixed GPU count may.
    """

    model_config = ConfigDict(frozen=True)

    engine: str  # the serving engine profile (data/engines.yaml)
    engine_name: str = ""  # as people write it: vLLM, TensorRT-LLM, SGLang
    scheduler_steps: int  # decode steps between two scheduling decisions
    rate_p50: float  # requests/s per replica at the average load
    rate_peak: float  # requests/s per replica at the peak
    ttft_p50_ms: float | None
    tpot_p50_ms: float | None
    ttft_peak_ms: float | None
    tpot_peak_ms: float | None
    utilisation_p50: float  # share of the replica's throughput in use
    utilisation_peak: float
    concurrency_p50: float | None  # sequences in flight per replica (Little's law)
    concurrency_peak: float | None
    replicas_for_throughput: int
    max_utilisation: float = 1.0
    latency_met: bool = True  # the targets hold at the peak

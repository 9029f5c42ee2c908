"""Hand calculations several test modules check the engine against."""

import math

# The default workload's prefill on the cloud's H100 SXM, served by the default engine, vLLM (data/engines.yaml:
# decode bandwidth efficiency 0.46, prefill MFU 0.50, tensor-parallel efficiency 0.90 per doubling, 10 scheduler
# steps). Llama 3.1 70B has 70.6 B parameters, so a prompt costs 2 · 70.6e9 · 800 tokens = 1.1296e14 FLOPs.
# The sizing serves it with tensor parallelism 4, which keeps 0.90² of four GPUs: 4 × 0.81 = 3.24 GPUs.
# 3.24 × 989 TFLOPS bf16 at 50 % MFU gives 1.60218e15 FLOP/s, so prefill takes 1.1296e14 / 1.60218e15 =
# 70.503 ms. Reading the 141.2 GB of weights once (3.24 × 3.35 TB/s × 0.46 = 4.99284e12 B/s: 28.28 ms) is
# shorter, so compute bounds it.
TP4_SCALING = 0.90**2
GROUP = 4 * TP4_SCALING
PREFILL_MS = 2 * 70.6e9 * 800 / (GROUP * 989e12 * 0.5) * 1e3

# Under load (explorer/engine/latency.py): 50,000 requests/day × peak factor 3 / 86,400 s = 1.736111 requests/s
# on the one replica at the peak. A decode step reads the weights, a = 141.2e9 / 4.99284e12 = 28.2805 ms, and
# each sequence's KV cache, c = 327,680 B/token × 950 tokens (800 prompt + 150, half the output on average) /
# 4.99284e12 = 0.062349 ms. Prefills take ρ_p = 1.736111 × 0.070503 s = 0.122401 of the replica's time, and
# 1.736111 × 300 = 520.83 output tokens/s decode, so TPOT = a / (1 − ρ_p − 520.83 × c)
# = 28.2805 / (1 − 0.122401 − 0.032474) = 33.463 ms. A decode step then lasts 33.463 × (1 − 0.122401)
# = 29.367 ms, and a prompt waits half of vLLM's 10-step round, 146.83 ms, plus the M/D/1 wait behind other
# prefills, 0.122401 × 70.503 / (2 × 0.877599) = 4.917 ms; 17.6 sequences in flight on 256 slots leave no slot
# wait (Erlang C < 1e-30). TTFT = 70.503 + 146.83 + 4.917 = 222.25 ms.
PEAK_RATE = 50_000 / 86_400 * 3
_BW = GROUP * 3.35e12 * 0.46
_A, _C = 141.2e9 / _BW, 327_680 * 950 / _BW
_RHO = PEAK_RATE * PREFILL_MS / 1e3
LOADED_TPOT_MS = _A / (1 - _RHO - PEAK_RATE * 300 * _C) * 1e3
LOADED_TTFT_MS = PREFILL_MS + 10 * LOADED_TPOT_MS * (1 - _RHO) / 2 + _RHO * PREFILL_MS / (2 * (1 - _RHO))
assert math.isclose(LOADED_TTFT_MS, 222.25, abs_tol=0.01) and math.isclose(LOADED_TPOT_MS, 33.463, abs_tol=1e-3)


def loaded_ms(prefill_ms: float, weight_bytes: float, kv_bytes_per_seq: float, bandwidth: float, rate: float,
              output_tokens: int, steps: int) -> tuple[float, float]:
    """TTFT and TPOT (ms) of one replica at ``rate`` requests/s, by the formulas of explorer/engine/latency.py,
    where the slot wait (Erlang C) is negligible (far fewer sequences in flight than the 256 slots):
    TPOT = a / (1 − ρ_p − rate · out · c);
    TTFT = prefill + steps · TPOT · (1 − ρ_p) / 2 + ρ_p · prefill / (2 (1 − ρ_p))."""
    a, c = weight_bytes / bandwidth, kv_bytes_per_seq / bandwidth
    rho = rate * prefill_ms / 1e3
    tpot = a / (1 - rho - rate * output_tokens * c) * 1e3
    return prefill_ms + steps * tpot * (1 - rho) / 2 + rho * prefill_ms / (2 * (1 - rho)), tpot


# The owned A100s (312 TFLOPS bf16, 2.039 TB/s): vLLM's 0.90 per doubling makes tensor parallel 8 serve the most
# requests per GPU (8 × 0.90³ = 5.832 effective GPUs): prefill 1.1296e14 / (5.832 × 312e12 × 0.5) = 124.16 ms;
# under the same peak the decode reads at 5.832 × 2.039e12 × 0.46 B/s, and TTFT comes to 275.35 ms.
A100_GROUP = 8 * 0.90**3
A100_PREFILL_MS = 2 * 70.6e9 * 800 / (A100_GROUP * 312e12 * 0.5) * 1e3
A100_TTFT_MS, A100_TPOT_MS = loaded_ms(A100_PREFILL_MS, 141.2e9, 327_680 * 950, A100_GROUP * 2.039e12 * 0.46,
                                       PEAK_RATE, 300, 10)
assert math.isclose(A100_PREFILL_MS, 124.16, abs_tol=0.01) and math.isclose(A100_TTFT_MS, 275.35, abs_tol=0.01)
assert math.isclose(loaded_ms(PREFILL_MS, 141.2e9, 327_680 * 950, _BW, PEAK_RATE, 300, 10)[0], LOADED_TTFT_MS)

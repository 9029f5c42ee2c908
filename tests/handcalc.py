"""Hand calculations several test modules check the engine against."""

# The default workload's prefill on the cloud's H100 SXM (the serving stack's own time to first token):
# Llama 3.1 70B has 70.6 B parameters, so a prompt costs 2 · 70.6e9 · 800 tokens = 1.1296e14 FLOPs.
# The sizing serves it with tensor parallelism 4, which keeps 0.85² of four GPUs (the tensor-parallel
# efficiency per doubling): 4 × 0.7225 × 989 TFLOPS bf16 at the 50 % prefill MFU default gives
# 1.4291e15 FLOP/s, so prefill takes 1.1296e14 / 1.4291e15 = 79.042 ms. Reading the 141.2 GB of weights
# once (4 × 0.7225 × 3.35 TB/s at the 70 % bandwidth efficiency: 20.8 ms) is shorter, so compute bounds it.
TP4_SCALING = 0.85**2
PREFILL_MS = 2 * 70.6e9 * 800 / (4 * TP4_SCALING * 989e12 * 0.5) * 1e3

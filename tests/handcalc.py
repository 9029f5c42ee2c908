"""Hand calculations several test modules check the engine against."""

# The default workload's prefill on the cloud's H100 SXM (the serving stack's own time to first token):
# Llama 3.1 70B has 70.6 B parameters, so a prompt costs 2 · 70.6e9 · 800 tokens = 1.1296e14 FLOPs.
# The sizing serves it with tensor parallelism 4: 4 × 989 TFLOPS bf16 at the 50 % prefill MFU default
# gives 1.978e15 FLOP/s, so prefill takes 1.1296e14 / 1.978e15 = 57.108 ms. Reading the 141.2 GB of
# weights once (4 × 3.35 TB/s at the 70 % bandwidth efficiency: 15.1 ms) is shorter, so compute bounds it.
PREFILL_MS = 2 * 70.6e9 * 800 / (4 * 989e12 * 0.5) * 1e3

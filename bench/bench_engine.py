"""Engine speed and memory: one full cost evaluation (8 options × 60 months) and 10,000 uncertainty samples.

Targets on the 2-core project machine: evaluation < 20 ms; 10,000 samples < 200 ms and < 200 MB peak
(measured with tracemalloc, in a separate pass so tracing does not slow the timed runs).
"""

from __future__ import annotations

import os
import platform
import statistics
import time
import tracemalloc

from explorer.engine.pipeline import cost_of as evaluate
from explorer.engine.sensitivity import sensitivity_table
from explorer.engine.uncertainty import uncertainty
from explorer.model.cache import clear_all
from explorer.model.catalog import load_catalog
from explorer.model.loading import parse_assessment

RUNS = 9
SAMPLES = 10_000


def _median_ms(fn, runs: int = RUNS) -> tuple[float, float, float]:
    fn()  # warm caches (catalog, imports)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


def _cold(fn, *args):
    clear_all()  # every stage's content cache, so each run computes from scratch
    return fn(*args)


def main() -> None:
    catalog = load_catalog()
    a = parse_assessment({**catalog.preset("regulated-bank").assessment, "horizon_months": 60}, catalog=catalog)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    rows = [
        # Every stage from capacity to cost, uncached (a what-if variant): the full evaluation.
        ("evaluate: capacity, placement and cost, 8 options × 60 months", lambda: _cold(evaluate, catalog, a), 20.0),
        (f"uncertainty: {SAMPLES:,} samples, 8 options × 60 months", lambda: _cold(uncertainty, catalog, a, SAMPLES),
         200.0),
        ("sensitivity: ±20% on every input, all 8 options (for the UI)", lambda: _cold(sensitivity_table, catalog, a),
         None),
    ]
    for name, fn, target in rows:
        median, low, high = _median_ms(fn)
        verdict = "" if target is None else (" OK" if median < target else f" OVER the {target:g} ms target")
        print(f"{name}: median {median:.1f} ms (min {low:.1f}, max {high:.1f}, {RUNS} runs){verdict}")
    tracemalloc.start()
    _cold(uncertainty, catalog, a, SAMPLES)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"uncertainty peak traced memory: {peak / 1e6:.1f} MB{' OK' if peak < 200e6 else ' OVER the 200 MB target'}")


if __name__ == "__main__":
    main()

"""Helpers shared by the benchmarks: timing with medians, and a note of the machine."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def machine() -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem_gb:.0f} GiB, Python {platform.python_version()}"


def median_ms(fn: Callable[[], object], runs: int = 7, setup: Callable[[], object] | None = None) -> float:
    """Median wall time of ``fn`` in milliseconds over ``runs`` runs (``setup`` runs untimed before each)."""
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def report(title: str, rows: list[tuple[str, float, str]]) -> None:
    print(f"{title} ({machine()})")
    for name, value, unit in rows:
        print(f"  {name:<58} {value:10.2f} {unit}")

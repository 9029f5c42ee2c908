"""Views and the report: each view cold and cached, a cold architecture PNG, the whole report."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import time
from collections.abc import Callable

from explorer import decide, load_assessment, load_catalog
from explorer.model.cache import clear_all
from explorer.render import VIEW_FORMATS, VIEWS, render_view
from explorer.render.documents import DOCUMENT_FORMATS, document_bytes
from explorer.render.report import build_report

RUNS = 7


def _median_ms(fn: Callable[[], object], before: Callable[[], object] = lambda: None, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _cold() -> None:
    """Forget every cached DOT source and rendering, so the next call draws from scratch."""
    clear_all()


def main() -> None:
    catalog = load_catalog()
    a = load_assessment("preset:regulated-bank", catalog).with_choice(4, "1A")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; median of {RUNS} runs")
    print(f"{'view':14} {'format':8} {'cold ms':>9} {'cached ms':>10}")
    for view in VIEWS:
        for fmt in VIEW_FORMATS[view]:
            cold = _median_ms(lambda v=view, f=fmt: render_view(decide(catalog, a), v, f), before=_cold)
            render_view(decide(catalog, a), view, fmt)
            cached = _median_ms(lambda v=view, f=fmt: render_view(decide(catalog, a), v, f), runs=50)
            print(f"{view:14} {fmt:8} {cold:9.1f} {cached:10.3f}")
    # The report: the first build also starts kaleido's browser; later ones reuse it.
    day = dt.date(2026, 11, 23)
    start = time.perf_counter()
    build_report(decide(catalog, a), today=day)
    first = (time.perf_counter() - start) * 1000
    def cold_report() -> None:
        _cold()
        clear_all()  # the five plotly charts (and every stage) are drawn again too

    times = []
    for _ in range(5):
        cold_report()
        start = time.perf_counter()
        build_report(decide(catalog, a.model_copy(update={"customer": f"c{time.time()}"})), today=day)
        times.append((time.perf_counter() - start) * 1000)
    print(f"report first build (starts Chromium for kaleido): {first:8.0f} ms")
    print(f"report, browser running, diagrams and charts cold: median {statistics.median(times):.0f} ms "
          f"(min {min(times):.0f}, max {max(times):.0f}, 5 runs)")
    documents()


def documents() -> None:
    """The deck and the estimate: cold (every cache cleared: the decision, its 2,000 samples, the diagrams)."""
    catalog = load_catalog()
    a = load_assessment("preset:regulated-bank", catalog).with_choice(4, "1A")
    for view, formats in DOCUMENT_FORMATS.items():
        for fmt in formats:
            cold = _median_ms(lambda v=view, f=fmt: document_bytes(decide(catalog, a), v, f), before=_cold)
            print(f"{view:14} {fmt:8} {cold:9.1f} ms cold (median of {RUNS})")


if __name__ == "__main__":
    main()

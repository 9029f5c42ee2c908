"""The decision from cold caches: decide() (capacity, placement, cost, computed ratings, score) and the
thresholds that would flip it, for the default assessment and the four presets. Median of several runs."""

from __future__ import annotations

import os

from bench.common import machine, median_ms
from explorer.engine.decision import decide
from explorer.model.cache import clear_all
from explorer.model.catalog import load_catalog
from explorer.model.loading import load_assessment, parse_assessment

RUNS = 5


def main() -> None:
    catalog = load_catalog()
    cases = {"default": parse_assessment({}, catalog=catalog)}
    cases.update({p.id: load_assessment(f"preset:{p.id}", catalog) for p in catalog.presets})
    print(f"# {machine()}, load {os.getloadavg()[0]:.2f}; median of {RUNS} cold runs")
    for name, a in cases.items():
        decide(catalog, a).thresholds()  # warm the imports and the catalog
        d_ms = median_ms(lambda a=a: decide(catalog, a), RUNS, setup=clear_all)
        t_ms = median_ms(lambda a=a: decide(catalog, a).thresholds(), RUNS, setup=clear_all)
        print(f"{name:22s} decide {d_ms:7.1f} ms   decide + thresholds {t_ms:8.1f} ms")


if __name__ == "__main__":
    main()

"""Uncertainty: the uncertain inputs sampled at once, and P10/P50/P90 of every option's total (vectorised)."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from explorer.engine.cost import STRUCTURAL, line_item_rates
from explorer.engine.pipeline import choice_free, costed
from explorer.engine.prices import PriceReader, resolve_prices
from explorer.model.assessment import Assessment
from explorer.model.cache import ContentCache
from explorer.model.catalog import Catalog
from explorer.model.errors import OutOfRangeError

BAND_SAMPLES = 2_000  # month-by-month bands use the first 2,000 samples; P10/P50/P90 totals use all


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class Uncertainty(_Result):
    samples: int
    inputs: tuple[str, ...]  # the sampled price keys
    p10: dict[str, float]  # option key -> total
    p50: dict[str, float]
    p90: dict[str, float]
    cumulative_p10: dict[str, np.ndarray]  # option key -> (months,)
    cumulative_p50: dict[str, np.ndarray]
    cumulative_p90: dict[str, np.ndarray]


_CACHE: ContentCache[Uncertainty] = ContentCache("uncertainty", 64)


def uncertainty(
    catalog: Catalog, assessment: Assessment, samples: int = 2000, seed: int = 20240723, bands: bool = True
) -> Uncertainty:
    """Triangular samples (low, value, high) of every uncertain input the evaluation reads.

    An overridden value keeps the catalog's relative spread. Training GPU-hours scale with
    1/MFU; serving replicas are recomputed from the roofline at the sampled efficiencies with
    the batch and tensor-parallel size of the base sizing.
    """
    if samples < 1:
        raise OutOfRangeError("number of uncertainty samples", samples, 1)
    key = (catalog.version, choice_free(assessment), samples, seed, bands)
    return _CACHE.get(key, lambda: _sample(catalog, assessment, samples, seed, bands))


def _sample(catalog: Catalog, assessment: Assessment, samples: int, seed: int, bands: bool) -> Uncertainty:
    base = costed(catalog, assessment)
    if base.exception is not None:
        raise base.exception
    st = base.structure
    assert st is not None
    prices = resolve_prices(catalog, assessment)
    probe = PriceReader(prices)
    line_item_rates(st, probe)
    rng = np.random.default_rng(seed)
    values: dict[str, Any] = dict(prices)
    sampled: list[str] = []
    for key in probe.used:
        item = catalog.price_items[key]
        if item.low is None or item.high is None or item.value <= 0 or item.high <= item.low or key in STRUCTURAL:
            continue  # a structural price shapes the months: the tornado sweeps it, the samples leave it be
        scale = prices[key] / item.value
        low, high = item.low * scale, item.high * scale
        if not high > low:  # an override of 0 leaves nothing to sample
            continue
        mode = min(max(prices[key], low), high)
        values[key] = rng.triangular(low, mode, high, size=(samples, 1))
        sampled.append(key)
    rates, _ = line_item_rates(st, PriceReader(values))
    n, months = len(st.placements), st.months
    cum = {k: np.cumsum(v) for k, v in st.patterns.items()}
    # Totals: each pattern's sum times the rates that use it -> (samples, options).
    coeff = {k: np.zeros((samples, n)) for k in st.patterns}
    for terms in rates.values():
        for rate, pattern in terms:
            coeff[pattern] += np.broadcast_to(np.asarray(rate, dtype=float), (samples, n))
    totals = sum(coeff[k] * st.pattern_sums[k] for k in coeff)
    keys = [o.key for o in st.placements]
    q = np.percentile(np.ascontiguousarray(totals.T), [10, 50, 90], axis=1)
    result: dict[str, Any] = {"p10": {}, "p50": {}, "p90": {}, "cumulative_p10": {}, "cumulative_p50": {},
                              "cumulative_p90": {}}
    done: dict[bytes, str] = {}  # options with identical stages have identical samples: compute once
    for i, key in enumerate(keys):
        result["p10"][key], result["p50"][key], result["p90"][key] = (float(x) for x in q[:, i])
        for name in ("cumulative_p10", "cumulative_p50", "cumulative_p90"):
            result[name][key] = np.zeros(months)
        if not bands:
            continue
        signature = b"".join(coeff[k][:BAND_SAMPLES, i].tobytes() for k in coeff)
        if signature in done:
            for name in ("cumulative_p10", "cumulative_p50", "cumulative_p90"):
                result[name][key] = result[name][done[signature]]
            continue
        done[signature] = key
        # (months, samples), so the partition runs along contiguous memory.
        path = np.zeros((months, min(samples, BAND_SAMPLES)))
        for k in coeff:
            if st.pattern_sums[k]:
                path += cum[k][:, None] * coeff[k][:BAND_SAMPLES, i]
        band = np.percentile(path, [10, 50, 90], axis=1)
        result["cumulative_p10"][key], result["cumulative_p50"][key], result["cumulative_p90"][key] = band
    return Uncertainty(samples=samples, inputs=tuple(sampled), **result)



def band_note(point: float, p10: float, p50: float, p90: float, samples: int) -> str:
    """One line on how the point estimate relates to its band, when they differ enough for a reader to ask.

    The point estimate prices every input at the catalog's value; the band samples each input from its
    (possibly skewed) low–value–high range, so the median need not sit on the point estimate.
    """
    if point <= 0 or abs(p50 - point) <= 0.005 * point:
        return ""
    side = "above" if p50 > point else "below"
    share = abs(p50 - point) / point
    where = ("outside its own P10–P90 band" if not p10 <= point <= p90 else "inside the P10–P90 band")
    reach = "above" if p50 > point else "below"
    return (f"The point estimate prices every input at the catalog's value and lies {where}; the median of "
            f"{samples:,} samples is {share:.1%} {side} it because the sampled ranges reach further {reach} "
            "those values than the other way.")

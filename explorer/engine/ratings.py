"""Ratings the engine computes from its own numbers for the assessment: cost profile, elasticity and
operational burden. The seed's qualitative ratings stand for every other criterion, and for these three
when the cost model cannot price the assessment.

Each rating is a number on the catalog's 1..5 scale, rounded to one decimal, with a rationale that quotes
the numbers it comes from. The mappings are in ``data/criteria.yaml`` (``computed``), with their sources.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from explorer.engine.cost import CostResult, OptionCost
from explorer.model.catalog import Catalog, ComputedRating
from explorer.model.formatting import money, months, percent, usd
from explorer.model.vocabulary import option_short


@dataclass(frozen=True)
class Computed:
    rating: float
    rationale: str


def clamp(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def cost_profile_rating(total: float, cheapest: float, ratio_at_one: float, lo: float = 1, hi: float = 5) -> float:
    """``hi`` for the cheapest, falling with log(total ÷ cheapest) to ``lo`` at ``ratio_at_one`` × the cheapest.

    Dollar amounts under $1 are treated as $1, so a free option is rated without dividing by zero.
    """
    ratio = max(total, 1.0) / max(cheapest, 1.0)
    return clamp(hi - (hi - lo) * math.log(max(ratio, 1.0)) / math.log(ratio_at_one), lo, hi)


def elasticity_rating(idle_share: float, lo: float = 1, hi: float = 5) -> float:
    """``hi`` when no paid GPU-hour is an idle on-premises one, ``lo`` when all are."""
    return clamp(hi - (hi - lo) * idle_share, lo, hi)


def burden_rating(fte: float, fte_at_three: float, lo: float = 1, hi: float = 5) -> float:
    """``hi`` with no staff, the scale's middle at ``fte_at_three``, approaching ``lo`` as the staff grows."""
    return clamp(hi - (hi - lo) * fte / (fte + fte_at_three), lo, hi)


def _cost_profile(spec: ComputedRating, o: OptionCost, result: CostResult, cheapest: OptionCost, which: str,
                  lo: float, hi: float) -> Computed:
    rating = cost_profile_rating(o.total, cheapest.total, spec.params["ratio_at_one"], lo, hi)
    horizon = months(result.horizon_months)
    per_m = f" ({usd(o.per_million_tokens, cents=True)} per million tokens)" if o.per_million_tokens else ""
    if o.key == cheapest.key or o.total <= cheapest.total:
        text = f"{money(o.total)} over {horizon}{per_m}: the cheapest {which}."
    else:
        ratio = o.total / max(cheapest.total, 1.0)
        text = (f"{money(o.total)} over {horizon}{per_m}, {ratio:.2f}× the cheapest {which}, "
                f"{option_short(cheapest.key)} at {money(cheapest.total)}.")
    return Computed(round(rating, 1), text)


def _elasticity(o: OptionCost, result: CostResult, lo: float, hi: float, peak_factor: float) -> Computed | None:
    paid = o.gpu_hours_cloud + o.gpu_hours_onprem
    if paid <= 0:
        return None  # no GPU-hours at all: nothing to measure, the seed's rating stands
    idle = max(o.gpu_hours_onprem - o.gpu_hours_onprem_busy, 0.0)
    share = idle / paid
    rating = elasticity_rating(share, lo, hi)
    if o.gpu_hours_onprem <= 0:
        text = (f"Every GPU-hour ({o.gpu_hours_cloud:,.0f} over {months(result.horizon_months)}) is rented in "
                "the cloud, so capacity follows demand.")
    else:
        busy = o.gpu_hours_onprem_busy / o.gpu_hours_onprem
        added = (f", {o.onprem_gpus_training:,} of them added so fine-tuning meets its deadline,"
                 if o.onprem_gpus_training else "")
        text = (f"{o.onprem_gpus:,} on-premises GPUs are sized for the peak (peak factor {peak_factor:g}){added} "
                f"and busy {percent(busy)} of the time at average demand; {percent(share)} of the "
                f"{paid:,.0f} GPU-hours paid for are idle fixed capacity.")
    return Computed(round(rating, 1), text)


def _burden(spec: ComputedRating, o: OptionCost, result: CostResult, lo: float, hi: float) -> Computed:
    rating = burden_rating(o.staff_fte, spec.params["fte_at_three"], lo, hi)
    if o.staff_fte <= 0:
        text = "No GPUs on the premises, so the cost model counts no GPU operations staff; the provider runs them."
    else:
        per = result.prices.get("onprem:staff_servers_per_fte", 0.0)
        least = result.prices.get("onprem:staff_min_fte", 0.0)
        servers = f"{o.onprem_servers:,} server{'s' if o.onprem_servers != 1 else ''}"
        text = (f"{o.onprem_gpus:,} on-premises GPUs in {servers} need {o.staff_fte:.2f} FTE of operations "
                f"staff (one per {per:g} servers, at least {least:g}).")
    return Computed(round(rating, 1), text)


def computed_ratings(catalog: Catalog, result: CostResult | None, peak_factor: float) -> dict[str, dict[str, Computed]]:
    """Option key → criterion id → computed rating, for every criterion the catalog computes.

    Cost ratings are relative to the feasible options (all options when none is feasible). Without a cost
    result the mapping is empty: the seed's ratings stand.
    """
    if result is None:
        return {}
    lo, hi = catalog.scale.min, catalog.scale.max
    pool = [o for o in result.options if o.feasible] or list(result.options)
    cheapest = min(pool, key=lambda c: (c.total, c.key))
    which = "feasible option" if len(pool) < len(result.options) and pool[0].feasible else "option"
    methods: Mapping[str, Callable[[ComputedRating, OptionCost], Computed | None]] = {
        "cost_profile": lambda spec, o: _cost_profile(spec, o, result, cheapest, which, lo, hi),
        "elasticity": lambda spec, o: _elasticity(o, result, lo, hi, peak_factor),
        "operational_burden": lambda spec, o: _burden(spec, o, result, lo, hi),
    }
    out: dict[str, dict[str, Computed]] = {}
    for o in result.options:
        row: dict[str, Computed] = {}
        for c in catalog.criteria:
            if c.computed is not None:
                got = methods[c.computed.method](c.computed, o)
                if got is not None:
                    row[c.id] = got
        out[o.key] = row
    return out

"""Prices: the catalog's defaults with the assessment's overrides, and a lookup that notes what was read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog
from explorer.model.engine_profiles import engine_profile


def resolve_prices(catalog: Catalog, assessment: Assessment) -> dict[str, float]:
    """Catalog defaults, the serving engine's efficiency profile, then the assessment's overrides."""
    prices = {key: item.value for key, item in catalog.price_items.items()}
    prices.update(engine_profile(catalog.engines, assessment.workload.serving_engine).factors())
    prices.update(assessment.finance.overrides())
    for key, value in assessment.prices.items():
        catalog.price_item(key)  # an unknown key names the allowed ones
        prices[key] = float(value)
    return prices


def default_factors(catalog: Catalog, engine: str | None = None) -> dict[str, float]:
    """The catalog's defaults; with ``engine``, that serving engine's efficiency profile on top."""
    factors = {key: item.value for key, item in catalog.price_items.items()}
    if engine is not None:
        factors.update(engine_profile(catalog.engines, engine).factors())
    return factors


def efficiency_overrides(assessment: Assessment) -> tuple[tuple[str, float], ...]:
    """The overridden efficiency factors: all that sizing reads of ``Assessment.prices``."""
    return tuple(sorted((k, v) for k, v in assessment.prices.items() if k.startswith("eff:")))


class PriceReader:
    """Price lookups that remember which keys were read (for the tornado and the uncertainty run).

    Values may be floats or arrays of samples; the cost kernel broadcasts either.
    """

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.used: list[str] = []

    def __call__(self, key: str) -> Any:
        if key not in self.used:
            self.used.append(key)
        return self.values[key]

    __getitem__ = __call__

"""Governance and privacy trade-offs: criteria ratings per option, weighted by the user."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from explorer.model.catalog import Catalog
from explorer.model.errors import UnknownChoiceError, WeightsError
from explorer.model.vocabulary import SCENARIO_IDS, USE_CASE_IDS, option_key


class TradeOffRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    criterion: str
    name: str
    question: str
    higher_is: str
    weight: float
    rating: float  # the seed's whole number, or the engine's computed rating (one decimal)
    rationale: str
    source: str
    estimate: bool
    computed: bool = False  # True when the engine rated it from its numbers for this assessment

    @property
    def shown(self) -> str:
        """The rating as every view prints it: ``4``, ``3.4``."""
        return f"{self.rating:g}"


class TradeOffs(BaseModel):
    model_config = ConfigDict(frozen=True)

    scenario: int
    use_case: str
    rows: tuple[TradeOffRow, ...]
    score: float  # weighted mean rating mapped to 0..100

    def rating(self, criterion: str) -> float:
        for row in self.rows:
            if row.criterion == criterion:
                return row.rating
        raise UnknownChoiceError("criterion", criterion, [r.criterion for r in self.rows])


def resolve_weights(catalog: Catalog, weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Catalog default weights overridden by the user's; every weight in 0..5, not all zero."""
    resolved = {c.id: c.default_weight for c in catalog.criteria}
    for key, value in (weights or {}).items():
        if key not in resolved:
            raise WeightsError(f'Weight "{key}" is not a criterion. Choose from: {", ".join(resolved)}.')
        if not 0 <= value <= 5:
            raise WeightsError(f'Weight "{key}" must be between 0 and 5 (got {value}).')
        resolved[key] = float(value)
    if not any(resolved.values()):
        raise WeightsError("At least one criterion weight must be above 0; all weights are 0.")
    return resolved


def trade_offs(
    catalog: Catalog, scenario: int, use_case: str, weights: Mapping[str, float] | None = None,
    computed: Mapping[str, Any] | None = None,
) -> TradeOffs:
    """The trade-off table for one option, with its weighted score.

    ``computed`` (criterion id → an object with ``rating`` and ``rationale``) replaces the seed's rating of
    the criteria the engine rates from its numbers for this assessment.
    """
    resolved = resolve_weights(catalog, weights)
    key = option_key(scenario, use_case)
    rows = []
    for c in catalog.criteria:
        r = c.ratings[key]
        mine = (computed or {}).get(c.id)
        spec = c.computed if mine is not None else None
        rows.append(
            TradeOffRow(
                criterion=c.id,
                name=c.name,
                question=c.question,
                higher_is=c.higher_is,
                weight=resolved[c.id],
                rating=mine.rating if mine is not None else r.rating,
                rationale=mine.rationale if mine is not None else r.rationale,
                source=spec.source if spec is not None else c.source,
                estimate=spec.estimate if spec is not None else c.estimate,
                computed=mine is not None,
            )
        )
    return TradeOffs(scenario=scenario, use_case=use_case, rows=tuple(rows), score=_score(catalog, rows))


def _score(catalog: Catalog, rows: list[TradeOffRow]) -> float:
    lo, hi = catalog.scale.min, catalog.scale.max
    total_weight = sum(r.weight for r in rows)
    mean = sum(r.weight * r.rating for r in rows) / total_weight
    return round(100 * (mean - lo) / (hi - lo), 1)


def all_trade_offs(catalog: Catalog, weights: Mapping[str, float] | None = None) -> dict[str, TradeOffs]:
    return {
        option_key(s, u): trade_offs(catalog, s, u, weights) for s in SCENARIO_IDS for u in USE_CASE_IDS
    }

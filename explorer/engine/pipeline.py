"""The stages in one direction, each cached by the content it reads: capacity → placement → cost → score.

Nothing here depends on the chosen scenario, use case or customer: every stage covers all eight options,
so its cache key leaves those out (a user flipping between options reruns nothing). The analyses that
hang off the decision (sensitivity, uncertainty, thresholds) ask these functions for what-if variants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from explorer.engine.capacity import Capacity, capacity_of
from explorer.engine.cost import CostResult, CostStructure, price_options
from explorer.engine.governance import resolve_weights
from explorer.engine.placement import Placement, locate
from explorer.engine.prices import resolve_prices
from explorer.engine.ratings import computed_ratings
from explorer.engine.rules import contradictions
from explorer.engine.scoring import Recommendation, Relaxation, ScoredOption, recommend, relaxations, score_option
from explorer.model.assessment import Assessment
from explorer.model.cache import ContentCache
from explorer.model.catalog import Catalog
from explorer.model.errors import ExplorerError
from explorer.model.vocabulary import NONE

Weights = tuple[tuple[str, float], ...]


def choice_free(a: Assessment) -> str:
    """The assessment's content without what only picks among the results: scenario, use case, customer."""
    return a.model_copy(update={"scenario": 1, "use_case": "1A", "customer": ""}).model_dump_json()


def weight_items(catalog: Catalog, weights: Mapping[str, float] | None) -> Weights:
    """The resolved weights as a sorted tuple: a cache key part (unknown or all-zero weights raise here)."""
    return tuple(sorted(resolve_weights(catalog, weights).items()))


@dataclass(frozen=True)
class Placed:
    capacity: Capacity
    placements: tuple[Placement, ...]


@dataclass(frozen=True)
class Costed:
    result: CostResult | None
    exception: ExplorerError | None  # why the cost model cannot price this assessment
    structure: CostStructure | None

    @property
    def error(self) -> str:
        return str(self.exception) if self.exception is not None else ""


@dataclass(frozen=True)
class Scored:
    options: tuple[ScoredOption, ...]
    recommended: Recommendation | None
    contradictions: tuple[str, ...]
    relax: tuple[Relaxation, ...]

    def option(self, scenario: int, use_case: str) -> ScoredOption:
        return next(o for o in self.options if o.scenario == scenario and o.use_case == use_case)


_PLACED: ContentCache[Placed] = ContentCache("placement", 256)
_COSTED: ContentCache[Costed] = ContentCache("cost", 256)
_SCORED: ContentCache[Scored] = ContentCache("score", 256)


def placed(catalog: Catalog, a: Assessment) -> Placed:
    """Capacity, then every option's placement (rules read that capacity)."""
    return _PLACED.get((catalog.version, choice_free(a)), lambda: _place(catalog, a))


def costed(catalog: Catalog, a: Assessment) -> Costed:
    """The cost of every option from its placement and the capacity (the error when it cannot)."""
    return _COSTED.get((catalog.version, choice_free(a)), lambda: _cost(catalog, a, placed(catalog, a)))


def scored(catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None = None) -> Scored:
    """Every option scored (cost profile, elasticity and burden rated from its cost) and the recommendation;
    when nothing is feasible, what to relax."""
    items = weight_items(catalog, weights)
    key = (catalog.version, choice_free(a), items)
    return _SCORED.get(key, lambda: _score(catalog, a, placed(catalog, a), dict(items), advise=True,
                                           cost=costed(catalog, a)))


# What-if variants (the analyses sweep inputs): computed afresh, so a sweep never evicts what users look at.
# Capacity stays cached: most sweeps do not change what sizing reads.


def cost_of(catalog: Catalog, a: Assessment) -> CostResult:
    """The cost of a variant of an assessment; raises the engine's error when it cannot be priced."""
    c = _cost(catalog, a, _place(catalog, a))
    if c.exception is not None:
        raise c.exception
    assert c.result is not None
    return c.result


def recommended_key(catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None = None) -> str:
    """The recommended option's key for a variant of an assessment, or ``none``."""
    best = _score(catalog, a, _place(catalog, a), weights, advise=False).recommended
    return best.key if best else NONE


def _place(catalog: Catalog, a: Assessment) -> Placed:
    cap = capacity_of(catalog, a)
    return Placed(capacity=cap, placements=locate(catalog, a, cap))


def _cost(catalog: Catalog, a: Assessment, p: Placed) -> Costed:
    try:
        prices = resolve_prices(catalog, a)
        structure = CostStructure(catalog, a, p.placements, p.capacity, prices)
        return Costed(result=price_options(structure, prices), exception=None, structure=structure)
    except ExplorerError as exc:
        return Costed(result=None, exception=exc, structure=None)


def _score(catalog: Catalog, a: Assessment, p: Placed, weights: Mapping[str, float] | None, *,
           advise: bool, cost: Costed | None = None) -> Scored:
    def score_all(placements: tuple[Placement, ...], priced: Costed | None = None) -> tuple[ScoredOption, ...]:
        priced = priced if priced is not None else _cost(catalog, a, Placed(p.capacity, placements))
        rated = computed_ratings(catalog, priced.result, a.workload.peak_factor)
        return tuple(score_option(catalog, o, weights, rated.get(o.key)) for o in placements)

    c = cost if cost is not None else _cost(catalog, a, p)
    options = score_all(p.placements, c)
    costs = {o.key: o for o in c.result.options} if c.result is not None else None
    best = recommend(options, costs, a.horizon_months)
    relax = relaxations(catalog, a, p.capacity, options, score_all) if best is None and advise else ()
    return Scored(options=options, recommended=best, contradictions=contradictions(catalog, a), relax=relax)


def structure_of(catalog: Catalog, a: Assessment) -> CostStructure:
    """The cost structure of a variant (the sweeps price it at arrays of prices); raises when impossible.

    Its placement comes from the placement cache: the threshold sweeps ask for the assessment itself and for
    its longest horizon, so the first is already there.
    """
    p = placed(catalog, a)
    return CostStructure(catalog, a, p.placements, p.capacity, resolve_prices(catalog, a))

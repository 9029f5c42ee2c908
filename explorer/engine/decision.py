"""The decision: one assessment taken through every stage once, as one immutable object every view reads.

``decide`` runs capacity → placement → cost → score and recommendation (each stage cached by the
content it reads). The expensive analyses hang off the decision and run only when a view asks:
sensitivity, uncertainty bands and the thresholds that would flip the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from explorer.engine import plausibility
from explorer.engine.capacity import Capacity
from explorer.engine.cost import CostResult, OptionCost
from explorer.engine.flips import DecisionThreshold
from explorer.engine.pipeline import choice_free, costed, placed, scored, weight_items
from explorer.engine.scoring import Recommendation, Relaxation, ScoredOption
from explorer.engine.sensitivity import Sensitivity, SensitivityTable, sensitivity_table
from explorer.engine.thresholds import decision_thresholds
from explorer.engine.uncertainty import Uncertainty, uncertainty
from explorer.model.assessment import Assessment
from explorer.model.cache import ContentCache
from explorer.model.catalog import Catalog
from explorer.model.errors import ExplorerError, UnknownChoiceError
from explorer.model.vocabulary import option_key, split_key

SAMPLES = 2000  # uncertainty samples the app, the CLI and the report all use


@dataclass(frozen=True)
class Decision:
    """Every option's capacity, placement, cost and score, the recommendation, and the option chosen."""

    catalog: Catalog
    assessment: Assessment
    weights: dict[str, float]
    capacity: Capacity
    options: tuple[ScoredOption, ...]
    recommended: Recommendation | None
    contradictions: tuple[str, ...]
    relax: tuple[Relaxation, ...]
    cost: CostResult | None  # None when the cost model cannot price the assessment
    cost_error: str  # then, the engine's one sentence saying why
    warnings: tuple[str, ...] = ()  # implausible inputs, accepted but flagged (one sentence each)

    @property
    def key(self) -> str:
        """The chosen option's key."""
        return option_key(self.assessment.scenario, self.assessment.use_case)

    @property
    def chosen(self) -> ScoredOption:
        return self.option(self.assessment.scenario, self.assessment.use_case)

    def option(self, scenario: int, use_case: str) -> ScoredOption:
        for o in self.options:
            if o.scenario == scenario and o.use_case == use_case:
                return o
        raise UnknownChoiceError("option", option_key(scenario, use_case), [o.key for o in self.options])

    def option_cost(self, key: str | None = None) -> OptionCost | None:
        """One option's cost (the chosen one by default); None when nothing could be priced."""
        if self.cost is None:
            return None
        return self.cost.option(*split_key(key or self.key))

    def require_cost(self) -> CostResult:
        if self.cost is None:
            raise ExplorerError(self.cost_error)
        return self.cost

    # --- the analyses, computed when a view asks (each cached by content) -----------------------

    def sensitivity_table(self) -> SensitivityTable:
        return sensitivity_table(self.catalog, self.assessment)

    def sensitivity(self) -> Sensitivity:
        """The tornado of the chosen option."""
        return self.sensitivity_table().for_option(self.assessment.scenario, self.assessment.use_case)

    def uncertainty(self, samples: int = SAMPLES) -> Uncertainty:
        return uncertainty(self.catalog, self.assessment, samples=samples)

    def thresholds(self) -> tuple[DecisionThreshold, ...]:
        """What would flip the recommendation, the cheapest option, or the runner-up's cost."""
        key = (self.catalog.version, choice_free(self.assessment), tuple(sorted(self.weights.items())))
        return _THRESHOLDS.get(key, lambda: decision_thresholds(self.catalog, self.assessment, self.weights,
                                                                result=self))


_THRESHOLDS: ContentCache[tuple[DecisionThreshold, ...]] = ContentCache("thresholds", 128)


def decide(catalog: Catalog, assessment: Assessment, weights: Mapping[str, float] | None = None) -> Decision:
    """Take the assessment through every stage: capacity, placement, cost, score and recommendation.

    Raises :class:`WeightsError` for unusable weights; a cost the model cannot compute is kept as
    ``cost_error`` so that placement and scores still show.
    """
    items = weight_items(catalog, weights)
    p = placed(catalog, assessment)
    s = scored(catalog, assessment, dict(items))
    c = costed(catalog, assessment)
    return Decision(catalog=catalog, assessment=assessment, weights=dict(items), capacity=p.capacity,
                    options=s.options, recommended=s.recommended, contradictions=s.contradictions, relax=s.relax,
                    cost=c.result, cost_error=c.error, warnings=plausibility.warnings(catalog, assessment))

"""The engine floor: prices, capacity, rules, placement, cost, governance, thresholds and the decision."""

from __future__ import annotations

from explorer.engine.capacity import Capacity, capacity_of
from explorer.engine.cost import CostResult, OptionCost
from explorer.engine.decision import SAMPLES, Decision, decide
from explorer.engine.flips import DecisionThreshold
from explorer.engine.governance import TradeOffs, resolve_weights, trade_offs
from explorer.engine.placement import Flow, Placement, StagePlacement
from explorer.engine.prices import resolve_prices
from explorer.engine.scoring import Recommendation, ScoredOption, no_option_message
from explorer.engine.sensitivity import Sensitivity
from explorer.engine.sizing import ServingSizing, TrainingSizing, size_serving, size_training
from explorer.engine.uncertainty import Uncertainty

__all__ = [
    "SAMPLES",
    "Capacity",
    "CostResult",
    "Decision",
    "DecisionThreshold",
    "Flow",
    "OptionCost",
    "Placement",
    "Recommendation",
    "ScoredOption",
    "Sensitivity",
    "ServingSizing",
    "StagePlacement",
    "TradeOffs",
    "TrainingSizing",
    "Uncertainty",
    "capacity_of",
    "decide",
    "no_option_message",
    "resolve_prices",
    "resolve_weights",
    "size_serving",
    "size_training",
    "trade_offs",
]

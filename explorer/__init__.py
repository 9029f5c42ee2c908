"""Deployment Scenario Explorer engine: placement, governance, architecture and diagrams.

Pure Python; never imports Streamlit. The UI, the CLI and the report call these functions.
"""

from __future__ import annotations

from explorer.architecture import ArchitectureModel, build_architecture
from explorer.assessment import (
    Assessment,
    from_query,
    load_assessment,
    parse_assessment,
    parse_assessment_text,
    to_query,
)
from explorer.catalog import Catalog, load_catalog
from explorer.cost import (
    CostAnalysis,
    CostResult,
    OptionCost,
    PricingError,
    Sensitivity,
    Uncertainty,
    analyse,
    evaluate,
    resolve_prices,
    sensitivity,
    uncertainty,
)
from explorer.errors import (
    AssessmentError,
    CatalogError,
    ExplorerError,
    ExportError,
    RenderError,
    UnknownChoiceError,
)
from explorer.governance import TradeOffs, WeightsError, all_trade_offs, trade_offs
from explorer.placement import OptionPlacement, PlacementResult, place, place_option
from explorer.sizing import ServingSizing, SizingError, TrainingSizing, size_serving, size_training

__all__ = [
    "ArchitectureModel",
    "Assessment",
    "AssessmentError",
    "Catalog",
    "CatalogError",
    "CostAnalysis",
    "CostResult",
    "ExplorerError",
    "ExportError",
    "OptionCost",
    "OptionPlacement",
    "PlacementResult",
    "PricingError",
    "RenderError",
    "Sensitivity",
    "ServingSizing",
    "SizingError",
    "TradeOffs",
    "TrainingSizing",
    "Uncertainty",
    "UnknownChoiceError",
    "WeightsError",
    "all_trade_offs",
    "analyse",
    "build_architecture",
    "evaluate",
    "from_query",
    "load_assessment",
    "load_catalog",
    "parse_assessment",
    "parse_assessment_text",
    "place",
    "place_option",
    "resolve_prices",
    "sensitivity",
    "size_serving",
    "size_training",
    "to_query",
    "trade_offs",
    "uncertainty",
]

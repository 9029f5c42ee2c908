"""Deployment Scenario Explorer engine, in floors: model → engine → architecture → renderers.

Pure Python; never imports Streamlit. Pages, the CLI and the report all read one :class:`Decision`:

    catalog = load_catalog()
    decision = decide(catalog, load_assessment("preset:regulated-bank", catalog))
"""

from __future__ import annotations

from explorer.architecture import ArchitectureModel, architecture_of, build_architecture
from explorer.engine import (
    Capacity,
    CostResult,
    Decision,
    DecisionThreshold,
    OptionCost,
    Placement,
    Recommendation,
    ScoredOption,
    Sensitivity,
    ServingSizing,
    TradeOffs,
    TrainingSizing,
    Uncertainty,
    decide,
    size_serving,
    size_training,
)
from explorer.model import (
    Assessment,
    AssessmentError,
    Catalog,
    CatalogError,
    ExplorerError,
    ExportError,
    PricingError,
    RenderError,
    SizingError,
    UnknownChoiceError,
    WeightsError,
    from_query,
    load_assessment,
    load_catalog,
    parse_assessment,
    parse_assessment_text,
    to_query,
)

__all__ = [
    "ArchitectureModel",
    "Assessment",
    "AssessmentError",
    "Capacity",
    "Catalog",
    "CatalogError",
    "CostResult",
    "Decision",
    "DecisionThreshold",
    "ExplorerError",
    "ExportError",
    "OptionCost",
    "Placement",
    "PricingError",
    "Recommendation",
    "RenderError",
    "ScoredOption",
    "Sensitivity",
    "ServingSizing",
    "SizingError",
    "TradeOffs",
    "TrainingSizing",
    "Uncertainty",
    "UnknownChoiceError",
    "WeightsError",
    "architecture_of",
    "build_architecture",
    "decide",
    "from_query",
    "load_assessment",
    "load_catalog",
    "parse_assessment",
    "parse_assessment_text",
    "size_serving",
    "size_training",
    "to_query",
]

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

__all__ = [
    "ArchitectureModel",
    "Assessment",
    "AssessmentError",
    "Catalog",
    "CatalogError",
    "ExplorerError",
    "ExportError",
    "OptionPlacement",
    "PlacementResult",
    "RenderError",
    "TradeOffs",
    "UnknownChoiceError",
    "WeightsError",
    "all_trade_offs",
    "build_architecture",
    "from_query",
    "load_assessment",
    "load_catalog",
    "parse_assessment",
    "parse_assessment_text",
    "place",
    "place_option",
    "to_query",
    "trade_offs",
]

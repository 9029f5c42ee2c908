"""The model floor: vocabulary, errors, the assessment and its link, the catalog schemas and their loading."""

from __future__ import annotations

from explorer.model.assessment import DEFAULT, Assessment
from explorer.model.catalog import Catalog, load_catalog
from explorer.model.errors import (
    AssessmentError,
    CatalogError,
    ExplorerError,
    ExportError,
    OutOfRangeError,
    PricingError,
    RenderError,
    SizingError,
    ThresholdError,
    UnknownChoiceError,
    WeightsError,
)
from explorer.model.link import from_query, to_query
from explorer.model.loading import load_assessment, parse_assessment, parse_assessment_text

__all__ = [
    "DEFAULT",
    "Assessment",
    "AssessmentError",
    "Catalog",
    "CatalogError",
    "ExplorerError",
    "ExportError",
    "OutOfRangeError",
    "PricingError",
    "RenderError",
    "SizingError",
    "ThresholdError",
    "UnknownChoiceError",
    "WeightsError",
    "from_query",
    "load_assessment",
    "load_catalog",
    "parse_assessment",
    "parse_assessment_text",
    "to_query",
]

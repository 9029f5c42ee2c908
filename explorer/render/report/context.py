"""What every report section can read: the decision, the date, the images drawn for it, and the cost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from explorer.architecture import ArchitectureModel, architecture_of
from explorer.engine.cost import CostResult
from explorer.engine.decision import Decision
from explorer.engine.governance import TradeOffs
from explorer.engine.scoring import ScoredOption
from explorer.engine.sensitivity import Sensitivity
from explorer.engine.uncertainty import Uncertainty
from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog
from explorer.render.report.pdf import ReportPDF

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class CostFigures:
    """The decision's cost with the two analyses the report prints (the same calls the Cost page makes)."""

    result: CostResult
    sensitivity: Sensitivity
    uncertainty: Uncertainty


@dataclass(frozen=True)
class ReportContext:
    decision: Decision
    date: dt.date
    images: dict[str, bytes] = field(default_factory=dict)
    cost: CostFigures | None = None  # None when the cost model cannot price the assessment
    cost_error: str = ""  # the engine's one-sentence reason, then

    @property
    def catalog(self) -> Catalog:
        return self.decision.catalog

    @property
    def assessment(self) -> Assessment:
        return self.decision.assessment

    @property
    def option(self) -> ScoredOption:
        return self.decision.chosen

    @property
    def model(self) -> ArchitectureModel:
        return architecture_of(self.decision)

    @property
    def trade_offs(self) -> dict[str, TradeOffs]:
        """Each option's trade-off table as its score uses it (the user's weights, the ratings it is rated as)."""
        return {o.key: o.trade_offs for o in self.decision.options}

    @property
    def customer(self) -> str:
        return self.assessment.customer or "Customer"

    @property
    def chosen_key(self) -> str:
        return self.decision.key


class Section(NamedTuple):
    """One part of the report: its title (for progress and the contents) and the function that writes it."""

    title: str
    build: Callable[[ReportPDF, ReportContext], None]
    new_page: bool = True

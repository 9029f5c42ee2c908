"""The cost model's results: each option's cost month by month, and all eight with the sizing behind them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from explorer.engine.sizing import ServingSizing, TrainingSizing
from explorer.model.errors import UnknownChoiceError
from explorer.model.vocabulary import option_key, option_short, split_key

# The line items the on-premises GPUs cost (storage is costed apart: it serves data, not GPUs).
ONPREM_ITEMS = ("capex", "residual", "power", "space", "support", "staff")


def _ratio(cost: float, hours: float) -> float | None:
    """Cost per GPU-hour; None without GPU-hours, or with so few (a vanishing run) that the ratio overflows."""
    value = cost / hours if hours > 0 else math.inf
    return value if math.isfinite(value) else None


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class OptionCost(_Result):
    scenario: int
    use_case: str
    stages: dict[str, str]
    total: float
    monthly: np.ndarray  # (months,) cost per month
    items: dict[str, np.ndarray]  # line item -> (months,)
    line_items: dict[str, float]  # line item -> total over the horizon
    per_million_tokens: float | None  # None when no tokens are generated
    break_even_month: int | None  # first month from which it stays at or below the reference; None if never
    cloud_serving_gpus: int
    onprem_gpus: int  # GPUs the option runs on premises
    onprem_gpus_new: int  # of which bought
    feasible: bool = True  # False when a hard rule rules the option out (it is still costed, and marked)
    # Over the horizon: GPU-hours rented in the cloud, GPU-hours of the on-premises GPUs (paid every hour),
    # and of those the hours busy at the average demand; the operations staff the on-premises GPUs need.
    gpu_hours_cloud: float = 0.0
    gpu_hours_onprem: float = 0.0
    gpu_hours_onprem_busy: float = 0.0
    staff_fte: float = 0.0
    present_value: float = 0.0  # the monthly costs discounted to today at the finance discount rate
    # One pool on premises: of the busy GPU-hours, those training; the GPUs added to the serving pool for
    # training (0 when the spare serving replicas carry it); the servers the GPUs fill (staff is per server).
    gpu_hours_onprem_training: float = 0.0
    onprem_gpus_training: int = 0
    onprem_servers: int = 0
    # Cloud serving (None/0 where the option does not serve in the cloud): the way it serves, both ways' totals
    # over the horizon (None where no endpoint can be used), and the dedicated GPUs rented: on average over the
    # day (billed) and the GPUs' worth of work at the demand (busy ÷ average = their utilisation).
    serving_mode: str | None = None  # "dedicated" | "per_token"
    cloud_serving_dedicated: float = 0.0
    cloud_serving_per_token: float | None = None
    cloud_gpus_average: float = 0.0
    cloud_gpus_busy: float = 0.0

    @property
    def key(self) -> str:
        return option_key(self.scenario, self.use_case)

    @property
    def onprem_utilisation(self) -> float | None:
        """The share of the on-premises GPU-hours busy at average demand; None without on-premises GPUs."""
        return self.gpu_hours_onprem_busy / self.gpu_hours_onprem if self.gpu_hours_onprem > 0 else None

    @property
    def onprem_cost(self) -> float:
        """All-in cost of the on-premises GPUs over the horizon: servers (less the residual), power, space,
        support and staff."""
        return sum(self.line_items.get(k, 0.0) for k in ONPREM_ITEMS)

    @property
    def onprem_cost_per_gpu_hour(self) -> float | None:
        """All-in on-premises cost per GPU-hour paid for; None without on-premises GPUs."""
        return _ratio(self.onprem_cost, self.gpu_hours_onprem)

    @property
    def onprem_cost_per_busy_gpu_hour(self) -> float | None:
        """All-in on-premises cost per useful (busy) GPU-hour; None when no on-premises GPU-hour is busy."""
        return _ratio(self.onprem_cost, self.gpu_hours_onprem_busy)

    @property
    def cloud_utilisation(self) -> float | None:
        """The share of the rented serving GPU-hours busy at the demand; None without dedicated cloud serving."""
        return _ratio(self.cloud_gpus_busy, self.cloud_gpus_average)

    @property
    def cumulative(self) -> np.ndarray:
        return np.cumsum(self.monthly)


class CostResult(_Result):
    currency: str
    horizon_months: int
    provider: str
    cloud_gpu: str
    onprem_gpu: str
    options: tuple[OptionCost, ...]
    reference: str | None  # the cheapest feasible cloud option, which break-even is measured against
    reference_note: str  # which option that is and why, or why there is none
    finance_note: str = ""  # how capital, the residual, the cloud's price decline and discounting enter the totals
    training_cloud: TrainingSizing | None
    training_local: TrainingSizing | None
    serving_cloud: ServingSizing | None
    serving_local: ServingSizing | None
    prices: dict[str, float]  # every resolved price and factor
    used: tuple[str, ...]  # the price keys this evaluation read
    tokens_generated: float
    notes: tuple[str, ...]
    serving_note: str = ""  # how dedicated cloud serving is billed (autoscaling, instances, utilisation)
    serving_choice: str = ""  # which way to serve in the cloud is cheaper at this traffic, and where they cross
    crossover_requests_per_day: float | None = None  # above it dedicated GPUs cost less than the endpoint
    endpoint: str = ""  # the per-token service that can serve this assessment, "" when none

    def option(self, scenario: int, use_case: str) -> OptionCost:
        for o in self.options:
            if o.scenario == scenario and o.use_case == use_case:
                return o
        raise UnknownChoiceError("option", option_key(scenario, use_case), [o.key for o in self.options])

    def break_even_text(self, key: str) -> str:
        """``month 17``, ``never``, ``reference``, or ``n/a`` when no cloud option is feasible (every view)."""
        if self.reference is None:
            return "n/a"
        if key == self.reference:
            return "reference"
        month = self.option(*split_key(key)).break_even_month
        return "never" if month is None else f"month {month}"

    @property
    def break_even_label(self) -> str:
        if self.reference is None:
            return "Break-even vs the cloud"
        return f"Break-even vs {option_short(self.reference)} (cheapest feasible cloud)"

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``python -m explorer cost --json`` (more keys than the contract names)."""
        return {
            "currency": self.currency,
            "horizon_months": self.horizon_months,
            "provider": self.provider,
            "cloud_gpu": self.cloud_gpu,
            "onprem_gpu": self.onprem_gpu,
            "reference": self.reference,
            "reference_note": self.reference_note,
            "finance_note": self.finance_note,
            "tokens_generated": self.tokens_generated,
            "serving_note": self.serving_note,
            "serving_choice": self.serving_choice,
            "crossover_requests_per_day": self.crossover_requests_per_day,
            "endpoint": self.endpoint,
            "options": [
                {
                    "scenario": o.scenario,
                    "use_case": o.use_case,
                    "stages": o.stages,
                    "total": o.total,
                    "monthly": [float(v) for v in o.monthly],
                    "line_items": o.line_items,
                    "per_million_tokens": o.per_million_tokens,
                    "break_even_month": o.break_even_month,
                    "cloud_serving_gpus": o.cloud_serving_gpus,
                    "onprem_gpus": o.onprem_gpus,
                    "onprem_gpus_new": o.onprem_gpus_new,
                    "feasible": o.feasible,
                    "gpu_hours_cloud": o.gpu_hours_cloud,
                    "gpu_hours_onprem": o.gpu_hours_onprem,
                    "gpu_hours_onprem_busy": o.gpu_hours_onprem_busy,
                    "staff_fte": o.staff_fte,
                    "present_value": o.present_value,
                    "onprem_servers": o.onprem_servers,
                    "onprem_gpus_training": o.onprem_gpus_training,
                    "gpu_hours_onprem_training": o.gpu_hours_onprem_training,
                    "onprem_utilisation": o.onprem_utilisation,
                    "onprem_cost_per_gpu_hour": o.onprem_cost_per_gpu_hour,
                    "onprem_cost_per_busy_gpu_hour": o.onprem_cost_per_busy_gpu_hour,
                    "serving_mode": o.serving_mode,
                    "cloud_serving_dedicated": o.cloud_serving_dedicated,
                    "cloud_serving_per_token": o.cloud_serving_per_token,
                    "cloud_gpus_average": o.cloud_gpus_average,
                    "cloud_utilisation": o.cloud_utilisation,
                }
                for o in self.options
            ],
            "sizing": {
                "training_cloud": self.training_cloud.model_dump() if self.training_cloud else None,
                "training_local": self.training_local.model_dump() if self.training_local else None,
                "serving_cloud": self.serving_cloud.model_dump() if self.serving_cloud else None,
                "serving_local": self.serving_local.model_dump() if self.serving_local else None,
            },
            "notes": list(self.notes),
        }

"""Price and efficiency catalogs: cloud GPU-hours, on-premises costs, efficiency factors, each sourced."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from explorer.model.catalog_base import Frozen, Sourced
from explorer.model.errors import CatalogError
from explorer.model.vocabulary import REGIONS

Positive = Annotated[float, Field(ge=0, le=1e9)]


class Ranged(Sourced):
    """A named default with its unit, the range an override may take, and (optionally) an uncertainty range.

    ``low``/``high`` are the plausible spread used by the uncertainty run (triangular around ``value``);
    ``min``/``max`` bound what a user may type.
    """

    value: Positive
    unit: str
    description: str
    low: Positive | None = None
    high: Positive | None = None
    min: Positive = 0.0
    max: Positive = 1e9

    @model_validator(mode="after")
    def _consistent(self) -> Ranged:
        if not self.min <= self.value <= self.max:
            raise ValueError(f"value {self.value} must lie within min {self.min} and max {self.max}")
        if (self.low is None) != (self.high is None):
            raise ValueError("low and high must be given together")
        if self.low is not None and self.high is not None and not self.low <= self.value <= self.high:
            raise ValueError(f"value {self.value} must lie within low {self.low} and high {self.high}")
        return self


class Factor(Ranged):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")


class CloudGpuPrice(Sourced):
    gpu: str
    family: str = Field(min_length=1)  # the instance family: p5, ND H100 v5, A3 High, gx3d
    instance: str = Field(min_length=1)  # the instance the price is read from
    gpus_per_instance: Annotated[int, Field(ge=1, le=64)]
    sizes: tuple[Annotated[int, Field(ge=1, le=64)], ...]  # GPU counts the family is sold in on demand
    on_demand: Positive  # USD per GPU-hour
    committed: Positive  # USD per GPU-hour, 1-year commitment
    committed_term: str = "1 year"

    @model_validator(mode="after")
    def _sizes(self) -> CloudGpuPrice:
        if not self.sizes or list(self.sizes) != sorted(set(self.sizes)):
            raise ValueError(f"sizes {list(self.sizes)} must list GPU counts once each, smallest first")
        if self.gpus_per_instance not in self.sizes:
            raise ValueError(f"gpus_per_instance {self.gpus_per_instance} must be one of the sizes {list(self.sizes)}")
        return self

    @property
    def shape(self) -> str:
        """'p5.48xlarge, 8 GPUs': the priced instance in words."""
        return f"{self.instance}, {self.gpus_per_instance} GPU{'s' if self.gpus_per_instance > 1 else ''}"


class CloudProvider(Frozen):
    id: str = Field(pattern=r"^[a-z]+$")
    name: str
    storage_gb_month: Ranged
    egress_gb: Ranged
    link_month: Ranged
    gpus: tuple[CloudGpuPrice, ...]


class ServerPrice(Sourced):
    gpu: str
    price_per_gpu: Positive  # USD, server share per GPU incl. networking
    gpus_per_server: Annotated[int, Field(ge=1, le=64)] = 8  # staff is counted per server
    low: Positive | None = None
    high: Positive | None = None


class OnPremCosts(Frozen):
    servers: tuple[ServerPrice, ...]
    costs: tuple[Factor, ...]
    finance: tuple[Factor, ...] = ()  # residual value, discount rate, cloud price decline: ``finance:<id>``
    power: tuple[Factor, ...] = ()  # electricity by region: ``onprem:power_kwh:<region>``

    def server(self, gpu: str) -> ServerPrice | None:
        return next((s for s in self.servers if s.gpu == gpu), None)

    def check_power_regions(self, path: str) -> None:
        """Every region the assessment may choose needs an electricity price."""
        if missing := [r for r in REGIONS if r not in {f.id for f in self.power}]:
            raise CatalogError(path, "power", f"has no electricity price for region {missing[0]!r}; every region "
                               f"needs one: {', '.join(REGIONS)}")


class PriceItem(Frozen):
    """One overridable number, flattened from the catalogs under a stable key (``aws:h100-sxm:on_demand``)."""

    key: str
    group: str
    label: str
    value: float
    unit: str
    source: str
    as_of: str
    estimate: bool
    low: float | None = None
    high: float | None = None
    min: float = 0.0
    max: float = 1e9


def _item(key: str, group: str, label: str, r: Ranged) -> PriceItem:
    return PriceItem(
        key=key, group=group, label=label, value=r.value, unit=r.unit, source=r.source, as_of=r.as_of.isoformat(),
        estimate=r.estimate, low=r.low, high=r.high, min=r.min, max=r.max,
    )


def flatten_prices(
    providers: tuple[CloudProvider, ...], onprem: OnPremCosts, efficiency: tuple[Factor, ...]
) -> dict[str, PriceItem]:
    """Every price and efficiency default under its override key, in display order."""
    items: dict[str, PriceItem] = {}
    for p in providers:
        for g in p.gpus:
            for kind, value, what in (("on_demand", g.on_demand, "on demand"),
                                      ("committed", g.committed, f"committed {g.committed_term}")):
                key = f"{p.id}:{g.gpu}:{kind}"
                items[key] = PriceItem(
                    key=key, group=f"Cloud: {p.name}", label=f"{g.gpu} GPU-hour, {what} ({g.shape})",
                    value=value, unit="USD per GPU-hour", source=g.source, as_of=g.as_of.isoformat(),
                    estimate=g.estimate,
                )
        items[f"{p.id}:storage_gb_month"] = _item(f"{p.id}:storage_gb_month", f"Cloud: {p.name}", "Object storage",
                                                  p.storage_gb_month)
        items[f"{p.id}:egress_gb"] = _item(f"{p.id}:egress_gb", f"Cloud: {p.name}", "Egress to premises",
                                           p.egress_gb)
        items[f"{p.id}:link_month"] = _item(f"{p.id}:link_month", f"Cloud: {p.name}", "Dedicated link port",
                                            p.link_month)
    for s in onprem.servers:
        key = f"onprem:{s.gpu}:server"
        items[key] = PriceItem(
            key=key, group="On premises", label=f"{s.gpu} server price per GPU", value=s.price_per_gpu,
            unit="USD per GPU", source=s.source, as_of=s.as_of.isoformat(), estimate=s.estimate,
            low=s.low, high=s.high,
        )
    for f in onprem.costs:
        items[f"onprem:{f.id}"] = _item(f"onprem:{f.id}", "On premises", f.description, f)
    for f in onprem.power:
        items[f"onprem:power_kwh:{f.id}"] = _item(f"onprem:power_kwh:{f.id}", "On premises", f.description, f)
    for f in onprem.finance:
        items[f"finance:{f.id}"] = _item(f"finance:{f.id}", "Finance", f.description, f)
    for f in efficiency:
        items[f"eff:{f.id}"] = _item(f"eff:{f.id}", "Efficiency", f.description, f)
    return items

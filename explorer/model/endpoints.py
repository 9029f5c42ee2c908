"""Cloud serving catalogs: managed per-token endpoints, and the daily demand shape autoscaling follows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator

from explorer.model.catalog_base import Frozen, Sourced
from explorer.model.errors import CatalogError
from explorer.model.price_catalog import Factor, PriceItem, _item

Price = Annotated[float, Field(ge=0, le=1e4)]  # USD per million tokens


class EndpointModel(Sourced):
    """One open model a provider serves per token: USD per million input and output tokens."""

    model: str
    input: Price
    output: Price
    lora: bool | None = None  # overrides the service's answer for this model


class EndpointService(Frozen):
    """A provider's managed, shared per-token service and whether it serves a customer's LoRA fine-tune."""

    provider: str = Field(pattern=r"^[a-z]+$")
    name: str
    lora: bool
    lora_note: str = Field(min_length=10)  # why (not), in one sentence
    lora_source: str = Field(min_length=3)
    lora_as_of: dt.date
    lora_estimate: bool = False
    models: tuple[EndpointModel, ...]

    @model_validator(mode="after")
    def _models_once(self) -> EndpointService:
        seen = [m.model for m in self.models]
        twice = sorted({m for m in seen if seen.count(m) > 1})
        if twice:
            raise ValueError(f"models {twice} are listed more than once")
        return self

    def offer(self, model_id: str) -> EndpointModel | None:
        return next((m for m in self.models if m.model == model_id), None)

    def serves_lora(self, offer: EndpointModel) -> bool:
        return self.lora if offer.lora is None else offer.lora


class DemandProfile(Sourced):
    """Relative demand in each of the 24 hours of a day (its scale does not matter, only its shape)."""

    hourly: tuple[Annotated[float, Field(ge=0, le=1e6)], ...]
    description: str

    @model_validator(mode="after")
    def _day(self) -> DemandProfile:
        if len(self.hourly) != 24:
            raise ValueError(f"hourly must hold 24 values, one per hour, not {len(self.hourly)}")
        if not any(v > 0 for v in self.hourly):
            raise ValueError("hourly must have at least one hour with demand above 0")
        return self


class Autoscaling(Frozen):
    """How dedicated cloud serving follows demand: the daily shape, and named defaults (``autoscale:<id>``)."""

    profile: DemandProfile
    defaults: tuple[Factor, ...]


class CloudServingCatalog(Frozen):
    """The catalogs of cloud serving: per-token endpoints by provider, and how dedicated serving autoscales."""

    endpoints: tuple[EndpointService, ...]
    autoscaling: Autoscaling


# The files these catalogs are read from, and the model each top-level key is parsed with.
SERVING_FILES: dict[str, dict[str, Any]] = {
    "endpoint_prices.yaml": {"services": tuple[EndpointService, ...]},
    "autoscaling.yaml": {"profile": DemandProfile, "defaults": tuple[Factor, ...]},
}


def price_key(provider: str, model: str, side: str) -> str:
    """``endpoint:aws:llama-3.1-8b:input``: the override key of one per-token price."""
    return f"endpoint:{provider}:{model}:{side}"


def flatten_endpoints(serving: CloudServingCatalog) -> dict[str, PriceItem]:
    """Per-token prices and the autoscaling defaults under their override keys."""
    items: dict[str, PriceItem] = {}
    for s in serving.endpoints:
        for m in s.models:
            for side, value in (("input", m.input), ("output", m.output)):
                key = price_key(s.provider, m.model, side)
                items[key] = PriceItem(
                    key=key, group=f"Per-token endpoints: {s.name}", label=f"{m.model} {side} tokens",
                    value=value, unit="USD per million tokens", source=m.source, as_of=m.as_of.isoformat(),
                    estimate=m.estimate, max=1e4,
                )
    for f in serving.autoscaling.defaults:
        items[f"autoscale:{f.id}"] = _item(f"autoscale:{f.id}", "Cloud autoscaling", f.description, f)
    return items


def check_endpoints(path: Path, services: tuple[EndpointService, ...], providers: list[str],
                    models: list[str]) -> None:
    """Endpoints name providers and models by catalog id; an unknown id names the known ones."""
    seen: list[str] = []
    for i, s in enumerate(services):
        if s.provider not in providers:
            raise CatalogError(str(path), f"services[{i}].provider",
                               f"names unknown provider {s.provider!r}; choose from: {', '.join(providers)}")
        if s.provider in seen:
            raise CatalogError(str(path), f"services[{i}].provider", f"lists provider {s.provider!r} twice")
        seen.append(s.provider)
        for j, m in enumerate(s.models):
            if m.model not in models:
                raise CatalogError(str(path), f"services[{i}].models[{j}].model",
                                   f"names unknown model {m.model!r}; choose from: {', '.join(models)}")


def endpoint_parts(parts: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """The catalog fields these files fill, popped from the parsed files' parts and checked against the
    providers and models the other catalogs define."""
    services = parts.pop("services")
    check_endpoints(data_dir / "endpoint_prices.yaml", services, [p.id for p in parts["providers"]],
                    [m.id for m in parts["models"]])
    autoscaling = Autoscaling(profile=parts.pop("profile"), defaults=parts.pop("defaults"))
    return {"cloud_serving": CloudServingCatalog(endpoints=services, autoscaling=autoscaling)}

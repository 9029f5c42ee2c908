"""The assessment (schema v1): everything a user can set, and how it is loaded and shared."""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from explorer.model.legacy_prices import upgrade_prices
from explorer.model.vocabulary import (
    CLASSIFICATIONS,
    CLOUD_PROVIDERS,
    CLOUD_SERVING_MODES,
    COMPLIANCE_REGIMES,
    METHODS,
    PRECISIONS,
    REGIONS,
    SERVING_ENGINES,
    SKILLS,
)

SCHEMA_VERSION = 1
MAX_TEXT = 200


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=True)


def _finite(value: Any) -> Any:
    """Before the range check, so NaN and infinity are named as such (not as "less than or equal to 100")."""
    if not _is_finite(value):
        raise ValueError("must be a finite number")
    return value


def _is_finite(value: Any) -> bool:
    """False for NaN and infinity, also as text from a link ("nan", "inf"); True for anything else."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return True  # not a number at all: the type check says so
    return not isinstance(value, float) or math.isfinite(value)


class Workload(_Strict):
    model: str = Field("llama-3.1-70b", min_length=1, max_length=64)
    finetune_method: Literal[METHODS] = "lora"  # type: ignore[valid-type]
    dataset_tokens: Annotated[float, Field(ge=0, le=1e14)] = 2.0e9
    epochs: Annotated[float, Field(ge=0, le=100)] = 2
    retrain_every_months: Annotated[int, Field(ge=0, le=120)] = 3
    requests_per_day: Annotated[float, Field(ge=0, le=1e10)] = 50_000
    input_tokens: Annotated[int, Field(ge=0, le=1_000_000)] = 800
    output_tokens: Annotated[int, Field(ge=0, le=1_000_000)] = 300
    ttft_target_ms: Annotated[float, Field(ge=1, le=600_000)] = 1500
    tpot_target_ms: Annotated[float, Field(ge=0.1, le=60_000)] = 60
    peak_factor: Annotated[float, Field(ge=1, le=100)] = 3
    serving_engine: Literal[SERVING_ENGINES] = "vllm"  # type: ignore[valid-type]  # data/engines.yaml
    # Cloud serving on dedicated GPUs, on a managed per-token endpoint, or (auto) whichever costs less.
    cloud_serving: Literal[CLOUD_SERVING_MODES] = "auto"  # type: ignore[valid-type]

    _finite_floats = field_validator(
        "dataset_tokens", "epochs", "requests_per_day", "ttft_target_ms", "tpot_target_ms", "peak_factor",
        mode="before",
    )(_finite)


class OwnedGpus(_Strict):
    gpu: str = Field("h100-sxm", min_length=1, max_length=64)
    count: Annotated[int, Field(ge=0, le=100_000)] = 0


def _one_of(what: str, allowed: tuple[str, ...]):
    """An item validator whose message lists the allowed choices (pydantic's Literal message is less clear)."""

    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError("unknown_choice", f"is not a known {what}; choose from: {', '.join(allowed)}")
        return value

    return AfterValidator(check)


Regime = Annotated[str, _one_of("compliance regime", COMPLIANCE_REGIMES)]
DataClass = Annotated[str, _one_of("data classification", CLASSIFICATIONS)]
Skill = Annotated[str, _one_of("skill", SKILLS)]


class Constraints(_Strict):
    data_classification: Literal[CLASSIFICATIONS] = "confidential"  # type: ignore[valid-type]
    # The customer's policy: the data classes that may enter a public cloud. By default every class may (the
    # regulations then ask for their safeguards: a BAA, a DPA, an AoC); a bank may keep regulated data home.
    cloud_allowed_classes: tuple[DataClass, ...] = CLASSIFICATIONS
    # Data the user has anonymised (de-identified, tokenised) is exempt from the classification and residency rules.
    anonymised_data: bool = False
    residency: Literal["none", "in_country", "on_premises"] = "in_country"
    compliance: tuple[Regime, ...] = ("gdpr",)
    air_gapped: bool = False
    # The customer runs no premises of its own for AI: every stage must be in the public cloud.
    cloud_only: bool = False
    model_licence: Literal["open", "proprietary"] = "open"
    owned_gpus: OwnedGpus = OwnedGpus()
    procurement_weeks: Annotated[float, Field(ge=0, le=260)] = 16
    cloud_rtt_ms: Annotated[float, Field(ge=0, le=10_000)] = 30
    uplink_gbps: Annotated[float, Field(ge=0.001, le=10_000)] = 10  # the premises' link to the cloud, Gbit/s
    cloud_provider: Literal[CLOUD_PROVIDERS] = "aws"  # type: ignore[valid-type]
    region: Literal[REGIONS] = "us"  # type: ignore[valid-type]  # where the premises are: the electricity price
    # What the team can run itself today; the default assumes every skill, so no skill penalty applies.
    skills: tuple[Skill, ...] = SKILLS

    @field_validator("compliance", "skills", "cloud_allowed_classes", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return value

    @field_validator("compliance")
    @classmethod
    def _unique_sorted(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value), key=COMPLIANCE_REGIMES.index))

    @field_validator("skills")
    @classmethod
    def _unique_sorted_skills(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value), key=SKILLS.index))

    @field_validator("cloud_allowed_classes")
    @classmethod
    def _unique_sorted_classes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value), key=CLASSIFICATIONS.index))

    @property
    def cloud_policy_allows(self) -> bool:
        """Whether the customer's policy lets this data's class into a public cloud (rules read it)."""
        return self.data_classification in self.cloud_allowed_classes


class Costing(_Strict):
    """How the cost model buys and runs GPUs; prices themselves are in ``Assessment.prices``."""

    gpu: str = Field("h100-sxm", min_length=1, max_length=64)  # cloud GPUs, and on-prem purchases if none owned
    serving_precision: Literal[PRECISIONS] = "bf16"  # type: ignore[valid-type]
    capex: Literal["buy", "lease", "amortise"] = "buy"
    cloud_pricing: Literal["on_demand", "committed"] = "on_demand"
    training_days: Annotated[float, Field(ge=0.25, le=365)] = 7  # longest acceptable wall clock per training run
    sensitivity_pct: Annotated[float, Field(ge=1, le=90)] = 20

    _finite_floats = field_validator("training_days", "sensitivity_pct", mode="before")(_finite)


class Finance(_Strict):
    """How capital, time and the cloud's price trend enter the totals; ``None`` takes the catalog's sourced default
    (``data/onprem_costs.yaml``, ``finance:``)."""

    capex: Literal["buy", "lease", "amortise"] | None = None  # None: as ``costing.capex`` says
    residual_value: Annotated[float, Field(ge=0, le=1)] | None = None  # share of the price left at the horizon
    discount_rate: Annotated[float, Field(ge=0, le=1)] | None = None  # per year, for present values and leases
    cloud_price_decline: Annotated[float, Field(ge=0, le=0.9)] | None = None  # per year

    _finite_floats = field_validator("residual_value", "discount_rate", "cloud_price_decline", mode="before")(_finite)

    def overrides(self) -> dict[str, float]:
        """The set fields as ``finance:<id>`` price overrides."""
        return {f"finance:{k}": float(v) for k, v in (("residual_value", self.residual_value),
                                                      ("discount_rate", self.discount_rate),
                                                      ("cloud_price_decline", self.cloud_price_decline))
                if v is not None}


class Assessment(_Strict):
    schema_version: Literal[1] = 1
    customer: str = Field("", max_length=MAX_TEXT)
    scenario: Annotated[int, Field(ge=1, le=4)] = 1
    use_case: Literal["1A", "1B"] = "1A"
    horizon_months: Annotated[int, Field(ge=1, le=240)] = 36
    workload: Workload = Workload()
    constraints: Constraints = Constraints()
    costing: Costing = Costing()
    finance: Finance = Finance()
    prices: dict[str, Annotated[float, Field(ge=0, le=1e9)]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _one_capex(cls, raw: Any) -> Any:
        """``finance.capex`` (the contract's name) and ``costing.capex`` are one setting: keep it in one place."""
        finance = raw.get("finance") if isinstance(raw, dict) else None
        costing = (raw.get("costing") or {}) if isinstance(raw, dict) else None
        if isinstance(finance, dict) and finance.get("capex") and isinstance(costing, dict):
            finance = dict(finance)
            raw = {**raw, "finance": finance, "costing": {**costing, "capex": finance.pop("capex")}}
        return raw

    @model_validator(mode="before")
    @classmethod
    def _legacy_price_keys(cls, raw: Any) -> Any:
        """Price keys from before the on-premises pool (explorer/model/legacy_prices.py) still load."""
        prices = raw.get("prices") if isinstance(raw, dict) else None
        if not isinstance(prices, dict):
            return raw
        constraints = raw.get("constraints")
        region = constraints.get("region", "us") if isinstance(constraints, dict) else "us"
        return {**raw, "prices": upgrade_prices(prices, region if isinstance(region, str) else "us")}

    @property
    def capex(self) -> str:
        """How on-premises servers are paid for (``finance.capex`` is moved here on validation)."""
        return self.costing.capex

    @field_validator("customer")
    @classmethod
    def _printable(cls, value: str) -> str:
        # Control characters break Graphviz and PDF output and are never meant; a line break or a tab
        # separates words, so it becomes a space (never nothing: "First Line Bank Second Line Ltd").
        kept = "".join(ch if ch.isprintable() else " " if ch.isspace() else "" for ch in value)
        return " ".join(kept.split())

    @field_validator("prices", mode="before")
    @classmethod
    def _finite_prices(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for key, price in value.items():
                if not _is_finite(price):
                    raise ValueError(f"price '{key}' must be a finite number")
        return value

    def with_choice(self, scenario: int, use_case: str) -> Assessment:
        return self.model_copy(update={"scenario": scenario, "use_case": use_case})

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


DEFAULT = Assessment()


def bounds(path: str) -> dict[str, float]:
    """The allowed range of a numeric field (``workload.requests_per_day``), as a widget's min and max.

    One source for the model and the widgets: a value the assessment accepts is one its widget accepts.
    """
    model: type[BaseModel] = Assessment
    *parents, last = path.split(".")
    for part in parents:
        model = model.model_fields[part].annotation  # type: ignore[assignment]
    field = model.model_fields[last]
    kind = int if field.annotation is int else float  # a widget's bounds share its value's type
    out: dict[str, float] = {}
    for rule in field.metadata:
        for attr, key in (("ge", "min_value"), ("le", "max_value")):
            value = getattr(rule, attr, None)
            if value is not None:
                out[key] = kind(value)
    return out

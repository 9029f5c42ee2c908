"""The assessment (schema v1): everything a user can set, and how it is loaded and shared."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from explorer.catalog import Catalog, load_catalog
from explorer.errors import AssessmentError, describe_validation_error

SCHEMA_VERSION = 1
COMPLIANCE_REGIMES = ("gdpr", "hipaa", "pci_dss", "eu_ai_act_high_risk")
CLOUD_PROVIDERS = ("aws", "azure", "gcp", "ibm")
# Skills a team may have in house; a stage placed where the team lacks the skill is a soft penalty.
SKILLS = ("gpu_infrastructure", "cloud_platform", "ml_engineering")
MAX_TEXT = 200


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=True)


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


class Workload(_Strict):
    model: str = Field("llama-3.1-70b", min_length=1, max_length=64)
    finetune_method: Literal["none", "full", "lora", "qlora"] = "lora"
    dataset_tokens: Annotated[float, Field(ge=0, le=1e14)] = 2.0e9
    epochs: Annotated[float, Field(ge=0, le=100)] = 2
    retrain_every_months: Annotated[int, Field(ge=0, le=120)] = 3
    requests_per_day: Annotated[float, Field(ge=0, le=1e10)] = 50_000
    input_tokens: Annotated[int, Field(ge=0, le=1_000_000)] = 800
    output_tokens: Annotated[int, Field(ge=0, le=1_000_000)] = 300
    ttft_target_ms: Annotated[float, Field(gt=0, le=600_000)] = 1500
    tpot_target_ms: Annotated[float, Field(gt=0, le=60_000)] = 60
    peak_factor: Annotated[float, Field(ge=1, le=100)] = 3

    _finite_floats = field_validator(
        "dataset_tokens", "epochs", "requests_per_day", "ttft_target_ms", "tpot_target_ms", "peak_factor"
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
Skill = Annotated[str, _one_of("skill", SKILLS)]


class Constraints(_Strict):
    data_classification: Literal["public", "internal", "confidential", "regulated"] = "confidential"
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
    cloud_provider: Literal["aws", "azure", "gcp", "ibm"] = "aws"
    # What the team can run itself today; the default assumes every skill, so no skill penalty applies.
    skills: tuple[Skill, ...] = SKILLS

    @field_validator("compliance", "skills", mode="before")
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


class Costing(_Strict):
    """How the cost model buys and runs GPUs; prices themselves are in ``Assessment.prices``."""

    gpu: str = Field("h100-sxm", min_length=1, max_length=64)  # cloud GPUs, and on-prem purchases if none owned
    serving_precision: Literal["bf16", "fp8", "int4"] = "bf16"
    capex: Literal["buy", "amortise"] = "buy"
    cloud_pricing: Literal["on_demand", "committed"] = "on_demand"
    training_days: Annotated[float, Field(gt=0, le=365)] = 7  # longest acceptable wall clock per training run
    sensitivity_pct: Annotated[float, Field(gt=0, le=90)] = 20

    _finite_floats = field_validator("training_days", "sensitivity_pct")(_finite)


class Assessment(_Strict):
    schema_version: Literal[1] = 1
    customer: str = Field("", max_length=MAX_TEXT)
    scenario: Annotated[int, Field(ge=1, le=4)] = 1
    use_case: Literal["1A", "1B"] = "1A"
    horizon_months: Annotated[int, Field(ge=1, le=240)] = 36
    workload: Workload = Workload()
    constraints: Constraints = Constraints()
    costing: Costing = Costing()
    prices: dict[str, Annotated[float, Field(ge=0, le=1e9)]] = Field(default_factory=dict)

    @field_validator("customer")
    @classmethod
    def _printable(cls, value: str) -> str:
        # Control characters break Graphviz and PDF output and are never meant.
        return "".join(ch for ch in value if ch.isprintable()).strip()

    @field_validator("prices")
    @classmethod
    def _finite_prices(cls, value: dict[str, float]) -> dict[str, float]:
        for key, price in value.items():
            if not math.isfinite(price):
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


def parse_assessment(raw: Any, source: str = "assessment", catalog: Catalog | None = None) -> Assessment:
    """Validate a mapping into an Assessment; errors name the source and the field."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise AssessmentError(source, "", f"must be a mapping of fields, not {type(raw).__name__}")
    try:
        assessment = Assessment.model_validate(dict(raw))
    except ValidationError as exc:
        field, problem = describe_validation_error(exc)
        raise AssessmentError(source, field, problem) from None
    check_catalog_ids(assessment, source, catalog)
    return assessment


def check_catalog_ids(assessment: Assessment, source: str, catalog: Catalog | None = None) -> None:
    """Ids that refer to catalog entries (model, GPU) must exist there."""
    cat = catalog or load_catalog()
    for field, value, known in (
        ("workload.model", assessment.workload.model, [m.id for m in cat.models]),
        ("constraints.owned_gpus.gpu", assessment.constraints.owned_gpus.gpu, [g.id for g in cat.gpus]),
        ("costing.gpu", assessment.costing.gpu, [g.id for g in cat.gpus]),
    ):
        if value not in known:
            raise AssessmentError(source, field, f"{value!r} is not in the catalog; choose from: {', '.join(known)}")
    for key, value in assessment.prices.items():
        item = cat.price_items.get(key)
        if item is None:
            raise AssessmentError(source, f"prices.{key}",
                                  f"is not a known price; allowed keys: {', '.join(cat.price_items)}")
        if not item.min <= value <= item.max:
            raise AssessmentError(source, f"prices.{key}",
                                  f"must be between {item.min:g} and {item.max:g} {item.unit} (got {value:g})")


def load_assessment(spec: str | Path, catalog: Catalog | None = None) -> Assessment:
    """Load from a YAML/JSON file path or from ``preset:<id>``."""
    text = str(spec)
    if text.startswith("preset:"):
        cat = catalog or load_catalog()
        preset = cat.preset(text.removeprefix("preset:"))
        return parse_assessment(preset.assessment, f"preset '{preset.id}'", cat)
    path = Path(text)
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssessmentError(text, "", "the file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssessmentError(text, "", f"cannot be read ({exc.__class__.__name__})") from None
    return parse_assessment_text(content, text, catalog)


def parse_assessment_text(content: str, source: str, catalog: Catalog | None = None) -> Assessment:
    """Parse YAML or JSON text (JSON is YAML) into an Assessment."""
    try:
        raw = yaml.safe_load(content) if content.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise AssessmentError(source, "", f"is not valid YAML or JSON{where}") from None
    return parse_assessment(raw, source, catalog)


# ---------------------------------------------------------------------------
# The URL: flat dotted keys for every field that differs from the default.
# ---------------------------------------------------------------------------

_DEFAULT = Assessment()
QUERY_SOURCE = "URL query"
_RESERVED = {"w", "page"}  # reserved for the UI (weights, page) — not part of the assessment


def _flatten(prefix: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    elif isinstance(value, list | tuple):
        out[prefix] = ",".join(str(v) for v in value)
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        out[prefix] = str(int(value))
    else:
        out[prefix] = str(value)


def to_query(assessment: Assessment) -> dict[str, str]:
    """The assessment as URL query parameters: scenario and use case always, the rest when not default."""
    current: dict[str, str] = {}
    default: dict[str, str] = {}
    _flatten("", assessment.to_dict(), current)
    _flatten("", _DEFAULT.to_dict(), default)
    query = {"scenario": current["scenario"], "use_case": current["use_case"]}
    for key, value in current.items():
        if key in ("scenario", "use_case", "schema_version"):
            continue
        if default.get(key) != value:
            query[key] = value
    return query


_LIST_FIELDS = {"constraints.compliance", "constraints.skills"}
_BOOL_FIELDS = {"constraints.air_gapped", "constraints.anonymised_data", "constraints.cloud_only"}
_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def _known_query_keys() -> frozenset[str]:
    keys: dict[str, str] = {}
    _flatten("", _DEFAULT.to_dict(), keys)
    return frozenset(k for k in keys if not k.startswith("prices"))


def from_query(params: Mapping[str, str | list[str]], catalog: Catalog | None = None) -> Assessment:
    """Parse URL query parameters (as produced by :func:`to_query`) into an Assessment."""
    nested: dict[str, Any] = {}
    known = _known_query_keys()
    for key, raw_value in params.items():
        if key in _RESERVED or key.startswith("w.") or key == "schema_version":
            continue
        value = raw_value[-1] if isinstance(raw_value, list) else raw_value
        if key.startswith("prices."):
            # Price keys are catalog keys and may themselves contain dots.
            nested.setdefault("prices", {})[key.removeprefix("prices.")] = value
            continue
        if key not in known:
            raise AssessmentError(QUERY_SOURCE, key, "is not a known field")
        node = nested
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = _query_value(key, value)
    return parse_assessment(nested, QUERY_SOURCE, catalog)


def _query_value(key: str, value: str) -> Any:
    if key in _LIST_FIELDS:
        return [v for v in value.split(",") if v]
    if key in _BOOL_FIELDS:
        word = value.strip().lower()
        if word not in _BOOL_WORDS:
            raise AssessmentError(QUERY_SOURCE, key, f"must be true or false (got {value!r})")
        return _BOOL_WORDS[word]
    return value

"""The seed content and reference catalogs in ``data/``, parsed once into frozen models."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import ConfigDict, Field, ValidationError, create_model, model_validator

from explorer.model.catalog_base import Frozen, Sourced
from explorer.model.endpoints import SERVING_FILES, CloudServingCatalog, endpoint_parts, flatten_endpoints
from explorer.model.engine_profiles import EngineProfile, check_engines
from explorer.model.errors import CatalogError, UnknownChoiceError, describe_validation_error
from explorer.model.hardware import GpuSpec, ModelSpec
from explorer.model.price_catalog import CloudProvider, Factor, OnPremCosts, PriceItem, ServerPrice, flatten_prices
from explorer.model.rule_schema import Contradiction, Rule, check_rule_coverage
from explorer.model.vocabulary import SCENARIO_IDS, USE_CASE_IDS, Place, UseCaseId, option_key

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"


class StageMap(Frozen):
    training: Literal["local", "public_cloud", "not_specified"]
    serving: Literal["local", "public_cloud", "not_specified"]
    inference: Literal["local", "public_cloud", "not_specified"]
    data: Literal["local", "public_cloud", "not_specified", "exchanged"]

    def get(self, stage: str) -> str:
        return getattr(self, stage)


class Scenario(Frozen):
    id: Annotated[int, Field(ge=1, le=4)]
    name: str
    description: str
    locality: str
    stages: StageMap


class Step(Frozen):
    title: str
    points: tuple[str, ...]


class Point(Frozen):
    title: str
    text: tuple[str, ...]


class RationaleSection(Frozen):
    title: str
    points: tuple[Point, ...]


class Rationale(Frozen):
    title: str
    intro: str
    sections: tuple[RationaleSection, ...]
    summary: str


class Participant(Frozen):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str


class Message(Frozen):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    sender: str = Field(alias="from")
    receiver: str = Field(alias="to")
    text: str
    reply: bool = False


class Sequence(Frozen):
    title: str
    participants: tuple[Participant, ...]
    messages: tuple[Message, ...]

    @model_validator(mode="after")
    def _messages_name_participants(self) -> Sequence:
        ids = {p.id for p in self.participants}
        for i, m in enumerate(self.messages):
            for end in (m.sender, m.receiver):
                if end not in ids:
                    raise ValueError(f"messages[{i}] names participant '{end}'; choose from {sorted(ids)}")
        return self


class UseCaseStages(Frozen):
    training: Place
    serving: Place
    inference: Place


class UseCase(Frozen):
    id: UseCaseId
    name: str
    summary: str
    platform: Literal["standalone", "openshift"]
    stages: UseCaseStages
    steps: tuple[Step, ...]
    why: Rationale
    sequence: Sequence


class Perspective(Frozen):
    aspect: str
    training_application: str
    generative_ai_application: str


class Rating(Frozen):
    rating: Annotated[int, Field(ge=1, le=5)]
    rationale: str = Field(min_length=10)


COMPUTED_METHODS = ("cost_profile", "elasticity", "operational_burden")  # explorer/engine/ratings.py


class ComputedRating(Sourced):
    """How the engine rates a criterion from its own numbers for the assessment (the seed's ratings then
    stand only where those numbers are missing)."""

    method: Literal[COMPUTED_METHODS]  # type: ignore[valid-type]
    explain: str = Field(min_length=10)  # the mapping from number to rating, in words
    params: dict[str, Annotated[float, Field(gt=0)]]


class Criterion(Sourced):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    question: str
    higher_is: str
    default_weight: Annotated[float, Field(ge=0, le=5)]
    ratings: dict[str, Rating]
    computed: ComputedRating | None = None

    @model_validator(mode="after")
    def _every_option_rated(self) -> Criterion:
        expected = {option_key(s, u) for s in SCENARIO_IDS for u in USE_CASE_IDS}
        missing = sorted(expected - set(self.ratings))
        extra = sorted(set(self.ratings) - expected)
        if missing:
            raise ValueError(f"ratings are missing for options {missing}")
        if extra:
            raise ValueError(f"ratings name unknown options {extra}; allowed keys look like '3-1A'")
        return self


class Scale(Frozen):
    min: int
    max: int
    meaning: str


class Preset(Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    description: str
    assessment: dict[str, Any]


class IconEntry(Frozen):
    """One component kind and the `diagrams` node class drawn for it, per provider."""

    kind: str
    classes: dict[str, str]


class Assumption(Sourced):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    value: float
    unit: str
    description: str


class Catalog(Frozen):
    scenarios: tuple[Scenario, ...]
    use_cases: tuple[UseCase, ...]
    perspectives: tuple[Perspective, ...]
    scale: Scale
    criteria: tuple[Criterion, ...]
    presets: tuple[Preset, ...]
    icons: tuple[IconEntry, ...]
    models: tuple[ModelSpec, ...]
    gpus: tuple[GpuSpec, ...]
    assumptions: tuple[Assumption, ...]
    rules: tuple[Rule, ...]
    contradictions: tuple[Contradiction, ...]
    providers: tuple[CloudProvider, ...]
    onprem: OnPremCosts
    efficiency: tuple[Factor, ...]
    cloud_serving: CloudServingCatalog  # per-token endpoints and autoscaling (endpoint_prices.yaml, autoscaling.yaml)
    engines: tuple[EngineProfile, ...]  # serving engine profiles (data/engines.yaml)
    data_dir: str
    # A hash of every catalog file's bytes: what caches key a catalog by (never its id(), which Python reuses).
    version: str = ""

    @cached_property
    def price_items(self) -> dict[str, PriceItem]:
        """Every overridable price and efficiency default, by its key in ``Assessment.prices``."""
        return {**flatten_prices(self.providers, self.onprem, self.efficiency), **flatten_endpoints(self.cloud_serving)}

    def price_item(self, key: str) -> PriceItem:
        try:
            return self.price_items[key]
        except KeyError:
            raise UnknownChoiceError("price key", key, list(self.price_items)) from None

    def assumption(self, assumption_id: str) -> float:
        for a in self.assumptions:
            if a.id == assumption_id:
                return a.value
        raise UnknownChoiceError("assumption", assumption_id, [a.id for a in self.assumptions])

    def model(self, model_id: str) -> ModelSpec:
        for m in self.models:
            if m.id == model_id:
                return m
        raise UnknownChoiceError("model", model_id, [m.id for m in self.models])

    def gpu(self, gpu_id: str) -> GpuSpec:
        for g in self.gpus:
            if g.id == gpu_id:
                return g
        raise UnknownChoiceError("GPU", gpu_id, [g.id for g in self.gpus])

    def scenario(self, scenario_id: int) -> Scenario:
        for s in self.scenarios:
            if s.id == scenario_id:
                return s
        raise UnknownChoiceError("scenario", scenario_id, [s.id for s in self.scenarios])

    def use_case(self, use_case_id: str) -> UseCase:
        for u in self.use_cases:
            if u.id == use_case_id:
                return u
        raise UnknownChoiceError("use case", use_case_id, [u.id for u in self.use_cases])

    def preset(self, preset_id: str) -> Preset:
        for p in self.presets:
            if p.id == preset_id:
                return p
        raise UnknownChoiceError("preset", preset_id, [p.id for p in self.presets])

    def icon_classes(self, kind: str) -> dict[str, str]:
        for entry in self.icons:
            if entry.kind == kind:
                return entry.classes
        raise UnknownChoiceError("component kind", kind, [e.kind for e in self.icons])


# Which file holds what, and the model each top-level key is parsed with.
_FILES: dict[str, dict[str, Any]] = {
    "scenarios.yaml": {"scenarios": tuple[Scenario, ...]},
    "use_cases.yaml": {"use_cases": tuple[UseCase, ...]},
    "perspectives.yaml": {"perspectives": tuple[Perspective, ...]},
    "criteria.yaml": {"scale": Scale, "criteria": tuple[Criterion, ...]},
    "presets.yaml": {"presets": tuple[Preset, ...]},
    "icons.yaml": {"icons": tuple[IconEntry, ...]},
    "models.yaml": {"models": tuple[ModelSpec, ...]},
    "gpus.yaml": {"gpus": tuple[GpuSpec, ...]},
    "assumptions.yaml": {"assumptions": tuple[Assumption, ...]},
    "rules.yaml": {"rules": tuple[Rule, ...], "contradictions": tuple[Contradiction, ...]},
    "cloud_prices.yaml": {"providers": tuple[CloudProvider, ...]},
    "onprem_costs.yaml": {"servers": tuple[ServerPrice, ...], "costs": tuple[Factor, ...],
                          "finance": tuple[Factor, ...], "power": tuple[Factor, ...]},
    "efficiency.yaml": {"factors": tuple[Factor, ...]},
    "engines.yaml": {"engines": tuple[EngineProfile, ...]}, **SERVING_FILES,
}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as f:
            content = yaml.safe_load(f) or {}
    except FileNotFoundError:
        raise CatalogError(str(path), "", "the file is missing") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise CatalogError(str(path), "", f"is not valid YAML{where}: {problem}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(str(path), "", f"cannot be read ({exc.__class__.__name__})") from None
    if not isinstance(content, dict):
        raise CatalogError(str(path), "", f"must hold a mapping at the top level, not {type(content).__name__}")
    return content


class _FileModel(Frozen):
    pass


def _parse_file(path: Path, spec: dict[str, Any]) -> dict[str, Any]:
    raw = _read_yaml(path)
    unknown = sorted(set(raw) - set(spec))
    if unknown:
        raise CatalogError(str(path), unknown[0], f"is not a known key; allowed: {', '.join(spec)}")
    fields: dict[str, Any] = {key: (annotation, ...) for key, annotation in spec.items()}
    model = create_model(f"File_{path.stem}", __base__=_FileModel, **fields)
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        field, problem = describe_validation_error(exc)
        raise CatalogError(str(path), field, problem) from None
    return {key: getattr(parsed, key) for key in spec}


def _check_unique(path: Path, key: str, items: tuple[Any, ...]) -> None:
    seen: set[Any] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            raise CatalogError(str(path), f"{key}[{i}].id", f"duplicates id {item.id!r}")
        seen.add(item.id)


def _load(data_dir: Path) -> Catalog:
    parts: dict[str, Any] = {}
    digest = hashlib.sha256()
    for name, spec in _FILES.items():
        path = data_dir / name
        with contextlib.suppress(OSError):
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        parsed = _parse_file(path, spec)
        for key, value in parsed.items():
            if isinstance(value, tuple) and value and hasattr(value[0], "id"):
                _check_unique(path, key, value)
        parts.update(parsed)
    ids = sorted(s.id for s in parts["scenarios"])
    if tuple(ids) != SCENARIO_IDS:
        raise CatalogError(str(data_dir / "scenarios.yaml"), "scenarios", f"must define scenarios 1 to 4, found {ids}")
    use_ids = sorted(u.id for u in parts["use_cases"])
    if tuple(use_ids) != USE_CASE_IDS:
        raise CatalogError(str(data_dir / "use_cases.yaml"), "use_cases", f"must define 1A and 1B, found {use_ids}")
    gap = check_rule_coverage(parts["rules"])
    if gap:
        raise CatalogError(str(data_dir / "rules.yaml"), "rules", gap)
    parts["efficiency"] = parts.pop("factors")
    parts["onprem"] = OnPremCosts(**{k: parts.pop(k) for k in ("servers", "costs", "finance", "power") if k in parts})
    _check_price_gpus(data_dir, parts)
    parts.update(endpoint_parts(parts, data_dir))
    check_engines(str(data_dir / "engines.yaml"), parts["engines"])
    return Catalog(**parts, data_dir=str(data_dir), version=digest.hexdigest()[:16])


def _check_price_gpus(data_dir: Path, parts: dict[str, Any]) -> None:
    """Prices name GPUs by catalog id; an unknown id is an error that lists the known ones."""
    known = [g.id for g in parts["gpus"]]
    for i, provider in enumerate(parts["providers"]):
        for j, price in enumerate(provider.gpus):
            if price.gpu not in known:
                raise CatalogError(str(data_dir / "cloud_prices.yaml"), f"providers[{i}].gpus[{j}].gpu",
                                   f"names unknown GPU {price.gpu!r}; choose from: {', '.join(known)}")
    parts["onprem"].check_power_regions(str(data_dir / "onprem_costs.yaml"))
    for i, server in enumerate(parts["onprem"].servers):
        if server.gpu not in known:
            raise CatalogError(str(data_dir / "onprem_costs.yaml"), f"servers[{i}].gpu",
                               f"names unknown GPU {server.gpu!r}; choose from: {', '.join(known)}")


_cache: dict[tuple[str, tuple[tuple[int, int], ...]], Catalog] = {}
_lock = threading.Lock()


def load_catalog(data_dir: str | Path | None = None) -> Catalog:
    """Load and validate every catalog file; cached until a file changes on disk.

    The directory is ``data_dir``, else the ``EXPLORER_DATA`` environment variable, else ``data/``.
    """
    if data_dir is None:
        data_dir = os.environ.get("EXPLORER_DATA") or DATA_DIR
    directory = Path(data_dir)
    if not directory.is_dir():
        raise CatalogError(str(directory), "", "is not a directory")
    stamps = []
    for name in _FILES:
        try:
            stat = (directory / name).stat()
            stamps.append((stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append((-1, -1))
    key = (str(directory.resolve()), tuple(stamps))
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    catalog = _load(directory)
    with _lock:
        _cache.clear()
        _cache[key] = catalog
    return catalog

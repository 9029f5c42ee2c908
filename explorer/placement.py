"""Placement: where each stage runs for a scenario and use case, why, and what crosses the boundary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from explorer.assessment import Assessment
from explorer.catalog import LOCATION_LABELS, SCENARIO_IDS, STAGES, USE_CASE_IDS, Catalog
from explorer.governance import trade_offs

Origin = Literal["scenario", "use_case", "constraint"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class StagePlacement(_Model):
    stage: str
    location: str  # local | public_cloud | exchanged
    origin: Origin
    reason: str

    @property
    def label(self) -> str:
        return LOCATION_LABELS[self.location]


class Flow(_Model):
    """Something that crosses the premises/cloud boundary: what, how much, how often."""

    id: str
    what: str
    source: str  # a stage name or "users"
    target: str
    direction: Literal["to_cloud", "to_premises", "both"]
    bytes_per_event: float
    events_per_month: float
    cadence: str

    @property
    def bytes_per_month(self) -> float:
        return self.bytes_per_event * self.events_per_month

    @property
    def label(self) -> str:
        return f"{self.what}: {format_bytes(self.bytes_per_event)} {self.cadence}"


class Violation(_Model):
    rule: str
    message: str


class OptionPlacement(_Model):
    scenario: int
    scenario_name: str
    use_case: str
    stages: dict[str, StagePlacement]
    conflicts: tuple[str, ...]
    flows: tuple[Flow, ...]
    violations: tuple[Violation, ...]
    score: float
    reasons: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations

    def location(self, stage: str) -> str:
        return self.stages[stage].location


class Recommendation(_Model):
    scenario: int
    use_case: str
    reasons: tuple[str, ...]


class PlacementResult(_Model):
    options: tuple[OptionPlacement, ...]
    recommended: Recommendation | None

    def option(self, scenario: int, use_case: str) -> OptionPlacement:
        for o in self.options:
            if o.scenario == scenario and o.use_case == use_case:
                return o
        raise KeyError((scenario, use_case))


def format_bytes(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{n:.0f} B"


def _place_name(location: str) -> str:
    return "on premises" if location == "local" else "in the public cloud"


def _constraint_preference(stage: str, proposed: str, a: Assessment) -> tuple[str, str] | None:
    """A hard constraint that moves an unspecified stage away from the use case's default.

    Returns (location, reason) or None when the use case's default stands.
    """
    c, w = a.constraints, a.workload
    if proposed == "public_cloud":
        if stage == "training" and c.data_classification == "regulated":
            return "local", "regulated data must not leave the premises"
        if stage == "training" and c.residency == "on_premises":
            return "local", "data residency requires the premises"
        if stage in ("serving", "inference") and c.air_gapped:
            return "local", "the site is air-gapped, so nothing can call the cloud at run time"
        if stage == "inference" and c.cloud_rtt_ms >= w.ttft_target_ms:
            return "local", (
                f"a {c.cloud_rtt_ms:g} ms cloud round trip alone exceeds the {w.ttft_target_ms:g} ms "
                "time-to-first-token target"
            )
    elif proposed == "local" and stage == "serving" and c.model_licence == "proprietary":
        return "public_cloud", "a proprietary model cannot be deployed on premises"
    return None


def _resolve_stages(
    catalog: Catalog, a: Assessment, scenario: int, use_case: str
) -> tuple[dict[str, StagePlacement], list[str]]:
    sc = catalog.scenario(scenario)
    uc = catalog.use_case(use_case)
    stages: dict[str, StagePlacement] = {}
    conflicts: list[str] = []
    for stage in STAGES:
        fixed = sc.stages.get(stage)
        if fixed != "not_specified":
            wanted = getattr(uc.stages, stage, None)
            reason = f"Scenario {scenario} ({sc.name}) places {stage} {_place_name(fixed)}."
            if fixed == "exchanged":
                reason = f"Scenario {scenario} exchanges data between the premises and the public cloud."
            if wanted is not None and wanted != fixed:
                conflicts.append(
                    f"Use case {use_case} would run {stage} {_place_name(wanted)}; "
                    f"scenario {scenario} fixes it {_place_name(fixed)}, and the scenario wins."
                )
            stages[stage] = StagePlacement(stage=stage, location=fixed, origin="scenario", reason=reason)
            continue
        proposed = getattr(uc.stages, stage, None)
        if proposed is None:  # the use cases never fill data, and every scenario fixes it
            proposed = "local"
        moved = _constraint_preference(stage, proposed, a)
        if moved is not None:
            location, why = moved
            reason = (
                f"Scenario {scenario} leaves {stage} open; resolved to {_place_name(location)} "
                f"because {why} (use case {use_case} would put it {_place_name(proposed)})."
            )
            stages[stage] = StagePlacement(stage=stage, location=location, origin="constraint", reason=reason)
        else:
            reason = (
                f"Scenario {scenario} leaves {stage} open; use case {use_case} runs it {_place_name(proposed)}."
            )
            stages[stage] = StagePlacement(stage=stage, location=proposed, origin="use_case", reason=reason)
    return stages, conflicts


def _flows(catalog: Catalog, a: Assessment, stages: Mapping[str, StagePlacement]) -> tuple[Flow, ...]:
    w = a.workload
    bpt = catalog.assumption("bytes_per_token")
    days = catalog.assumption("days_per_month")
    model = catalog.model(w.model)
    loc = {s: p.location for s, p in stages.items()}
    cloud = {s for s, v in loc.items() if v == "public_cloud"}
    local = {s for s, v in loc.items() if v == "local"}
    runs_per_month = (1 / w.retrain_every_months) if w.retrain_every_months else 0.0
    retrain = f"every {w.retrain_every_months} months" if w.retrain_every_months else "once"
    flows: list[Flow] = []

    def add(fid: str, what: str, src: str, dst: str, direction: str, size: float, per_month: float, cadence: str):
        flows.append(
            Flow(
                id=fid, what=what, source=src, target=dst, direction=direction,  # type: ignore[arg-type]
                bytes_per_event=size, events_per_month=per_month, cadence=cadence,
            )
        )

    trains = w.finetune_method != "none"
    dataset_bytes = w.dataset_tokens * bpt
    if trains and "training" in cloud and loc["data"] in ("local", "exchanged"):
        add("training_data", "Training data", "data", "training", "to_cloud", dataset_bytes, runs_per_month, retrain)
    if trains and "training" in local and loc["data"] == "public_cloud":
        add("training_data", "Training data", "data", "training", "to_premises", dataset_bytes, runs_per_month, retrain)
    if loc["training"] != loc["serving"]:
        direction = "to_premises" if loc["serving"] == "local" else "to_cloud"
        weights = model.params * catalog.assumption("transfer_weights_bytes_per_param")
        what = "Fine-tuned weights" if trains else "Model weights"
        add("weights", what, "training", "serving", direction, weights, runs_per_month if trains else 0.0, retrain)
    request_bytes = (w.input_tokens + w.output_tokens) * bpt
    if loc["inference"] != loc["serving"]:
        direction = "to_cloud" if loc["serving"] == "public_cloud" else "to_premises"
        add("inference", "Prompts and completions", "inference", "serving", direction,
            request_bytes * w.requests_per_day, days, "per day")
    if loc["inference"] == "public_cloud":
        add("users", "User requests", "users", "inference", "to_cloud",
            request_bytes * w.requests_per_day, days, "per day")
    inference_data_remote = (loc["inference"] == "local" and loc["data"] == "public_cloud") or (
        loc["inference"] == "public_cloud" and loc["data"] == "local"
    )
    if inference_data_remote:
        direction = "to_premises" if loc["inference"] == "local" else "to_cloud"
        add("inference_data", "Live corporate data for inference", "data", "inference", direction,
            w.input_tokens * bpt * w.requests_per_day, days, "per day")
    if loc["data"] == "exchanged":
        add("data_sync", "Corporate data kept in sync", "data", "serving", "both",
            w.input_tokens * bpt * w.requests_per_day, days, "per day")
    return tuple(flows)


def place_option(
    catalog: Catalog, a: Assessment, scenario: int, use_case: str, weights: Mapping[str, float] | None = None
) -> OptionPlacement:
    """Place one scenario × use case for the assessment's workload and constraints."""
    stages, conflicts = _resolve_stages(catalog, a, scenario, use_case)
    flows = _flows(catalog, a, stages)
    table = trade_offs(catalog, scenario, use_case, weights)
    top = sorted(table.rows, key=lambda r: (-(r.rating * r.weight), r.criterion))[:2]
    reasons = [f"{r.name} {r.rating}/5: {r.rationale}" for r in top]
    moved = [p for p in stages.values() if p.origin == "constraint"]
    reasons += [p.reason for p in moved]
    return OptionPlacement(
        scenario=scenario,
        scenario_name=catalog.scenario(scenario).name,
        use_case=use_case,
        stages=stages,
        conflicts=tuple(conflicts),
        flows=flows,
        violations=(),
        score=table.score,
        reasons=tuple(reasons),
    )


def place(catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None = None) -> PlacementResult:
    """Every scenario × use case, and the recommended one (best weighted score among the feasible)."""
    options = tuple(place_option(catalog, a, s, u, weights) for s in SCENARIO_IDS for u in USE_CASE_IDS)
    feasible = [o for o in options if o.feasible]
    recommended = None
    if feasible:
        best = max(feasible, key=lambda o: (o.score, -o.scenario, o.use_case == "1A"))
        recommended = Recommendation(
            scenario=best.scenario,
            use_case=best.use_case,
            reasons=(f"Highest weighted governance score among feasible options: {best.score:.0f}/100.", *best.reasons),
        )
    return PlacementResult(options=options, recommended=recommended)

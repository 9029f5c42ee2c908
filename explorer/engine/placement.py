"""Placement: where each stage runs for a scenario and use case, why, and what crosses the boundary."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from explorer.engine.capacity import Capacity
from explorer.engine.rules import evaluate
from explorer.model.assessment import DEFAULT, Assessment
from explorer.model.cache import ContentCache
from explorer.model.catalog import Catalog
from explorer.model.formatting import duration, every_months, format_bytes
from explorer.model.rule_schema import Violation
from explorer.model.vocabulary import LOCATION_LABELS, PLACE_PHRASES, SCENARIO_IDS, STAGES, USE_CASE_IDS, option_key

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
    transfer_hours: float = 0.0  # one event over the premises' uplink, at its usable share of the line rate
    period_hours: float | None = None  # the time between two events; None for a one-off move

    @property
    def bytes_per_month(self) -> float:
        return self.bytes_per_event * self.events_per_month

    @property
    def fits_cadence(self) -> bool:
        """False when one event takes longer to move than the time until the next one."""
        return self.period_hours is None or self.transfer_hours <= self.period_hours

    @property
    def label(self) -> str:
        return f"{self.what}: {format_bytes(self.bytes_per_event)} {self.cadence}"

    def transfer_warning(self, gbps: float) -> str:
        """One sentence when the flow cannot finish before the next one starts, else empty."""
        if self.fits_cadence:
            return ""
        assert self.period_hours is not None
        size = format_bytes(self.bytes_per_event)
        return (f"{self.what} ({size} {self.cadence}) take {duration(self.transfer_hours)} "
                f"over the {gbps:g} Gbit/s uplink, longer than the {duration(self.period_hours)} until the next: "
                "a faster link, a smaller payload, or shipping the data some other way is needed.")


class Placement(_Model):
    """Where one scenario × use case runs each stage for this assessment, what crosses the boundary, and
    which rules it breaks (hard: ruled out; soft: cautions that cost points when it is scored)."""

    scenario: int
    scenario_name: str
    use_case: str
    stages: dict[str, StagePlacement]
    conflicts: tuple[str, ...]
    flows: tuple[Flow, ...]
    violations: tuple[Violation, ...]  # hard: the option is ruled out
    cautions: tuple[Violation, ...]  # soft: the option stays open but loses points
    rated_as: str  # the option key whose ratings describe the resolved placement

    @property
    def feasible(self) -> bool:
        return not self.violations

    def location(self, stage: str) -> str:
        return self.stages[stage].location

    @property
    def locations(self) -> dict[str, str]:
        return {s: p.location for s, p in self.stages.items()}

    @property
    def key(self) -> str:
        return option_key(self.scenario, self.use_case)


def _place_name(location: str) -> str:
    return PLACE_PHRASES[location]


_OTHER = {"local": "public_cloud", "public_cloud": "local"}


def _blockers(
    catalog: Catalog, a: Assessment, cap: Capacity | None, locations: Mapping[str, str], stage: str,
    skip: Iterable[str],
) -> list[Violation]:
    """Hard violations of ``locations`` that blame ``stage``."""
    assert cap is not None
    return [
        v for v in evaluate(catalog, a, cap, locations, skip=skip)
        if v.severity == "hard" and stage in v.stages
    ]


def _resolve_stages(
    catalog: Catalog,
    a: Assessment,
    cap: Capacity | None,
    scenario: int,
    use_case: str,
    *,
    skip: Iterable[str] = (),
    use_rules: bool = True,
) -> tuple[dict[str, StagePlacement], list[str]]:
    """Where each stage runs: the scenario's fixed stages, the use case's for the open ones, moved by the rules.

    An open stage moves to the other place when the use case's place breaks a hard rule there and the other
    place breaks none; the reason quotes the rule, so resolution and violations never disagree.
    """
    sc = catalog.scenario(scenario)
    uc = catalog.use_case(use_case)
    skip = tuple(skip)
    stages: dict[str, StagePlacement] = {}
    conflicts: list[str] = []
    tentative: dict[str, str] = {}
    for stage in STAGES:
        fixed = sc.stages.get(stage)
        tentative[stage] = fixed if fixed != "not_specified" else (getattr(uc.stages, stage, None) or "local")
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
        proposed = tentative[stage]
        blocked = _blockers(catalog, a, cap, tentative, stage, skip) if use_rules else []
        if blocked:
            alternative = {**tentative, stage: _OTHER[proposed]}
            if not _blockers(catalog, a, cap, alternative, stage, skip):
                tentative = alternative
                location = alternative[stage]
                reason = (
                    f"Scenario {scenario} leaves {stage} open; resolved to {_place_name(location)} "
                    f"because {blocked[0].reason} (use case {use_case} would put it {_place_name(proposed)})."
                )
                stages[stage] = StagePlacement(stage=stage, location=location, origin="constraint", reason=reason)
                continue
        reason = f"Scenario {scenario} leaves {stage} open; use case {use_case} runs it {_place_name(proposed)}."
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
    retrain = every_months(w.retrain_every_months) if w.retrain_every_months else "once"
    flows: list[Flow] = []

    # Gbit/s × usable share → bytes per hour over the customer's link to the cloud.
    bytes_per_hour = a.constraints.uplink_gbps * 1e9 * catalog.assumption("link_efficiency") / 8 * 3600
    hours_per_month = days * 24

    def add(fid: str, what: str, src: str, dst: str, direction: str, size: float, per_month: float, cadence: str):
        flows.append(
            Flow(
                id=fid, what=what, source=src, target=dst, direction=direction,  # type: ignore[arg-type]
                bytes_per_event=size, events_per_month=per_month, cadence=cadence,
                transfer_hours=size / bytes_per_hour,
                period_hours=hours_per_month / per_month if per_month > 0 else None,
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


_DEFAULTS: ContentCache[dict[str, dict[str, str]]] = ContentCache("default placements", 8)


def _default_locations(catalog: Catalog) -> dict[str, dict[str, str]]:
    """Each option's placement with no constraints at all: what its catalog ratings describe."""

    def compute() -> dict[str, dict[str, str]]:
        out = {}
        for sc in SCENARIO_IDS:
            for uc in USE_CASE_IDS:
                stages, _ = _resolve_stages(catalog, DEFAULT, None, sc, uc, use_rules=False)
                out[option_key(sc, uc)] = {s: p.location for s, p in stages.items()}
        return out

    return _DEFAULTS.get(catalog.version, compute)


LICENCE_USE_CASE = {"open": "1A", "proprietary": "1B"}  # the model each use case's ratings describe


def _rated_as(catalog: Catalog, scenario: int, use_case: str, locations: Mapping[str, str], licence: str) -> str:
    """The option whose qualitative ratings describe this RESOLVED placement and this model.

    Ratings describe where the stages run and what kind of model runs there: 1A's an open-weight model,
    1B's a proprietary one. So among the options that place every stage this way by default, the one whose
    use case matches the model's licence applies (with an open model, 1-1B is rated as 1-1A: the same
    placement, the same cost, the same score). When constraints move a stage, the option places its stages as
    another option does (1-1A with regulated data trains locally, as 3-1A does), whose ratings then apply;
    when no option does, the ratings of the same scenario with this kind of model apply.
    """
    own = option_key(scenario, use_case)
    defaults = _default_locations(catalog)
    same = [k for k, v in defaults.items() if v == dict(locations)]
    wanted = LICENCE_USE_CASE[licence]
    if not same:  # no option places the stages this way: the same scenario's ratings for this kind of model
        return option_key(scenario, wanted)
    same.sort(key=lambda k: (not k.endswith(wanted), k != own, not k.endswith(use_case), k))
    return same[0]


def locate_option(
    catalog: Catalog, a: Assessment, cap: Capacity, scenario: int, use_case: str, *, skip: Iterable[str] = (),
) -> Placement:
    """Place one scenario × use case for the assessment's workload and constraints.

    ``skip`` leaves rules out (what if that constraint were relaxed?).
    """
    skip = tuple(skip)
    stages, conflicts = _resolve_stages(catalog, a, cap, scenario, use_case, skip=skip)
    locations = {s: p.location for s, p in stages.items()}
    found = evaluate(catalog, a, cap, locations, skip=skip)
    return Placement(
        scenario=scenario,
        scenario_name=catalog.scenario(scenario).name,
        use_case=use_case,
        stages=stages,
        conflicts=tuple(conflicts),
        flows=_flows(catalog, a, stages),
        violations=tuple(v for v in found if v.severity == "hard"),
        cautions=tuple(v for v in found if v.severity == "soft"),
        rated_as=_rated_as(catalog, scenario, use_case, locations, a.constraints.model_licence),
    )


def locate(catalog: Catalog, a: Assessment, cap: Capacity, *, skip: Iterable[str] = ()) -> tuple[Placement, ...]:
    """All eight options, scenario by scenario, 1A before 1B."""
    skip = tuple(skip)
    return tuple(locate_option(catalog, a, cap, s, u, skip=skip) for s in SCENARIO_IDS for u in USE_CASE_IDS)

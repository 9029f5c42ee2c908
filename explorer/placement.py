"""Placement: where each stage runs for a scenario and use case, why, and what crosses the boundary."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from explorer.assessment import Assessment
from explorer.catalog import LOCATION_LABELS, SCENARIO_IDS, STAGES, USE_CASE_IDS, Catalog, option_key
from explorer.governance import TradeOffs, trade_offs
from explorer.rules import Violation, contradictions, evaluate, rule

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


class OptionPlacement(_Model):
    scenario: int
    scenario_name: str
    use_case: str
    stages: dict[str, StagePlacement]
    conflicts: tuple[str, ...]
    flows: tuple[Flow, ...]
    violations: tuple[Violation, ...]  # hard: the option is ruled out
    cautions: tuple[Violation, ...]  # soft: the option stays open but loses points
    governance_score: float  # weighted ratings of the resolved placement, 0..100
    penalty: float  # points the soft rules cost
    score: float  # governance_score − penalty, floored at 0 (unrounded; display rounds)
    rated_as: str  # the option key whose ratings describe the resolved placement
    trade_offs: TradeOffs
    reasons: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations

    def location(self, stage: str) -> str:
        return self.stages[stage].location


    @property
    def key(self) -> str:
        return option_key(self.scenario, self.use_case)


class Recommendation(_Model):
    scenario: int
    use_case: str
    reasons: tuple[str, ...]
    runner_up: str | None = None  # option key of the second-best feasible option

    @property
    def key(self) -> str:
        return option_key(self.scenario, self.use_case)


class Relaxation(_Model):
    """Lifting one hard rule, and what that would open."""

    rule: str
    opens: int
    best: str
    message: str


class PlacementResult(_Model):
    options: tuple[OptionPlacement, ...]
    recommended: Recommendation | None
    contradictions: tuple[str, ...] = ()
    relax: tuple[Relaxation, ...] = ()

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


_OTHER = {"local": "public_cloud", "public_cloud": "local"}


def _blockers(
    catalog: Catalog, a: Assessment, locations: Mapping[str, str], stage: str, skip: Iterable[str]
) -> list[Violation]:
    """Hard violations of ``locations`` that blame ``stage``."""
    return [
        v for v in evaluate(catalog, a, locations, skip=skip)
        if v.severity == "hard" and stage in v.stages
    ]


def _resolve_stages(
    catalog: Catalog,
    a: Assessment,
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
        blocked = _blockers(catalog, a, tentative, stage, skip) if use_rules else []
        if blocked:
            alternative = {**tentative, stage: _OTHER[proposed]}
            if not _blockers(catalog, a, alternative, stage, skip):
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


_DEFAULTS: dict[int, tuple[Catalog, dict[str, dict[str, str]]]] = {}


def _default_locations(catalog: Catalog) -> dict[str, dict[str, str]]:
    """Each option's placement with no constraints at all: what its catalog ratings describe."""
    cached = _DEFAULTS.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    out = {}
    for sc in SCENARIO_IDS:
        for uc in USE_CASE_IDS:
            stages, _ = _resolve_stages(catalog, Assessment(), sc, uc, use_rules=False)
            out[option_key(sc, uc)] = {s: p.location for s, p in stages.items()}
    if len(_DEFAULTS) > 8:  # catalogs are few (one per data directory); keep the cache small anyway
        _DEFAULTS.clear()
    _DEFAULTS[id(catalog)] = (catalog, out)
    return out


def _rated_as(catalog: Catalog, scenario: int, use_case: str, locations: Mapping[str, str]) -> str:
    """The option whose ratings describe this RESOLVED placement.

    When constraints move a stage, the option places its stages exactly as another option does by default
    (1-1A with regulated data trains locally, as 3-1A does); that option's ratings then apply. Options of the
    same use case are preferred, since ratings also reflect the use case's model and platform.
    """
    own = option_key(scenario, use_case)
    defaults = _default_locations(catalog)
    if defaults[own] == dict(locations):
        return own
    same = [k for k, v in defaults.items() if v == dict(locations)]
    same.sort(key=lambda k: (not k.endswith(use_case), k))
    return same[0] if same else own


def exact_score(catalog: Catalog, table: TradeOffs) -> float:
    """The weighted mean rating mapped to 0..100, unrounded (ranking uses this; display rounds)."""
    lo, hi = catalog.scale.min, catalog.scale.max
    mean = sum(r.weight * r.rating for r in table.rows) / sum(r.weight for r in table.rows)
    return 100 * (mean - lo) / (hi - lo)


def place_option(
    catalog: Catalog,
    a: Assessment,
    scenario: int,
    use_case: str,
    weights: Mapping[str, float] | None = None,
    *,
    skip: Iterable[str] = (),
) -> OptionPlacement:
    """Place one scenario × use case for the assessment's workload and constraints, and score it.

    The score is the weighted governance score of the resolved placement, minus the penalties of the soft
    rules it breaks, floored at 0. ``skip`` leaves rules out (what if that constraint were relaxed?).
    """
    skip = tuple(skip)
    stages, conflicts = _resolve_stages(catalog, a, scenario, use_case, skip=skip)
    locations = {s: p.location for s, p in stages.items()}
    flows = _flows(catalog, a, stages)
    found = evaluate(catalog, a, locations, skip=skip)
    hard = tuple(v for v in found if v.severity == "hard")
    soft = tuple(v for v in found if v.severity == "soft")
    rated_as = _rated_as(catalog, scenario, use_case, locations)
    rated_scenario, rated_use_case = rated_as.split("-")
    table = trade_offs(catalog, int(rated_scenario), rated_use_case, weights)
    governance = exact_score(catalog, table)
    penalty = sum(v.penalty for v in soft)
    top = sorted(table.rows, key=lambda r: (-(r.rating * r.weight), r.criterion))[:2]
    reasons = [f"{r.name} {r.rating}/5: {r.rationale}" for r in top]
    if rated_as != option_key(scenario, use_case):
        reasons.append(
            f"The constraints make this option place every stage as option {rated_as} does, "
            f"so it is rated as {rated_as}."
        )
    reasons += [p.reason for p in stages.values() if p.origin == "constraint"]
    reasons += [f"{v.message} (−{v.penalty:g} points)." for v in soft]
    return OptionPlacement(
        scenario=scenario,
        scenario_name=catalog.scenario(scenario).name,
        use_case=use_case,
        stages=stages,
        conflicts=tuple(conflicts),
        flows=flows,
        violations=hard,
        cautions=soft,
        governance_score=governance,
        penalty=penalty,
        score=max(governance - penalty, 0.0),
        rated_as=rated_as,
        trade_offs=table,
        reasons=tuple(reasons),
    )


def _rank_key(o: OptionPlacement) -> tuple[float, bool, int, bool]:
    """Higher is better: score; on a tie, an option placed as its own scenario says (not one that the
    constraints turned into a copy of another), then the lower scenario number, then use case 1A.
    """
    # Rounded so that float noise never decides a tie (the vectorised chooser in thresholds.py rounds alike).
    return (round(o.score, 9), o.rated_as == o.key, -o.scenario, o.use_case == "1A")


def tie_order(options: Iterable[OptionPlacement]) -> list[int]:
    """Indices of ``options`` in tie-break priority (the order :func:`rank` prefers among equal scores)."""
    opts = list(options)
    return sorted(range(len(opts)), key=lambda i: _rank_key(opts[i])[1:], reverse=True)


def rank(options: Iterable[OptionPlacement]) -> list[OptionPlacement]:
    """Feasible options, best first."""
    return sorted((o for o in options if o.feasible), key=_rank_key, reverse=True)


def _option_name(o: OptionPlacement) -> str:
    return f"scenario {o.scenario} with use case {o.use_case}"


def _recommend(best: OptionPlacement, runner_up: OptionPlacement | None, feasible: int) -> Recommendation:
    lead = f"Highest score among the {feasible} feasible option{'s' if feasible != 1 else ''}: {best.score:.0f}/100"
    reasons = []
    if runner_up is None:
        reasons.append(f"{lead}; it is the only option the constraints leave open.")
    else:
        if abs(best.score - runner_up.score) < 0.05:
            reasons.append(f"{lead}, tied with {_option_name(runner_up)}; ties go to an option placed as its "
                           "scenario says, then the lower scenario, then 1A.")
        else:
            reasons.append(f"{lead}, ahead of {_option_name(runner_up)} at {runner_up.score:.0f}/100.")
        gains = [
            (mine.weight * (mine.rating - theirs.rating), mine, theirs)
            for mine, theirs in zip(best.trade_offs.rows, runner_up.trade_offs.rows, strict=True)
            if mine.rating != theirs.rating and mine.weight > 0
        ]
        better = sorted((g for g in gains if g[0] > 0), key=lambda g: (-g[0], g[1].criterion))[:3]
        worse = sorted((g for g in gains if g[0] < 0), key=lambda g: (g[0], g[1].criterion))[:2]
        if better:
            reasons.append("Stronger on " + ", ".join(f"{m.name.lower()} ({m.rating} vs {t.rating})"
                                                      for _, m, t in better) + ".")
        if worse:
            reasons.append("Weaker on " + ", ".join(f"{m.name.lower()} ({m.rating} vs {t.rating})"
                                                    for _, m, t in worse) + ".")
    reasons += list(best.reasons)
    return Recommendation(
        scenario=best.scenario,
        use_case=best.use_case,
        reasons=tuple(reasons),
        runner_up=(option_key(runner_up.scenario, runner_up.use_case) if runner_up else None),
    )


def _relaxations(
    catalog: Catalog, a: Assessment, options: tuple[OptionPlacement, ...], weights: Mapping[str, float] | None,
) -> tuple[Relaxation, ...]:
    """For each hard rule that binds: how many options lifting it alone would make feasible, and the best."""
    bound = sorted({v.rule for o in options for v in o.violations})
    out = []
    for rule_id in bound:
        relaxed = tuple(
            place_option(catalog, a, s, u, weights, skip=(rule_id,))
            for s in SCENARIO_IDS for u in USE_CASE_IDS
        )
        ranked = rank(relaxed)
        if not ranked:
            continue
        r = rule(catalog, rule_id)
        best = ranked[0]
        out.append(
            Relaxation(
                rule=rule_id,
                opens=len(ranked),
                best=option_key(best.scenario, best.use_case),
                message=(
                    f"{r.relax[0].upper()}{r.relax[1:]}: that alone makes {len(ranked)} option"
                    f"{'s' if len(ranked) != 1 else ''} feasible, the best being {_option_name(best)} "
                    f"at {best.score:.0f}/100."
                ),
            )
        )
    out.sort(key=lambda x: (-x.opens, x.rule))
    return tuple(out)


def place(
    catalog: Catalog,
    a: Assessment,
    weights: Mapping[str, float] | None = None,
    *,
    skip: Iterable[str] = (),
    advise: bool = True,
) -> PlacementResult:
    """Every scenario × use case, and the recommended one (best score among the feasible).

    When nothing is feasible, ``relax`` says which single constraint to relax, and what it would open
    (``advise=False`` skips that search, for sweeps that only need the choice).
    """
    skip = tuple(skip)
    options = tuple(
        place_option(catalog, a, s, u, weights, skip=skip)
        for s in SCENARIO_IDS for u in USE_CASE_IDS
    )
    ranked = rank(options)
    recommended = None
    relax: tuple[Relaxation, ...] = ()
    if ranked:
        recommended = _recommend(ranked[0], ranked[1] if len(ranked) > 1 else None, len(ranked))
    elif advise:
        relax = _relaxations(catalog, a, options, weights)
    return PlacementResult(
        options=options, recommended=recommended, contradictions=contradictions(catalog, a), relax=relax
    )


def no_option_message(result: PlacementResult) -> str:
    """One sentence for a result with nothing feasible: what to relax first."""
    if result.recommended is not None:
        return ""
    if not result.relax:
        return "No option is feasible, and relaxing any single constraint is not enough; relax several at once."
    return f"No option is feasible. {result.relax[0].message}"

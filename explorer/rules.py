"""Constraint rules from ``data/rules.yaml``: which placements the user's constraints rule out, and why."""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from explorer.catalog_base import Frozen, Sourced

if TYPE_CHECKING:
    from explorer.assessment import Assessment
    from explorer.catalog import Catalog

Stage = Literal["training", "serving", "inference", "data"]
Where = Literal["local", "public_cloud", "exchanged"]
Severity = Literal["hard", "soft"]
Condition = dict[str, tuple[str | bool, ...]]

# Placeholders a rule's `reason` and `consequence` may use (see the header of data/rules.yaml).
PLACEHOLDERS = ("placed", "is_are", "needs", "rtt", "target", "compute", "needed", "owned", "gpu", "weeks", "detail")
_PLACE_PHRASE = {
    "public_cloud": "in the public cloud", "local": "on premises", "exchanged": "exchanged with the public cloud",
}
_GPU_PARAMS = ("penalty_per_week",)


class Violation(BaseModel):
    """A broken rule: its id and one sentence. Hard violations make an option infeasible."""

    model_config = ConfigDict(frozen=True)

    rule: str
    message: str
    reason: str = ""  # the message's first half: why ("regulated data cannot leave the premises")
    severity: Severity = "hard"
    stages: tuple[str, ...] = ()
    penalty: float = 0.0  # score points a soft violation costs


def _check_paths(condition: Condition, where: str) -> None:
    from explorer.assessment import Assessment  # late: assessment imports the catalog, which imports us

    default = Assessment()
    for path in condition:
        try:
            _value(default, path)
        except AttributeError:
            raise ValueError(f"{where} names '{path}', which is not an assessment field") from None


def _check_template(template: str, where: str) -> None:
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None and name not in PLACEHOLDERS:
            raise ValueError(f"{where} uses placeholder {{{name}}}; allowed: {', '.join(PLACEHOLDERS)}")


class Rule(Sourced):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    family: Literal["data", "compliance", "air_gapped", "latency", "licence", "capacity", "skills", "intent"]
    description: str = Field(min_length=10)
    regime: str | None = None
    requires: str | None = None
    check: Literal["placement", "latency", "local_latency", "gpu_capacity"] = "placement"
    severity: Severity = "hard"
    penalty: Annotated[float, Field(ge=0, le=100)] = 0.0
    when: Condition = Field(default_factory=dict)
    unless: Condition = Field(default_factory=dict)
    stages: tuple[Stage, ...] = ()
    locations: tuple[Where, ...] = ()
    params: dict[str, float] = Field(default_factory=dict)
    reason: str = Field(min_length=5)
    consequence: str = "{placed} {is_are} ruled out"
    relax: str = Field(min_length=5)

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        _check_paths(self.when, "when")
        _check_paths(self.unless, "unless")
        _check_template(self.reason, "reason")
        _check_template(self.consequence, "consequence")
        if self.family == "compliance":
            from explorer.assessment import COMPLIANCE_REGIMES

            if self.regime not in COMPLIANCE_REGIMES:
                raise ValueError(f"regime must be one of {', '.join(COMPLIANCE_REGIMES)} (got {self.regime!r})")
            if not self.requires:
                raise ValueError("a compliance rule must state what the regime requires in 'requires'")
        if self.check in ("placement", "gpu_capacity") and not (self.stages and self.locations):
            raise ValueError(f"a {self.check} rule needs 'stages' and 'locations'")
        if self.check == "gpu_capacity":
            missing = [p for p in _GPU_PARAMS if p not in self.params]
            if missing:
                raise ValueError(f"a gpu_capacity rule needs params {', '.join(missing)}")
        if self.severity == "soft" and self.penalty <= 0:
            raise ValueError("a soft rule needs a penalty above 0")
        return self


class Contradiction(Frozen):
    """Constraints that cannot all hold at once."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    when: Condition
    unless: Condition = Field(default_factory=dict)
    message: str = Field(min_length=10)

    @model_validator(mode="after")
    def _paths(self) -> Contradiction:
        _check_paths(self.when, "when")
        _check_paths(self.unless, "unless")
        return self


def check_rule_coverage(rules: Iterable[Rule]) -> str | None:
    """A problem sentence when a compliance regime the assessment accepts has no rule, else None."""
    from explorer.assessment import COMPLIANCE_REGIMES

    covered = {r.regime for r in rules if r.family == "compliance"}
    missing = [r for r in COMPLIANCE_REGIMES if r not in covered]
    return f"no rule states what {', '.join(missing)} requires" if missing else None


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------


def _value(a: Any, path: str) -> Any:
    for part in path.split("."):
        a = getattr(a, part) if isinstance(a, BaseModel) else a[part]
    return a


def _matches(a: Assessment, condition: Condition) -> bool:
    """Every field holds one of its listed values (a list field: any of them)."""
    for path, allowed in condition.items():
        value = _value(a, path)
        if isinstance(value, tuple | list):
            if not any(v in allowed for v in value):
                return False
        elif value not in allowed:
            return False
    return True


def applies(rule: Rule | Contradiction, a: Assessment) -> bool:
    return _matches(a, rule.when) and not (rule.unless and _any_matches(a, rule.unless))


def _any_matches(a: Assessment, condition: Condition) -> bool:
    """An ``unless`` lifts the rule when any one of its conditions holds."""
    return any(_matches(a, {path: allowed}) for path, allowed in condition.items())


def placed_phrase(stage_locations: list[tuple[str, str]]) -> str:
    """'training and data in the public cloud'; mixed places are listed one group at a time."""
    groups: list[tuple[str, list[str]]] = []
    for stage, where in stage_locations:
        if groups and groups[-1][0] == where:
            groups[-1][1].append(stage)
        else:
            groups.append((where, [stage]))
    parts = [f"{_join(stages)} {_PLACE_PHRASE[where]}" for where, stages in groups]
    return _join(parts)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fmt_quantity(x: float) -> str:
    """A number as messages quote it: thousands separated from 100 up, three significant digits below."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _violation(rule: Rule, blamed: list[tuple[str, str]], penalty: float | None = None, **values: Any) -> Violation:
    fields = {
        "placed": placed_phrase(blamed) if blamed else "",
        "is_are": "is" if len(blamed) == 1 else "are",
        "needs": "needs" if len(blamed) == 1 else "need",
        **values,
    }
    fields = {k: fields.get(k, "") for k in PLACEHOLDERS}
    reason = rule.reason.format(**fields)
    message = f"{reason}: {rule.consequence.format(**fields)}"
    return Violation(
        rule=rule.id,
        message=message[0].upper() + message[1:],
        reason=reason,
        severity=rule.severity,
        stages=tuple(s for s, _ in blamed),
        penalty=(rule.penalty if penalty is None else penalty) if rule.severity == "soft" else 0.0,
    )


def request_path_crossings(locations: Mapping[str, str]) -> list[tuple[str, str]]:
    """Stages whose placement puts a cloud round trip in the path of a request from on-premises users."""
    crossings = []
    if locations["inference"] == "public_cloud":
        crossings.append(("inference", "public_cloud"))
    elif locations["serving"] == "public_cloud":
        crossings.append(("serving", "public_cloud"))
    if locations["inference"] == "local" and locations["data"] == "public_cloud":
        crossings.append(("data", "public_cloud"))
    return crossings


def latency_breaks(a: Assessment, compute_ttft_ms: float = 0.0) -> bool:
    """True when a cloud round trip plus the compute time exceeds the time-to-first-token target."""
    return a.constraints.cloud_rtt_ms + compute_ttft_ms > a.workload.ttft_target_ms


def serving_gpu(catalog: Catalog, a: Assessment, location: str) -> Any:
    """The GPU that serves the model at ``location``: the cloud's, or the premises' (owned, else bought)."""
    owned = a.constraints.owned_gpus
    if location == "local" and owned.count > 0:
        return catalog.gpu(owned.gpu)
    return catalog.gpu(a.costing.gpu)


_SIZING: dict[tuple[Any, ...], Any] = {}


def local_sizing(catalog: Catalog, a: Assessment) -> tuple[Any, Any]:
    """The cost engine's on-premises sizing: (training, serving), each None when sizing is impossible.

    On the owned GPU type when GPUs are owned, else on the GPU the cost model would buy; serving covers the
    peak demand, training meets the costing's longest acceptable run. Cached by the inputs that matter.
    """
    return sizing_on(catalog, a, serving_gpu(catalog, a, "local").id)


def prefill_ms(catalog: Catalog, a: Assessment, location: str) -> float:
    """The serving stack's own time to first token, prefilling one prompt where the model is served, in ms.

    A cloud round trip in the request path adds to it. 0 when the model cannot be served on that GPU at
    all: the cost model then has no such serving either, so no latency claim is made.
    """
    serving = sizing_on(catalog, a, serving_gpu(catalog, a, location).id)[1]
    return float(serving.ttft_ms) if serving is not None else 0.0


def sizing_on(catalog: Catalog, a: Assessment, gpu_id: str) -> tuple[Any, Any]:
    """(training, serving) sized on ``gpu_id`` the way the cost engine sizes them; None where impossible."""
    from explorer.cost import SECONDS_PER_DAY, resolve_prices
    from explorer.sizing import SizingError, size_serving, size_training

    key = (id(catalog), gpu_id, a.workload.model_dump_json(), a.costing.model_dump_json(),
           tuple(sorted(a.prices.items())))
    if key in _SIZING and _SIZING[key][0] is catalog:
        return _SIZING[key][1]
    factors = resolve_prices(catalog, a)
    w, model, gpu = a.workload, catalog.model(a.workload.model), catalog.gpu(gpu_id)
    try:
        training = size_training(model, gpu, w.finetune_method, w.dataset_tokens, w.epochs, factors,
                                 max_days=a.costing.training_days)
    except SizingError:
        training = None
    peak = w.requests_per_day / SECONDS_PER_DAY * w.peak_factor * factors["eff:traffic_multiplier"]
    try:
        serving = size_serving(model, gpu, factors, precision=a.costing.serving_precision,
                               input_tokens=w.input_tokens, output_tokens=w.output_tokens,
                               tpot_ms=w.tpot_target_ms, peak_requests_per_second=peak)
    except SizingError:
        serving = None
    if len(_SIZING) > 256:
        _SIZING.clear()
    _SIZING[key] = (catalog, (training, serving))
    return training, serving


def gpus_needed(catalog: Catalog, a: Assessment, stages: Iterable[str]) -> dict[str, int]:
    """GPUs each local stage needs, from the sizing engine, as the cost model counts them.

    Serving: replicas for the peak demand × GPUs per replica; training: the run's GPUs (0 without
    fine-tuning). A stage the sizing cannot place on the GPU (the model does not fit) is left out.
    """
    training, serving = local_sizing(catalog, a)
    out: dict[str, int] = {}
    for stage in stages:
        sized = serving if stage == "serving" else training
        if sized is not None:
            out[stage] = sized.gpus
    return out


def _evaluate_rule(rule: Rule, catalog: Catalog, a: Assessment, locations: Mapping[str, str]) -> Violation | None:
    if not applies(rule, a):
        return None
    if rule.check == "placement":
        blamed = [(s, locations[s]) for s in rule.stages if locations[s] in rule.locations]
        return _violation(rule, blamed) if blamed else None
    if rule.check == "latency":
        blamed = request_path_crossings(locations)
        if not blamed:
            return None
        compute = prefill_ms(catalog, a, locations["serving"])
        if not latency_breaks(a, compute):
            return None
        c, w = a.constraints, a.workload
        return _violation(rule, blamed, rtt=fmt_quantity(c.cloud_rtt_ms), target=fmt_quantity(w.ttft_target_ms),
                          compute=fmt_quantity(compute))
    if rule.check == "local_latency":
        if locations["serving"] != "local":
            return None
        compute = prefill_ms(catalog, a, "local")
        if compute <= a.workload.ttft_target_ms:
            return None
        return _violation(rule, [("serving", "local")], compute=fmt_quantity(compute),
                          target=fmt_quantity(a.workload.ttft_target_ms), gpu=serving_gpu(catalog, a, "local").name)
    # gpu_capacity
    local = [s for s in rule.stages if locations[s] in rule.locations]
    needs = gpus_needed(catalog, a, local)
    needed = sum(needs.values())
    owned = a.constraints.owned_gpus
    weeks = a.constraints.procurement_weeks
    if needed <= owned.count or weeks <= 0:
        return None
    stages = [s for s in local if needs.get(s, 0) > 0]
    detail = "local " + _join(stages)
    penalty = min(rule.params["penalty_per_week"] * weeks, rule.penalty)
    gpu = catalog.gpu(owned.gpu if owned.count > 0 else a.costing.gpu)  # the type owned, else the one bought
    return _violation(rule, [(s, "local") for s in stages], penalty=penalty, detail=detail, needed=needed,
                      owned=owned.count, gpu=gpu.name, weeks=fmt_quantity(weeks))


def evaluate(
    catalog: Catalog,
    a: Assessment,
    locations: Mapping[str, str],
    *,
    skip: Iterable[str] = (),
) -> tuple[Violation, ...]:
    """Every rule the placement ``locations`` (stage -> local | public_cloud | exchanged) breaks.

    ``skip`` names rules to leave out (to ask "what if this constraint were relaxed?").
    """
    skipped = set(skip)
    out = []
    for rule in catalog.rules:
        if rule.id in skipped:
            continue
        violation = _evaluate_rule(rule, catalog, a, locations)
        if violation is not None:
            out.append(violation)
    return tuple(out)


def contradictions(catalog: Catalog, a: Assessment) -> tuple[str, ...]:
    """One sentence for each pair of constraints that cannot both hold."""
    return tuple(c.message for c in catalog.contradictions if applies(c, a))


def rule(catalog: Catalog, rule_id: str) -> Rule:
    for r in catalog.rules:
        if r.id == rule_id:
            return r
    from explorer.errors import UnknownChoiceError

    raise UnknownChoiceError("rule", rule_id, [r.id for r in catalog.rules])

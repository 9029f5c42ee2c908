"""Constraint rules from ``data/rules.yaml``: which placements the user's constraints rule out, and why.

Rules read the capacity handed to them (prefill times, GPU counts); they never size anything themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from explorer.engine.capacity import Capacity
from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog
from explorer.model.errors import UnknownChoiceError
from explorer.model.formatting import fmt_quantity
from explorer.model.rule_schema import PLACEHOLDERS, Condition, Contradiction, Rule, Violation, field_value
from explorer.model.vocabulary import PLACE_PHRASES, join_words


def _matches(a: Assessment, condition: Condition) -> bool:
    """Every field holds one of its listed values (a list field: any of them)."""
    for path, allowed in condition.items():
        value = field_value(a, path)
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
    parts = [f"{join_words(stages)} {PLACE_PHRASES[where]}" for where, stages in groups]
    return join_words(parts)


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
        safeguard=rule.safeguard,
        source=rule.source,
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


def gpus_needed(cap: Capacity, stages: Iterable[str]) -> dict[str, int]:
    """GPUs each local stage needs, from the capacity stage, as the cost model counts them.

    Serving: replicas for the peak demand × GPUs per replica; training: the run's GPUs (0 without
    fine-tuning). A stage the sizing cannot place on the GPU (the model does not fit) is left out.
    """
    out: dict[str, int] = {}
    for stage in stages:
        sized = cap.serving_local if stage == "serving" else cap.training_local
        if sized is not None:
            out[stage] = sized.gpus
    return out


def _evaluate_rule(rule: Rule, cap: Capacity, a: Assessment, locations: Mapping[str, str]) -> Violation | None:
    if not applies(rule, a):
        return None
    if rule.check == "placement":
        blamed = [(s, locations[s]) for s in rule.stages if locations[s] in rule.locations]
        return _violation(rule, blamed) if blamed else None
    if rule.check == "latency":
        blamed = request_path_crossings(locations)
        if not blamed:
            return None
        compute = cap.prefill_ms(locations["serving"])
        if not latency_breaks(a, compute):
            return None
        c, w = a.constraints, a.workload
        return _violation(rule, blamed, rtt=fmt_quantity(c.cloud_rtt_ms), target=fmt_quantity(w.ttft_target_ms),
                          compute=fmt_quantity(compute))
    if rule.check == "local_latency":
        if locations["serving"] != "local":
            return None
        compute = cap.prefill_ms("local")
        if compute <= a.workload.ttft_target_ms:
            return None
        return _violation(rule, [("serving", "local")], compute=fmt_quantity(compute),
                          target=fmt_quantity(a.workload.ttft_target_ms), gpu=cap.local_gpu.name)
    # gpu_capacity
    local = [s for s in rule.stages if locations[s] in rule.locations]
    needs = gpus_needed(cap, local)
    needed = sum(needs.values())
    owned = a.constraints.owned_gpus
    weeks = a.constraints.procurement_weeks
    if needed <= owned.count or weeks <= 0:
        return None
    stages = [s for s in local if needs.get(s, 0) > 0]
    detail = "local " + join_words(stages)
    penalty = min(rule.params["penalty_per_week"] * weeks, rule.penalty)
    return _violation(rule, [(s, "local") for s in stages], penalty=penalty, detail=detail, needed=needed,
                      owned=owned.count, gpu=cap.local_gpu.name, weeks=fmt_quantity(weeks))


def evaluate(
    catalog: Catalog,
    a: Assessment,
    cap: Capacity,
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
        violation = _evaluate_rule(rule, cap, a, locations)
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
    raise UnknownChoiceError("rule", rule_id, [r.id for r in catalog.rules])

"""Decision thresholds: the value of one input at which the recommendation, or the cheapest option, flips."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from explorer.engine.capacity import capacity_of
from explorer.engine.cloud_serving import serving_mode_threshold
from explorer.engine.cost_thresholds import cost_thresholds
from explorer.engine.flips import DecisionThreshold, nearest_flips, with_field
from explorer.engine.governance import resolve_weights
from explorer.engine.pipeline import cost_of, costed, recommended_key, scored
from explorer.engine.scoring import tie_order
from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog
from explorer.model.errors import ExplorerError
from explorer.model.formatting import fmt_quantity, money, months, requests_per_day
from explorer.model.vocabulary import NONE, option_short, option_words, split_key


def _latency_thresholds(
    catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None
) -> list[DecisionThreshold]:
    c, w = a.constraints, a.workload
    out: list[DecisionThreshold] = []
    cap = capacity_of(catalog, a)
    cloud_ms, local_ms = cap.prefill_ms("public_cloud"), cap.prefill_ms("local")
    local_gpu = cap.local_gpu.name
    # The time to first token of each way to serve: (round trips, loaded TTFT ms at the peak, what to call it).
    paths = (
        (1, cloud_ms, f"{fmt_quantity(cloud_ms)} ms to the first token at the peak in the cloud"),
        (1, local_ms, f"{fmt_quantity(local_ms)} ms to the first token at the peak on the premises' {local_gpu}"),
        (0, local_ms, f"{fmt_quantity(local_ms)} ms to the first token at the peak on the premises' {local_gpu}"),
    )

    def cause(at_target: float | None = None, at_rtt: float | None = None) -> str:
        """What a flip at this target (or round trip) is made of: the path whose TTFT lands nearest it."""
        if at_rtt is not None:  # only paths with a round trip move with it
            words = min(paths[:2], key=lambda p: abs(w.ttft_target_ms - at_rtt - p[1]))[2]
            return f"on top of {words}"
        trips, _, words = min(paths, key=lambda p: abs(p[0] * c.cloud_rtt_ms + p[1] - (at_target or 0.0)))
        return f"the {fmt_quantity(c.cloud_rtt_ms)} ms cloud round trip plus {words}" if trips else words

    def rtt_choice(x: float) -> str:
        return recommended_key(catalog, with_field(a, "constraints.cloud_rtt_ms", x), weights)

    top = min(10_000.0, max(2 * w.ttft_target_ms, 2 * c.cloud_rtt_ms, 100.0))
    # The latency rules change an option's feasibility where the round trip plus a loaded TTFT meets the target.
    edges = (w.ttft_target_ms - cloud_ms, w.ttft_target_ms - local_ms)
    below, above = nearest_flips(rtt_choice, c.cloud_rtt_ms, 0.0, top, n=17, tol=0.01, near=edges)
    target = fmt_quantity(w.ttft_target_ms)
    if above is not None:
        v = above.at
        out.append(DecisionThreshold(
            input="constraints.cloud_rtt_ms", label="cloud round trip", unit="ms", current=c.cloud_rtt_ms,
            value=v, direction="above", before=above.before, after=above.after,
            message=(f"A cloud round trip above {fmt_quantity(v)} ms, {cause(at_rtt=v)}, breaks the {target} ms "
                     "time-to-first-token target: "
                     f"the recommendation moves from {option_words(above.before)} to "
                     f"{option_words(above.after)}."),
        ))
    if below is not None:
        v = below.at
        out.append(DecisionThreshold(
            input="constraints.cloud_rtt_ms", label="cloud round trip", unit="ms", current=c.cloud_rtt_ms,
            value=v, direction="below", before=below.after, after=below.before,
            message=(f"A cloud round trip below {fmt_quantity(v)} ms meets the {target} ms target and makes "
                     f"{option_words(below.before)} the recommendation instead of {option_words(below.after)}."),
        ))

    def ttft_choice(x: float) -> str:
        return recommended_key(catalog, with_field(a, "workload.ttft_target_ms", x), weights)

    top = min(600_000.0, max(2 * c.cloud_rtt_ms, 2 * w.ttft_target_ms, 100.0))
    edges = (c.cloud_rtt_ms + cloud_ms, local_ms, c.cloud_rtt_ms + local_ms)
    below, above = nearest_flips(ttft_choice, w.ttft_target_ms, 1.0, top, n=17, tol=0.01, near=edges)
    if below is not None:
        v = below.at
        out.append(DecisionThreshold(
            input="workload.ttft_target_ms", label="time-to-first-token target", unit="ms",
            current=w.ttft_target_ms, value=v, direction="below", before=below.after, after=below.before,
            message=(f"A time-to-first-token target below {fmt_quantity(v)} ms is broken by {cause(at_target=v)}: "
                     f"the recommendation moves from {option_words(below.after)} to "
                     f"{option_words(below.before)}."),
        ))
    if above is not None:
        v = above.at
        out.append(DecisionThreshold(
            input="workload.ttft_target_ms", label="time-to-first-token target", unit="ms",
            current=w.ttft_target_ms, value=v, direction="above", before=above.before, after=above.after,
            message=(f"Relaxing the time-to-first-token target above {fmt_quantity(v)} ms lets "
                     f"{cause(at_target=v)} fit "
                     f"and makes {option_words(above.after)} the recommendation instead of "
                     f"{option_words(above.before)}."),
        ))
    return out


def weight_chooser(
    catalog: Catalog, result: Any, weights: Mapping[str, float], criterion: str
) -> Callable[[np.ndarray], list[str]]:
    """A vectorised chooser: the recommended option key for each value of one criterion's weight.

    Weights move only the governance score, never the placement or the rules, so one placement result
    gives the rating matrix, penalties and feasibility; the rest is linear algebra over the whole grid.
    Ties are broken as in :func:`explorer.engine.scoring.rank`.
    """
    ids = [c.id for c in catalog.criteria]
    j = ids.index(criterion)
    # Options in tie-break priority, so argmax (the first maximum) breaks ties as rank() does.
    options = [result.options[i] for i in tie_order(result.options)]
    ratings = np.array([[r.rating for r in o.trade_offs.rows] for o in options], dtype=float)
    penalty = np.array([o.penalty for o in options])
    feasible = np.array([o.feasible for o in options])
    keys = [o.key for o in options]
    base = np.array([weights[i] for i in ids], dtype=float)
    lo, hi = catalog.scale.min, catalog.scale.max

    def choose(xs: np.ndarray) -> list[str]:
        w = np.tile(base, (len(xs), 1))
        w[:, j] = xs
        total = w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (w @ ratings.T) / total[:, None]
        score = np.maximum(100 * (mean - lo) / (hi - lo) - penalty, 0.0).round(9)
        score = np.where(feasible, score, -np.inf)
        best = np.argmax(score, axis=1)
        return [
            NONE if not feasible.any() or total[i] == 0 else keys[b] for i, b in enumerate(best)
        ]

    return choose


def _weight_thresholds(
    catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None, result: Any
) -> list[DecisionThreshold]:
    resolved = resolve_weights(catalog, weights)
    out = []
    for c in catalog.criteria:
        choose = weight_chooser(catalog, result, resolved, c.id)
        current = resolved[c.id]
        below, above = nearest_flips(choose, current, 0.0, 5.0, n=101, tol=1e-4, vectorised=True)
        name = c.name.lower()
        if above is not None:
            out.append(DecisionThreshold(
                input=f"w.{c.id}", label=f"weight of {name}", unit="", current=current, value=above.at,
                direction="above", before=above.before, after=above.after,
                message=(f"Raising the weight of {name} from {current:g} to above {above.at:.2f} makes "
                         f"{option_words(above.after)} the recommendation instead of "
                         f"{option_words(above.before)}."),
            ))
        if below is not None:
            out.append(DecisionThreshold(
                input=f"w.{c.id}", label=f"weight of {name}", unit="", current=current, value=below.at,
                direction="below", before=below.after, after=below.before,
                message=(f"Lowering the weight of {name} from {current:g} to below {below.at:.2f} makes "
                         f"{option_words(below.before)} the recommendation instead of "
                         f"{option_words(below.after)}."),
            ))
    return out


def _traffic_recommendation(
    catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None
) -> list[DecisionThreshold]:
    """Traffic moves the recommendation through the cost, elasticity and burden ratings (and, with owned GPUs,
    through the procurement penalty once local serving needs more GPUs than are owned)."""
    rpd = a.workload.requests_per_day
    if rpd <= 0:
        return []

    def choose(x: float) -> str:
        return recommended_key(catalog, with_field(a, "workload.requests_per_day", x), weights)

    below, above = nearest_flips(choose, rpd, rpd / 100, min(rpd * 100, 1e10), n=25, scale="log", tol=rpd * 1e-3)
    out = []
    for flip, direction in ((above, "above"), (below, "below")):
        if flip is None:
            continue
        before, after = (flip.before, flip.after) if direction == "above" else (flip.after, flip.before)
        lo, hi = (with_field(a, "workload.requests_per_day", x) for x in (flip.lo, flip.hi))
        was, now = (lo, hi) if direction == "above" else (hi, lo)
        why = _traffic_cause(catalog, was, now, before, after)
        out.append(DecisionThreshold(
            input="workload.requests_per_day", label="traffic", unit="requests/day", current=rpd, value=flip.at,
            direction=direction, before=before, after=after,
            message=(f"{'Above' if direction == 'above' else 'Below'} {requests_per_day(flip.at)}, the recommendation "
                     f"moves from {option_words(before)} to {option_words(after)}{why}."),
        ))
    return out


def _traffic_cause(catalog: Catalog, was: Assessment, now: Assessment, old: str, new: str) -> str:
    """Why the recommendation moves from ``old`` (at ``was``) to ``new`` (at ``now``): owned GPUs no longer
    (or now) enough for one of them, or else what the two cost there."""
    if NONE in (old, new):
        return ""
    try:
        before, after = cost_of(catalog, was), cost_of(catalog, now)
    except ExplorerError:
        return ""
    owned = now.constraints.owned_gpus.count
    for key in (old, new):
        b, n = before.option(*split_key(key)).onprem_gpus, after.option(*split_key(key)).onprem_gpus
        if owned and (b <= owned) != (n <= owned):
            weeks = fmt_quantity(now.constraints.procurement_weeks)
            if n > owned:
                return (f", because {option_words(key)} then needs {n} GPUs, more than the {owned} owned, and "
                        f"waits {weeks} weeks for procurement")
            return (f", because {option_words(key)} then needs only {n} GPUs, within the {owned} owned, and no "
                    "longer waits for procurement")
    mine, theirs = after.option(*split_key(new)).total, after.option(*split_key(old)).total
    return (f": there the cost ratings move ({option_short(new)} costs {money(mine)}, {option_short(old)} "
            f"{money(theirs)} over {months(now.horizon_months)})")


def decision_thresholds(
    catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None = None, result: Any = None
) -> tuple[DecisionThreshold, ...]:
    """What would flip the decision.

    The recommendation (``kind="recommendation"``): the cloud round trip, the TTFT target, each criterion
    weight, and traffic (which moves the computed cost, elasticity and burden ratings, and the procurement
    penalty with owned GPUs). The cost model (``kind="cheapest"`` and ``"runner_up_cost"``): traffic, horizon,
    the cloud GPU-hour and on-premises server prices, decode bandwidth efficiency and training MFU: which
    feasible option is cheapest and whether the recommended option costs more than the runner-up. The traffic
    at which a per-token endpoint and dedicated GPUs cost the same in the cloud (``kind="serving_mode"``).
    """
    result = result if result is not None else scored(catalog, a, weights)
    found = (_latency_thresholds(catalog, a, weights) + _traffic_recommendation(catalog, a, weights)
             + _weight_thresholds(catalog, a, weights, result) + cost_thresholds(catalog, a, result))
    cost = costed(catalog, a).result
    mode = cost and serving_mode_threshold(cost.crossover_requests_per_day, cost.endpoint, a.workload.requests_per_day)
    if mode is not None:  # the traffic at which the endpoint and dedicated GPUs cost the same (the cost model's)
        found.append(mode)
    # The recommendation first, then the cheapest option, then the runner-up's cost; inputs of the assessment
    # before weights (they name a concrete number to check); nearest first, relative to each input's scale.
    kinds = {"recommendation": 0, "cheapest": 1, "runner_up_cost": 2, "serving_mode": 3}
    return tuple(sorted(found, key=lambda t: (kinds[t.kind], t.input.startswith("w."),
                                              abs(t.value - t.current) / max(abs(t.current), 1e-9))))

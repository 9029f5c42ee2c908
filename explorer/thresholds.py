"""Decision thresholds: the value of one input at which the chosen option flips (sweep, then bisection)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from explorer.assessment import Assessment
from explorer.catalog import Catalog
from explorer.errors import ExplorerError
from explorer.governance import resolve_weights

T = TypeVar("T", bound=Hashable)
NONE = "none"  # the label when no option is feasible


class ThresholdError(ValueError, ExplorerError):
    """A threshold search was asked for an impossible range or tolerance."""


@dataclass(frozen=True)
class Flip(Generic[T]):
    """The choice is ``before`` at ``lo`` and ``after`` at ``hi``; ``hi - lo`` is at most the tolerance."""

    lo: float
    hi: float
    before: T
    after: T

    @property
    def at(self) -> float:
        """The boundary, to within half the tolerance."""
        return (self.lo + self.hi) / 2


def _many(choose: Callable[[Any], Any], vectorised: bool) -> Callable[[np.ndarray], list[Any]]:
    """A function of an array of inputs returning a list of choices, whichever kind ``choose`` is."""
    if vectorised:
        return lambda xs: list(choose(np.asarray(xs, dtype=float)))
    return lambda xs: [choose(float(x)) for x in xs]


def grid(lo: float, hi: float, n: int = 65, scale: Literal["linear", "log"] = "linear") -> np.ndarray:
    """``n`` points from ``lo`` to ``hi`` inclusive, evenly spaced or geometric."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        raise ThresholdError(f"Threshold range must have a finite low end below its high end (got {lo} to {hi}).")
    if n < 2:
        raise ThresholdError(f"Threshold sweep needs at least 2 points (got {n}).")
    if scale == "log":
        if lo <= 0:
            raise ThresholdError(f"A logarithmic threshold sweep needs a low end above 0 (got {lo}).")
        return np.geomspace(lo, hi, n)
    return np.linspace(lo, hi, n)


def bisect(
    choose: Callable[[Any], Any],
    lo: float,
    hi: float,
    *,
    tol: float,
    vectorised: bool = False,
    points: int = 15,
    before: Any = None,
    after: Any = None,
) -> Flip[Any]:
    """Narrow a bracket whose ends are chosen differently until it is at most ``tol`` wide.

    A scalar ``choose`` halves the bracket per call (plain bisection); a vectorised one is asked about
    ``points`` interior points at once and cuts the bracket by ``points + 1`` per call. The first change
    of choice inside the bracket is followed, so a step function's boundary is found exactly.
    """
    if tol <= 0:
        raise ThresholdError(f"Threshold tolerance must be above 0 (got {tol}).")
    many = _many(choose, vectorised)
    if before is None or after is None:
        before, after = many(np.array([lo, hi]))
    if before == after:
        raise ThresholdError(f"Bisection needs a bracket whose ends are chosen differently; both give {before!r}.")
    k = points if vectorised else 1
    while hi - lo > tol:
        xs = np.linspace(lo, hi, k + 2)[1:-1]
        if not lo < xs[0] <= xs[-1] < hi:  # floating point cannot split the bracket any further
            break
        # The first interior point whose choice differs from `before` closes the bracket from above.
        new_lo = lo
        for x, label in zip(xs, many(xs), strict=True):
            if label != before:
                hi, after = float(x), label
                break
            new_lo = float(x)
        lo = new_lo
    return Flip(lo=lo, hi=hi, before=before, after=after)


def find_flips(
    choose: Callable[[Any], Any],
    lo: float,
    hi: float,
    *,
    n: int = 65,
    tol: float | None = None,
    scale: Literal["linear", "log"] = "linear",
    vectorised: bool = False,
    near: Iterable[float] = (),
) -> list[Flip[Any]]:
    """Every change of choice along ``[lo, hi]``: a sweep over ``n`` points, then bisection in each cell.

    ``choose`` maps one input value to the chosen option (any hashable); with ``vectorised`` it maps an
    array of values to a sequence of choices. A cell whose ends differ is bisected until every change in
    it is found (A → B → C); a cell whose ends agree (A → B → A inside it) is missed, so pick ``n`` finer
    than the features you expect. ``tol`` defaults to a millionth of the range.

    ``near`` names values where a change is expected (e.g. a target minus a known latency): the sweep
    also samples just under half a tolerance either side of each, so such a change costs no bisection.
    """
    xs = grid(lo, hi, n, scale)
    tol = (hi - lo) * 1e-6 if tol is None else tol
    extra = [x + d for x in near for d in (-0.49 * tol, 0.49 * tol) if lo < x + d < hi]
    if extra:
        xs = np.unique(np.concatenate([xs, extra]))
    labels = _many(choose, vectorised)(xs)
    flips = []
    for i in range(len(xs) - 1):
        start, before, end = float(xs[i]), labels[i], labels[i + 1]
        while before != end:
            flip = bisect(choose, start, float(xs[i + 1]), tol=tol, vectorised=vectorised, before=before, after=end)
            flips.append(flip)
            if flip.hi >= xs[i + 1]:
                break
            start, before = flip.hi, flip.after  # more changes may follow inside the same cell
    return flips


def nearest_flips(
    choose: Callable[[Any], Any],
    current: float,
    lo: float,
    hi: float,
    **kwargs: Any,
) -> tuple[Flip[Any] | None, Flip[Any] | None]:
    """The nearest change of choice below ``current`` and the nearest above it (None where there is none)."""
    if not lo <= current <= hi:
        raise ThresholdError(f"The current value {current} lies outside the threshold range {lo} to {hi}.")
    flips = find_flips(choose, lo, hi, **kwargs)
    below = [f for f in flips if f.hi <= current]
    above = [f for f in flips if f.lo >= current]
    return (below[-1] if below else None), (above[0] if above else None)


# ---------------------------------------------------------------------------
# Applied to the placement: what would flip the recommendation?
# ---------------------------------------------------------------------------


class DecisionThreshold(BaseModel):
    """One input's value at which the recommendation changes, and the sentence that says so."""

    model_config = ConfigDict(frozen=True)

    input: str  # assessment field (dotted), "prices.<key>" or "w.<criterion>"
    label: str
    unit: str
    current: float
    value: float
    direction: Literal["above", "below"]
    before: str  # option key recommended now, or "none"
    after: str  # option key recommended past the threshold, or "none"
    message: str
    # What flips: the recommendation; the cheapest feasible option over the horizon (the score does not weigh
    # cost); or which of the recommended option and the runner-up costs less.
    kind: Literal["recommendation", "cheapest", "runner_up_cost"] = "recommendation"


def _option_words(key: str) -> str:
    if key == NONE:
        return "no feasible option"
    scenario, use_case = key.split("-")
    return f"scenario {scenario} with use case {use_case}"


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def recommended_key(catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None = None) -> str:
    from explorer.placement import place

    result = place(catalog, a, weights, advise=False)
    return result.recommended.key if result.recommended else NONE


def _with(a: Assessment, path: str, value: float) -> Assessment:
    data = a.to_dict()
    node = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    return Assessment.model_validate(data)


def _latency_thresholds(
    catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None
) -> list[DecisionThreshold]:
    from explorer.rules import prefill_ms, serving_gpu

    c, w = a.constraints, a.workload
    out: list[DecisionThreshold] = []
    cloud_ms, local_ms = prefill_ms(catalog, a, "public_cloud"), prefill_ms(catalog, a, "local")
    local_gpu = serving_gpu(catalog, a, "local").name
    # The time to first token of each way to serve: (round trips, prefill ms, what to call it).
    paths = (
        (1, cloud_ms, f"{_fmt(cloud_ms)} ms of prefill in the cloud"),
        (1, local_ms, f"{_fmt(local_ms)} ms of prefill on the premises' {local_gpu}"),
        (0, local_ms, f"{_fmt(local_ms)} ms of prefill on the premises' {local_gpu}"),
    )

    def cause(at_target: float | None = None, at_rtt: float | None = None) -> str:
        """What a flip at this target (or round trip) is made of: the path whose TTFT lands nearest it."""
        if at_rtt is not None:  # only paths with a round trip move with it
            words = min(paths[:2], key=lambda p: abs(w.ttft_target_ms - at_rtt - p[1]))[2]
            return f"on top of {words}"
        trips, _, words = min(paths, key=lambda p: abs(p[0] * c.cloud_rtt_ms + p[1] - (at_target or 0.0)))
        return f"the {_fmt(c.cloud_rtt_ms)} ms cloud round trip plus {words}" if trips else words

    def rtt_choice(x: float) -> str:
        return recommended_key(catalog, _with(a, "constraints.cloud_rtt_ms", x), weights)

    top = min(10_000.0, max(2 * w.ttft_target_ms, 2 * c.cloud_rtt_ms, 100.0))
    # The latency rules change an option's feasibility where the round trip plus a prefill meets the target.
    edges = (w.ttft_target_ms - cloud_ms, w.ttft_target_ms - local_ms)
    below, above = nearest_flips(rtt_choice, c.cloud_rtt_ms, 0.0, top, n=17, tol=0.01, near=edges)
    target = _fmt(w.ttft_target_ms)
    if above is not None:
        v = above.at
        out.append(DecisionThreshold(
            input="constraints.cloud_rtt_ms", label="cloud round trip", unit="ms", current=c.cloud_rtt_ms,
            value=v, direction="above", before=above.before, after=above.after,
            message=(f"A cloud round trip above {_fmt(v)} ms, {cause(at_rtt=v)}, breaks the {target} ms "
                     "time-to-first-token target: "
                     f"the recommendation moves from {_option_words(above.before)} to "
                     f"{_option_words(above.after)}."),
        ))
    if below is not None:
        v = below.at
        out.append(DecisionThreshold(
            input="constraints.cloud_rtt_ms", label="cloud round trip", unit="ms", current=c.cloud_rtt_ms,
            value=v, direction="below", before=below.after, after=below.before,
            message=(f"A cloud round trip below {_fmt(v)} ms meets the {target} ms target and makes "
                     f"{_option_words(below.before)} the recommendation instead of {_option_words(below.after)}."),
        ))

    def ttft_choice(x: float) -> str:
        return recommended_key(catalog, _with(a, "workload.ttft_target_ms", x), weights)

    top = min(600_000.0, max(2 * c.cloud_rtt_ms, 2 * w.ttft_target_ms, 100.0))
    edges = (c.cloud_rtt_ms + cloud_ms, local_ms, c.cloud_rtt_ms + local_ms)
    below, above = nearest_flips(ttft_choice, w.ttft_target_ms, 1.0, top, n=17, tol=0.01, near=edges)
    if below is not None:
        v = below.at
        out.append(DecisionThreshold(
            input="workload.ttft_target_ms", label="time-to-first-token target", unit="ms",
            current=w.ttft_target_ms, value=v, direction="below", before=below.after, after=below.before,
            message=(f"A time-to-first-token target below {_fmt(v)} ms is broken by {cause(at_target=v)}: "
                     f"the recommendation moves from {_option_words(below.after)} to "
                     f"{_option_words(below.before)}."),
        ))
    if above is not None:
        v = above.at
        out.append(DecisionThreshold(
            input="workload.ttft_target_ms", label="time-to-first-token target", unit="ms",
            current=w.ttft_target_ms, value=v, direction="above", before=above.before, after=above.after,
            message=(f"Relaxing the time-to-first-token target above {_fmt(v)} ms lets {cause(at_target=v)} fit "
                     f"and makes {_option_words(above.after)} the recommendation instead of "
                     f"{_option_words(above.before)}."),
        ))
    return out


def weight_chooser(
    catalog: Catalog, result: Any, weights: Mapping[str, float], criterion: str
) -> Callable[[np.ndarray], list[str]]:
    """A vectorised chooser: the recommended option key for each value of one criterion's weight.

    Weights move only the governance score, never the placement or the rules, so one placement result
    gives the rating matrix, penalties and feasibility; the rest is linear algebra over the whole grid.
    Ties are broken as in :func:`explorer.placement.rank`.
    """
    from explorer.placement import tie_order

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
                         f"{_option_words(above.after)} the recommendation instead of "
                         f"{_option_words(above.before)}."),
            ))
        if below is not None:
            out.append(DecisionThreshold(
                input=f"w.{c.id}", label=f"weight of {name}", unit="", current=current, value=below.at,
                direction="below", before=below.after, after=below.before,
                message=(f"Lowering the weight of {name} from {current:g} to below {below.at:.2f} makes "
                         f"{_option_words(below.before)} the recommendation instead of "
                         f"{_option_words(below.after)}."),
            ))
    return out


# ---------------------------------------------------------------------------
# Cost-driven inputs: traffic, horizon, GPU prices, utilisation
# ---------------------------------------------------------------------------
#
# The recommendation ranks governance ratings minus penalties and never reads the cost model, so
# these inputs flip (a) which feasible option is cheapest over the horizon and (b) which of the
# recommended option and the runner-up costs less. Traffic can also flip the recommendation itself
# when GPUs are owned, through the procurement penalty of the GPU-capacity rule (see `_traffic_recommendation`).

MAX_HORIZON = 240  # the assessment's own limit on horizon_months


@dataclass(frozen=True)
class _CostInput:
    input: str  # assessment field, or "prices.<key>"
    label: str
    current: float
    lo: float
    hi: float
    scale: Literal["linear", "log"]
    n: int
    tol: float
    totals: Callable[[np.ndarray], np.ndarray]  # values -> (len(values), 8 options) totals over the horizon
    fmt: Callable[[float], str]
    exact: bool  # True when `totals` is the engine's own evaluation; else each flip is checked by `evaluate`
    override: Callable[[float], Assessment]


def _sig(x: float, digits: int = 3) -> float:
    return float(f"{x:.{digits}g}")


def _safe(x: float, direction: str) -> float:
    """``x`` to three significant figures, rounded away from the flip so the sentence stays true."""
    if x <= 0 or not np.isfinite(x):
        return x
    step = 10 ** (np.floor(np.log10(x)) - 2)
    return float((np.ceil(x / step - 1e-9) if direction == "above" else np.floor(x / step + 1e-9)) * step)


def _requests(x: float) -> str:
    if x >= 1e6:
        return f"{_sig(x / 1e6):g} M requests/day"
    return f"{_sig(x):,.0f} requests/day" if x >= 100 else f"{_sig(x):g} requests/day"


def _dollars(unit: str) -> Callable[[float], str]:
    def fmt(x: float) -> str:
        return f"${x:,.2f} {unit}" if x < 100 else f"${_sig(x):,.0f} {unit}"

    return fmt


def _percent(x: float) -> str:
    return f"{x * 100:.1f}%"


def _option_where(result: Any, key: str) -> str:
    """'scenario 3 with use case 1A (all on premises)': where the costly stages run, in a few words."""
    o = result.option(*_split(key))
    where = {s: o.location(s) for s in ("training", "serving", "inference")}
    if not o.trade_offs or len(set(where.values())) == 1:
        return f"{_option_words(key)} (all {_PLACES[next(iter(where.values()))]})"
    return f"{_option_words(key)} (training {_PLACES[where['training']]}, serving {_PLACES[where['serving']]})"


_PLACES = {"local": "on premises", "public_cloud": "in the public cloud", "exchanged": "exchanged"}


def _split(key: str) -> tuple[int, str]:
    scenario, use_case = key.split("-")
    return int(scenario), use_case


def _engine_totals(st: Any, values: Mapping[str, Any], n: int, sums: Mapping[str, Any]) -> np.ndarray:
    """Totals over the horizon, (n, options), from the cost engine's rates at (possibly array) prices.

    The same sum the uncertainty run does: each line item's rate times its monthly pattern's sum.
    """
    from explorer.cost import _Prices, _rates

    rates, _ = _rates(st, _Prices(values))
    options = len(st.placements)
    total = np.zeros((n, options))
    for terms in rates.values():
        for rate, pattern in terms:
            total += np.broadcast_to(np.asarray(rate, dtype=float), (n, options)) * sums[pattern]
    return total


def _cost_inputs(catalog: Catalog, a: Assessment) -> list[_CostInput]:
    """Traffic, horizon, the two GPU prices and two efficiency factors, each with a vectorised cost function."""
    from explorer.cost import _Structure, resolve_prices

    prices = resolve_prices(catalog, a)
    w = a.workload
    rpd = w.requests_per_day
    # Traffic enters the cost only through peak demand and the per-day flows, both proportional to
    # requests/day × the traffic multiplier; sweeping the multiplier as an array is the engine's own path.
    ref = a if rpd > 0 else _with(a, "workload.requests_per_day", 1.0)
    st = _Structure(catalog, ref, prices)
    base_rpd = ref.workload.requests_per_day
    sums = st.pattern_sums
    out: list[_CostInput] = []

    def prices_with(key: str, xs: np.ndarray) -> dict[str, Any]:
        return {**prices, key: np.asarray(xs, dtype=float)[:, None]}

    tm = prices["eff:traffic_multiplier"]
    lo, hi = (rpd / 100, min(rpd * 100, 1e10)) if rpd > 0 else (1.0, 1e7)
    out.append(_CostInput(
        input="workload.requests_per_day", label="traffic", current=max(rpd, lo), lo=lo, hi=hi, scale="log", n=97,
        tol=max(rpd, 1.0) * 1e-4,
        totals=lambda xs: _engine_totals(
            st, prices_with("eff:traffic_multiplier", tm * np.asarray(xs) / base_rpd), len(xs), sums),
        fmt=_requests, exact=True, override=lambda x: _with(a, "workload.requests_per_day", x),
    ))

    # The horizon changes only how many months of each pattern are summed: cumulative sums up to the limit.
    long = _Structure(catalog, a.model_copy(update={"horizon_months": MAX_HORIZON}), prices)
    cum = {k: np.cumsum(v) for k, v in long.patterns.items()}

    def horizon_totals(xs: np.ndarray) -> np.ndarray:
        months = np.clip(np.floor(np.asarray(xs, dtype=float) + 1e-9).astype(int), 1, MAX_HORIZON)
        return _engine_totals(long, prices, len(months), {k: c[months - 1][:, None] for k, c in cum.items()})

    out.append(_CostInput(
        input="horizon_months", label="horizon", current=float(a.horizon_months), lo=1.0, hi=float(MAX_HORIZON),
        scale="linear", n=MAX_HORIZON, tol=0.01, totals=horizon_totals, fmt=lambda x: f"{round(x)} months",
        exact=True, override=lambda x: a.model_copy(update={"horizon_months": round(x)}),
    ))

    price_keys = [(st.cloud_price_key(), "cloud GPU-hour price", _dollars("per GPU-hour")),
                  (f"onprem:{st.onprem_gpu.id}:server", "on-premises server price", _dollars("per GPU"))]
    for key, label, fmt in price_keys:
        p = prices[key]
        lo, hi = (p / 20, p * 20) if p > 0 else (0.0, 100.0)
        out.append(_CostInput(
            input=f"prices.{key}", label=label, current=p, lo=lo, hi=hi, scale="log" if p > 0 else "linear", n=97,
            tol=max(p, 1.0) * 1e-5, totals=lambda xs, key=key: _engine_totals(st, prices_with(key, xs), len(xs), sums),
            fmt=fmt, exact=True, override=lambda x, key=key: a.model_copy(update={"prices": {**a.prices, key: x}}),
        ))

    # Utilisation: the decode bandwidth efficiency sets serving replicas (decode is bandwidth-bound), the
    # training MFU sets cloud training GPU-hours. The sweep keeps the base sizing's batch and tensor-parallel
    # size, as the uncertainty run does, so each flip is confirmed by the full engine before it is reported.
    for key, label in (("eff:decode_bandwidth_efficiency", "serving decode bandwidth efficiency"),
                       ("eff:training_mfu", "training MFU")):
        item = catalog.price_items[key]
        out.append(_CostInput(
            input=f"prices.{key}", label=label, current=prices[key], lo=max(item.min, 0.01), hi=min(item.max, 1.0),
            scale="linear", n=100, tol=1e-4,
            totals=lambda xs, key=key: _engine_totals(st, prices_with(key, xs), len(xs), sums),
            fmt=_percent, exact=False,
            override=lambda x, key=key: a.model_copy(update={"prices": {**a.prices, key: x}}),
        ))
    return out


def _cheapest(totals: np.ndarray, columns: Sequence[int], keys: Sequence[str]) -> list[str]:
    """The cheapest of ``columns`` per row; equal totals (to the cent) go to the earlier column."""
    sub = np.round(totals[:, list(columns)], 2)
    return [keys[columns[i]] for i in np.argmin(sub, axis=1)]


def _cost_flip_message(kind: str, ci: _CostInput, direction: str, value: float, before: str, after: str,
                       result: Any, horizon: int) -> str:
    side = "Above" if direction == "above" else "Below"
    shown = ci.fmt(_safe(value, direction))
    if ci.input == "horizon_months":
        where = (f"From a {round(value)}-month horizon" if direction == "above"
                 else f"At a horizon of {round(value)} months or less")
        over = ""
    elif ci.input == "workload.requests_per_day":
        where, over = f"{side} {shown}", f" over {horizon} months"
    else:
        article = "an" if ci.label[0] in "aeiou" else "a"
        where, over = f"{side} {article} {ci.label} of {shown}", f" over {horizon} months"
    if kind == "cheapest":
        return (f"{where}, {_option_where(result, after)} becomes the cheapest feasible option{over} "
                f"instead of {_option_where(result, before)}.")
    rec = result.recommended
    more = "more" if after == rec.runner_up else "less"
    return (f"{where}, the recommended {_option_words(rec.key)} costs {more}{over} than the runner-up, "
            f"{_option_words(rec.runner_up)}.")


def _cost_thresholds(catalog: Catalog, a: Assessment, result: Any) -> list[DecisionThreshold]:
    from explorer.cost import evaluate
    from explorer.placement import rank

    ranked = rank(result.options)
    if not ranked:
        return []
    keys = [o.key for o in result.options]
    feasible = [keys.index(o.key) for o in ranked]  # best-ranked first, so a cost tie goes to it
    choosers: list[tuple[str, list[int]]] = [("cheapest", feasible)]
    if result.recommended is not None and result.recommended.runner_up is not None:
        choosers.append(("runner_up_cost", [keys.index(result.recommended.key),
                                            keys.index(result.recommended.runner_up)]))
    try:
        inputs = _cost_inputs(catalog, a)
    except ExplorerError:  # a price or sizing the cost model cannot resolve: the cost panel says which
        return []
    out: list[DecisionThreshold] = []
    for ci in inputs:
        for kind, columns in choosers:
            def choose(xs: np.ndarray, ci=ci, columns=columns) -> list[str]:
                return _cheapest(ci.totals(xs), columns, keys)

            below, above = nearest_flips(choose, ci.current, ci.lo, ci.hi, n=ci.n, tol=ci.tol, scale=ci.scale,
                                         vectorised=True)
            for flip, direction in ((above, "above"), (below, "below")):
                if flip is None:
                    continue
                if not ci.exact and not _confirmed(evaluate, catalog, ci, flip, columns, keys):
                    continue
                before, after = (flip.before, flip.after) if direction == "above" else (flip.after, flip.before)
                if ci.input == "horizon_months":  # the first whole month with the new choice, or the last before
                    value = float(round(flip.at) if direction == "above" else round(flip.at) - 1)
                else:
                    value = flip.at
                out.append(DecisionThreshold(
                    input=ci.input, label=ci.label, unit="", current=ci.current, value=value, direction=direction,
                    before=before, after=after, kind=kind,  # type: ignore[arg-type]
                    message=_cost_flip_message(kind, ci, direction, value, before, after, result,
                                               a.horizon_months),
                ))
    # A runner-up flip that is also the cheapest option's flip (same input, same value, same pair) says it twice.
    pair = {result.recommended.key, result.recommended.runner_up} if result.recommended else set()
    said = {(t.input, round(t.value, 6)) for t in out if t.kind == "cheapest" and {t.before, t.after} == pair}
    return [t for t in out if t.kind == "cheapest" or (t.input, round(t.value, 6)) not in said]


def _confirmed(evaluate: Callable[..., Any], catalog: Catalog, ci: _CostInput, flip: Flip[Any],
               columns: Sequence[int], keys: Sequence[str]) -> bool:
    """The full engine (which re-sizes at each value) agrees with the sweep on both sides of the flip."""
    try:
        labels = []
        for x in (flip.lo, flip.hi):
            totals = np.array([[o.total for o in evaluate(catalog, ci.override(x)).options]])
            labels.append(_cheapest(totals, columns, keys)[0])
    except ExplorerError:
        return False
    return labels == [flip.before, flip.after]


def _traffic_recommendation(
    catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None
) -> list[DecisionThreshold]:
    """Traffic moves the recommendation only through the GPU-capacity rule: more serving GPUs than are owned."""
    c, rpd = a.constraints, a.workload.requests_per_day
    if c.owned_gpus.count <= 0 or c.procurement_weeks <= 0 or rpd <= 0:
        return []

    def choose(x: float) -> str:
        return recommended_key(catalog, _with(a, "workload.requests_per_day", x), weights)

    below, above = nearest_flips(choose, rpd, rpd / 100, min(rpd * 100, 1e10), n=25, scale="log", tol=rpd * 1e-3)
    out = []
    for flip, direction in ((above, "above"), (below, "below")):
        if flip is None:
            continue
        before, after = (flip.before, flip.after) if direction == "above" else (flip.after, flip.before)
        out.append(DecisionThreshold(
            input="workload.requests_per_day", label="traffic", unit="requests/day", current=rpd, value=flip.at,
            direction=direction, before=before, after=after,
            message=(f"{'Above' if direction == 'above' else 'Below'} {_requests(flip.at)}, the recommendation "
                     f"moves from {_option_words(before)} to {_option_words(after)}, because the GPUs local "
                     f"serving needs {'exceed' if direction == 'above' else 'fit within'} the "
                     f"{c.owned_gpus.count} owned."),
        ))
    return out


def decision_thresholds(
    catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None = None, result: Any = None
) -> tuple[DecisionThreshold, ...]:
    """What would flip the decision.

    The recommendation (``kind="recommendation"``): the cloud round trip, the TTFT target, each criterion
    weight, and traffic where owned GPUs make the procurement penalty depend on it. The cost model
    (``kind="cheapest"`` and ``"runner_up_cost"``): traffic, horizon, the cloud GPU-hour and on-premises
    server prices, decode bandwidth efficiency and training MFU; the score does not weigh cost, so these
    flip which feasible option is cheapest and whether the recommended option costs more than the runner-up.
    """
    from explorer.placement import place

    result = result if result is not None else place(catalog, a, weights)
    found = (_latency_thresholds(catalog, a, weights) + _traffic_recommendation(catalog, a, weights)
             + _weight_thresholds(catalog, a, weights, result) + _cost_thresholds(catalog, a, result))
    # The recommendation first, then the cheapest option, then the runner-up's cost; inputs of the assessment
    # before weights (they name a concrete number to check); nearest first, relative to each input's scale.
    kinds = {"recommendation": 0, "cheapest": 1, "runner_up_cost": 2}
    return tuple(sorted(found, key=lambda t: (kinds[t.kind], t.input.startswith("w."),
                                              abs(t.value - t.current) / max(abs(t.current), 1e-9))))


def flip_table(thresholds: Sequence[DecisionThreshold]) -> list[dict[str, Any]]:
    """JSON-able rows for the CLI and the pages."""
    return [t.model_dump() for t in thresholds]

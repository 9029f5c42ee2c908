"""Decision thresholds: the value of one input at which the chosen option flips (sweep, then bisection)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
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
) -> list[Flip[Any]]:
    """Every change of choice along ``[lo, hi]``: a sweep over ``n`` points, then bisection in each cell.

    ``choose`` maps one input value to the chosen option (any hashable); with ``vectorised`` it maps an
    array of values to a sequence of choices. Two changes inside one grid cell can be missed, so pick
    ``n`` finer than the features you expect. ``tol`` defaults to a millionth of the range.
    """
    xs = grid(lo, hi, n, scale)
    tol = (hi - lo) * 1e-6 if tol is None else tol
    labels = _many(choose, vectorised)(xs)
    flips = []
    for i in range(len(xs) - 1):
        if labels[i] != labels[i + 1]:
            flips.append(bisect(choose, float(xs[i]), float(xs[i + 1]), tol=tol, vectorised=vectorised,
                                before=labels[i], after=labels[i + 1]))
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

    input: str  # assessment field (dotted) or "w.<criterion>"
    label: str
    unit: str
    current: float
    value: float
    direction: Literal["above", "below"]
    before: str  # option key recommended now, or "none"
    after: str  # option key recommended past the threshold, or "none"
    message: str


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
    c, w = a.constraints, a.workload
    out: list[DecisionThreshold] = []

    def rtt_choice(x: float) -> str:
        return recommended_key(catalog, _with(a, "constraints.cloud_rtt_ms", x), weights)

    top = min(10_000.0, max(2 * w.ttft_target_ms, 2 * c.cloud_rtt_ms, 100.0))
    below, above = nearest_flips(rtt_choice, c.cloud_rtt_ms, 0.0, top, n=17, tol=0.01)
    target = _fmt(w.ttft_target_ms)
    if above is not None:
        v = above.at
        out.append(DecisionThreshold(
            input="constraints.cloud_rtt_ms", label="cloud round trip", unit="ms", current=c.cloud_rtt_ms,
            value=v, direction="above", before=above.before, after=above.after,
            message=(f"A cloud round trip above {_fmt(v)} ms breaks the {target} ms time-to-first-token target: "
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
    below, above = nearest_flips(ttft_choice, w.ttft_target_ms, 1.0, top, n=17, tol=0.01)
    rtt = _fmt(c.cloud_rtt_ms)
    if below is not None:
        v = below.at
        out.append(DecisionThreshold(
            input="workload.ttft_target_ms", label="time-to-first-token target", unit="ms",
            current=w.ttft_target_ms, value=v, direction="below", before=below.after, after=below.before,
            message=(f"A time-to-first-token target below {_fmt(v)} ms is broken by the {rtt} ms cloud round "
                     f"trip: the recommendation moves from {_option_words(below.after)} to "
                     f"{_option_words(below.before)}."),
        ))
    if above is not None:
        v = above.at
        out.append(DecisionThreshold(
            input="workload.ttft_target_ms", label="time-to-first-token target", unit="ms",
            current=w.ttft_target_ms, value=v, direction="above", before=above.before, after=above.after,
            message=(f"Relaxing the time-to-first-token target above {_fmt(v)} ms lets the {rtt} ms cloud round "
                     f"trip fit and makes {_option_words(above.after)} the recommendation instead of "
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


def decision_thresholds(
    catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None = None, result: Any = None
) -> tuple[DecisionThreshold, ...]:
    """What would flip the recommendation: the cloud round trip, the TTFT target and each criterion weight.

    Cost-driven inputs (traffic, horizon, GPU price, utilisation) plug into the same :func:`nearest_flips`
    once the cost engine is merged.
    """
    from explorer.placement import place

    result = result if result is not None else place(catalog, a, weights)
    found = _latency_thresholds(catalog, a, weights) + _weight_thresholds(catalog, a, weights, result)
    # Inputs of the assessment first (they name a concrete number to check), then weights; nearest first,
    # relative to each input's own scale.
    return tuple(sorted(found, key=lambda t: (t.input.startswith("w."),
                                              abs(t.value - t.current) / max(abs(t.current), 1.0))))


def flip_table(thresholds: Sequence[DecisionThreshold]) -> list[dict[str, Any]]:
    """JSON-able rows for the CLI and the pages."""
    return [t.model_dump() for t in thresholds]

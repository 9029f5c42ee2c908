"""Flips: the values of one input at which a choice changes, found by a sweep and then bisection."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from explorer.model.assessment import Assessment
from explorer.model.errors import ThresholdError

T = TypeVar("T", bound=Hashable)


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
    # cost); which of the recommended option and the runner-up costs less; or whether a per-token endpoint or
    # dedicated GPUs serve more cheaply in the cloud (before/after are then "per_token" and "dedicated").
    kind: Literal["recommendation", "cheapest", "runner_up_cost", "serving_mode"] = "recommendation"


def with_field(a: Assessment, path: str, value: float) -> Assessment:
    data = a.to_dict()
    node = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    return Assessment.model_validate(data)

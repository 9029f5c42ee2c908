"""Cost-driven thresholds: traffic, horizon, GPU prices and utilisation at which the cheapest option flips."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from explorer.engine.cost import line_item_rates
from explorer.engine.flips import DecisionThreshold, Flip, nearest_flips, with_field
from explorer.engine.pipeline import cost_of, structure_of
from explorer.engine.prices import PriceReader, resolve_prices
from explorer.engine.scoring import rank
from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog
from explorer.model.errors import ExplorerError
from explorer.model.formatting import dollars_per, percent, requests_per_day
from explorer.model.formatting import months as months_text
from explorer.model.vocabulary import PLACE_PHRASES, option_words, split_key

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


def _safe(x: float, direction: str) -> float:
    """``x`` to three significant figures, rounded away from the flip so the sentence stays true."""
    if x <= 0 or not np.isfinite(x):
        return x
    step = 10 ** (np.floor(np.log10(x)) - 2)
    return float((np.ceil(x / step - 1e-9) if direction == "above" else np.floor(x / step + 1e-9)) * step)


def _option_where(result: Any, key: str) -> str:
    """'scenario 3 with use case 1A (all on premises)': where the costly stages run, in a few words."""
    o = result.option(*split_key(key))
    where = {s: o.location(s) for s in ("training", "serving", "inference")}
    if not o.trade_offs or len(set(where.values())) == 1:
        return f"{option_words(key)} (all {PLACE_PHRASES[next(iter(where.values()))]})"
    training, serving = PLACE_PHRASES[where["training"]], PLACE_PHRASES[where["serving"]]
    return f"{option_words(key)} (training {training}, serving {serving})"


def _engine_totals(st: Any, values: Mapping[str, Any], n: int, sums: Mapping[str, Any]) -> np.ndarray:
    """Totals over the horizon, (n, options), from the cost engine's rates at (possibly array) prices.

    The same sum the uncertainty run does: each line item's rate times its monthly pattern's sum.
    """
    rates, _ = line_item_rates(st, PriceReader(values))
    options = len(st.placements)
    total = np.zeros((n, options))
    for terms in rates.values():
        for rate, pattern in terms:
            total += np.broadcast_to(np.asarray(rate, dtype=float), (n, options)) * sums[pattern]
    return total


def _cost_inputs(catalog: Catalog, a: Assessment) -> list[_CostInput]:
    """Traffic, horizon, the two GPU prices and two efficiency factors, each with a vectorised cost function."""
    prices = resolve_prices(catalog, a)
    w = a.workload
    rpd = w.requests_per_day
    # Traffic enters the cost only through peak demand and the per-day flows, both proportional to
    # requests/day × the traffic multiplier; sweeping the multiplier as an array is the engine's own path.
    ref = a if rpd > 0 else with_field(a, "workload.requests_per_day", 1.0)
    st = structure_of(catalog, ref)
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
        fmt=requests_per_day, exact=True, override=lambda x: with_field(a, "workload.requests_per_day", x),
    ))

    # The horizon changes only how many months of each pattern are summed: cumulative sums up to the limit.
    long = structure_of(catalog, a.model_copy(update={"horizon_months": MAX_HORIZON}))
    cum = {k: np.cumsum(v) for k, v in long.patterns.items()}
    if "end" in cum:  # the residual is credited in the last month of whichever horizon: once, at every length
        cum["end"] = np.ones(MAX_HORIZON)

    def horizon_totals(xs: np.ndarray) -> np.ndarray:
        months = np.clip(np.floor(np.asarray(xs, dtype=float) + 1e-9).astype(int), 1, MAX_HORIZON)
        return _engine_totals(long, prices, len(months), {k: c[months - 1][:, None] for k, c in cum.items()})

    out.append(_CostInput(
        input="horizon_months", label="horizon", current=float(a.horizon_months), lo=1.0, hi=float(MAX_HORIZON),
        scale="linear", n=MAX_HORIZON, tol=0.01, totals=horizon_totals, fmt=lambda x: months_text(round(x)),
        exact=True, override=lambda x: a.model_copy(update={"horizon_months": round(x)}),
    ))

    price_keys = [(st.cloud_price_key(), "cloud GPU-hour price", lambda x: dollars_per("per GPU-hour", x)),
                  (f"onprem:{st.onprem_gpu.id}:server", "on-premises server price",
                   lambda x: dollars_per("per GPU", x))]
    for key, label, fmt in price_keys:
        p = prices[key]
        lo, hi = (p / 20, p * 20) if p > 0 else (0.0, 100.0)
        out.append(_CostInput(
            input=f"prices.{key}", label=label, current=p, lo=lo, hi=hi, scale="log" if p > 0 else "linear", n=97,
            tol=max(p, 1.0) * 1e-5,
            totals=lambda xs, key=key: _engine_totals(st, prices_with(key, xs), len(xs), sums),
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
            fmt=percent, exact=False,
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
        months = round(value)
        article = "an" if str(months).startswith("8") or months in (11, 18) else "a"  # spoken: an eight, an eleven
        where = (f"From {article} {months}-month horizon" if direction == "above"
                 else f"At a horizon of {months_text(round(value))} or less")
        over = ""
    elif ci.input == "workload.requests_per_day":
        where, over = f"{side} {shown}", f" over {months_text(horizon)}"
    else:
        article = "an" if ci.label[0] in "aeiou" else "a"
        where, over = f"{side} {article} {ci.label} of {shown}", f" over {months_text(horizon)}"
    if kind == "cheapest":
        return (f"{where}, {_option_where(result, after)} becomes the cheapest feasible option{over} "
                f"instead of {_option_where(result, before)}.")
    rec = result.recommended
    more = "more" if after == rec.runner_up else "less"
    return (f"{where}, the recommended {option_words(rec.key)} costs {more}{over} than the runner-up, "
            f"{option_words(rec.runner_up)}.")


def cost_thresholds(catalog: Catalog, a: Assessment, result: Any) -> list[DecisionThreshold]:
    """Flips of the cheapest feasible option, and of the recommended option against the runner-up.

    Empty when the cost model cannot price the assessment: the cost views say why, once.
    """
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
                if not ci.exact and not _confirmed(catalog, ci, flip, columns, keys):
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


def _confirmed(catalog: Catalog, ci: _CostInput, flip: Flip[Any],
               columns: Sequence[int], keys: Sequence[str]) -> bool:
    """The full engine (which re-sizes at each value) agrees with the sweep on both sides of the flip."""
    try:
        labels = []
        for x in (flip.lo, flip.hi):
            totals = np.array([[o.total for o in cost_of(catalog, ci.override(x)).options]])
            labels.append(_cheapest(totals, columns, keys)[0])
    except ExplorerError:
        return False
    return labels == [flip.before, flip.after]



"""Cloud serving, two ways: dedicated GPUs billed hour by hour in whole instances, or a per-token endpoint.

Dedicated serving follows a daily demand profile (data/autoscaling.yaml) stretched to the assessment's peak
factor: each hour rents the replicas that hour needs, packed into the provider's instance sizes, at least the
minimum replica count, and paid from the moment a scale-up starts. Committed (1-year) GPUs are paid around the
clock, so they are sized for the peak hour. A managed endpoint (data/endpoint_prices.yaml) charges per million
input and output tokens. Both are vectorised: every rate may be an array of samples or of swept values, and
the cost kernel (:func:`explorer.engine.cost.line_item_rates`) calls them for point and sampled runs alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from explorer.engine.flips import DecisionThreshold
from explorer.engine.prices import PriceReader
from explorer.engine.sizing import ServingSizing
from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog
from explorer.model.endpoints import price_key
from explorer.model.formatting import fmt_quantity, money, requests_per_day
from explorer.model.hardware import GpuSpec
from explorer.model.price_catalog import CloudGpuPrice
from explorer.model.vocabulary import METHOD_NAMES, PROVIDER_NAMES

HOURS = 24
SECONDS_PER_DAY = 86_400.0
MAX_REQUESTS_PER_DAY = 1e10  # the assessment's own limit: the crossover is looked for up to here
MODE_WORDS = {"per_token": "a per-token endpoint", "dedicated": "dedicated GPUs"}


def demand_profile(shape: Any, peak_factor: float) -> tuple[np.ndarray, str]:
    """Demand in each hour relative to the day's average (mean 1): the catalog's daily shape ``s`` sharpened or
    flattened to ``s^k / mean(s^k)`` with ``k`` found by bisection so that the peak hour is ``peak_factor``
    times the average (``k = 0`` is a flat day, ``k = 1`` the shape itself). A sentence says when the factor
    is sharper than whole hours can show.
    """
    s = np.asarray(shape, dtype=float)
    s = s / s.max()
    if peak_factor <= 1.0 + 1e-12 or s.min() >= 1.0 - 1e-12:
        return np.ones(HOURS), ""

    def ratio(k: float) -> float:
        p = s**k
        return float(p.max() / p.mean())

    busiest = s >= 1.0 - 1e-12
    reach = HOURS / busiest.sum()  # all the day's demand in its busiest hour(s)
    if peak_factor >= reach - 1e-9:
        note = (f"A peak factor of {peak_factor:g} is sharper than whole hours can show (at most {reach:g} with "
                "this daily profile): dedicated cloud serving is billed as if the peak lasted its whole hour.")
        return np.where(busiest, peak_factor, 0.0), note
    lo, hi = 0.0, 1.0
    while ratio(hi) < peak_factor:
        lo, hi = hi, hi * 2.0
    for _ in range(100):
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if ratio(mid) < peak_factor else (lo, mid)
    p = s ** ((lo + hi) / 2.0)
    return p / p.mean(), ""


def billing_unit(price: CloudGpuPrice | None, tensor_parallel: int) -> int:
    """GPUs rented together for replicas of ``tensor_parallel`` GPUs: the smallest instance size that holds
    whole replicas (a group never spans instances while one size holds it), else whole largest instances."""
    if price is None:
        return tensor_parallel
    for size in price.sizes:
        if size >= tensor_parallel and size % tensor_parallel == 0:
            return size
    largest = price.sizes[-1]
    return -(-tensor_parallel // largest) * largest


@dataclass(frozen=True)
class ServingPlan:
    """What cloud serving of this assessment can be, before any price is read (prices may be sampled)."""

    mode: str  # asked: auto | dedicated | per_token
    profile: np.ndarray  # (24,) demand relative to the average
    unit: int  # GPUs per rented block (see billing_unit)
    tensor_parallel: int
    instance: str  # the rented block in words
    autoscaled: bool  # on demand: hour by hour; committed: the peak around the clock
    input_tokens: int
    output_tokens: int
    endpoint: str  # the per-token service's name, "" when there is none to use
    input_key: str
    output_key: str
    unavailable: str  # why per-token serving cannot be used, "" when it can
    notes: tuple[str, ...]

    @property
    def per_token(self) -> bool:
        return bool(self.endpoint)


def plan_serving(catalog: Catalog, a: Assessment, gpu: GpuSpec, sizing: ServingSizing) -> ServingPlan:
    """The plan for cloud serving: profile, instance packing, and the endpoint (or why there is none)."""
    w, provider = a.workload, a.constraints.cloud_provider
    profile, note = demand_profile(catalog.cloud_serving.autoscaling.profile.hourly, w.peak_factor)
    price = next((g for p in catalog.providers if p.id == provider for g in p.gpus if g.gpu == gpu.id), None)
    unit = billing_unit(price, sizing.tensor_parallel)
    instance = (f"{price.family} instances of {unit} GPU{'s' if unit > 1 else ''}" if price is not None
                else f"blocks of {unit} GPUs")
    service = next((s for s in catalog.cloud_serving.endpoints if s.provider == provider), None)
    offer = service.offer(w.model) if service is not None else None
    model, who = catalog.model(w.model).name, PROVIDER_NAMES[provider]
    unavailable = ""
    if service is None or offer is None:
        unavailable = (f"{who} offers no per-token endpoint for {model}, so its cloud serving is costed on "
                       "dedicated GPUs only.")
    elif w.finetune_method != "none" and not service.serves_lora(offer):
        unavailable = (f"{service.name} serves {model} per token but not your {METHOD_NAMES[w.finetune_method]} "
                       f"fine-tune at that price ({service.lora_note.rstrip('.')}), so cloud serving is costed on "
                       "dedicated GPUs.")
    notes = tuple(n for n in (note, unavailable if w.cloud_serving != "dedicated" else "") if n)
    return ServingPlan(
        mode=w.cloud_serving, profile=profile, unit=unit, tensor_parallel=sizing.tensor_parallel,
        instance=instance, autoscaled=a.costing.cloud_pricing == "on_demand", input_tokens=w.input_tokens,
        output_tokens=w.output_tokens, endpoint="" if unavailable else service.name,  # type: ignore[union-attr]
        input_key=price_key(provider, w.model, "input") if not unavailable else "",
        output_key=price_key(provider, w.model, "output") if not unavailable else "",
        unavailable=unavailable, notes=notes,
    )


@dataclass(frozen=True)
class Dedicated:
    """GPUs rented for dedicated serving, per hour averaged over the day (arrays broadcast like the inputs)."""

    billed: Any  # GPUs paid for, on average over the day
    peak: Any  # GPUs rented in the busiest hour
    busy: Any  # GPUs' worth of work at the demand, on average: busy ÷ billed is the utilisation


def dedicated(plan: ServingPlan, rate: Any, average_rps: Any, P: PriceReader) -> Dedicated:
    """Each hour's replicas (``ceil(demand ÷ rate)``, at least the minimum while there is traffic), packed
    into whole instances; on demand, a scale-up is paid ``lag`` early; committed, the peak all day."""
    r = np.asarray(rate, dtype=float)[..., None]
    avg = np.asarray(average_rps, dtype=float)[..., None]
    demand = avg * plan.profile  # requests/s in each hour
    with np.errstate(divide="ignore", invalid="ignore"):
        replicas = np.where(avg > 0, np.maximum(np.asarray(P("autoscale:min_replicas"))[..., None],
                                                np.ceil(demand / r - 1e-9)), 0.0)
        busy = (demand / r * plan.tensor_parallel).mean(axis=-1)
    gpus = np.ceil(replicas * plan.tensor_parallel / plan.unit - 1e-9) * plan.unit
    peak = gpus.max(axis=-1)
    lag = np.minimum(np.asarray(P("autoscale:scale_up_lag_minutes"), dtype=float) / 60.0, 1.0)
    if plan.autoscaled:
        rise = np.maximum(np.roll(gpus, -1, axis=-1) - gpus, 0.0)  # the next hour's extra GPUs, started early
        billed = (gpus + lag[..., None] * rise).mean(axis=-1)
    else:
        billed = peak
    return Dedicated(billed=billed, peak=peak, busy=np.where(np.isfinite(busy), busy, 0.0))


def per_token_month(plan: ServingPlan, requests_per_day_: Any, days: float, P: PriceReader) -> Any:
    """A month of a per-token endpoint: requests/day × days × (in × input price + out × output price) ÷ 1e6."""
    per_request = plan.input_tokens * P(plan.input_key) + plan.output_tokens * P(plan.output_key)
    return np.asarray(requests_per_day_, dtype=float) * days * per_request / 1e6


def choose(plan: ServingPlan, dedicated_month: Any, token_month: Any) -> Any:
    """True where the per-token endpoint serves: asked for, or (auto) cheaper; never when it is unavailable."""
    if not plan.per_token or plan.mode == "dedicated":
        return np.zeros(np.shape(dedicated_month), dtype=bool)
    if plan.mode == "per_token":
        return np.ones(np.broadcast_shapes(np.shape(dedicated_month), np.shape(token_month)), dtype=bool)
    return np.asarray(token_month) < np.asarray(dedicated_month)


def crossover(plan: ServingPlan, rate: float, hours: float, days: float, gpu_price: float,
              P: PriceReader) -> float | None:
    """The requests per day (as the engine sees them, after the traffic multiplier) above which dedicated GPUs
    cost less per month than the endpoint; None when one of them is cheaper at every traffic up to the limit."""
    if not plan.per_token:
        return None

    def gap(rpd: Any) -> Any:  # dedicated minus per-token, per month
        ded = dedicated(plan, rate, np.asarray(rpd) / SECONDS_PER_DAY, P).billed * hours * gpu_price
        return ded - per_token_month(plan, rpd, days, P)

    grid = np.geomspace(1.0, MAX_REQUESTS_PER_DAY, 241)
    cheaper_tokens = gap(grid) > 0
    if cheaper_tokens[-1] or not cheaper_tokens.any():
        return None
    last = int(np.flatnonzero(cheaper_tokens)[-1])
    lo, hi = float(grid[last]), float(grid[last + 1])
    while hi - lo > max(lo, 1.0) * 1e-6:
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if float(gap(mid)) > 0 else (lo, mid)
    return hi


def serving_sentences(plan: ServingPlan, bill: Dedicated, gpu_name: str, ded_month: float,
                      token_month: float | None, cross: float | None, traffic: float, rpd: float,
                      peak_factor: float) -> tuple[str, str]:
    """(how dedicated serving is billed, which mode is cheaper and where they cross), one sentence each."""
    lag = ""
    if plan.autoscaled:
        billed = (f"billed hour by hour for the replicas each hour of the day needs (peak {peak_factor:g}× the "
                  "average)")
        lag = ", scale-ups paid from their start"
    else:
        billed = "sized for the peak hour and paid around the clock (a 1-year commitment cannot scale down)"
    busy = float(bill.busy) / float(bill.billed) if float(bill.billed) > 0 else 0.0
    how = (f"Dedicated cloud serving is {billed}, in whole {plan.instance}{lag}: {fmt_quantity(float(bill.peak))} "
           f"{gpu_name} GPUs at the peak hour, {fmt_quantity(float(bill.billed))} on average, {busy:.0%} busy.")
    if token_month is None:
        return how, ""
    cheaper = "per_token" if token_month < ded_month else "dedicated"
    at = (f"At {requests_per_day(rpd)}, {plan.endpoint} costs {money(token_month)} a month and dedicated GPUs "
          f"{money(ded_month)}: {MODE_WORDS[cheaper]} {'is' if cheaper == 'per_token' else 'are'} cheaper")
    if cross is None:
        return how, at + (" at every traffic up to 10 billion requests/day." if cheaper == "per_token" else ".")
    return how, f"{at}; they cross at {requests_per_day(cross / traffic)} (per-token below, dedicated above)."


def serving_mode_threshold(crossover_rpd: float | None, endpoint: str, rpd: float) -> DecisionThreshold | None:
    """The crossover (in the assessment's requests/day) as a decision threshold on traffic: where the cheaper
    way to serve in the cloud flips between the endpoint and dedicated GPUs."""
    if crossover_rpd is None:
        return None
    above = crossover_rpd > rpd
    side = "Above" if above else "Below"
    cheaper = "dedicated GPUs serve the model in the cloud more cheaply than" if above else \
        "serving the model in the cloud costs less on"
    message = (f"{side} {requests_per_day(crossover_rpd)}, {cheaper} {endpoint}."
               if above else f"{side} {requests_per_day(crossover_rpd)}, {cheaper} {endpoint} than on dedicated GPUs.")
    return DecisionThreshold(
        input="workload.requests_per_day", label="traffic", unit="requests/day", current=rpd, value=crossover_rpd,
        direction="above" if above else "below", before="per_token" if above else "dedicated",
        after="dedicated" if above else "per_token", kind="serving_mode", message=message,
    )


@dataclass(frozen=True)
class CloudServing:
    """A month of cloud serving both ways, and which one serves (arrays broadcast like the prices)."""

    month: Any  # the chosen way's cost per month
    dedicated_month: Any
    token_month: Any  # None when no endpoint can be used
    per_token: Any  # True where the endpoint serves
    bill: Dedicated
    rate: Any  # requests/s one replica serves


def cloud_serving_month(plan: ServingPlan, rate: Any, requests_per_day_: float, days: float, hours: float,
                        gpu_price: Any, P: PriceReader) -> CloudServing:
    """Both ways to serve in the cloud for a month at (possibly array) prices and traffic, and the choice."""
    traffic = requests_per_day_ * np.asarray(P("eff:traffic_multiplier"), dtype=float)
    bill = dedicated(plan, rate, traffic / SECONDS_PER_DAY, P)
    ded = bill.billed * hours * gpu_price
    tokens = per_token_month(plan, traffic, days, P) if plan.per_token else None
    use = choose(plan, ded, tokens)
    month = np.where(use, tokens, ded) if tokens is not None else ded
    return CloudServing(month=month, dedicated_month=ded, token_month=tokens, per_token=use, bill=bill, rate=rate)


@dataclass(frozen=True)
class ServingSummary:
    """What the views say about cloud serving: how dedicated GPUs are billed, which way is cheaper and where
    the two cross (in the assessment's requests/day, before the traffic multiplier)."""

    how: str
    which: str
    crossover: float | None
    endpoint: str

    def fields(self) -> dict[str, Any]:
        """As :class:`explorer.engine.cost_result.CostResult` names them."""
        return {"serving_note": self.how, "serving_choice": self.which,
                "crossover_requests_per_day": self.crossover, "endpoint": self.endpoint}


def summarise(plan: ServingPlan, cloud: CloudServing, gpu_name: str, hours: float, days: float, gpu_price: float,
              requests_per_day_: float, peak_factor: float, P: PriceReader) -> ServingSummary:
    traffic = float(P("eff:traffic_multiplier"))
    cross = crossover(plan, float(cloud.rate), hours, days, gpu_price, P)
    token = None if cloud.token_month is None else float(cloud.token_month)
    how, which = serving_sentences(plan, cloud.bill, gpu_name, float(cloud.dedicated_month), token, cross,
                                   traffic, requests_per_day_, peak_factor)
    return ServingSummary(how=how, which=which, crossover=None if cross is None else cross / traffic,
                          endpoint=plan.endpoint)


def option_fields(cloud: CloudServing | None, serves: bool, cloud_months: float) -> dict[str, Any]:
    """One option's cloud serving for its result: the way it serves, both ways' totals over the horizon
    (``cloud_months`` is the sum of the cloud's monthly price pattern), and the GPUs it rents."""
    if cloud is None or not serves:
        return {"serving_mode": None, "cloud_serving_dedicated": 0.0, "cloud_serving_per_token": None,
                "cloud_gpus_average": 0.0, "cloud_gpus_busy": 0.0}
    by_token = bool(cloud.per_token)
    return {
        "serving_mode": "per_token" if by_token else "dedicated",
        "cloud_serving_dedicated": float(cloud.dedicated_month) * cloud_months,
        "cloud_serving_per_token": None if cloud.token_month is None else float(cloud.token_month) * cloud_months,
        "cloud_gpus_average": 0.0 if by_token else float(cloud.bill.billed),
        "cloud_gpus_busy": 0.0 if by_token else float(cloud.bill.busy),
    }

"""Cost: month by month for every scenario × use case, with break-even, sensitivity and uncertainty.

One vectorised core (:func:`line_item_rates`) prices every line item of all eight options as
``rate × monthly pattern``. The deterministic evaluation uses it once with the resolved prices;
the uncertainty run uses it once with thousands of sampled prices and efficiencies at once
(arrays of shape samples × options), so both always agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from explorer.engine.capacity import Capacity
from explorer.engine.cloud_serving import CloudServing, cloud_serving_month, option_fields, plan_serving, summarise
from explorer.engine.cost_result import CostResult, OptionCost
from explorer.engine.onprem import POOL_NOTE, gpus_per_server, lease_factor, pooled_training_gpus, power_key, staff_fte
from explorer.engine.placement import Placement
from explorer.engine.prices import PriceReader
from explorer.engine.sizing import ServingSizing, requests_per_second, training_flops_factor
from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog
from explorer.model.errors import ExplorerError, PricingError
from explorer.model.vocabulary import option_words

CURRENCY = "USD"
LINE_ITEMS: dict[str, str] = {
    "cloud_training": "Cloud GPU-hours for training and retraining",
    "cloud_serving": "Cloud serving (GPU-hours or tokens)",
    "capex": "On-premises GPU servers",
    "power": "Power × PUE",
    "space": "Data-centre space",
    "support": "Support and subscriptions",
    "staff": "Operations staff",
    "storage": "Storage",
    "egress": "Egress",
    "link": "Dedicated link",
    "residual": "Residual value of bought servers (credit)",
}
STRUCTURAL = ("onprem:amortisation_years", "finance:cloud_price_decline")  # prices that shape the monthly patterns
EVENT_FLOWS = ("training_data", "weights")  # flows that happen at each training run, not every month
__all__ = ["CostResult", "CostStructure", "OptionCost", "lease_factor", "line_item_rates", "price_options"]


# --------------------------------------------------------------------------------------------
# Structure: everything that does not change when a price is sampled
# --------------------------------------------------------------------------------------------


class CostStructure:
    """Everything about the eight options that does not change when a price is sampled.

    Built from the placements and the capacity handed to it; it never places or sizes anything itself.
    """

    def __init__(self, catalog: Catalog, a: Assessment, placements: Sequence[Placement], cap: Capacity,
                 prices: Mapping[str, float]) -> None:
        w, c = a.workload, a.constraints
        self.catalog, self.assessment = catalog, a
        self.months = a.horizon_months
        self.provider = c.cloud_provider
        self.cloud_gpu = cap.cloud_gpu
        self.owned = c.owned_gpus.count
        self.onprem_gpu = cap.local_gpu
        self.pricing = a.costing.cloud_pricing
        self.model = catalog.model(w.model)
        self.placements: list[Placement] = list(placements)
        loc = {stage: np.array([o.location(stage) for o in self.placements]) for stage in ("training", "serving")}
        data = np.array([o.location("data") for o in self.placements])
        trains = w.finetune_method != "none"
        self.train_cloud = (loc["training"] == "public_cloud") & trains
        self.train_local = (loc["training"] == "local") & trains
        self.serve_cloud = loc["serving"] == "public_cloud"
        self.serve_local = loc["serving"] == "local"
        self.days = catalog.assumption("days_per_month")
        self.hours = self.days * 24.0
        self.demand = cap.peak_requests_per_second  # requests/s at peak, before the traffic multiplier
        self.notes: list[str] = []
        self.power_key = power_key(c.region)
        self.training_days = a.costing.training_days

        # The sizings this evaluation needs; one that is impossible raises its sentence here.
        self.training_cloud = cap.required_training("public_cloud") if self.train_cloud.any() else None
        self.training_local = cap.required_training("local") if self.train_local.any() else None
        self.serving_cloud = cap.required_serving("public_cloud") if self.serve_cloud.any() else None
        self.serving_local = cap.required_serving("local") if self.serve_local.any() else None
        # How the cloud serves: dedicated GPUs by the hour in whole instances, or a per-token endpoint.
        self.plan = (plan_serving(catalog, a, self.cloud_gpu, self.serving_cloud)
                     if self.serving_cloud is not None else None)
        for s in (self.serving_cloud, self.serving_local, self.training_cloud, self.training_local, self.plan):
            if s is not None:
                self.notes.extend(n for n in s.notes if n not in self.notes)
        if (self.train_local & self.serve_local).any():
            self.notes.append(POOL_NOTE)

        bpt = catalog.assumption("bytes_per_token")
        dataset_gb = w.dataset_tokens * bpt / 1e9 if trains else 0.0
        weights_gb = self.model.params * catalog.assumption("transfer_weights_bytes_per_param") / 1e9
        data_cloud = np.isin(data, ("public_cloud", "exchanged"))
        data_local = np.isin(data, ("local", "exchanged"))
        self.storage_cloud_gb = (
            dataset_gb * (data_cloud | self.train_cloud) + weights_gb * (self.train_cloud | self.serve_cloud)
        )
        self.storage_local_gb = (
            dataset_gb * (data_local | self.train_local) + weights_gb * (self.train_local | self.serve_local)
        )
        egress_event, egress_month, link = [], [], []
        # Egress is what leaves the cloud: flows to the premises, half of a two-way sync, and the
        # completions part of a request/response flow into the cloud (prompts in, completions out).
        answer = w.output_tokens / (w.input_tokens + w.output_tokens) if w.input_tokens + w.output_tokens else 0.0
        for o in self.placements:
            def share(f, answer=answer) -> float:
                if f.direction == "to_premises":
                    return 1.0
                if f.direction == "both":
                    return 0.5
                return answer if f.id in ("inference", "users") else 0.0

            egress_event.append(sum(f.bytes_per_event * share(f) for f in o.flows if f.id in EVENT_FLOWS))
            egress_month.append(sum(f.bytes_per_month * share(f) for f in o.flows if f.id not in EVENT_FLOWS))
            # Premises systems exchanging data with the cloud at run time need the link; users reach a cloud
            # application over the internet, and training runs ship their data over a VPN.
            link.append(any(f.id not in (*EVENT_FLOWS, "users") for f in o.flows))
        self.egress_event_gb = np.array(egress_event) / 1e9
        self.egress_month_gb = np.array(egress_month) / 1e9  # at the forecast traffic
        self.link = np.array(link, dtype=float)

        m = np.arange(self.months)
        self.patterns: dict[str, np.ndarray] = {"ones": np.ones(self.months)}
        train = np.zeros(self.months)
        if trains:
            train[0] = 1.0
            if w.retrain_every_months > 0:
                train[m % w.retrain_every_months == 0] = 1.0
        self.patterns["train"] = train
        # Cloud GPU-hours get cheaper by the decline rate each year (a structural price: it shapes the months).
        cheaper = (1.0 - prices["finance:cloud_price_decline"]) ** (m / 12.0)
        self.patterns["cloud_ones"] = cheaper
        self.patterns["cloud_train"] = train * cheaper
        self.life = life = max(1, round(prices["onprem:amortisation_years"] * 12))
        self.capex_mode = a.capex
        if self.capex_mode == "buy":  # paid up front (again at the end of each life), the residual credited at the end
            self.patterns["capex"] = (m % life == 0).astype(float)
            self.patterns["end"] = (m == self.months - 1).astype(float)
        elif self.capex_mode == "lease":  # a monthly payment over the server's life
            self.patterns["capex"] = np.ones(self.months)
        else:  # amortise: straight-line depreciation of the months used
            self.patterns["capex"] = np.full(self.months, 1.0 / life)
        self.pattern_sums = {k: float(v.sum()) for k, v in self.patterns.items()}
        self.tokens_per_month = w.requests_per_day * w.output_tokens * self.days  # at the forecast traffic

    def cloud_price_key(self) -> str:
        key = f"{self.provider}:{self.cloud_gpu.id}:{self.pricing}"
        if key not in self.catalog.price_items:
            offered = sorted({k.split(":")[1] for k in self.catalog.price_items if k.startswith(f"{self.provider}:")
                              and k.count(":") == 2})
            raise PricingError(
                f"The cloud provider {self.provider} has no {self.cloud_gpu.name} price; choose a cloud GPU from: "
                f"{', '.join(offered)}."
            )
        return key


def _replicas(s: ServingSizing, demand: float, P: PriceReader) -> Any:
    """Replicas for the peak demand and one replica's throughput, re-evaluated under (possibly sampled) efficiencies."""
    # The sizing scaled the group by tp_efficiency per doubling; rescale to the (sampled) factor.
    group = np.power(P("eff:tensor_parallel_efficiency") / s.tp_efficiency, np.log2(s.tensor_parallel))
    rate, _, _ = requests_per_second(
        s.step_bytes, s.step_flops, s.prefill_flops, s.weight_bytes, s.replica_bandwidth * group,
        s.replica_flops * group,
        s.batch, s.output_tokens, P("eff:decode_bandwidth_efficiency"), P("eff:decode_compute_efficiency"),
        P("eff:prefill_mfu"),
    )
    # The share of that throughput a replica may carry at the peak and still meet the latency targets.
    limit = s.load.max_utilisation if s.load is not None else 1.0
    need = demand * P("eff:traffic_multiplier")
    return np.where(need > 0, np.ceil(need / (rate * limit) - 1e-9), 0.0), rate


class _Gpus(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    cloud_serving: Any  # GPUs serving in the cloud at the peak hour, per option (0 where an endpoint serves)
    cloud: CloudServing | None  # both ways to serve in the cloud, per month (the same for every option)
    onprem: Any  # GPUs running on premises, per option
    onprem_new: Any  # of which bought
    cloud_training_hours: Any  # cloud GPU-hours per training run, per option
    onprem_serving: Any  # of the on-premises GPUs, those serving
    onprem_serving_busy: Any  # their average utilisation at the average demand (peak ÷ peak factor)
    onprem_training: Any  # of the on-premises GPUs, those added to the serving pool for training
    onprem_training_hours: Any  # on-premises GPU-hours per training run
    staff_fte: Any  # operations staff for the on-premises GPUs


def line_item_rates(st: CostStructure, P: PriceReader) -> tuple[dict[str, list[tuple[Any, str]]], _Gpus]:
    """Every line item as [(rate, pattern)], rates broadcast to (samples, 8 options) or (8,)."""
    cloud_price = P(st.cloud_price_key())
    P("finance:cloud_price_decline")  # read by the structure's monthly patterns; listed so the tornado sweeps it
    items: dict[str, list[tuple[Any, str]]] = {k: [] for k in LINE_ITEMS}

    zero = np.zeros(len(st.placements))
    cloud_training_hours: Any = zero
    if st.training_cloud is not None:
        t = st.training_cloud
        peak = st.cloud_gpu.tflops["bf16"] * 1e12
        base_flops = 6.0 * st.model.active_params_b * 1e9 * t.tokens
        hours = base_flops * training_flops_factor(t.method, P) / (peak * P("eff:training_mfu")) / 3600.0
        cloud_training_hours = st.train_cloud * hours
        items["cloud_training"].append((cloud_training_hours * cloud_price, "cloud_train"))

    serving_gpus_cloud, cloud = zero, None
    if st.serving_cloud is not None and st.plan is not None:
        _, rate = _replicas(st.serving_cloud, st.demand, P)
        cloud = cloud_serving_month(st.plan, rate, st.assessment.workload.requests_per_day, st.days, st.hours,
                                    cloud_price, P)
        serving_gpus_cloud = st.serve_cloud * np.where(cloud.per_token, 0.0, cloud.bill.peak)
        items["cloud_serving"].append((st.serve_cloud * cloud.month, "cloud_ones"))

    serving_local: Any = zero
    busy: Any = zero
    replicas_local: Any = zero
    if st.serving_local is not None:
        replicas, rate = _replicas(st.serving_local, st.demand, P)
        replicas_local = st.serve_local * replicas
        serving_local = replicas_local * st.serving_local.tensor_parallel
        average = st.demand * P("eff:traffic_multiplier") / st.assessment.workload.peak_factor
        with np.errstate(invalid="ignore", divide="ignore"):
            busy = st.serve_local * np.where(replicas > 0, np.minimum(average / (replicas * rate), 1.0), 0.0)
    training_local_hours: Any = zero
    training_extra: Any = zero
    if st.training_local is not None:  # one pool: training takes the spare serving replicas first
        t = st.training_local
        tp = st.serving_local.tensor_parallel if st.serving_local is not None else 1
        training_extra = st.train_local * pooled_training_gpus(t, replicas_local, tp, busy, st.training_days, P)
        training_local_hours = st.train_local * t.gpu_hours
    need = np.asarray(serving_local + training_extra, dtype=float)
    fte: Any = zero
    new = np.maximum(need - st.owned, 0.0)
    running = need
    if np.any(running > 0):
        per_server = gpus_per_server(st.catalog, st.onprem_gpu)  # a GPU without a server price is named here
        server = P(f"onprem:{st.onprem_gpu.id}:server")
        if st.capex_mode == "lease":
            items["capex"].append((new * server * lease_factor(P("finance:discount_rate"), st.life,
                                                              P("finance:residual_value")), "capex"))
        else:
            items["capex"].append((new * server, "capex"))
        if st.capex_mode == "buy":
            items["residual"].append((-new * server * P("finance:residual_value"), "end"))
        server_kw = st.onprem_gpu.power_w * P("onprem:server_power_factor") / 1000.0
        energy_kwh = server_kw * P("onprem:load_factor") * P("onprem:pue") * st.hours
        items["power"].append((running * energy_kwh * P(st.power_key), "ones"))
        items["space"].append((running * server_kw * P("onprem:space_kw_month"), "ones"))
        items["support"].append((running * server * P("onprem:support_pct_year") / 12.0, "ones"))
        fte = staff_fte(running, per_server, P)
        items["staff"].append((fte * P("onprem:staff_fte_year") / 12.0, "ones"))

    storage = st.storage_cloud_gb * P(f"{st.provider}:storage_gb_month") + st.storage_local_gb * (
        P("onprem:storage_gb_month") if st.storage_local_gb.any() else 0.0
    )
    items["storage"].append((storage, "ones"))
    if st.egress_event_gb.any() or st.egress_month_gb.any():
        egress = P(f"{st.provider}:egress_gb")
        items["egress"].append((st.egress_event_gb * egress, "train"))
        items["egress"].append((st.egress_month_gb * P("eff:traffic_multiplier") * egress, "ones"))
    if st.link.any():
        items["link"].append((st.link * P(f"{st.provider}:link_month"), "ones"))
    return items, _Gpus(cloud_serving=serving_gpus_cloud, cloud=cloud, onprem=need, onprem_new=new,
                        cloud_training_hours=cloud_training_hours, onprem_serving=serving_local,
                        onprem_serving_busy=busy, onprem_training=training_extra,
                        onprem_training_hours=training_local_hours, staff_fte=fte)


# --------------------------------------------------------------------------------------------
# The deterministic evaluation
# --------------------------------------------------------------------------------------------


def _break_even(cum: np.ndarray, ref: np.ndarray) -> int | None:
    """First month (1-based) from which ``cum`` stays at or below ``ref`` to the horizon; None if never."""
    above = np.flatnonzero(cum - ref > 1e-6 * np.maximum(1.0, np.abs(ref)))
    if above.size == 0:
        return 1
    last = int(above[-1])
    return last + 2 if last + 1 < cum.size else None


def finance_note(mode: str, life: int, prices: Mapping[str, float]) -> str:
    """The capex treatment and the other finance defaults in one sentence (the app states it)."""
    years = f"{life / 12:g}-year life"
    residual, rate = prices["finance:residual_value"], prices["finance:discount_rate"]
    capex = {
        "buy": f"On-premises servers are bought up front ({years}) and {residual:.0%} of their price is credited "
               "back as residual value in the last month",
        "lease": f"On-premises servers are leased over their {years} at {rate:.0%} a year, leaving {residual:.0%} "
                 "of the price to the lessor",
        "amortise": f"On-premises servers are amortised straight-line over their {years}, so only the months used "
                    "are charged",
    }[mode]
    return (f"{capex}; cloud GPU-hours get {prices['finance:cloud_price_decline']:.0%} cheaper each year; present "
            f"values discount at {rate:.0%} a year.")


def is_cloud_option(p: Placement) -> bool:
    """Serves the model in the public cloud and runs no GPU on the premises: nothing to buy."""
    return p.location("serving") == "public_cloud" and p.location("training") != "local"


def _reference(st: CostStructure, totals: np.ndarray) -> tuple[int | None, str]:
    """The cheapest feasible cloud option (break-even is measured against it), and a sentence saying which."""
    cloud = [i for i, p in enumerate(st.placements) if is_cloud_option(p)]
    feasible = [i for i in cloud if st.placements[i].feasible]
    if not feasible:
        return None, ("No break-even: no feasible option serves the model from the public cloud without GPUs "
                      "on the premises, so there is no cloud cost to pay back against.")
    best = min(feasible, key=lambda i: (round(float(totals[i]), 6), i))
    key = st.placements[best].key
    return best, (f"Break-even is measured against {option_words(key)}, the cheapest feasible option that "
                  "serves the model in the public cloud and buys no GPUs.")


def _finite(value: float) -> float:
    if not math.isfinite(value):  # guarded upstream; this is the last line of defence
        raise ExplorerError("The cost model produced a non-finite number; please report the assessment.")
    return value


def price_options(st: CostStructure, prices: Mapping[str, float]) -> CostResult:
    """Cost of all eight options month by month over the horizon, at these prices."""
    P = PriceReader(prices)
    rates, gpus = line_item_rates(st, P)
    months = st.months
    n = len(st.placements)
    items = {k: np.zeros((n, months)) for k in LINE_ITEMS}
    for name, terms in rates.items():
        for rate, pattern in terms:
            items[name] += np.asarray(rate, dtype=float).reshape(n, 1) * st.patterns[pattern]
    monthly = sum(items.values())
    cumulative = np.cumsum(monthly, axis=1)
    totals = monthly.sum(axis=1)
    # Present value: each month's cost discounted to today at the yearly rate (paid at the end of the month).
    discount = (1.0 + prices["finance:discount_rate"]) ** (-(np.arange(months) + 1) / 12.0)
    present = monthly @ discount
    ref_index, reference_note = _reference(st, totals)
    traffic = prices["eff:traffic_multiplier"]
    tokens = st.tokens_per_month * traffic * months
    runs = st.pattern_sums["train"]
    horizon_hours = st.hours * months
    per_server = gpus_per_server(st.catalog, st.onprem_gpu) if np.any(gpus.onprem > 0) else 1
    cloud, summary = gpus.cloud, None
    if cloud is not None and st.plan is not None:
        summary = summarise(st.plan, cloud, st.cloud_gpu.name, st.hours, st.days, prices[st.cloud_price_key()],
                            st.assessment.workload.requests_per_day, st.assessment.workload.peak_factor, P)
    cloud_months = st.pattern_sums["cloud_ones"]
    options = []
    for i, o in enumerate(st.placements):
        serving = option_fields(cloud, bool(st.serve_cloud[i]), cloud_months)
        total = _finite(float(totals[i]))
        onprem_hours = float(gpus.onprem[i]) * horizon_hours
        training = float(gpus.onprem_training_hours[i]) * runs
        busy = float(gpus.onprem_serving[i] * gpus.onprem_serving_busy[i]) * horizon_hours + training
        options.append(
            OptionCost(
                scenario=o.scenario, use_case=o.use_case, stages={s: p.location for s, p in o.stages.items()},
                total=total, monthly=monthly[i], items={k: v[i] for k, v in items.items()},
                line_items={k: float(v[i].sum()) for k, v in items.items()},
                per_million_tokens=total / (tokens / 1e6) if tokens >= 1 else None,  # under one token: not defined
                break_even_month=(None if ref_index is None or i == ref_index
                                  else _break_even(cumulative[i], cumulative[ref_index])),
                cloud_serving_gpus=int(gpus.cloud_serving[i]), onprem_gpus=int(gpus.onprem[i]),
                onprem_gpus_new=int(gpus.onprem_new[i]), feasible=o.feasible,
                gpu_hours_cloud=serving["cloud_gpus_average"] * horizon_hours
                + float(gpus.cloud_training_hours[i]) * runs,
                **serving,
                gpu_hours_onprem=onprem_hours, gpu_hours_onprem_busy=min(busy, onprem_hours),
                gpu_hours_onprem_training=training, onprem_gpus_training=int(gpus.onprem_training[i]),
                onprem_servers=-(-int(gpus.onprem[i]) // per_server),
                staff_fte=float(gpus.staff_fte[i]), present_value=_finite(float(present[i])),
            )
        )
    notes = list(st.notes)
    if st.demand <= 0:
        notes.append("No requests per day: serving costs nothing and cost per million tokens is not defined.")
    return CostResult(
        currency=CURRENCY, horizon_months=months, provider=st.provider, cloud_gpu=st.cloud_gpu.id,
        onprem_gpu=st.onprem_gpu.id, options=tuple(options),
        reference=None if ref_index is None else options[ref_index].key, reference_note=reference_note,
        finance_note=finance_note(st.capex_mode, st.life, prices),
        training_cloud=st.training_cloud, training_local=st.training_local, serving_cloud=st.serving_cloud,
        serving_local=st.serving_local, prices=dict(prices), used=tuple(P.used), tokens_generated=tokens,
        notes=tuple(notes), **(summary.fields() if summary else {}),
    )



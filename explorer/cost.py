"""Cost: month by month for every scenario × use case, with break-even, sensitivity and uncertainty.

One vectorised core (:func:`_rates`) prices every line item of all eight options as
``rate × monthly pattern``. The deterministic evaluation uses it once with the resolved prices;
the uncertainty run uses it once with thousands of sampled prices and efficiencies at once
(arrays of shape samples × options), so both always agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from explorer.assessment import Assessment
from explorer.catalog import SCENARIO_IDS, USE_CASE_IDS, Catalog, option_key
from explorer.errors import ExplorerError
from explorer.placement import OptionPlacement, place_option
from explorer.sizing import (
    ServingSizing,
    TrainingSizing,
    requests_per_second,
    size_serving,
    size_training,
    training_flops_factor,
)

CURRENCY = "USD"
REFERENCE = (2, "1B")  # the all-cloud option break-even is measured against
SECONDS_PER_DAY = 86_400.0
BAND_SAMPLES = 2_000  # month-by-month bands use the first 2,000 samples; P10/P50/P90 totals use all
LINE_ITEMS: dict[str, str] = {
    "cloud_training": "Cloud GPU-hours for training and retraining",
    "cloud_serving": "Cloud serving (replicas × hours)",
    "capex": "On-premises GPU servers",
    "power": "Power × PUE",
    "space": "Data-centre space",
    "support": "Support and subscriptions",
    "staff": "Operations staff",
    "storage": "Storage",
    "egress": "Egress",
    "link": "Dedicated link",
}
EVENT_FLOWS = ("training_data", "weights")  # flows that happen at each training run, not every month
_STRUCTURAL = ("onprem:amortisation_years",)  # non-efficiency prices that change the monthly patterns
WORKLOAD_INPUTS: dict[str, str] = {
    "requests_per_day": "Requests per day",
    "output_tokens": "Output tokens per request",
    "input_tokens": "Input tokens per request",
    "peak_factor": "Peak factor",
    "dataset_tokens": "Dataset tokens",
    "epochs": "Epochs",
    "retrain_every_months": "Retrain every (months)",
}


class PricingError(ValueError, ExplorerError):
    """A price the cost model needs is missing from the catalog (e.g. a GPU a provider does not offer)."""


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class OptionCost(_Result):
    scenario: int
    use_case: str
    stages: dict[str, str]
    total: float
    monthly: np.ndarray  # (months,) cost per month
    items: dict[str, np.ndarray]  # line item -> (months,)
    line_items: dict[str, float]  # line item -> total over the horizon
    per_million_tokens: float | None  # None when no tokens are generated
    break_even_month: int | None  # first month from which it stays at or below the reference; None if never
    cloud_serving_gpus: int
    onprem_gpus: int  # GPUs the option runs on premises
    onprem_gpus_new: int  # of which bought

    @property
    def key(self) -> str:
        return option_key(self.scenario, self.use_case)

    @property
    def cumulative(self) -> np.ndarray:
        return np.cumsum(self.monthly)


class CostResult(_Result):
    currency: str
    horizon_months: int
    provider: str
    cloud_gpu: str
    onprem_gpu: str
    options: tuple[OptionCost, ...]
    reference: str
    training_cloud: TrainingSizing | None
    training_local: TrainingSizing | None
    serving_cloud: ServingSizing | None
    serving_local: ServingSizing | None
    prices: dict[str, float]  # every resolved price and factor
    used: tuple[str, ...]  # the price keys this evaluation read
    tokens_generated: float
    notes: tuple[str, ...]

    def option(self, scenario: int, use_case: str) -> OptionCost:
        for o in self.options:
            if o.scenario == scenario and o.use_case == use_case:
                return o
        raise KeyError((scenario, use_case))

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``python -m explorer cost --json`` (more keys than the contract names)."""
        return {
            "currency": self.currency,
            "horizon_months": self.horizon_months,
            "provider": self.provider,
            "cloud_gpu": self.cloud_gpu,
            "onprem_gpu": self.onprem_gpu,
            "reference": self.reference,
            "tokens_generated": self.tokens_generated,
            "options": [
                {
                    "scenario": o.scenario,
                    "use_case": o.use_case,
                    "stages": o.stages,
                    "total": o.total,
                    "monthly": [float(v) for v in o.monthly],
                    "line_items": o.line_items,
                    "per_million_tokens": o.per_million_tokens,
                    "break_even_month": o.break_even_month,
                    "cloud_serving_gpus": o.cloud_serving_gpus,
                    "onprem_gpus": o.onprem_gpus,
                    "onprem_gpus_new": o.onprem_gpus_new,
                }
                for o in self.options
            ],
            "sizing": {
                "training_cloud": self.training_cloud.model_dump() if self.training_cloud else None,
                "training_local": self.training_local.model_dump() if self.training_local else None,
                "serving_cloud": self.serving_cloud.model_dump() if self.serving_cloud else None,
                "serving_local": self.serving_local.model_dump() if self.serving_local else None,
            },
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------------------------
# Prices
# --------------------------------------------------------------------------------------------


def resolve_prices(catalog: Catalog, assessment: Assessment) -> dict[str, float]:
    """Catalog defaults with the assessment's overrides applied."""
    prices = {key: item.value for key, item in catalog.price_items.items()}
    for key, value in assessment.prices.items():
        catalog.price_item(key)  # an unknown key names the allowed ones
        prices[key] = float(value)
    return prices


class _Prices:
    """Price lookups that remember which keys were read (for the tornado and the uncertainty run)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.used: list[str] = []

    def __call__(self, key: str) -> Any:
        if key not in self.used:
            self.used.append(key)
        return self.values[key]

    __getitem__ = __call__


# --------------------------------------------------------------------------------------------
# Structure: everything that does not change when a price is sampled
# --------------------------------------------------------------------------------------------


class _Structure:
    def __init__(self, catalog: Catalog, a: Assessment, prices: Mapping[str, float]) -> None:
        w, c = a.workload, a.constraints
        self.catalog, self.assessment = catalog, a
        self.months = a.horizon_months
        self.provider = c.cloud_provider
        self.cloud_gpu = catalog.gpu(a.costing.gpu)
        self.owned = c.owned_gpus.count
        self.onprem_gpu = catalog.gpu(c.owned_gpus.gpu if self.owned > 0 else a.costing.gpu)
        self.pricing = a.costing.cloud_pricing
        self.model = catalog.model(w.model)
        self.placements: list[OptionPlacement] = [
            place_option(catalog, a, s, u) for s in SCENARIO_IDS for u in USE_CASE_IDS
        ]
        loc = {stage: np.array([o.location(stage) for o in self.placements]) for stage in ("training", "serving")}
        data = np.array([o.location("data") for o in self.placements])
        trains = w.finetune_method != "none"
        self.train_cloud = (loc["training"] == "public_cloud") & trains
        self.train_local = (loc["training"] == "local") & trains
        self.serve_cloud = loc["serving"] == "public_cloud"
        self.serve_local = loc["serving"] == "local"
        self.days = catalog.assumption("days_per_month")
        self.hours = self.days * 24.0
        self.demand = w.requests_per_day / SECONDS_PER_DAY * w.peak_factor  # requests/s at peak
        self.notes: list[str] = []

        traffic = prices["eff:traffic_multiplier"]
        self.training_cloud = self._train(self.cloud_gpu, prices) if self.train_cloud.any() else None
        self.training_local = self._train(self.onprem_gpu, prices) if self.train_local.any() else None
        self.serving_cloud = self._serve(self.cloud_gpu, prices, traffic) if self.serve_cloud.any() else None
        self.serving_local = self._serve(self.onprem_gpu, prices, traffic) if self.serve_local.any() else None
        for s in (self.serving_cloud, self.serving_local, self.training_cloud, self.training_local):
            if s is not None:
                self.notes.extend(n for n in s.notes if n not in self.notes)

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
        life = max(1, round(prices["onprem:amortisation_years"] * 12))
        if a.costing.capex == "buy":
            self.patterns["capex"] = (m % life == 0).astype(float)
        else:
            self.patterns["capex"] = np.full(self.months, 1.0 / life)
        self.pattern_sums = {k: float(v.sum()) for k, v in self.patterns.items()}
        self.tokens_per_month = w.requests_per_day * w.output_tokens * self.days  # at the forecast traffic

    def _train(self, gpu, prices: Mapping[str, float]) -> TrainingSizing:
        w = self.assessment.workload
        return size_training(self.model, gpu, w.finetune_method, w.dataset_tokens, w.epochs, prices,
                             max_days=self.assessment.costing.training_days)

    def _serve(self, gpu, prices: Mapping[str, float], traffic: float) -> ServingSizing:
        w = self.assessment.workload
        return size_serving(
            self.model, gpu, prices, precision=self.assessment.costing.serving_precision,
            input_tokens=w.input_tokens, output_tokens=w.output_tokens, tpot_ms=w.tpot_target_ms,
            peak_requests_per_second=self.demand * traffic,
        )

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


def _replicas(s: ServingSizing, demand: float, P: _Prices) -> Any:
    """Replicas for the peak demand, re-evaluated under (possibly sampled) efficiencies."""
    # The sizing scaled the group by tp_efficiency per doubling; rescale to the (sampled) factor.
    group = np.power(P("eff:tensor_parallel_efficiency") / s.tp_efficiency, np.log2(s.tensor_parallel))
    rate, _, _ = requests_per_second(
        s.step_bytes, s.step_flops, s.prefill_flops, s.weight_bytes, s.replica_bandwidth * group,
        s.replica_flops * group,
        s.batch, s.output_tokens, P("eff:decode_bandwidth_efficiency"), P("eff:decode_compute_efficiency"),
        P("eff:prefill_mfu"),
    )
    need = demand * P("eff:traffic_multiplier")
    return np.where(need > 0, np.ceil(need / rate - 1e-9), 0.0)


class _Gpus(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    cloud_serving: Any  # GPUs serving in the cloud, per option
    onprem: Any  # GPUs running on premises, per option
    onprem_new: Any  # of which bought


def _rates(st: _Structure, P: _Prices) -> tuple[dict[str, list[tuple[Any, str]]], _Gpus]:
    """Every line item as [(rate, pattern)], rates broadcast to (samples, 8 options) or (8,)."""
    cloud_price = P(st.cloud_price_key())
    items: dict[str, list[tuple[Any, str]]] = {k: [] for k in LINE_ITEMS}

    if st.training_cloud is not None:
        t = st.training_cloud
        peak = st.cloud_gpu.tflops["bf16"] * 1e12
        base_flops = 6.0 * st.model.active_params_b * 1e9 * t.tokens
        hours = base_flops * training_flops_factor(t.method, P) / (peak * P("eff:training_mfu")) / 3600.0
        items["cloud_training"].append((st.train_cloud * hours * cloud_price, "train"))

    zero = np.zeros(len(st.placements))
    serving_gpus_cloud = zero
    if st.serving_cloud is not None:
        replicas = _replicas(st.serving_cloud, st.demand, P)
        serving_gpus_cloud = st.serve_cloud * (replicas * st.serving_cloud.tensor_parallel)
        items["cloud_serving"].append((serving_gpus_cloud * st.hours * cloud_price, "ones"))

    need = zero
    if st.serving_local is not None:
        replicas = _replicas(st.serving_local, st.demand, P)
        need = need + st.serve_local * (replicas * st.serving_local.tensor_parallel)
    if st.training_local is not None:
        need = need + st.train_local * st.training_local.gpus
    need = np.asarray(need, dtype=float)
    new = np.maximum(need - st.owned, 0.0)
    running = need
    if np.any(running > 0):
        server = P(f"onprem:{st.onprem_gpu.id}:server")
        items["capex"].append((new * server, "capex"))
        server_kw = st.onprem_gpu.power_w * P("onprem:server_power_factor") / 1000.0
        energy_kwh = server_kw * P("onprem:load_factor") * P("onprem:pue") * st.hours
        items["power"].append((running * energy_kwh * P("onprem:power_kwh"), "ones"))
        items["space"].append((running * server_kw * P("onprem:space_kw_month"), "ones"))
        items["support"].append((running * server * P("onprem:support_pct_year") / 12.0, "ones"))
        fte = np.maximum(P("onprem:staff_min_fte"), running / P("onprem:staff_gpus_per_fte"))
        items["staff"].append(((running > 0) * fte * P("onprem:staff_fte_year") / 12.0, "ones"))

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
    return items, _Gpus(cloud_serving=serving_gpus_cloud, onprem=need, onprem_new=new)


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


def _finite(value: float) -> float:
    if not math.isfinite(value):  # guarded upstream; this is the last line of defence
        raise ExplorerError("The cost model produced a non-finite number; please report the assessment.")
    return value


def evaluate(catalog: Catalog, assessment: Assessment) -> CostResult:
    """Cost of all eight options month by month over the assessment's horizon."""
    prices = resolve_prices(catalog, assessment)
    return _evaluate(_Structure(catalog, assessment, prices), prices)


def _evaluate(st: _Structure, prices: Mapping[str, float]) -> CostResult:
    P = _Prices(prices)
    rates, gpus = _rates(st, P)
    months = st.months
    n = len(st.placements)
    items = {k: np.zeros((n, months)) for k in LINE_ITEMS}
    for name, terms in rates.items():
        for rate, pattern in terms:
            items[name] += np.asarray(rate, dtype=float).reshape(n, 1) * st.patterns[pattern]
    monthly = sum(items.values())
    cumulative = np.cumsum(monthly, axis=1)
    ref_index = [(o.scenario, o.use_case) for o in st.placements].index(REFERENCE)
    traffic = prices["eff:traffic_multiplier"]
    tokens = st.tokens_per_month * traffic * months
    options = []
    for i, o in enumerate(st.placements):
        total = _finite(float(monthly[i].sum()))
        options.append(
            OptionCost(
                scenario=o.scenario, use_case=o.use_case, stages={s: p.location for s, p in o.stages.items()},
                total=total, monthly=monthly[i], items={k: v[i] for k, v in items.items()},
                line_items={k: float(v[i].sum()) for k, v in items.items()},
                per_million_tokens=total / (tokens / 1e6) if tokens > 0 else None,
                break_even_month=None if i == ref_index else _break_even(cumulative[i], cumulative[ref_index]),
                cloud_serving_gpus=int(gpus.cloud_serving[i]), onprem_gpus=int(gpus.onprem[i]),
                onprem_gpus_new=int(gpus.onprem_new[i]),
            )
        )
    notes = list(st.notes)
    if st.demand <= 0:
        notes.append("No requests per day: serving costs nothing and cost per million tokens is not defined.")
    return CostResult(
        currency=CURRENCY, horizon_months=months, provider=st.provider, cloud_gpu=st.cloud_gpu.id,
        onprem_gpu=st.onprem_gpu.id, options=tuple(options), reference=option_key(*REFERENCE),
        training_cloud=st.training_cloud, training_local=st.training_local, serving_cloud=st.serving_cloud,
        serving_local=st.serving_local, prices=dict(prices), used=tuple(P.used), tokens_generated=tokens,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# Sensitivity: ±X% on each input, ranked (the tornado)
# --------------------------------------------------------------------------------------------


class SensitivityRow(_Result):
    input: str
    label: str
    base_value: float
    low_value: float
    high_value: float
    low_total: float
    high_total: float

    @property
    def swing(self) -> float:
        return abs(self.high_total - self.low_total)


class Sensitivity(_Result):
    scenario: int
    use_case: str
    pct: float
    base_total: float
    rows: tuple[SensitivityRow, ...]  # largest swing first


def _with_workload(a: Assessment, field: str, value: float) -> Assessment:
    if field in ("input_tokens", "output_tokens", "retrain_every_months"):
        value = round(value)
    if field == "peak_factor":
        value = max(1.0, value)
    return a.model_copy(update={"workload": a.workload.model_copy(update={field: value})})


def sensitivity(
    catalog: Catalog, assessment: Assessment, pct: float | None = None, base: CostResult | None = None
) -> Sensitivity:
    """Move each input the chosen option depends on by ±pct% and rank the inputs by the swing in its total."""
    pct = assessment.costing.sensitivity_pct if pct is None else pct
    structure = _Structure(catalog, assessment, resolve_prices(catalog, assessment))
    base = base or _evaluate(structure, resolve_prices(catalog, assessment))
    s, u = assessment.scenario, assessment.use_case
    base_total = base.option(s, u).total
    lo, hi = 1 - pct / 100.0, 1 + pct / 100.0
    rows: list[SensitivityRow] = []
    for key in base.used:
        item = catalog.price_items[key]
        value = base.prices[key]
        if value == 0:
            continue
        low_v, high_v = min(max(value * lo, item.min), item.max), min(max(value * hi, item.min), item.max)
        totals = []
        for v in (low_v, high_v):
            if key.startswith("eff:") or key in _STRUCTURAL:
                changed = assessment.model_copy(update={"prices": {**assessment.prices, key: v}})
                totals.append(evaluate(catalog, changed).option(s, u).total)
            else:  # a plain price: sizing, placement and patterns stay as they are
                totals.append(_evaluate(structure, {**base.prices, key: v}).option(s, u).total)
        rows.append(SensitivityRow(input=key, label=f"{item.label} ({item.group})", base_value=value,
                                   low_value=low_v, high_value=high_v, low_total=totals[0], high_total=totals[1]))
    for field, label in WORKLOAD_INPUTS.items():
        value = float(getattr(assessment.workload, field))
        if value == 0:
            continue
        totals, values = [], []
        for factor in (lo, hi):
            changed = _with_workload(assessment, field, value * factor)
            values.append(float(getattr(changed.workload, field)))
            totals.append(evaluate(catalog, changed).option(s, u).total)
        rows.append(SensitivityRow(input=f"workload.{field}", label=label, base_value=value, low_value=values[0],
                                   high_value=values[1], low_total=totals[0], high_total=totals[1]))
    rows = [r for r in rows if r.swing > 1e-9 * max(1.0, base_total)]
    rows.sort(key=lambda r: (-r.swing, r.input))
    return Sensitivity(scenario=s, use_case=u, pct=pct, base_total=base_total, rows=tuple(rows))


# --------------------------------------------------------------------------------------------
# Uncertainty: sample the uncertain inputs, P10/P50/P90 (vectorised)
# --------------------------------------------------------------------------------------------


class Uncertainty(_Result):
    samples: int
    inputs: tuple[str, ...]  # the sampled price keys
    p10: dict[str, float]  # option key -> total
    p50: dict[str, float]
    p90: dict[str, float]
    cumulative_p10: dict[str, np.ndarray]  # option key -> (months,)
    cumulative_p50: dict[str, np.ndarray]
    cumulative_p90: dict[str, np.ndarray]


def uncertainty(
    catalog: Catalog, assessment: Assessment, samples: int = 2000, seed: int = 20240723, bands: bool = True
) -> Uncertainty:
    """Triangular samples (low, value, high) of every uncertain input the evaluation reads.

    An overridden value keeps the catalog's relative spread. Training GPU-hours scale with
    1/MFU; serving replicas are recomputed from the roofline at the sampled efficiencies with
    the batch and tensor-parallel size of the base sizing.
    """
    if samples < 1:
        raise ExplorerError(f"Uncertainty samples must be at least 1 (got {samples}).")
    prices = resolve_prices(catalog, assessment)
    st = _Structure(catalog, assessment, prices)
    probe = _Prices(prices)
    _rates(st, probe)
    rng = np.random.default_rng(seed)
    values: dict[str, Any] = dict(prices)
    sampled: list[str] = []
    for key in probe.used:
        item = catalog.price_items[key]
        if item.low is None or item.high is None or item.value <= 0 or item.high <= item.low:
            continue
        scale = prices[key] / item.value
        low, high = item.low * scale, item.high * scale
        if not high > low:  # an override of 0 leaves nothing to sample
            continue
        mode = min(max(prices[key], low), high)
        values[key] = rng.triangular(low, mode, high, size=(samples, 1))
        sampled.append(key)
    rates, _ = _rates(st, _Prices(values))
    n, months = len(st.placements), st.months
    cum = {k: np.cumsum(v) for k, v in st.patterns.items()}
    # Totals: each pattern's sum times the rates that use it -> (samples, options).
    coeff = {k: np.zeros((samples, n)) for k in st.patterns}
    for terms in rates.values():
        for rate, pattern in terms:
            coeff[pattern] += np.broadcast_to(np.asarray(rate, dtype=float), (samples, n))
    totals = sum(coeff[k] * st.pattern_sums[k] for k in coeff)
    keys = [option_key(o.scenario, o.use_case) for o in st.placements]
    q = np.percentile(np.ascontiguousarray(totals.T), [10, 50, 90], axis=1)
    result: dict[str, Any] = {"p10": {}, "p50": {}, "p90": {}, "cumulative_p10": {}, "cumulative_p50": {},
                              "cumulative_p90": {}}
    done: dict[bytes, str] = {}  # options with identical stages have identical samples: compute once
    for i, key in enumerate(keys):
        result["p10"][key], result["p50"][key], result["p90"][key] = (float(x) for x in q[:, i])
        for name in ("cumulative_p10", "cumulative_p50", "cumulative_p90"):
            result[name][key] = np.zeros(months)
        if not bands:
            continue
        signature = b"".join(coeff[k][:BAND_SAMPLES, i].tobytes() for k in coeff)
        if signature in done:
            for name in ("cumulative_p10", "cumulative_p50", "cumulative_p90"):
                result[name][key] = result[name][done[signature]]
            continue
        done[signature] = key
        # (months, samples), so the partition runs along contiguous memory.
        path = np.zeros((months, min(samples, BAND_SAMPLES)))
        for k in coeff:
            if st.pattern_sums[k]:
                path += cum[k][:, None] * coeff[k][:BAND_SAMPLES, i]
        band = np.percentile(path, [10, 50, 90], axis=1)
        result["cumulative_p10"][key], result["cumulative_p50"][key], result["cumulative_p90"][key] = band
    return Uncertainty(samples=samples, inputs=tuple(sampled), **result)


class CostAnalysis(_Result):
    result: CostResult
    sensitivity: Sensitivity
    uncertainty: Uncertainty


def analyse(catalog: Catalog, assessment: Assessment, samples: int = 2000) -> CostAnalysis:
    """Everything the Cost page and the Explorer's cost panel show, from one call."""
    result = evaluate(catalog, assessment)
    return CostAnalysis(
        result=result,
        sensitivity=sensitivity(catalog, assessment, base=result),
        uncertainty=uncertainty(catalog, assessment, samples=samples),
    )

"""Cost: line items, totals, per-million, break-even, sensitivity and uncertainty — against hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.engine.cost import _break_even, _finite, line_item_rates
from explorer.engine.pipeline import cost_of as evaluate
from explorer.engine.pipeline import structure_of
from explorer.engine.prices import PriceReader, resolve_prices
from explorer.engine.sensitivity import sensitivity
from explorer.engine.uncertainty import uncertainty
from explorer.model.assessment import Assessment
from explorer.model.catalog import load_catalog
from explorer.model.errors import AssessmentError, ExplorerError, PricingError, UnknownChoiceError
from explorer.model.loading import parse_assessment

HOURS = 30.4375 * 24  # 730.5 hours in an average month
# Llama 3.1 8B LoRA on 1e9 tokens: 6 · 8.03e9 · 1e9 · (0.6667 + 1/3) FLOPs (LoRA's 4/6 of 6·N·D plus the
# forward pass that activation checkpointing recomputes) at 40% of 989 TFLOPS.
TRAIN_HOURS = 6 * 8.03e9 * 1e9 * (0.6667 + 1 / 3) / (989e12 * 0.40) / 3600  # ≈ 33.83 GPU-hours per run
KW_PER_GPU = 0.700 * 1.82  # board power × server overhead (DGX H100: 10.2 kW / 8 GPUs / 0.7 kW)
SIMPLE = {
    "scenario": 3,
    "use_case": "1A",
    "horizon_months": 12,
    "workload": {
        "model": "llama-3.1-8b", "finetune_method": "lora", "dataset_tokens": 1e9, "epochs": 1,
        "retrain_every_months": 6, "requests_per_day": 86_400, "input_tokens": 800, "output_tokens": 300,
        "tpot_target_ms": 1000, "peak_factor": 1,
    },
    "constraints": {"data_classification": "internal", "residency": "none", "cloud_provider": "aws",
                    "compliance": []},
    # The line items by hand without finance: no residual credit, flat cloud prices (tests/test_finance.py
    # checks both by hand on this same case).
    "finance": {"residual_value": 0, "cloud_price_decline": 0},
}


def simple(**changes) -> Assessment:
    raw = {**SIMPLE, **changes}
    return parse_assessment(raw)


@pytest.fixture(scope="module")
def result(catalog):
    return evaluate(catalog, simple())


def test_sizing_behind_the_simple_case(result):
    # 1 request/s at peak; one H100 serves ≈ 20 requests/s (see test_sizing), so one replica of one GPU.
    assert result.serving_cloud.replicas == 1 and result.serving_cloud.gpus == 1
    assert result.training_cloud.gpu_hours == pytest.approx(TRAIN_HOURS)
    assert result.training_local.gpus == 1


def test_all_cloud_option_by_hand(result):
    o = result.option(2, "1B")
    assert o.stages == {"training": "public_cloud", "serving": "public_cloud", "inference": "public_cloud",
                        "data": "public_cloud"}
    runs = 2  # months 0 and 6 of 12
    assert o.line_items["cloud_training"] == pytest.approx(TRAIN_HOURS * 6.88 * runs)
    # One replica on one GPU, but AWS sells H100s only as p5.48xlarge with 8 GPUs: 8 GPUs all month. (LoRA:
    # Bedrock serves no LoRA fine-tune per token, so there is no endpoint to compare; tests/test_endpoints.py.)
    assert o.line_items["cloud_serving"] == pytest.approx(8 * HOURS * 6.88 * 12)
    assert (o.serving_mode, o.cloud_serving_gpus, o.cloud_gpus_average) == ("dedicated", 8, 8)
    dataset_gb, weights_gb = 1e9 * 4 / 1e9, 8.03e9 * 2 / 1e9  # 4 bytes per token; bf16 weights
    assert o.line_items["storage"] == pytest.approx((dataset_gb + weights_gb) * 0.023 * 12)
    # Users reach the cloud application over the internet (no link); their completions leave the cloud.
    assert o.line_items["link"] == 0
    assert o.line_items["egress"] == pytest.approx(300 * 4 * 86_400 * 30.4375 / 1e9 * 0.09 * 12)
    assert o.line_items["capex"] == o.line_items["power"] == o.line_items["staff"] == 0
    assert o.total == pytest.approx(sum(o.line_items.values()))
    egress = 300 * 4 * 86_400 * 30.4375 / 1e9 * 0.09
    assert o.monthly[0] == pytest.approx(TRAIN_HOURS * 6.88 + 8 * HOURS * 6.88 + (dataset_gb + weights_gb) * 0.023
                                         + egress)
    assert o.monthly[1] == pytest.approx(8 * HOURS * 6.88 + (dataset_gb + weights_gb) * 0.023 + egress)
    assert o.break_even_month is None  # it is the reference


def test_all_local_option_by_hand(result):
    o = result.option(3, "1A")
    gpus = 2  # one serving + one for fine-tuning
    assert (o.onprem_gpus, o.onprem_gpus_new, o.cloud_serving_gpus) == (gpus, gpus, 0)
    assert o.line_items["capex"] == pytest.approx(gpus * 37_500)  # bought in month 0, 5-year life
    assert o.items["capex"][0] == pytest.approx(75_000) and o.items["capex"][1:].sum() == 0
    power = gpus * KW_PER_GPU * 0.7 * 1.56 * HOURS * 0.082  # load factor, PUE, $/kWh
    assert o.line_items["power"] == pytest.approx(power * 12)
    assert o.line_items["space"] == pytest.approx(gpus * KW_PER_GPU * 180 * 12)
    assert o.line_items["support"] == pytest.approx(gpus * 37_500 * 0.10)  # 10% a year, one year
    # Staff per server: ceil(2 GPUs / 8 per HGX server) = 1 server ÷ 50 servers per FTE = 0.02 FTE, below the
    # 0.1 FTE floor, so 0.1 FTE × $200,000 for the year.
    assert o.onprem_servers == 1 and o.staff_fte == pytest.approx(0.1)
    assert o.line_items["staff"] == pytest.approx(max(0.1, math.ceil(gpus / 8) / 50) * 200_000)
    assert o.line_items["storage"] == pytest.approx((4 + 16.06) * 0.02 * 12)
    assert o.line_items["cloud_training"] == o.line_items["cloud_serving"] == 0
    tokens = 86_400 * 300 * 30.4375 * 12  # requests/day × output tokens × days/month × months
    assert result.tokens_generated == pytest.approx(tokens)
    assert o.per_million_tokens == pytest.approx(o.total / (tokens / 1e6))


def test_break_even_by_hand(result):
    local, cloud = result.option(3, "1A").cumulative, result.option(2, "1B").cumulative
    above = [m for m in range(12) if local[m] > cloud[m] * (1 + 1e-6)]
    expected = None if above and above[-1] == 11 else (above[-1] + 2 if above else 1)
    assert result.option(3, "1A").break_even_month == expected


def test_break_even_helper():
    ref = np.array([10.0, 20.0, 30.0, 40.0])
    assert _break_even(np.array([5.0, 10.0, 15.0, 20.0]), ref) == 1  # cheaper from the start
    assert _break_even(np.array([25.0, 30.0, 35.0, 38.0]), ref) == 4  # crosses in month 4
    assert _break_even(np.array([25.0, 30.0, 35.0, 45.0]), ref) is None  # never
    assert _break_even(np.array([5.0, 25.0, 28.0, 39.0]), ref) == 3  # dips, rises, then stays below


def test_amortised_capex(catalog):
    o = evaluate(catalog, simple(costing={"capex": "amortise"})).option(3, "1A")
    assert o.line_items["capex"] == pytest.approx(2 * 37_500 * 12 / 60)  # 12 of 60 months
    assert o.items["capex"][0] == pytest.approx(75_000 / 60)


def test_buying_again_after_the_server_life(catalog):
    o = evaluate(catalog, simple(horizon_months=240)).option(3, "1A")
    assert o.line_items["capex"] == pytest.approx(4 * 75_000)  # months 0, 60, 120, 180


def test_owned_gpus_reduce_capex_not_running_costs(catalog):
    base = evaluate(catalog, simple()).option(3, "1A")
    owned = evaluate(catalog, simple(constraints={**SIMPLE["constraints"],
                                                  "owned_gpus": {"gpu": "h100-sxm", "count": 1}})).option(3, "1A")
    assert owned.onprem_gpus_new == 1 and owned.onprem_gpus == 2
    assert owned.line_items["capex"] == pytest.approx(37_500)
    assert owned.line_items["power"] == pytest.approx(base.line_items["power"])


def test_committed_pricing(catalog):
    o = evaluate(catalog, simple(costing={"cloud_pricing": "committed"})).option(2, "1B")
    assert o.line_items["cloud_serving"] == pytest.approx(8 * HOURS * 4.47 * 12)  # one p5.48xlarge


def test_price_overrides_apply(catalog):
    a = simple(prices={"aws:h100-sxm:on_demand": 2.0, "onprem:staff_fte_year": 100_000})
    r = evaluate(catalog, a)
    # One whole p5.48xlarge (8 GPUs) at $2.00 per GPU-hour, around the clock for 12 months.
    assert r.option(2, "1B").line_items["cloud_serving"] == pytest.approx(8 * HOURS * 2.0 * 12)
    assert r.option(3, "1A").line_items["staff"] == pytest.approx(0.1 * 100_000)  # the 0.1 FTE floor
    assert resolve_prices(catalog, a)["aws:h100-sxm:on_demand"] == 2.0


def test_egress_and_link_for_cloud_serving_with_local_inference(catalog):
    a = simple(scenario=4, use_case="1A")
    r = evaluate(catalog, a)
    o = r.option(4, "1A")
    assert o.stages["serving"] == "public_cloud" and o.stages["inference"] == "local"
    assert o.line_items["link"] == pytest.approx(219 * 12)
    # Completions come back to the premises: 300 tokens × 4 bytes × requests/day × days; the data sync
    # of scenario 4 counts half (it goes both ways): 800 × 4 bytes × requests/day × days / 2.
    per_month_gb = ((300 * 4 * 86_400) + (800 * 4 * 86_400) / 2) * 30.4375 / 1e9
    assert o.line_items["egress"] == pytest.approx(per_month_gb * 0.09 * 12, rel=1e-6)


def test_zero_traffic_has_no_serving_cost_and_no_per_million(catalog):
    r = evaluate(catalog, simple(workload={**SIMPLE["workload"], "requests_per_day": 0}))
    for o in r.options:
        assert o.line_items["cloud_serving"] == 0
        assert o.per_million_tokens is None
        assert math.isfinite(o.total)
    assert any("No requests per day" in n for n in r.notes)


def test_unoffered_cloud_gpu_is_one_clear_message(catalog):
    a = simple(constraints={**SIMPLE["constraints"], "cloud_provider": "azure"}, costing={"gpu": "l4"})
    with pytest.raises(PricingError, match=r"^The cloud provider azure has no NVIDIA L4 24GB price; choose a cloud "
                                           r"GPU from: a100-80gb, h100-sxm, h200\.$"):
        evaluate(catalog, a)


def test_price_keys_are_checked_against_the_catalog(catalog):
    with pytest.raises(AssessmentError, match=r"field 'prices.aws:h999:on_demand': is not a known price; allowed "
                                              r"keys: aws:h100-sxm:on_demand, aws:h100-sxm:committed"):
        simple(prices={"aws:h999:on_demand": 1.0})
    with pytest.raises(AssessmentError, match=r"field 'prices.eff:training_mfu': must be from 0.01 to 1 "
                                              r"fraction of peak bf16 FLOPS \(got 2\)"):
        simple(prices={"eff:training_mfu": 2.0})
    with pytest.raises(AssessmentError,
                       match=r"field 'costing.gpu': is not in the catalog; choose from: .* \(got 'b200'\)\.$"):
        simple(costing={"gpu": "b200"})


def test_resolve_prices_rejects_an_unchecked_key(catalog):
    a = Assessment().model_copy(update={"prices": {"nope": 1.0}})
    with pytest.raises(UnknownChoiceError, match=r'^"nope" is not a valid price key\. Choose from: aws:h100'):
        resolve_prices(catalog, a)


def test_last_line_of_defence_against_non_finite_numbers():
    assert _finite(1.5) == 1.5
    with pytest.raises(ExplorerError, match="The cost model produced a non-finite number"):
        _finite(float("nan"))


# --- sensitivity --------------------------------------------------------------------------------


def test_sensitivity_of_the_cloud_price_by_hand(catalog):
    a = simple(scenario=2, use_case="1B")
    base = evaluate(catalog, a).option(2, "1B")
    s = sensitivity(catalog, a, pct=20)
    row = next(r for r in s.rows if r.input == "aws:h100-sxm:on_demand")
    cloud = base.line_items["cloud_training"] + base.line_items["cloud_serving"]
    assert row.low_total == pytest.approx(base.total - 0.2 * cloud)  # the GPU price enters linearly
    assert row.high_total == pytest.approx(base.total + 0.2 * cloud)
    assert row.low_value == pytest.approx(6.88 * 0.8)
    assert [r.swing for r in s.rows] == sorted((r.swing for r in s.rows), reverse=True)
    assert s.rows[0].input == "aws:h100-sxm:on_demand"  # the cloud bill dominates an all-cloud option
    assert all(not r.input.startswith("onprem:") for r in s.rows)  # nothing runs on premises


def test_sensitivity_covers_workload_inputs(catalog):
    s = sensitivity(catalog, simple(), pct=50)
    inputs = {r.input for r in s.rows}
    assert {"onprem:staff_fte_year", "workload.dataset_tokens"} <= inputs
    assert "workload.requests_per_day" not in inputs  # one replica serves 0.5 to 1.5 requests/s alike
    staff = next(r for r in s.rows if r.input == "onprem:staff_fte_year")
    assert staff.high_total - staff.low_total == pytest.approx(1.0 * 0.1 * 200_000)  # ±50% of 0.1 FTE for a year
    # Local training runs on owned GPUs (still one GPU at 1.5e9 tokens), so the dataset moves only its storage:
    # 4 GB × (1.5 − 0.5) × $0.02 per GB-month × 12 months.
    data = next(r for r in s.rows if r.input == "workload.dataset_tokens")
    assert data.high_total - data.low_total == pytest.approx(4 * 1.0 * 0.02 * 12)


# --- uncertainty ----------------------------------------------------------------------------------


def test_vectorised_rates_reproduce_the_deterministic_totals(catalog):
    a = simple(scenario=4, use_case="1A")
    prices = resolve_prices(catalog, a)
    st_ = structure_of(catalog, a)
    arrays = {k: np.full((3, 1), v) for k, v in prices.items()}  # three identical "samples"
    rates, _ = line_item_rates(st_, PriceReader(arrays))
    totals = sum(np.broadcast_to(np.asarray(r, dtype=float), (3, 8)) * st_.pattern_sums[p]
                 for terms in rates.values() for r, p in terms)
    expected = [o.total for o in evaluate(catalog, a).options]
    assert totals.shape == (3, 8)
    for row in totals:
        assert row == pytest.approx(expected)


def test_uncertainty_bands(catalog):
    a = simple(horizon_months=24)
    u = uncertainty(catalog, a, samples=3000, seed=1)
    assert u.samples == 3000 and "eff:training_mfu" in u.inputs and "onprem:power_kwh:us" in u.inputs
    for key in u.p50:
        assert u.p10[key] <= u.p50[key] <= u.p90[key]
        assert u.cumulative_p90[key].shape == (24,)
        assert np.all(np.diff(u.cumulative_p50[key]) >= -1e-6)  # cumulative cost never falls
        assert u.cumulative_p90[key][-1] == pytest.approx(u.p90[key], rel=0.05)  # bands use 2,000 of the samples
    assert u.p10["1-1A"] == u.p10["1-1B"]  # same stages, same samples
    assert uncertainty(catalog, a, samples=3000, seed=1).p50 == u.p50  # seeded: reproducible


def test_uncertainty_without_bands_and_bad_samples(catalog):
    u = uncertainty(catalog, simple(), samples=10, bands=False)
    assert not u.cumulative_p50["3-1A"].any()
    with pytest.raises(ExplorerError, match=r"^The number of uncertainty samples must be at least 1 \(got 0\)\.$"):
        uncertainty(catalog, simple(), samples=0)


# --- every assessment gives finite, non-negative numbers ------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    horizon=st.sampled_from([1, 2, 36, 240]),
    model=st.sampled_from(["llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "granite-3.1-8b", "llama-3.1-405b"]),
    method=st.sampled_from(["none", "full", "lora", "qlora"]),
    rpd=st.sampled_from([0.0, 1.0, 5e4, 1e7]),
    inp=st.sampled_from([0, 1, 800, 100_000]),
    out=st.sampled_from([0, 1, 300, 10_000]),
    tpot=st.sampled_from([0.5, 60.0, 10_000.0]),
    dataset=st.sampled_from([0.0, 1e6, 2e9]),
    retrain=st.sampled_from([0, 1, 3, 120]),
    provider=st.sampled_from(["aws", "gcp"]),
    gpu=st.sampled_from(["h100-sxm", "h200"]),
    scenario=st.integers(1, 4),
    zero_prices=st.booleans(),
    capex=st.sampled_from(["buy", "lease", "amortise"]),
)
def test_costs_are_finite_and_non_negative(horizon, model, method, rpd, inp, out, tpot, dataset, retrain,
                                           provider, gpu, scenario, zero_prices, capex):
    catalog = load_catalog()
    prices = {}
    if zero_prices:
        prices = {k: 0.0 for k, item in catalog.price_items.items() if item.min == 0}
    a = parse_assessment({
        "scenario": scenario, "horizon_months": horizon, "prices": prices, "costing": {"gpu": gpu, "capex": capex},
        "workload": {"model": model, "finetune_method": method, "requests_per_day": rpd, "input_tokens": inp,
                     "output_tokens": out, "tpot_target_ms": tpot, "dataset_tokens": dataset,
                     "retrain_every_months": retrain},
        "constraints": {"cloud_provider": provider},
    }, catalog=catalog)
    r = evaluate(catalog, a)
    for o in r.options:
        assert o.monthly.shape == (horizon,)
        # Every month costs something, except that the last may be a net credit: a bought server's residual value.
        assert np.all(np.isfinite(o.monthly)) and np.all(o.monthly[:-1] >= -1e-9)
        assert o.monthly[-1] >= o.items["residual"][-1] - 1e-9
        assert math.isfinite(o.total) and o.total >= 0
        assert all(math.isfinite(v) and (v >= 0 if k != "residual" else v <= 0) for k, v in o.line_items.items())
        assert -o.line_items["residual"] <= o.line_items["capex"] + 1e-6  # never more back than was paid
        assert math.isfinite(o.present_value)
        assert o.per_million_tokens is None or (math.isfinite(o.per_million_tokens) and o.per_million_tokens >= 0)
        assert o.break_even_month is None or 1 <= o.break_even_month <= horizon
    u = uncertainty(catalog, a, samples=50)
    assert all(math.isfinite(v) and v >= 0 for v in (*u.p10.values(), *u.p90.values()))

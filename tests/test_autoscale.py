"""Autoscaled, right-sized dedicated cloud serving: the daily demand profile, whole instances, minimum replicas,
scale-up lag and the utilisation of rented GPUs — against hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.engine.cloud_serving import demand_profile
from explorer.engine.pipeline import cost_of as evaluate
from explorer.model.catalog import load_catalog
from explorer.model.errors import CatalogError
from explorer.model.loading import parse_assessment

HOURS = 30.4375 * 24  # 730.5 hours in an average month
SHAPE = [0.15, 0.10, 0.10, 0.10, 0.10, 0.15, 0.30, 0.60, 1.00, 1.40, 1.60, 1.60,
         1.40, 1.50, 1.60, 1.50, 1.30, 1.00, 0.70, 0.50, 0.40, 0.30, 0.25, 0.20]  # data/autoscaling.yaml
# The issue's case: Llama 3.1 70B served as published, 10 million requests/day at a peak factor of 3, on AWS H100s.
BIG = {"scenario": 2, "use_case": "1B", "horizon_months": 12,
       "workload": {"requests_per_day": 10_000_000, "finetune_method": "none", "peak_factor": 3,
                    "cloud_serving": "dedicated"},
       "finance": {"cloud_price_decline": 0}}


def test_the_catalog_shape_is_the_default(catalog):
    profile = catalog.cloud_serving.autoscaling.profile
    assert list(profile.hourly) == SHAPE and profile.estimate
    assert catalog.price_items["autoscale:min_replicas"].value == 1
    assert catalog.price_items["autoscale:scale_up_lag_minutes"].value == 10


def test_profile_by_hand():
    # Peak factor 1: a flat day.
    flat, note = demand_profile(SHAPE, 1.0)
    assert np.array_equal(flat, np.ones(24)) and note == ""
    # The shape itself peaks at 1.6 / mean(shape) = 1.6 / 0.72708 = 2.2006 times its average: k = 1.
    mean = sum(SHAPE) / 24
    own, _ = demand_profile(SHAPE, 1.6 / mean)
    assert own == pytest.approx(np.array(SHAPE) / mean, rel=1e-9)
    # Peak factor 3: s^k / mean(s^k) with the k that makes max ÷ mean = 3; every hour keeps its rank.
    p, _ = demand_profile(SHAPE, 3.0)
    assert p.mean() == pytest.approx(1.0) and p.max() == pytest.approx(3.0)
    s = np.array(SHAPE) / 1.6
    k = math.log(p[0] / p[10]) / math.log(s[0] / s[10])  # hour 0 against a peak hour
    assert p == pytest.approx(s**k / np.mean(s**k), rel=1e-9)
    assert k > 1  # sharper than the shape itself


def test_a_peak_sharper_than_an_hour_is_said_and_billed_for_the_whole_hour():
    # Three hours share the shape's peak (1.6 at 10:00, 11:00 and 14:00): at most 24 / 3 = 8 in whole hours.
    p, note = demand_profile(SHAPE, 20.0)
    assert note == ("A peak factor of 20 is sharper than whole hours can show (at most 8 with this daily "
                    "profile): dedicated cloud serving is billed as if the peak lasted its whole hour.")
    assert list(np.flatnonzero(p)) == [10, 11, 14] and p.max() == 20


@given(peak=st.floats(1.0, 100.0))
@settings(max_examples=60, deadline=None)
def test_profile_properties(peak):
    p, note = demand_profile(SHAPE, peak)
    assert np.all(p >= 0) and np.all(np.isfinite(p))
    assert p.max() == pytest.approx(peak, rel=1e-6)
    if not note:
        assert p.mean() == pytest.approx(1.0, rel=1e-9)


def billed_by_hand(rate: float, tp: int, average_rps: float, profile: np.ndarray, unit: int = 8,
                   min_replicas: int = 1, lag_minutes: float = 10) -> tuple[list[float], float, float, float]:
    """Each hour: replicas = max(min, ceil(demand ÷ rate)); GPUs = ceil(replicas × tp ÷ 8) × 8 (whole p5s);
    a rise into the next hour is paid lag/60 of this hour early. Returns (GPUs by hour, billed, peak, busy)."""
    demand = [average_rps * q for q in profile]
    gpus = [math.ceil(max(min_replicas, math.ceil(d / rate - 1e-9)) * tp / unit - 1e-9) * unit for d in demand]
    billed = [g + lag_minutes / 60 * max(gpus[(h + 1) % 24] - g, 0) for h, g in enumerate(gpus)]
    busy = sum(d / rate * tp for d in demand) / 24
    return gpus, sum(billed) / 24, max(gpus), busy


def test_the_issues_case_by_hand():
    catalog = load_catalog()
    r = evaluate(catalog, parse_assessment(BIG))
    o, s = r.option(2, "1B"), r.serving_cloud
    rate, tp = s.requests_per_second_per_replica, s.tensor_parallel
    assert (tp, rate) == (4, pytest.approx(8.1733, abs=1e-4))  # vLLM's profile at the peak (tests/test_sizing.py)
    average = 10_000_000 / 86_400  # 115.74 requests/s
    profile, _ = demand_profile(SHAPE, 3.0)
    gpus, billed, peak, busy = billed_by_hand(rate, tp, average, profile)
    assert len(gpus) == 24 and min(gpus) == 8  # one replica's p5.48xlarge at night
    # At the peak, 3 × 115.74 = 347.2 requests/s need ceil(347.2 / 8.173) = 43 replicas × 4 = 172 GPUs (what
    # the tool used to bill around the clock): 22 whole p5.48xlarge = 176 GPUs.
    assert math.ceil(3 * average / rate) * tp == 172 and peak == 176 == o.cloud_serving_gpus
    # On average the demand needs 115.74 / 8.173 × 4 = 56.6 GPUs' worth of work; the bill follows the day.
    assert busy == pytest.approx(average / rate * tp) == pytest.approx(56.64, abs=0.01)
    assert o.cloud_gpus_average == pytest.approx(billed)
    assert o.cloud_gpus_busy == pytest.approx(busy)
    assert o.cloud_utilisation == pytest.approx(busy / billed)
    assert o.line_items["cloud_serving"] == pytest.approx(billed * HOURS * 6.88 * 12)
    assert o.gpu_hours_cloud == pytest.approx(billed * HOURS * 12)
    assert billed < 0.4 * 172  # against 172 GPUs around the clock
    assert r.serving_note == (
        "Dedicated cloud serving is billed hour by hour for the replicas each hour of the day needs (peak 3× the "
        f"average), in whole p5 instances of 8 GPUs, scale-ups paid from their start: 176 NVIDIA H100 SXM5 80GB "
        f"GPUs at the peak hour, {billed:.3g} on average, {busy / billed:.0%} busy.")


def test_committed_gpus_are_paid_for_the_peak_around_the_clock():
    r = evaluate(load_catalog(), parse_assessment({**BIG, "costing": {"cloud_pricing": "committed"}}))
    o = r.option(2, "1B")
    assert o.cloud_gpus_average == 176 == o.cloud_serving_gpus
    assert o.line_items["cloud_serving"] == pytest.approx(176 * HOURS * 4.47 * 12)
    assert "a 1-year commitment cannot scale down" in r.serving_note


def test_minimum_replicas_and_lag_are_overridable():
    base = {**BIG, "workload": {**BIG["workload"], "requests_per_day": 1_000_000}}
    catalog = load_catalog()
    r = evaluate(catalog, parse_assessment({**base, "prices": {"autoscale:min_replicas": 4,
                                                               "autoscale:scale_up_lag_minutes": 60}}))
    s = r.serving_cloud
    profile, _ = demand_profile(SHAPE, 3.0)
    gpus, billed, _, _ = billed_by_hand(s.requests_per_second_per_replica, s.tensor_parallel,
                                        1_000_000 / 86_400, profile, min_replicas=4, lag_minutes=60)
    assert min(gpus) == 16  # 4 replicas × 4 GPUs at night
    assert r.option(2, "1B").cloud_gpus_average == pytest.approx(billed)
    # Zero minimum and no lag: the quiet hours still need one replica while any request arrives.
    r0 = evaluate(catalog, parse_assessment({**base, "prices": {"autoscale:min_replicas": 0,
                                                                "autoscale:scale_up_lag_minutes": 0}}))
    _, billed0, _, _ = billed_by_hand(s.requests_per_second_per_replica, s.tensor_parallel, 1_000_000 / 86_400,
                                      profile, min_replicas=0, lag_minutes=0)
    assert r0.option(2, "1B").cloud_gpus_average == pytest.approx(billed0)
    assert billed0 < billed


def test_no_traffic_rents_nothing():
    r = evaluate(load_catalog(), parse_assessment({**BIG, "workload": {**BIG["workload"], "requests_per_day": 0}}))
    o = r.option(2, "1B")
    assert o.line_items["cloud_serving"] == 0 and o.cloud_gpus_average == 0 and o.cloud_utilisation is None


def test_catalog_rejects_a_day_without_demand_and_a_model_listed_twice(data_copy):
    path = data_copy / "autoscaling.yaml"
    raw = yaml.safe_load(path.read_text())
    path.write_text(yaml.safe_dump({**raw, "profile": {**raw["profile"], "hourly": [0.0] * 24}}))
    with pytest.raises(CatalogError, match="hourly must have at least one hour with demand above 0"):
        load_catalog(data_copy)
    path.write_text(yaml.safe_dump(raw))
    endpoints = data_copy / "endpoint_prices.yaml"
    endpoints.write_text(endpoints.read_text().replace("model: llama-3.1-70b", "model: llama-3.1-8b", 1))
    with pytest.raises(CatalogError, match=r"models \['llama-3.1-8b'\] are listed more than once"):
        load_catalog(data_copy)

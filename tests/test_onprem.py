"""On premises: one GPU pool for training and serving, staff per server with a floor, power by region (by hand)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_cost import HOURS, KW_PER_GPU, SIMPLE, TRAIN_HOURS, simple

from explorer.engine.onprem import pooled_training_gpus, spare_replicas, staff_fte, whole_nodes
from explorer.engine.pipeline import cost_of as evaluate
from explorer.engine.prices import PriceReader
from explorer.model.errors import AssessmentError
from explorer.model.link import from_query, to_query
from explorer.model.loading import load_assessment, parse_assessment
from explorer.render.tables import onprem_pool_rows

RATE = 16.016416  # requests/s of one H100 replica of Llama 3.1 8B under vLLM (by hand in tests/test_cli_cost.py)


def busy_case(requests_per_day: float, **changes):
    """SIMPLE's 8B LoRA with more traffic and a peak factor of 3, so the serving fleet has spare replicas."""
    workload = {**SIMPLE["workload"], "requests_per_day": requests_per_day, "peak_factor": 3}
    return simple(workload=workload, **changes)


# --- staff per server ---------------------------------------------------------------------------------------


def test_staff_per_server_with_a_floor():
    P = PriceReader({"onprem:staff_min_fte": 0.1, "onprem:staff_servers_per_fte": 50.0})
    gpus = np.array([0.0, 1.0, 8.0, 9.0, 100.0, 800.0])
    # Servers: 0, 1, 1, 2, ceil(100/8) = 13, 100; FTE = max(0.1, servers / 50), none without GPUs.
    assert staff_fte(gpus, 8, P) == pytest.approx([0.0, 0.1, 0.1, 0.1, 13 / 50, 100 / 50])
    # Sampled prices broadcast: (2 samples, 1) × (6 options).
    P = PriceReader({"onprem:staff_min_fte": np.array([[0.1], [0.5]]), "onprem:staff_servers_per_fte": 50.0})
    assert staff_fte(gpus, 8, P).shape == (2, 6) and staff_fte(gpus, 8, P)[1, 4] == pytest.approx(0.5)


def test_staff_above_the_floor_by_hand(catalog):
    # 25,920,000 requests/day = 300 requests/s on average, 900 at the peak factor of 3: ceil(900 / 16.016) = 57
    # one-GPU replicas. The LoRA run fits the spare replicas (below), so 57 H100s fill ceil(57 / 8) = 8 servers:
    # 8 / 50 = 0.16 FTE, above the 0.1 floor; 0.16 × $200,000 a year for 12 months = $32,000.
    o = evaluate(catalog, busy_case(25_920_000)).option(3, "1A")
    assert math.ceil(900 / RATE) == 57
    assert (o.onprem_gpus, o.onprem_gpus_training, o.onprem_servers) == (57, 0, 8)
    assert o.staff_fte == pytest.approx(8 / 50)
    assert o.line_items["staff"] == pytest.approx(8 / 50 * 200_000)


def test_the_floor_is_a_price_the_user_can_change(catalog):
    # Override the floor in the assessment's prices: 2 H100s (one server) now need 0.5 FTE: $100,000 a year.
    a = simple(prices={"onprem:staff_min_fte": 0.5})
    assert evaluate(catalog, a).option(3, "1A").line_items["staff"] == pytest.approx(0.5 * 200_000)
    # ... and it travels in the link.
    query = to_query(a)
    assert query["prices.onprem:staff_min_fte"] == "0.5"
    assert from_query(query, catalog).prices == {"onprem:staff_min_fte": 0.5}
    # Servers per FTE too: one per server → ceil(2/8) = 1 FTE.
    a = simple(prices={"onprem:staff_servers_per_fte": 1})
    assert evaluate(catalog, a).option(3, "1A").staff_fte == pytest.approx(1.0)


# --- one GPU pool ------------------------------------------------------------------------------------------


def test_spare_replicas_and_whole_nodes_by_hand():
    # 9 replicas busy 33.3%: the average load keeps 3 busy, 6 are spare; one replica is always kept up.
    assert spare_replicas(np.array([9.0, 1.0, 3.0, 0.0]), np.array([1 / 3, 0.07, 0.1, 0.0])) == pytest.approx(
        [6.0, 0.0, 2.0, 0.0])
    assert whole_nodes(np.array([0, 1, 2, 3, 5, 8, 9, 17])) == pytest.approx([0, 1, 2, 4, 8, 8, 16, 24])


def test_training_fits_the_spare_replicas(catalog):
    # 5,184,000 requests/day = 60 requests/s on average, 180 at the peak: ceil(180 / 16.016) = 12 replicas, of
    # which 60 / 16.016 = 3.746 carry the average load: 8.254 spare GPUs × 168 h (7-day deadline) × 0.75 usable =
    # 1,040 GPU-hours, far more than the run's 33.83: no GPU is added.
    r = evaluate(catalog, busy_case(5_184_000))
    o = r.option(3, "1A")
    assert r.serving_local.replicas == 12 == math.ceil(180 / RATE)
    assert r.serving_local.requests_per_second_per_replica == pytest.approx(RATE, rel=1e-5)
    assert (o.onprem_gpus, o.onprem_gpus_training) == (12, 0)
    # The pool is busy with serving (12 GPUs × 31.22% = 60 / (12 × 16.016)) and two runs (months 0 and 6).
    horizon = 12 * HOURS * 12
    serving = 60 / (12 * RATE) * horizon
    assert o.gpu_hours_onprem_training == pytest.approx(2 * TRAIN_HOURS, rel=1e-4)
    assert o.onprem_utilisation == pytest.approx((serving + 2 * TRAIN_HOURS) / horizon, rel=1e-4)
    assert any(n.startswith("On premises, training and serving share one GPU pool") for n in r.notes)
    # Alone, the same run would have bought its own GPU: the old cost was one more H100.
    assert r.training_local.gpus == 1


def test_training_buys_only_the_shortfall(catalog):
    # 2,592,000 requests/day (30/s, 90 at the peak): 6 replicas, 30 / 16.016 = 1.873 busy, 4.127 spare. With a
    # 6-hour deadline (0.25 days) they lend 4.127 × 6 h × 0.75 = 18.57 GPU-hours; the run needs 33.83, so 15.26
    # are short: ceil(15.26 / 6) = 3 GPUs, whole nodes 4 (alone it would need ceil(33.83 / 6) = 6 → 8).
    r = evaluate(catalog, busy_case(2_592_000, costing={"training_days": 0.25}))
    o = r.option(3, "1A")
    spare = 6 - 30 / RATE
    short = TRAIN_HOURS - spare * 6 * 0.75
    assert short == pytest.approx(15.26, abs=0.01) and math.ceil(short / 6) == 3
    assert (o.onprem_gpus, o.onprem_gpus_training, r.training_local.gpus) == (10, 4, 8)
    assert o.line_items["capex"] == pytest.approx(10 * 37_500)


def test_one_replica_that_must_stay_up_lends_nothing(catalog):
    # SIMPLE: one replica at the peak factor of 1 (always busy): the run adds its own GPU, as before.
    o = evaluate(catalog, simple()).option(3, "1A")
    assert (o.onprem_gpus, o.onprem_gpus_training) == (2, 1)


def test_pooled_training_is_vectorised():
    from explorer.engine.sizing import TrainingSizing

    t = TrainingSizing(model="m", gpu="g", method="lora", tokens=1.0, flops=1.0, flops_factor=1.0, mfu=0.4,
                       gpu_hours=100.0, gpus=8, gpus_for_memory=2, gpus_for_time=1, wall_clock_hours=12.5,
                       memory_gb_per_gpu=1.0, state_gb=1.0, activations_gb_per_gpu=1.0, microbatch_tokens=1)
    P = PriceReader({"onprem:pool_idle_usable": np.array([[0.0], [1.0]])})
    replicas, busy = np.array([0.0, 4.0, 2.0]), np.array([0.0, 0.25, 0.5])
    got = pooled_training_gpus(t, replicas, 1, busy, 1.0, P)  # a 24-hour deadline
    # Usable 0: nothing lent, ceil(100 / 24) = 5 → whole nodes 8 (= t.gpus) for every option.
    # Usable 1: no replicas → 8; 4 replicas, 1 busy → 3 spare × 24 h = 72, short 28 → ceil(28/24) = 2, and
    #   memory needs max(2 − 3, 0) = 0 → 2; 2 replicas, 1 busy → 1 spare: 24 h lent, short 76 → 4; memory 2 − 1 = 1.
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got, [[8, 8, 8], [8, 2, 4]])


def test_the_pool_table_by_hand(catalog):
    r = evaluate(catalog, busy_case(2_592_000, costing={"training_days": 0.25}))
    (row,) = [row for row in onprem_pool_rows(r) if row["Option"].startswith("S3 · 1A")]
    o = r.option(3, "1A")
    assert row["GPUs (serving + added for training)"] == "10 (6 + 4)"
    assert row["Servers"] == "2" and row["Staff (FTE)"] == "0.10"
    assert row["Pool busy"] == f"{o.onprem_utilisation:.1%}"
    # All-in per GPU-hour: servers less residual (none here), power, space, support and staff over 10 GPUs × 12 months.
    onprem = sum(o.line_items[k] for k in ("capex", "residual", "power", "space", "support", "staff"))
    assert row["All-in per GPU-hour"] == f"${onprem / (10 * HOURS * 12):,.2f}"
    assert row["Per useful GPU-hour"] == f"${onprem / o.gpu_hours_onprem_busy:,.2f}"
    assert not any(row["Option"].startswith("S2 · 1B") for row in onprem_pool_rows(r))  # nothing on premises


# --- power by region ---------------------------------------------------------------------------------------


def test_power_by_region_by_hand(catalog):
    us = evaluate(catalog, simple()).option(3, "1A")
    eu = evaluate(catalog, simple(constraints={**SIMPLE["constraints"], "region": "eu"})).option(3, "1A")
    kwh = 2 * KW_PER_GPU * 0.7 * 1.56 * HOURS * 12  # 2 GPUs × 1.274 kW × load 0.7 × PUE 1.56, a year
    assert us.line_items["power"] == pytest.approx(kwh * 0.082)  # US EIA industrial, 2024
    assert eu.line_items["power"] == pytest.approx(kwh * 0.205)  # Eurostat non-household, €0.19 at 1.08 $/€
    assert eu.total - us.total == pytest.approx(kwh * (0.205 - 0.082))
    r = evaluate(catalog, simple(constraints={**SIMPLE["constraints"], "region": "eu"}))
    assert "onprem:power_kwh:eu" in r.used and "onprem:power_kwh:us" not in r.used


def test_region_travels_in_the_link_and_the_bank_is_european(catalog):
    a = parse_assessment({"constraints": {"region": "eu"}}, catalog=catalog)
    assert to_query(a)["constraints.region"] == "eu"
    assert from_query(to_query(a), catalog).constraints.region == "eu"
    assert "constraints.region" not in to_query(parse_assessment({}, catalog=catalog))  # the default: us
    assert load_assessment("preset:regulated-bank", catalog).constraints.region == "eu"
    with pytest.raises(AssessmentError, match="constraints.region"):
        parse_assessment({"constraints": {"region": "mars"}}, catalog=catalog)


def test_a_vanishing_training_run_leaves_the_cost_per_useful_gpu_hour_undefined(catalog):
    # No traffic and a denormal dataset: the busy GPU-hours are ~1e-313, so cost ÷ busy would overflow to
    # infinity; the JSON contract says None instead (found by tests/test_fuzz.py).
    a = parse_assessment({"scenario": 1, "workload": {"dataset_tokens": 2.2250738585e-313, "requests_per_day": 0}},
                         catalog=catalog)
    o = evaluate(catalog, a).option(3, "1A")
    assert 0 < o.gpu_hours_onprem_busy < 1e-300
    assert o.onprem_cost_per_busy_gpu_hour is None and o.onprem_cost_per_gpu_hour is not None


def test_cost_json_carries_the_pool_and_the_cost_per_gpu_hour(catalog):
    r = evaluate(catalog, busy_case(2_592_000, costing={"training_days": 0.25}))
    row = next(o for o in r.to_dict()["options"] if (o["scenario"], o["use_case"]) == (3, "1A"))
    o = r.option(3, "1A")
    assert (row["onprem_gpus"], row["onprem_gpus_training"], row["onprem_servers"]) == (10, 4, 2)
    assert row["onprem_utilisation"] == o.onprem_utilisation  # the number the pool table shows
    assert row["onprem_cost_per_gpu_hour"] == pytest.approx(o.onprem_cost / (10 * HOURS * 12))
    assert row["onprem_cost_per_busy_gpu_hour"] == pytest.approx(o.onprem_cost / o.gpu_hours_onprem_busy)


# --- catalog errors ----------------------------------------------------------------------------------------


def test_every_region_needs_an_electricity_price(data_copy):
    from explorer.model.catalog import load_catalog
    from explorer.model.errors import CatalogError

    path = data_copy / "onprem_costs.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("  - id: eu\n")], encoding="utf-8")  # the EU entry is the file's last
    with pytest.raises(CatalogError, match=r"onprem_costs\.yaml.*power.*has no electricity price for region 'eu'; "
                                           r"every region needs one: us, eu"):
        load_catalog(data_copy)


def test_a_gpu_without_a_server_price_is_named(data_copy):
    from explorer.model.catalog import load_catalog
    from explorer.model.errors import PricingError

    path = data_copy / "onprem_costs.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - gpu: l4\n")
    path.write_text(text[:start] + text[text.index("costs:", start):], encoding="utf-8")
    cat = load_catalog(data_copy)
    a = parse_assessment({"scenario": 3, "workload": {"model": "llama-3.1-8b"}, "costing": {"gpu": "l4"}},
                         catalog=cat)
    with pytest.raises(PricingError, match=r"^There is no on-premises server price for NVIDIA L4.*; choose an "
                                           r"on-premises GPU from: h100-sxm, h200, a100-80gb, l40s\.$"):
        evaluate(cat, a)

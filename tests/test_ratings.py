"""Ratings the engine computes from its own numbers: cost profile, elasticity, operational burden (by hand)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.engine.decision import decide
from explorer.engine.ratings import burden_rating, cost_profile_rating, elasticity_rating
from explorer.model.loading import load_assessment, parse_assessment

HOURS = 30.4375 * 24 * 36  # days per month (catalog) × 24 h × 36 months = 26,298 h


def _rows(option):
    return {r.criterion: r for r in option.trade_offs.rows}


def test_the_mappings_by_hand():
    # Cost profile: 5 − 4 · ln(total / cheapest) / ln 3, within 1..5.
    assert cost_profile_rating(100.0, 100.0, 3.0) == 5
    assert cost_profile_rating(200.0, 100.0, 3.0) == pytest.approx(5 - 4 * math.log(2) / math.log(3))  # 2.476
    assert cost_profile_rating(300.0, 100.0, 3.0) == pytest.approx(1)
    assert cost_profile_rating(900.0, 100.0, 3.0) == 1  # beyond 3×: the floor
    assert cost_profile_rating(0.0, 0.0, 3.0) == 5  # both free
    # Elasticity: 5 − 4 · the idle share of the paid GPU-hours.
    assert elasticity_rating(0.0) == 5 and elasticity_rating(0.25) == 4 and elasticity_rating(1.0) == 1
    # Burden: 5 − 4 · FTE / (FTE + 0.5): none 5, half an engineer 3, two engineers 5 − 4 · 2/2.5 = 1.8.
    assert burden_rating(0.0, 0.5) == 5
    assert burden_rating(0.5, 0.5) == 3
    assert burden_rating(2.0, 0.5) == pytest.approx(1.8)


@pytest.fixture(scope="module")
def default(catalog):
    return decide(catalog, parse_assessment({}, catalog=catalog))


def test_elasticity_by_hand(default):
    # 1-1A serves with vLLM on one 4-GPU replica (4 × 0.90² = 3.24 effective H100s). At batch 256 a decode step
    # reads 141.2 GB + 256 × 327,680 B × 950 tokens = 220.89 GB at 3.24 × 3.35 TB/s × 0.46 = 44.242 ms, and a
    # request costs 70.504 ms of prefill + 300 × 44.242 / 256 ms = 122.35 ms: 8.1733 requests/s. The average
    # demand is 50,000 / 86,400 = 0.5787 requests/s, so the GPUs are busy 7.080% of the time.
    rate = 1 / (0.070504 + 300 * (141.2e9 + 256 * 327_680 * 950) / (3.24 * 3.35e12 * 0.46) / 256)
    assert rate == pytest.approx(8.1733, abs=1e-4)
    busy = (50_000 / 86_400) / rate
    assert busy == pytest.approx(0.07080, abs=1e-5)
    onprem = 4 * HOURS  # 105,192 GPU-hours paid for on premises
    # It trains in the cloud: 6 · 70.6e9 · 4e9 · (0.6667 + 1/3) / (989e12 · 0.4) / 3600 = 1,189.79 GPU-hours per LoRA
    # run (with the recomputed forward pass), retrained every 3 months: 12 runs.
    cloud = 6 * 70.6e9 * 4e9 * (0.6667 + 1 / 3) / (989e12 * 0.4) / 3600 * 12  # 14,277.5
    idle = (onprem - onprem * busy) / (onprem + cloud)
    assert idle == pytest.approx(0.8181, abs=1e-4)
    row = _rows(default.option(1, "1A"))["elasticity"]
    assert row.computed and row.rating == round(5 - 4 * idle, 1) == 1.7
    assert "busy 7.1% of the time" in row.rationale and "81.8% of the 119,470 GPU-hours" in row.rationale
    # The utilisation the cost tables show is the same number: only serving runs on 1-1A's premises.
    assert default.option_cost("1-1A").onprem_utilisation == pytest.approx(busy, rel=1e-4)
    assert default.option_cost("2-1B").onprem_utilisation is None
    # 3-1A also trains on premises: its one serving replica (4 GPUs) must stay up, so no replica is spare and the
    # run adds the 8 GPUs it needs for 1,189.79 / 8 = 148.72 h (under the 7-day deadline): 12 GPUs paid every hour,
    # busy for the serving share and the 12 runs.
    assert default.option_cost("3-1A").onprem_gpus_training == 8
    onprem3 = 12 * HOURS  # 315,576
    busy3 = 4 * HOURS * busy + cloud  # 7,448.0 + 14,277.5 = 21,725.5
    idle3 = (onprem3 - busy3) / onprem3
    assert _rows(default.option(3, "1A"))["elasticity"].rating == round(5 - 4 * idle3, 1) == 1.3
    assert _rows(default.option(3, "1A"))["elasticity"].rationale.startswith(
        "12 on-premises GPUs are sized for the peak (peak factor 3), 8 of them added so fine-tuning meets its "
        "deadline, and busy 6.9% of the time at average demand")
    # 2-1B rents every GPU-hour: nothing idle on premises.
    row = _rows(default.option(2, "1B"))["elasticity"]
    assert row.rating == 5 and "rented in the cloud" in row.rationale


def test_cost_profile_by_hand(default):
    # Totals (each line item checked by hand in tests/test_cost.py and tests/test_finance.py): 1-1A $355,739 is
    # the cheapest feasible option.
    totals = {o.key: o.total for o in default.cost.options}
    assert min(totals, key=totals.get) == "1-1A"
    cheapest = totals["1-1A"]
    # 3-1A buys 12 H100s at $37,500 and gets 20% back at the end: $1,020,174 − $90,000 = $930,174 before staff
    # per server; 2 servers ÷ 50 per FTE = 0.04 FTE, under the 0.1 floor, saves (0.5 − 0.1) × $200,000 × 3 years
    # = $240,000 against the old 0.5 FTE minimum: $690,174. 1-1A likewise: $595,739 − $240,000 = $355,739.
    assert default.option_cost("3-1A").line_items["residual"] == pytest.approx(-0.2 * 12 * 37_500)
    assert default.option_cost("3-1A").line_items["staff"] == pytest.approx(0.1 * 200_000 * 3)
    assert totals["3-1A"] == pytest.approx(930_174.28 - 240_000, abs=0.01)
    assert cheapest == pytest.approx(595_739.05 - 240_000, abs=0.01)
    # $690,174 / $355,739 = 1.94011; 5 − 4 · ln(1.94011) / ln 3 = 5 − 4 · 0.66275 / 1.09861 = 2.587.
    ratio = totals["3-1A"] / cheapest
    assert ratio == pytest.approx(1.94011, abs=1e-4)
    row = _rows(default.option(3, "1A"))["cost_profile"]
    assert row.rating == round(5 - 4 * math.log(ratio) / math.log(3), 1) == 2.6
    assert row.rationale == ("$690k over 36 months ($41.99 per million tokens), 1.94× the cheapest option, "
                             "S1 · 1A at $356k.")
    # 2-1B rents a whole p5.48xlarge (8 H100s; its one 4-GPU replica cannot rent less) around the clock:
    # $1,331,917 / $355,739 = 3.7441, beyond 3× the cheapest: 5 − 4 · 1.32017 / 1.09861 = 0.19, held at the floor 1.
    ratio = totals["2-1B"] / cheapest
    assert ratio == pytest.approx(3.7441, abs=1e-4)
    assert _rows(default.option(2, "1B"))["cost_profile"].rating == max(1, round(5 - 4 * math.log(ratio) / math.log(3),
                                                                                1)) == 1
    assert _rows(default.option(1, "1A"))["cost_profile"].rating == 5


def test_burden_by_hand(default):
    # 4 or 12 on-premises H100s fill 1 or 2 eight-GPU servers: 1/50 or 2/50 FTE, under the 0.1 FTE floor, so
    # 0.1 FTE → 5 − 4 · 0.1 / (0.1 + 0.1) = 3.
    for key in ("1-1A", "3-1A"):
        o = default.option(int(key[0]), key[2:])
        assert default.option_cost(key).staff_fte == pytest.approx(0.1)
        assert _rows(o)["operational_burden"].rating == 3
    assert _rows(default.option(3, "1A"))["operational_burden"].rationale == (
        "12 on-premises GPUs in 2 servers need 0.10 FTE of operations staff (one per 50 servers, at least 0.1).")
    assert _rows(default.option(2, "1B"))["operational_burden"].rating == 5
    # 640 GPUs: 80 servers / 50 = 1.6 FTE → 5 − 4 · 1.6 / 1.7 = 1.24.
    assert burden_rating(640 / 8 / 50, 0.1) == pytest.approx(5 - 6.4 / 1.7)


def test_default_recommendation_by_hand(default):
    # 3-1A: seed ratings privacy..cloud services with the computed three: 5,5,5,5,5, 1.3, 1, 2.6, 5, 1, 3 = 38.9
    # over 11 criteria: 100 · (38.9/11 − 1)/4 = 63.41, minus 8 points of GPU procurement (16 weeks × 0.5) = 55.41.
    best = default.option(3, "1A")
    assert best.score == pytest.approx(100 * (38.9 / 11 - 1) / 4 - 8)
    # 1-1A: 4,4,5,4,4, 1.7, 3, 5, 4, 2, 3 = 39.7: 65.23, minus 8 for procurement and 4 for GDPR (a DPA for the
    # cloud processor that trains) = 53.23.
    runner = default.option(1, "1A")
    assert runner.score == pytest.approx(100 * (39.7 / 11 - 1) / 4 - 12)
    # 4-1A rents a whole 8-GPU p5 instance for its cloud serving (cost rating 1): 3,3,2,3,2, 5, 4, 1, 3, 3, 5 = 34.0:
    # 100 · (34.0/11 − 1)/4 = 52.27, minus 4 for GDPR = 48.27.
    assert default.option(4, "1A").score == pytest.approx(100 * (34.0 / 11 - 1) / 4 - 4)
    rec = default.recommended
    assert (rec.key, rec.runner_up) == ("3-1A", "1-1A")
    assert rec.reasons[0] == ("Highest score among the 8 feasible options: 55/100, ahead of scenario 1 with use "
                              "case 1A at 53/100.")
    # $690,174 / $355,739 = 1.9401: 94.0% more.
    assert rec.reasons[1] == ("It costs $690k over 36 months, 94.0% more than scenario 1 with use case 1A "
                              "($356k).")


def test_traffic_moves_the_score_where_the_cost_ranking_moves(catalog):
    """The same assessment at 1,000 and at 10,000,000 requests per day."""
    def at(rpd):
        return decide(catalog, parse_assessment({"workload": {"requests_per_day": rpd}}, catalog=catalog))

    low, high = at(1_000), at(10_000_000)
    def ranking(d):
        return [k for _, k in sorted((o.total, o.key) for o in d.cost.options)]

    assert ranking(low) != ranking(high)
    for key in ("1-1A", "2-1B", "3-1A", "4-1A"):
        s, u = int(key[0]), key[2:]
        assert low.option(s, u).score != high.option(s, u).score, key
    # At 1,000/day the all-cloud option pays a whole 8-GPU instance for almost no traffic: it costs more than the
    # on-premises one. At 10M/day the cloud rents GPUs hour by hour for the day's demand (on average a fraction
    # of the peak, with the replicas the 60 ms TPOT needs at each hour), so it costs about the same as buying for
    # the peak ($13.44M against $12.75M, 1.054×), and its cost rating rises.
    assert 0.95 < high.option_cost("2-1B").total / high.option_cost("3-1A").total < 1.1
    assert low.option_cost("2-1B").total / low.option_cost("3-1A").total > 1.4
    assert _rows(high.option(2, "1B"))["cost_profile"].rating > _rows(low.option(2, "1B"))["cost_profile"].rating
    # (The recommendation itself stays 3-1A: at 1,000/day the cloud still rents a whole replica around the
    # clock, so cost does not separate the options enough to outweigh privacy, sovereignty and control.)


def test_same_placement_same_cost_same_score(catalog):
    """With an open model, 1-1B places every stage as 1-1A: it is rated as 1-1A, not with 1B's proprietary
    model in mind, so the two score alike (and the tie goes to 1-1A)."""
    for preset in ("regulated-bank", "cloud-first-retailer", "air-gapped-plant", "hipaa-hospital"):
        d = decide(catalog, load_assessment(f"preset:{preset}", catalog))
        for o in d.options:
            for other in d.options:
                if {s: p.location for s, p in o.stages.items()} == {s: p.location for s, p in other.stages.items()}:
                    assert o.score == other.score, (preset, o.key, other.key)
                    assert d.option_cost(o.key).total == d.option_cost(other.key).total
    d = decide(catalog, parse_assessment({}, catalog=catalog))
    assert d.option(1, "1B").rated_as == "1-1A"
    # A proprietary model is rated with 1B's ratings: 4-1A then scores as 4-1B.
    d = decide(catalog, parse_assessment({"constraints": {"model_licence": "proprietary"}}, catalog=catalog))
    assert d.option(4, "1A").rated_as == "4-1B"


def test_a_cost_the_model_cannot_price_keeps_the_seed_ratings(catalog):
    a = parse_assessment({"constraints": {"cloud_provider": "ibm"}, "costing": {"gpu": "l4"}}, catalog=catalog)
    d = decide(catalog, a)
    if d.cost is None:
        rows = _rows(d.option(3, "1A"))
        assert not rows["cost_profile"].computed and rows["cost_profile"].rating == 1
    else:  # the catalog prices this pair: the ratings are computed
        assert _rows(d.option(3, "1A"))["cost_profile"].computed


@settings(max_examples=40, deadline=None)
@given(rpd=st.floats(0, 1e8), peak=st.floats(1, 20), months=st.integers(1, 120))
def test_computed_ratings_stay_on_the_scale(catalog, rpd, peak, months):
    a = parse_assessment({"horizon_months": months, "workload": {"requests_per_day": rpd, "peak_factor": peak}},
                         catalog=catalog)
    d = decide(catalog, a)
    for o in d.options:
        for r in o.trade_offs.rows:
            assert 1 <= r.rating <= 5 and r.rationale
        assert 0 <= o.score <= 100

"""The threshold finder on functions with a known answer, and applied to the placement."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from handcalc import _BW, LOADED_TTFT_MS, PREFILL_MS, loaded_ms
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.engine.decision import decide
from explorer.engine.flips import bisect, find_flips, grid, nearest_flips
from explorer.engine.governance import resolve_weights
from explorer.engine.thresholds import decision_thresholds, weight_chooser
from explorer.model.errors import ThresholdError
from explorer.model.loading import parse_assessment
from tests.conftest import open_sidebar

CLOUD_TEAM = ["cloud_platform", "ml_engineering"]  # no GPU-infrastructure skills: local GPUs cost 6 points
# A negotiated H100 rate of half the list price: the whole 8-GPU p5 instance that cloud serving rents then costs
# what 4 GPUs did at list, so the cloud-served options stay in the running on cost (the latency tests' subject).
HALF_PRICE = {"aws:h100-sxm:on_demand": 3.44}


def step(at: float, below="a", above="b"):
    return lambda x: below if x < at else above


def test_single_step_found_within_tolerance():
    (flip,) = find_flips(step(3.7), 0, 10, n=11, tol=1e-6)
    assert flip.before == "a" and flip.after == "b"
    assert flip.lo < 3.7 <= flip.hi and flip.hi - flip.lo <= 1e-6
    assert flip.at == pytest.approx(3.7, abs=1e-6)


def test_vectorised_chooser_gives_the_same_answer():
    def choose(xs):
        return np.where(np.asarray(xs) < 3.7, "a", "b")

    (flip,) = find_flips(choose, 0, 10, n=11, tol=1e-9, vectorised=True)
    assert flip.lo < 3.7 <= flip.hi and flip.hi - flip.lo <= 1e-9


def test_several_steps_in_order():
    def choose(x):
        return "low" if x < 2 else "mid" if x < 5.5 else "high"

    flips = find_flips(choose, 0, 10, n=21, tol=1e-4)
    assert [(f.before, f.after) for f in flips] == [("low", "mid"), ("mid", "high")]
    assert [f.at for f in flips] == [pytest.approx(2, abs=1e-4), pytest.approx(5.5, abs=1e-4)]


@pytest.mark.parametrize("vectorised", [False, True])
def test_two_steps_inside_one_grid_cell_are_both_found(vectorised):
    # n=3 gives the cells [0, 5] and [5, 10]; both steps (1 and 1.5) fall in the first.
    def choose(x):
        return np.where(np.asarray(x) < 1, "a", np.where(np.asarray(x) < 1.5, "b", "c")).tolist()

    flips = find_flips(choose, 0, 10, n=3, tol=1e-6, vectorised=vectorised)
    assert [(f.before, f.after) for f in flips] == [("a", "b"), ("b", "c")]
    assert [f.at for f in flips] == [pytest.approx(1, abs=1e-6), pytest.approx(1.5, abs=1e-6)]


def test_an_expected_change_costs_no_bisection():
    calls = []

    def choose(x):
        calls.append(x)
        return "a" if x < 3.7 else "b"

    (flip,) = find_flips(choose, 0, 10, n=3, tol=1e-3, near=[3.7, 42.0])  # 42 lies outside: ignored
    assert flip.lo < 3.7 <= flip.hi and flip.hi - flip.lo <= 1e-3
    assert len(calls) == 5  # the 3 grid points and 3.7 ± 0.00049, no bisection step


def test_no_step_no_flip():
    assert find_flips(lambda x: "same", 0, 1) == []


def test_nearest_flips_below_and_above():
    def choose(x):
        return "low" if x < 2 else "mid" if x < 5.5 else "high"

    below, above = nearest_flips(choose, 4.0, 0, 10, n=21, tol=1e-4)
    assert below.at == pytest.approx(2, abs=1e-4) and (below.before, below.after) == ("low", "mid")
    assert above.at == pytest.approx(5.5, abs=1e-4) and (above.before, above.after) == ("mid", "high")
    assert nearest_flips(step(3), 1, 0, 10)[0] is None


def test_bisection_tolerance_and_call_count():
    calls = []

    def choose(x):
        calls.append(x)
        return "a" if x < 0.3 else "b"

    flip = bisect(choose, 0.0, 1.0, tol=1 / 1024)
    # Plain bisection halves [0, 1] ten times to reach 1/1024, plus the two end points.
    assert len(calls) == 2 + 10
    assert flip.hi - flip.lo <= 1 / 1024 and flip.lo < 0.3 <= flip.hi


def test_vectorised_bisection_cuts_by_points_plus_one():
    calls = []

    def choose(xs):
        calls.append(len(xs))
        return ["a" if x < 0.3 else "b" for x in xs]

    flip = bisect(choose, 0.0, 1.0, tol=1e-4, vectorised=True, points=9, before="a", after="b")
    # Each call cuts the bracket by 10: 1 → 0.1 → … → 1e-4 in four calls of nine points.
    assert calls == [9, 9, 9, 9]
    assert flip.hi - flip.lo <= 1e-4 + 1e-12 and flip.lo < 0.3 <= flip.hi


def test_log_grid():
    assert list(grid(1, 1000, 4, "log")) == pytest.approx([1, 10, 100, 1000])


@given(at=st.floats(0.01, 99.99), tol=st.sampled_from([1e-2, 1e-4, 1e-6]), n=st.integers(2, 50))
@settings(max_examples=60, deadline=None)
def test_any_step_is_found(at, tol, n):
    (flip,) = find_flips(step(at), 0.0, 100.0, n=n, tol=tol)
    assert flip.lo < at <= flip.hi
    assert flip.hi - flip.lo <= tol


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: grid(5, 5), "Threshold range must have a finite low end below its high end (got 5 to 5)."),
        (lambda: grid(0, 1, 1), "Threshold sweep needs at least 2 points (got 1)."),
        (lambda: grid(0, 1, scale="log"), "A logarithmic threshold sweep needs a low end above 0 (got 0)."),
        (lambda: bisect(step(1), 0, 2, tol=0), "Threshold tolerance must be above 0 (got 0)."),
        (lambda: bisect(step(5), 0, 2, tol=0.1),
         "Bisection needs a bracket whose ends are chosen differently; both give 'a'."),
        (lambda: nearest_flips(step(1), 20, 0, 10), "The current value 20 lies outside the threshold range 0 to 10."),
    ],
)
def test_threshold_errors(call, message):
    with pytest.raises(ThresholdError, match=re.escape(message)):
        call()


# --- applied to the placement ----------------------------------------------------------------


def test_rtt_threshold_breaks_the_target(catalog):
    # 15 ms + 222.256 ms to the first token at the peak (tests/handcalc.py) meets a 260 ms target; above
    # 260 − 222.256 = 37.744 ms the cloud-served options are ruled out. A team without GPU-infrastructure skills
    # (−6 for local GPUs) prefers 4-1A meanwhile.
    a = parse_assessment({"constraints": {"cloud_rtt_ms": 15, "skills": CLOUD_TEAM},
                          "workload": {"ttft_target_ms": 260}, "prices": HALF_PRICE}, catalog=catalog)
    found = [t for t in decision_thresholds(catalog, a) if t.input == "constraints.cloud_rtt_ms"]
    (t,) = found
    assert t.direction == "above" and t.value == pytest.approx(260 - LOADED_TTFT_MS, abs=0.01)
    assert (t.before, t.after) == ("4-1A", "3-1A")
    assert t.message == ("A cloud round trip above 37.7 ms, on top of 222 ms to the first token at the peak in the "
                         "cloud, breaks the 260 ms time-to-first-token target: the recommendation moves from scenario "
                         "4 with use case 1A to scenario 3 with use case 1A.")


def test_ttft_threshold_below_the_round_trip(catalog):
    # The cloud options need 25 ms of round trip + 222.256 ms to the first token at the peak = 247.256 ms.
    a = parse_assessment({"constraints": {"cloud_rtt_ms": 25, "skills": CLOUD_TEAM},
                          "workload": {"ttft_target_ms": 400}, "prices": HALF_PRICE}, catalog=catalog)
    (t, *_) = [t for t in decision_thresholds(catalog, a) if t.input == "workload.ttft_target_ms"]
    assert t.direction == "below" and t.value == pytest.approx(25 + LOADED_TTFT_MS, abs=0.01)
    assert t.message.startswith("A time-to-first-token target below 247 ms is broken by the 25 ms cloud round "
                                "trip plus 222 ms to the first token at the peak in the cloud")


def test_weight_threshold_by_hand(catalog):
    # 3-1A: ratings sum 38.9 over 11 criteria (tests/test_ratings.py), elasticity 1.3, minus 8 GPU points.
    # 4-1A: ratings sum 34.0 (its whole 8-GPU p5 instance puts its cost profile at 1), elasticity 5, minus 4 for
    # GDPR. With elasticity weight w (others 1):
    #   25·((37.6 + 1.3w)/(10 + w) − 1) − 8  =  25·((29.0 + 5w)/(10 + w) − 1) − 4
    #   ⇔  25·(8.6 − 3.7w) = 4·(10 + w)  ⇔  215 − 92.5w = 40 + 4w  ⇔  w = 175/96.5 = 1.81347
    a = parse_assessment({}, catalog=catalog)
    (t,) = [t for t in decision_thresholds(catalog, a) if t.input == "w.elasticity"]
    assert t.direction == "above" and t.value == pytest.approx(175 / 96.5, abs=1e-4)
    assert t.message == ("Raising the weight of elasticity from 1 to above 1.81 makes scenario 4 with use case 1A "
                         "the recommendation instead of scenario 3 with use case 1A.")
    below = decide(catalog, a, {"elasticity": 175 / 96.5 - 0.001}).recommended.key
    above = decide(catalog, a, {"elasticity": 175 / 96.5 + 0.001}).recommended.key
    assert (below, above) == ("3-1A", "4-1A")


@given(weights=st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5, 5.0]), min_size=11, max_size=11),
       x=st.floats(0, 5))
@settings(max_examples=40, deadline=None)
def test_vectorised_weight_chooser_agrees_with_place(catalog, weights, x):
    ids = [c.id for c in catalog.criteria]
    w = dict(zip(ids, weights, strict=True))
    w["privacy"] = x
    if not any(w.values()):
        return
    a = parse_assessment({"constraints": {"data_classification": "regulated"}}, catalog=catalog)
    result = decide(catalog, a, resolve_weights(catalog, w))
    choose = weight_chooser(catalog, result, resolve_weights(catalog, w), "privacy")
    assert choose(np.array([x])) == [result.recommended.key]


def test_regulated_bank_flips_only_when_prefill_misses_the_target(catalog):
    # Regulated bank: only the all-local options are open and 3-1A/3-1B rate alike. The one flip in range is
    # a TTFT target that more replicas cannot meet: below what a replica reaches at 5 % of its throughput (the
    # least load sizing runs a replica at, explorer/engine/latency.py). 70B, 800 tokens, 4 H100s with vLLM: the
    # 40 ms TPOT target limits the batch to (0.040 × 4.99284e12 − 141.2e9) / (327,680 × 950) = 187 sequences,
    # a step then reads 141.2e9 + 187 × 311.296e6 B in 39.940 ms, and a request costs 70.504 ms + 300 × 39.940 /
    # 187 ms: 7.4306 requests/s. At 5 % of that, 0.37153 requests/s, TTFT = 213.872 ms.
    from explorer.model.loading import load_assessment

    a = load_assessment("preset:regulated-bank", catalog)
    batch = int((0.040 * _BW - 141.2e9) / (327_680 * 950))
    rate = 1 / (PREFILL_MS / 1e3 + 300 * (141.2e9 + batch * 327_680 * 950) / _BW / batch)
    floor = loaded_ms(PREFILL_MS, 141.2e9, 327_680 * 950, _BW, 0.05 * rate, 300, 10)[0]
    assert batch == 187 and rate == pytest.approx(7.4306, abs=1e-4) and floor == pytest.approx(213.872, abs=1e-3)
    (t,) = decision_thresholds(catalog, a)
    assert (t.input, t.direction, t.before, t.after) == ("workload.ttft_target_ms", "below", "3-1A", "none")
    assert t.value == pytest.approx(floor, abs=0.01)
    assert t.message == ("A time-to-first-token target below 214 ms is broken by 222 ms to the first token at the "
                         "peak on the premises' NVIDIA H100 SXM5 80GB: the recommendation moves from scenario 3 with "
                         "use case 1A to no feasible option.")


# --- cost-driven inputs: the cheapest option, the runner-up, and traffic through owned GPUs ------------------

HOURS = 30.4375 * 24  # 730.5 hours in an average month
# Llama 3.1 70B LoRA on 2e9 tokens × 2 epochs: 6 · 70.6e9 · 4e9 · (0.6667 + 1/3) FLOPs (with the recomputed
# forward pass) at 40% of 989 TFLOPS.
TRAIN_HOURS = 6 * 70.6e9 * 4e9 * (0.6667 + 1 / 3) / (989e12 * 0.40) / 3600  # ≈ 1,190 GPU-hours per run
PRICE = "prices.aws:h100-sxm:on_demand"


def cheapest(catalog, a) -> set[str]:
    """The engine's cheapest feasible options (ties to the cent included), straight from the cost model."""
    from explorer.engine.pipeline import cost_of as evaluate

    feasible = {o.key for o in decide(catalog, a).options if o.feasible}
    totals = {o.key: round(o.total, 2) for o in evaluate(catalog, a).options if o.key in feasible}
    return {k for k, v in totals.items() if v == min(totals.values())}


def with_price(a, key, value):
    return a.model_copy(update={"prices": {**a.prices, key: value}})


def test_cloud_gpu_price_threshold_by_hand(catalog):
    from explorer.engine.pipeline import cost_of as evaluate

    a = parse_assessment({}, catalog=catalog)  # 70B LoRA, 50,000 requests/day, AWS H100 at $6.88, 36 months
    (t,) = [t for t in decision_thresholds(catalog, a)
            if t.kind == "cheapest" and t.input == PRICE and t.direction == "below"]
    assert (t.before, t.after) == ("1-1A", "2-1B")
    # Each total is linear in the GPU-hour price p: total = A + B·p, B being the cloud GPU-hours over 36 months.
    key = "aws:h100-sxm:on_demand"
    free, one = evaluate(catalog, with_price(a, key, 0.0)), evaluate(catalog, with_price(a, key, 1.0))
    # Retraining every 3 months over 36: months 0, 3, …, 33; cloud GPU-hours get 10% cheaper a year, so a
    # GPU-hour in month m costs 0.9^(m/12) of the price.
    runs = sum(0.9 ** (m / 12) for m in range(0, 36, 3))
    # 1-1A trains in the cloud and serves on premises; 2-1B also serves in the cloud: one 4-GPU replica, in
    # a whole p5.48xlarge of 8 GPUs (AWS sells H100s in no smaller instance), around the clock.
    b_1a = TRAIN_HOURS * runs
    b_2b = TRAIN_HOURS * runs + 8 * HOURS * sum(0.9 ** (m / 12) for m in range(36))
    assert one.option(1, "1A").total - free.option(1, "1A").total == pytest.approx(b_1a, rel=1e-3)
    assert one.option(2, "1B").total - free.option(2, "1B").total == pytest.approx(b_2b, rel=1e-3)
    # They cost the same where A_1A + B_1A·p = A_2B + B_2B·p  ⇔  p = (A_1A − A_2B) / (B_2B − B_1A).
    a_1a, a_2b = free.option(1, "1A").total, free.option(2, "1B").total
    p = (a_1a - a_2b) / (b_2b - b_1a)
    assert t.value == pytest.approx(p, rel=1e-3)
    # The engine just below and just above the reported value: the cheapest option differs.
    # (1-1B places every stage as 1-1A does and costs the same; the tie goes to the better-ranked 1-1A.)
    assert cheapest(catalog, with_price(a, key, t.value * 0.999)) == {"2-1B"}
    assert cheapest(catalog, with_price(a, key, t.value * 1.001)) == {"1-1A", "1-1B"}
    assert t.message == (
        f"Below a cloud GPU-hour price of ${math.floor(p * 100) / 100:.2f} per GPU-hour, scenario 2 with use case 1B "
        "(all in the public cloud) becomes the cheapest feasible option over 36 months instead of scenario 1 with "
        "use case 1A (training in the public cloud, serving on premises).")


def test_horizon_threshold_is_the_first_month_with_the_new_choice(catalog):
    a = parse_assessment({}, catalog=catalog)
    found = {t.direction: t for t in decision_thresholds(catalog, a)
             if t.kind == "cheapest" and t.input == "horizon_months"}
    # Buying servers up front costs 1-1A more in the first months; the cloud's GPU-hours catch up later.
    t = found["below"]
    assert (t.before, t.after) == ("1-1A", "2-1B")
    k = int(t.value)
    assert cheapest(catalog, a.model_copy(update={"horizon_months": k})) == {"2-1B"}
    assert cheapest(catalog, a.model_copy(update={"horizon_months": k + 1})) == {"1-1A", "1-1B"}
    assert t.message.startswith(f"At a horizon of {k} months or less, scenario 2 with use case 1B")
    # The cloud's whole 8-GPU instance costs more than the premises' 4 GPUs (with 0.1 FTE of staff for their one
    # server) every month, so however long the horizon (to the 240-month limit), 1-1A stays cheapest: no flip above.
    assert "above" not in found
    assert cheapest(catalog, a.model_copy(update={"horizon_months": 240})) == {"1-1A", "1-1B"}


def test_traffic_no_longer_flips_the_cheapest_option_when_the_cloud_rents_whole_instances(catalog):
    # Before cloud serving was billed in whole instances by the hour, 2-1B (all cloud) was cheapest for this full
    # fine-tune of Llama 3.1 8B up to a few M requests/day. Now the cloud rents a whole 8-GPU p5.48xlarge at any
    # traffic while the premises buy one GPU, and at high traffic the cloud's hourly bill follows the day's
    # demand as the premises' bought peak does not: 1-1A stays the cheapest from 1/100 to 100 times the traffic.
    a = parse_assessment({"workload": {"model": "llama-3.1-8b", "finetune_method": "full"}, "horizon_months": 60},
                         catalog=catalog)
    (t,) = [t for t in decision_thresholds(catalog, a)
            if t.kind == "cheapest" and t.input == "workload.requests_per_day"]
    # Serving already runs on premises in 1-1A; with enough traffic the training GPUs of 3-1A cost less than
    # renting the full fine-tuning runs.
    assert t.direction == "above" and (t.before, t.after) == ("1-1A", "3-1A")
    below = a.model_copy(update={"workload": a.workload.model_copy(update={"requests_per_day": t.value * 0.999})})
    above = a.model_copy(update={"workload": a.workload.model_copy(update={"requests_per_day": t.value * 1.001})})
    assert cheapest(catalog, below) == {"1-1A", "1-1B"} and cheapest(catalog, above) == {"3-1A", "3-1B"}
    shown = math.ceil(t.value / 1e3) * 1e3  # three significant figures, rounded up past the flip
    assert t.message == (
        f"Above {shown:,.0f} requests/day, scenario 3 with use case 1A (all on premises) becomes the cheapest "
        "feasible option over 60 months instead of scenario 1 with use case 1A (training in the public cloud, "
        "serving on premises).")


@pytest.mark.parametrize("raw", [
    {},
    {"workload": {"requests_per_day": 2000, "model": "llama-3.1-8b"}},
    {"workload": {"model": "llama-3.1-8b", "finetune_method": "full"}, "horizon_months": 60},
    {"constraints": {"owned_gpus": {"gpu": "h100-sxm", "count": 4}}, "costing": {"capex": "amortise"}},
])
def test_every_cost_threshold_agrees_with_the_engine(catalog, raw):
    from explorer.engine.pipeline import cost_of as evaluate

    a = parse_assessment(raw, catalog=catalog)
    result = decide(catalog, a)
    found = [t for t in decision_thresholds(catalog, a, result=result) if t.kind != "recommendation"]
    assert found, "each of these assessments has at least one cost flip in range"
    rec = result.recommended
    for t in found:
        lo, hi = (t.value * 0.999, t.value * 1.001) if t.input != "horizon_months" else (t.value, t.value + 1)
        if t.input == "horizon_months" and t.direction == "above":
            lo, hi = t.value - 1, t.value
        sides = []
        for x in (lo, hi):
            if t.input == "horizon_months":
                changed = a.model_copy(update={"horizon_months": int(x)})
            elif t.input == "workload.requests_per_day":
                changed = a.model_copy(update={"workload": a.workload.model_copy(update={"requests_per_day": x})})
            else:
                changed = with_price(a, t.input.removeprefix("prices."), x)
            if t.kind == "cheapest":
                sides.append(cheapest(catalog, changed))
            else:
                totals = {o.key: round(o.total, 2) for o in evaluate(catalog, changed).options}
                ru = rec.runner_up
                sides.append({rec.key} if totals[rec.key] <= totals[ru] else {ru})
        now, then = (t.before, t.after) if t.direction == "above" else (t.after, t.before)
        assert now in sides[0] and then in sides[1], t.message


def test_traffic_flips_the_recommendation_through_owned_gpus(catalog):
    # 4 owned H100s serve 50,000 requests/day on one 4-GPU replica, so 1-1A (serving on premises) has no
    # procurement penalty and is recommended (61.0 against 3-1A's 55.2); once a second replica is needed it
    # waits 16 weeks (−8 points) and 3-1A leads.
    a = parse_assessment({"constraints": {"owned_gpus": {"gpu": "h100-sxm", "count": 4}}}, catalog=catalog)
    (t,) = [t for t in decision_thresholds(catalog, a)
            if t.kind == "recommendation" and t.input == "workload.requests_per_day"]
    assert t.direction == "above" and (t.before, t.after) == ("1-1A", "3-1A")

    def recommended(x):
        changed = a.model_copy(update={"workload": a.workload.model_copy(update={"requests_per_day": x})})
        return decide(catalog, changed).recommended.key

    assert recommended(t.value * 0.999) == "1-1A" and recommended(t.value * 1.001) == "3-1A"
    assert t.message == (f"Above {math.ceil(t.value / 1000) * 1000:,} requests/day, the recommendation moves from "
                         "scenario 1 with use case 1A to scenario 3 with use case 1A, because scenario 1 with use "
                         "case 1A then needs 8 GPUs, more than the 4 owned, and waits 16 weeks for procurement.")


def test_traffic_flips_the_recommendation_through_the_cost_ratings(catalog):
    """Without owned GPUs traffic still moves the recommendation: the cost, elasticity and burden ratings."""
    a = parse_assessment({"constraints": {"skills": ["cloud_platform", "ml_engineering"]}}, catalog=catalog)
    found = [t for t in decision_thresholds(catalog, a)
             if t.kind == "recommendation" and t.input == "workload.requests_per_day"]
    assert found
    for t in found:
        lo = a.model_copy(update={"workload": a.workload.model_copy(update={"requests_per_day": t.value * 0.995})})
        hi = a.model_copy(update={"workload": a.workload.model_copy(update={"requests_per_day": t.value * 1.005})})
        keys = decide(catalog, lo).recommended.key, decide(catalog, hi).recommended.key
        assert keys == ((t.before, t.after) if t.direction == "above" else (t.after, t.before))
        assert "the cost ratings move" in t.message


def test_runner_up_cost_flip_is_not_said_twice(catalog):
    # By default the runner-up 1-1A is also the cheapest option: its price flips are the cheapest option's.
    a = parse_assessment({}, catalog=catalog)
    found = decision_thresholds(catalog, a)
    cheap = {(t.input, round(t.value, 6)) for t in found if t.kind == "cheapest"}
    assert all((t.input, round(t.value, 6)) not in cheap for t in found if t.kind == "runner_up_cost")


# --- where the thresholds show: place --json and the Explorer's "what would flip it" panel --------------------


def test_place_json_carries_the_cost_thresholds(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "a.yaml"
    path.write_text("constraints: {owned_gpus: {gpu: h100-sxm, count: 4}}\n")
    out = subprocess.run([sys.executable, "-m", "explorer", "place", str(path), "--json"],
                         cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=True)
    rows = json.loads(out.stdout)["thresholds"]
    assert all(set(r) == {"input", "label", "unit", "current", "value", "direction", "before", "after", "message",
                          "kind"} for r in rows)
    kinds = {(r["kind"], r["input"]) for r in rows}
    assert ("recommendation", "workload.requests_per_day") in kinds
    assert ("cheapest", PRICE) in kinds
    (traffic,) = [r for r in rows if (r["kind"], r["input"]) == ("recommendation", "workload.requests_per_day")]
    # One 4-GPU vLLM replica (4 × 0.90² = 3.24 effective H100s) carries 8.1733 requests/s (tests/test_ratings.py),
    # but the 60 ms TPOT target holds under load only up to TPOT = a / (1 − λ · (prefill + 300 · c)) = 60 ms:
    # λ = (1 − 28.2805 / 60) / (0.070504 + 300 × 0.062349e-3) = 0.528658 / 0.089209 = 5.9261 requests/s
    # (tests/handcalc.py for a and c). At a peak factor of 3 the replica is full at 5.9261 × 86,400 / 3
    # = 170,671 requests/day; beyond, a second replica needs more than the 4 owned GPUs.
    lam = (1 - 141.2e9 / _BW / 0.060) / (PREFILL_MS / 1e3 + 300 * 327_680 * 950 / _BW)
    assert lam == pytest.approx(5.9261, abs=1e-4)
    assert traffic["message"].startswith("Above 171,000 requests/day, the recommendation moves from scenario 1")
    assert traffic["value"] == pytest.approx(lam * 86_400 / 3, rel=2e-3)


def test_explorer_panel_shows_cost_flips_after_a_horizon_change():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    at.session_state["why_flips"] = True  # the thresholds are computed when their expander is open
    open_sidebar(at).run()
    shown = "\n".join(str(m.value) for m in at.markdown)
    assert "**What would change the cheapest option**" in shown
    assert "At a horizon of 3 months or less, scenario 2 with use case 1B (all in the public cloud) becomes " \
           "the cheapest feasible option" in shown
    captions = "\n".join(str(c.value) for c in at.caption)
    assert "The score weighs the cost through the cost-profile rating" in captions

    at.number_input(key="horizon_months").set_value(3).run()
    assert not at.exception
    shown = "\n".join(str(m.value) for m in at.markdown)
    # At 3 months the all-cloud option (a whole 8-GPU p5 rented by the hour) is cheapest; from 4 months buying
    # 1-1A's serving GPUs pays off.
    assert "From a 4-month horizon, scenario 1 with use case 1A (training in the public cloud, serving on " \
           "premises) becomes the cheapest feasible option instead of scenario 2 with use case 1B" in shown
    assert "over 3 months" in shown  # the price flips name the horizon they are computed over

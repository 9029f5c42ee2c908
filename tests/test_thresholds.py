"""The threshold finder on functions with a known answer, and applied to the placement."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.assessment import parse_assessment
from explorer.governance import resolve_weights
from explorer.placement import place
from explorer.thresholds import (
    ThresholdError,
    bisect,
    decision_thresholds,
    find_flips,
    grid,
    nearest_flips,
    weight_chooser,
)


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
    # 15 ms meets a 20 ms target; above 20 ms the cloud-served options are ruled out.
    a = parse_assessment({"constraints": {"cloud_rtt_ms": 15}, "workload": {"ttft_target_ms": 20}}, catalog=catalog)
    found = [t for t in decision_thresholds(catalog, a) if t.input == "constraints.cloud_rtt_ms"]
    (t,) = found
    assert t.direction == "above" and t.value == pytest.approx(20, abs=0.01)
    assert (t.before, t.after) == ("2-1B", "1-1A")
    assert t.message == ("A cloud round trip above 20 ms breaks the 20 ms time-to-first-token target: the "
                         "recommendation moves from scenario 2 with use case 1B to scenario 1 with use case 1A.")


def test_ttft_threshold_below_the_round_trip(catalog):
    a = parse_assessment({"constraints": {"cloud_rtt_ms": 25}, "workload": {"ttft_target_ms": 200}}, catalog=catalog)
    (t,) = [t for t in decision_thresholds(catalog, a) if t.input == "workload.ttft_target_ms"]
    assert t.direction == "below" and t.value == pytest.approx(25, abs=0.01)
    assert t.message.startswith("A time-to-first-token target below 25 ms is broken by the 25 ms cloud round trip")


def test_weight_threshold_by_hand(catalog):
    # 2-1B: ratings sum 36 over 11 criteria, sovereignty 1, no penalty.
    # 1-1A: ratings sum 39, sovereignty 4, minus 8 GPU points. With sovereignty weight w (others 1):
    #   25·((35 + w)/(10 + w) − 1)  =  25·((35 + 4w)/(10 + w) − 1) − 8   ⇔   75w = 8(10 + w)   ⇔   w = 80/67
    a = parse_assessment({}, catalog=catalog)
    (t,) = [t for t in decision_thresholds(catalog, a) if t.input == "w.sovereignty"]
    assert t.direction == "above" and t.value == pytest.approx(80 / 67, abs=1e-4)
    assert t.message == ("Raising the weight of sovereignty from 1 to above 1.19 makes scenario 1 with use case 1A "
                         "the recommendation instead of scenario 2 with use case 1B.")
    below = place(catalog, a, {"sovereignty": 80 / 67 - 0.001}).recommended.key
    above = place(catalog, a, {"sovereignty": 80 / 67 + 0.001}).recommended.key
    assert (below, above) == ("2-1B", "1-1A")


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
    result = place(catalog, a, resolve_weights(catalog, w))
    choose = weight_chooser(catalog, result, resolve_weights(catalog, w), "privacy")
    assert choose(np.array([x])) == [result.recommended.key]


def test_no_thresholds_when_nothing_can_flip(catalog):
    # Regulated bank: only the all-local options are open and 3-1A/3-1B rate alike; nothing in range flips it.
    from explorer.assessment import load_assessment

    a = load_assessment("preset:regulated-bank", catalog)
    assert decision_thresholds(catalog, a) == ()

"""Honest uncertainty: P50 beside the point estimate, a bar outside its whisker explained, and tornado steps
that stay inside each input's domain and say when they change the sizing regime."""

from __future__ import annotations

import pytest

from explorer.engine.decision import decide
from explorer.engine.uncertainty import band_note
from explorer.model.assessment import bounds
from explorer.model.loading import load_assessment, parse_assessment
from explorer.render.charts import tornado_chart, tornado_rows, totals_chart


@pytest.fixture(scope="module")
def big(catalog):
    """The regulated bank with Llama 3.1 405B, 500,000 requests a day, air-gapped, on scenario 2 · 1A."""
    a = load_assessment("preset:regulated-bank", catalog)
    return decide(catalog, a.model_copy(update={
        "scenario": 2, "workload": a.workload.model_copy(update={"model": "llama-3.1-405b", "requests_per_day": 5e5}),
        "constraints": a.constraints.model_copy(update={"air_gapped": True})}))


def test_a_step_that_changes_the_regime_says_so(big):
    sens = big.sensitivity()
    (tp,) = [r for r in sens.rows if r.input == "eff:tensor_parallel_efficiency"]
    # vLLM's 0.90 × 0.8 = 0.72: no batch meets the 40 ms TPOT target any more, so serving falls back to batch 1.
    assert tp.low_value == pytest.approx(0.72)
    assert tp.regime_change
    assert "no batch meets the 40 ms TPOT target" in tp.low_note and "batch 1 on 64 GPUs per replica" in tp.low_note
    # 0.90 × 1.2 = 1.08 is outside the factor's domain: the step stops at 1.0, where 16 GPUs per replica do.
    assert tp.high_value == 1.0
    assert "16 GPUs per replica instead of 32" in tp.high_note
    # The plain swings come first; the regime change is drawn (clipped, labelled) and never hides them.
    rows = tornado_rows(sens)
    assert tp in rows and rows[0].regime_change and not rows[-1].regime_change
    fig = tornado_chart(sens)
    assert any("(off scale)" in t for trace in fig.data for t in trace.text if t)
    assert "no batch meets the 40 ms TPOT target" in fig.layout.annotations[-1].text
    plain = [r for r in sens.rows if not r.regime_change]
    reach = max(abs(t - sens.base_total) for r in plain for t in (r.low_total, r.high_total))
    assert max(abs(x) for trace in fig.data for x in trace.x) <= reach * 1.25 + 1e-6


def test_every_step_stays_inside_its_domain(catalog, big):
    for d in (big, decide(catalog, parse_assessment({}, catalog=catalog))):
        for row in d.sensitivity().rows:
            if row.input.startswith("workload."):
                limits = bounds(row.input)
                lo, hi = limits.get("min_value", float("-inf")), limits.get("max_value", float("inf"))
            else:
                item = catalog.price_items[row.input]
                lo, hi = item.min, item.max
            assert lo <= row.low_value <= hi and lo <= row.high_value <= hi, row.input


def test_p50_beside_the_point_estimate(catalog):
    d = decide(catalog, parse_assessment({"scenario": 4}, catalog=catalog))
    unc = d.uncertainty()
    total = d.option_cost("4-1A").total
    # The default S4 · 1A total sits below its own P10: the ranges reach further above the catalog's values.
    assert total < unc.p10["4-1A"]
    note = band_note(total, unc.p10["4-1A"], unc.p50["4-1A"], unc.p90["4-1A"], unc.samples)
    share = (unc.p50["4-1A"] - total) / total
    assert note.startswith("The point estimate prices every input at the catalog's value and lies outside its own "
                           f"P10–P90 band; the median of 2,000 samples is {share:.1%} above it")
    fig = totals_chart(d.cost, unc, "4-1A")
    assert fig.data[1].name.startswith("P50") and list(fig.data[1].y) == [unc.p50[o.key] for o in d.cost.options]
    assert "◆" in fig.data[0].text[6] and "outside its own P10–P90 band" in fig.layout.annotations[0].text
    # No note when the two agree to within half a per cent.
    assert band_note(100.0, 90.0, 100.2, 110.0, 2000) == ""

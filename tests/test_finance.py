"""Finance: residual value, leases, the cloud's price decline and present values, against hand calculations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_cost import HOURS, TRAIN_HOURS, simple

from explorer.engine.cost import lease_factor
from explorer.engine.pipeline import cost_of as evaluate

ROOT = Path(__file__).resolve().parent.parent


def test_buying_credits_the_residual_value_in_the_last_month(catalog):
    o = evaluate(catalog, simple(finance={})).option(3, "1A")
    # Two H100s at $37,500 each bought in month 0; 20% of the price comes back in month 12 of 12.
    assert o.line_items["capex"] == pytest.approx(75_000)
    assert o.line_items["residual"] == pytest.approx(-0.2 * 75_000)
    assert o.items["residual"][-1] == pytest.approx(-15_000) and o.items["residual"][:-1].sum() == 0
    none = evaluate(catalog, simple(finance={"residual_value": 0})).option(3, "1A")
    assert o.total == pytest.approx(none.total - 15_000)


def test_the_lease_payment_by_hand(catalog):
    # An annuity at 8%/12 a month over the 60-month life, leaving 20% to the lessor:
    #   r = 0.08/12 = 0.0066667, v = (1 + r)^-60 = 0.67121,
    #   payment = r × (1 − 0.2 × v) / (1 − v) = 0.0066667 × 0.86576 / 0.32879 = 0.017554 of the price a month.
    r = 0.08 / 12
    v = (1 + r) ** -60
    assert v == pytest.approx(0.67121, abs=1e-5)
    assert lease_factor(0.08, 60, 0.2) == pytest.approx(r * (1 - 0.2 * v) / (1 - v))
    assert float(lease_factor(0.08, 60, 0.2)) == pytest.approx(0.017554, abs=1e-6)
    assert float(lease_factor(0.0, 60, 0.2)) == pytest.approx(0.8 / 60)  # no interest: price less residual
    o = evaluate(catalog, simple(finance={"capex": "lease"})).option(3, "1A")
    assert o.line_items["capex"] == pytest.approx(75_000 * float(lease_factor(0.08, 60, 0.2)) * 12)
    assert o.line_items["residual"] == 0  # the lessor keeps the server
    # finance.capex wins over costing.capex.
    both = evaluate(catalog, simple(costing={"capex": "amortise"}, finance={"capex": "lease"})).option(3, "1A")
    assert both.line_items["capex"] == pytest.approx(o.line_items["capex"])


def test_cloud_gpu_hours_get_cheaper_each_year(catalog):
    o = evaluate(catalog, simple(finance={})).option(2, "1B")
    # One p5.48xlarge (8 H100s, the smallest H100 instance AWS sells) serving all month at $6.88 per GPU-hour,
    # 10% cheaper a year, month by month: 0.9^(m/12) for m = 0..11.
    decline = sum(0.9 ** (m / 12) for m in range(12))
    assert o.line_items["cloud_serving"] == pytest.approx(8 * HOURS * 6.88 * decline)
    # Training runs in months 0 and 6: the second at 0.9^0.5 of the price.
    assert o.line_items["cloud_training"] == pytest.approx(TRAIN_HOURS * 6.88 * (1 + 0.9 ** 0.5))
    flat = evaluate(catalog, simple(finance={"cloud_price_decline": 0})).option(2, "1B")
    assert flat.line_items["cloud_serving"] == pytest.approx(8 * HOURS * 6.88 * 12)


def test_present_value_by_hand(catalog):
    result = evaluate(catalog, simple(finance={}))
    for o in result.options:
        # Each month paid at its end, discounted at 8% a year: month m (0-based) by 1.08^-((m + 1)/12).
        expected = sum(c / 1.08 ** ((m + 1) / 12) for m, c in enumerate(o.monthly))
        assert o.present_value == pytest.approx(expected)
        assert o.present_value < o.total or o.total <= 0
    assert "present values discount at 8% a year" in result.finance_note
    assert result.finance_note.startswith("On-premises servers are bought up front (5-year life) and 20% of their "
                                          "price is credited back as residual value in the last month")


def test_the_tornado_sweeps_the_finance_inputs(catalog):
    from explorer.engine.sensitivity import sensitivity

    sens = sensitivity(catalog, simple(finance={}))  # 3-1A: bought servers, so the residual value moves its total
    assert any(r.input == "finance:residual_value" for r in sens.rows)


def test_cost_json_has_present_value_and_the_finance_note(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("finance: {discount_rate: 0.0, capex: amortise}\n")
    out = subprocess.run([sys.executable, "-m", "explorer", "cost", str(path), "--json", "--samples", "50"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    # At a 0% discount rate the present value is the total.
    for o in data["options"]:
        assert o["present_value"] == pytest.approx(o["total"])
        assert np.isclose(sum(o["monthly"]), o["total"])
    assert "amortised straight-line" in data["finance_note"]

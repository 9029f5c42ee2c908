"""Transfer time: each boundary flow over the customer's uplink, flagged when it cannot finish within its cadence."""

from __future__ import annotations

import pytest

from explorer.engine.decision import decide
from explorer.model.formatting import duration
from explorer.model.loading import parse_assessment


def _flows(catalog, **constraints):
    a = parse_assessment({"constraints": constraints}, catalog=catalog)
    return {f.id: f for f in decide(catalog, a).option(2, "1A").flows}


def test_transfer_hours_by_hand(catalog):
    flows = _flows(catalog)  # the default 10 Gbit/s uplink, 80% usable
    # Llama 3.1 70B's fine-tuned weights: 70.6e9 parameters × 2 bytes = 141.2 GB, every 3 months.
    w = flows["weights"]
    assert w.bytes_per_event == pytest.approx(141.2e9)
    # 141.2e9 B × 8 bit / (10e9 bit/s × 0.8) = 141.2 s = 0.0392 h
    assert w.transfer_hours == pytest.approx(141.2e9 * 8 / (10e9 * 0.8) / 3600)
    # Every 3 months: 3 × 30.4375 days × 24 h = 2,191.5 h between two events.
    assert w.period_hours == pytest.approx(3 * 30.4375 * 24) and w.fits_cadence
    # 800 input tokens × 4 bytes × 50,000 requests = 160 MB a day, every 24 h.
    d = flows["inference_data"]
    assert d.bytes_per_event == pytest.approx(160e6) and d.period_hours == pytest.approx(24)


def test_a_slow_link_is_flagged(catalog):
    # At 1 Mbit/s (80% usable = 100 kB/s): the weights take 141.2e9 / 1e5 / 3600 = 392.2 h = 16.3 days, which
    # still fits in 3 months.
    flows = _flows(catalog, uplink_gbps=0.001)
    assert flows["weights"].transfer_hours == pytest.approx(141.2e9 / 1e5 / 3600)
    assert flows["weights"].fits_cadence
    assert duration(flows["weights"].transfer_hours) == "16.3 days"
    # At 100,000 input tokens per request the daily data is 100,000 × 4 × 50,000 = 20 GB: 20e9 / 1e5 / 3600 =
    # 55.6 h, longer than the 24 h until the next day's: flagged.
    a = parse_assessment({"constraints": {"uplink_gbps": 0.001},
                          "workload": {"input_tokens": 100_000}}, catalog=catalog)
    f = next(f for f in decide(catalog, a).option(2, "1A").flows if f.id == "inference_data")
    assert f.transfer_hours == pytest.approx(20e9 / 1e5 / 3600) and not f.fits_cadence
    assert f.transfer_warning(0.001) == (
        "Live corporate data for inference (20 GB per day) take 2.3 days over the 0.001 Gbit/s uplink, longer "
        "than the 24.0 h until the next: a faster link, a smaller payload, or shipping the data some other way is "
        "needed.")
    assert duration(0.005) == "< 1 min" and duration(0.5) == "30 min" and duration(3.44) == "3.4 h"


def test_the_link_travels_in_the_url(catalog):
    from explorer.model.link import from_query, to_query

    a = parse_assessment({"constraints": {"uplink_gbps": 2.5}}, catalog=catalog)
    assert to_query(a)["constraints.uplink_gbps"] == "2.5"
    assert from_query(to_query(a)).constraints.uplink_gbps == 2.5


def test_the_explorer_flags_a_flow_that_cannot_keep_up():
    from test_pages import app

    at = app({"scenario": "2", "use_case": "1A", "constraints.uplink_gbps": "0.001",
              "workload.input_tokens": "100000"})
    assert not at.exception
    table = at.table[1].value
    assert table.loc["Live corporate data for inference", "Transfer at 0.001 Gbit/s"] == "2.3 days ⚠"
    assert any("longer than the 24.0 h until the next" in w.value for w in at.warning)

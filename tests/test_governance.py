"""Governance: weights, the weighted score of the resolved placement, and the radar chart."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.engine.decision import decide
from explorer.engine.governance import WeightsError, resolve_weights, trade_offs
from explorer.engine.scoring import exact_score
from explorer.model.loading import parse_assessment
from explorer.render.charts_governance import radar_figure


def test_all_zero_weights_say_so(catalog):
    zero = {c.id: 0 for c in catalog.criteria}
    with pytest.raises(WeightsError, match=re.escape("At least one criterion weight must be above 0; all weights "
                                                     "are 0.")):
        resolve_weights(catalog, zero)
    with pytest.raises(WeightsError):
        decide(catalog, parse_assessment({}, catalog=catalog), zero)


def test_unknown_and_out_of_range_weights(catalog):
    with pytest.raises(WeightsError, match=re.escape('Weight "beauty" is not a criterion. Choose from: privacy,')):
        resolve_weights(catalog, {"beauty": 1})
    with pytest.raises(WeightsError, match=re.escape('Weight "privacy" must be between 0 and 5 (got 7).')):
        resolve_weights(catalog, {"privacy": 7})


def test_weighted_score_by_hand(catalog):
    # 3-1A ratings: privacy 5, sovereignty 5, latency 5, control 5, compliance 5, elasticity 1, time to market 1,
    # cost profile 1, lock-in 5, cloud services 1, operational burden 1.
    table = trade_offs(catalog, 3, "1A", {"privacy": 3})
    ratings = [r.rating for r in table.rows]
    assert ratings == [5, 5, 5, 5, 5, 1, 1, 1, 5, 1, 1]
    # Privacy weight 3, others 1: (3·5 + 5+5+5+5 + 1+1+1 + 5 + 1+1) / 13 = 45/13; score 100·(45/13 − 1)/4.
    assert exact_score(catalog, table) == pytest.approx(100 * (45 / 13 - 1) / 4)
    assert table.score == round(100 * (45 / 13 - 1) / 4, 1) == 61.5


def test_score_reflects_the_resolved_placement(catalog):
    # With regulated data, 1-1A's open training moves on premises: it places stages as 3-1A does and takes its
    # ratings, so its governance score equals 3-1A's.
    a = parse_assessment({"constraints": {"data_classification": "regulated",
                                          "cloud_allowed_classes": ["public", "internal"]}}, catalog=catalog)
    result = decide(catalog, a)
    one, three = result.option(1, "1A"), result.option(3, "1A")
    assert one.rated_as == "3-1A"
    assert one.governance_score == three.governance_score
    assert any("the seed's ratings of 3-1A apply" in r for r in one.reasons)
    # Without the constraint 1-1A is rated on its own.
    assert decide(catalog, parse_assessment({}, catalog=catalog)).option(1, "1A").rated_as == "1-1A"


def test_weights_move_the_recommendation(catalog):
    a = parse_assessment({}, catalog=catalog)
    assert decide(catalog, a).recommended.key == "3-1A"
    assert decide(catalog, a, {"cost_profile": 5}).recommended.key == "1-1A"
    assert decide(catalog, a, {"elasticity": 5, "time_to_market": 5}).recommended.key in {"2-1B", "4-1A"}


@given(st.dictionaries(st.sampled_from(["privacy", "latency", "elasticity", "cost_profile"]), st.floats(0.01, 5)))
@settings(max_examples=30, deadline=None)
def test_score_stays_within_0_and_100(catalog, weights):
    result = decide(catalog, parse_assessment({}, catalog=catalog), weights)
    for o in result.options:
        assert 0 <= o.governance_score <= 100
        assert o.score == pytest.approx(max(o.governance_score - o.penalty, 0))
    recommended = result.option(int(result.recommended.key[0]), result.recommended.key[2:])
    assert recommended.score == pytest.approx(max(o.score for o in result.options if o.feasible))


def test_radar_figure(catalog):
    tables = [trade_offs(catalog, 3, "1A"), trade_offs(catalog, 2, "1B")]
    fig = radar_figure(tables, ["Local", "Cloud"])
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["Local", "Cloud"]
    first = fig.data[0]
    # Closed polygon: 11 criteria plus the first point again.
    assert len(first.r) == 12 and first.r[0] == first.r[-1] == 5
    assert list(first.theta[:2]) == ["Privacy", "Sovereignty"]
    assert first.fill == "toself" and fig.data[1].fill == "none"
    assert fig.layout.polar.radialaxis.range == (0, 5)
    assert radar_figure(tables).data[1].name == "Scenario 2 · 1B"


def test_radar_figure_errors(catalog):
    with pytest.raises(ValueError, match="radar_figure needs at least one trade-off table"):
        radar_figure([])
    with pytest.raises(ValueError, match="radar_figure got 1 tables but 2 names"):
        radar_figure([trade_offs(catalog, 1, "1A")], ["a", "b"])

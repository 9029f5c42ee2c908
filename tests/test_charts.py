"""Chart builders return plotly figures whose data match the cost model."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from explorer.engine.cost import LINE_ITEMS
from explorer.engine.pipeline import cost_of as evaluate
from explorer.engine.sensitivity import sensitivity
from explorer.engine.uncertainty import uncertainty
from explorer.model.loading import parse_assessment
from explorer.render import charts


@pytest.fixture(scope="module")
def bank(catalog):
    a = parse_assessment(catalog.preset("regulated-bank").assessment, catalog=catalog)
    return a, evaluate(catalog, a), uncertainty(catalog, a, samples=500), sensitivity(catalog, a)


def test_totals_chart(bank):
    _, r, u, _ = bank
    fig = charts.totals_chart(r, u, "3-1A")
    assert isinstance(fig, go.Figure)
    bar = fig.data[0]
    assert list(bar.y) == pytest.approx([o.total for o in r.options])
    assert list(bar.x)[4] == "S3 · 1A"
    assert bar.marker.line.width[4] == 3 and bar.marker.line.width[0] == 0  # the chosen option outlined
    assert bar.error_y.array[4] == pytest.approx(max(u.p90["3-1A"] - r.option(3, "1A").total, 0))


def test_cumulative_chart_marks_break_even(catalog):
    # By default the cheapest feasible cloud option is 2-1B, and 1-1A pays back against it.
    a = parse_assessment({}, catalog=catalog)
    r, u = evaluate(catalog, a), uncertainty(catalog, a, samples=500)
    assert r.reference == "2-1B"
    chosen = r.option(1, "1A")
    assert chosen.break_even_month is not None
    fig = charts.cumulative_chart(r, u, (1, "1A"))
    lines = [t for t in fig.data if t.name and t.name.startswith("S")]
    assert len([t for t in lines if "P10" not in t.name]) == 8
    s1 = next(t for t in fig.data if t.name == "S1 · 1A")
    assert list(s1.y) == pytest.approx(list(chosen.cumulative))
    assert any(sh.x0 == chosen.break_even_month for sh in fig.layout.shapes)
    assert f"break-even vs S2 · 1B: month {chosen.break_even_month}" in fig.layout.annotations[0].text
    band = next(t for t in fig.data if t.name == "S1 · 1A P10–P90")
    assert list(band.y) == pytest.approx(list(u.cumulative_p10["1-1A"]))


def test_breakdown_chart_stacks_to_totals(bank):
    _, r, _, _ = bank
    fig = charts.breakdown_chart(r)
    assert fig.layout.barmode == "stack"
    assert {t.name for t in fig.data} <= set(LINE_ITEMS.values())
    stacked = [sum(t.y[i] for t in fig.data) for i in range(8)]
    assert stacked == pytest.approx([o.total for o in r.options])


def test_tornado_is_sorted_and_centred(bank):
    _, _, _, s = bank
    fig = charts.tornado_chart(s, top=5)
    low, high = fig.data
    assert high.x[-1] == pytest.approx(s.rows[0].high_total - s.base_total)
    assert list(low.y)[-1] == s.rows[0].label  # largest swing drawn at the top
    assert low.base == s.base_total
    assert low.x[-1] == pytest.approx(s.rows[0].low_total - s.base_total)


def test_per_million_chart_says_not_defined_without_traffic(catalog):
    a = parse_assessment({"workload": {"requests_per_day": 0}}, catalog=catalog)
    fig = charts.per_million_chart(evaluate(catalog, a))
    assert list(fig.data[0].text) == ["n/a"] * 8
    assert "not defined" in fig.layout.title.text


def test_the_report_keeps_room_below_the_tornado_for_its_regime_change_notes(catalog):
    from explorer.render.report.cost_section import as_printed

    a = parse_assessment(catalog.preset("hipaa-hospital").assessment, catalog=catalog)
    s = sensitivity(catalog, a)
    changed = [r for r in charts.tornado_rows(s, 10) if r.regime_change]
    assert changed  # the hospital's tensor-parallel step changes the sizing regime
    fig = charts.tornado_chart(s, top=10)
    note = fig.layout.annotations[0]
    lines = note.text.count("<br>") + 1
    # The note starts 62 px below the plot and each of its lines takes 16 px: the margin holds it.
    assert -note.yshift + 16 * lines <= fig.layout.margin.b == 72 + 16 * lines
    printed = as_printed(fig, 600)
    assert printed.layout.margin.b == fig.layout.margin.b and printed.layout.height == 600
    assert printed.layout.title.text is None
    plain = as_printed(charts.breakdown_chart(evaluate(catalog, a)))
    assert plain.layout.margin.b == 10  # charts without notes print with a narrow margin

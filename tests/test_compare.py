"""The side-by-side comparison of all eight options."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from explorer.engine.decision import decide
from explorer.model.formatting import money
from explorer.model.loading import parse_assessment
from explorer.render import render_dot, view_source
from explorer.render.compare import Cell, Column, Comparison, Row, compare
from explorer.render.compare_html import comparison_html, thumbnail


def cmp_keys(cmp):
    return [c.key for c in cmp.columns]


def test_default_comparison(catalog):
    cmp = compare(decide(catalog, parse_assessment({}, catalog=catalog)))
    assert [c.key for c in cmp.columns] == ["1-1A", "1-1B", "2-1A", "2-1B", "3-1A", "3-1B", "4-1A", "4-1B"]
    assert cmp.recommended == "3-1A"
    assert [c.recommended for c in cmp.columns].count(True) == 1
    # 1-1A: 53/100 (tests/test_ratings.py; 4-1A pays a whole 8-GPU p5 instance for its cloud serving: 48/100)
    assert next(c for c in cmp.columns if c.runner_up).key == "1-1A"
    # The seed's table, with open stages filled by the use cases.
    assert [c.text for c in cmp.row("Training").cells] == ["Cloud"] * 4 + ["On prem"] * 2 + ["Cloud"] * 2
    assert [c.text for c in cmp.row("Data").cells] == ["On prem", "On prem", "Cloud", "Cloud", "On prem", "On prem",
                                                       "Both", "Both"]
    # Differences are marked against the recommended option (3-1A, all on premises).
    assert [c.differs for c in cmp.row("Serving").cells] == [False, False, False, True, False, False, True, True]
    assert cmp.row("Hard rules").differs is False  # everything is feasible by default
    assert cmp.row("Score /100").cells[4].text == "55"  # 100 × (38.9/11 − 1)/4 − 8 = 55.4 (tests/test_ratings.py)
    assert cmp.headline == "Recommended: scenario 3 with use case 1A (55/100); 8 of 8 options are feasible."
    # The cost rows are the engine's numbers: $690k for 3-1A, the cheapest ($356k, 1-1A) marked.
    d = decide(catalog, parse_assessment({}, catalog=catalog))
    totals = cmp.row("Total, 36 months").cells
    assert [c.text for c in totals] == [money(d.option_cost(k).total) for k in cmp_keys(cmp)]
    assert totals[0].tone == "ok" and totals[4].text == "$690k"
    # 2-1B rents a whole 8-GPU p5 instance for its cloud serving: $1,246,455 / 36 = $34,624 a month, against
    # 1-1A's $150,000 of servers up front and ($12,000 + $33,022 + $45,000 + $60,000 + $231 + $153) / 36 = $4,178 a
    # month to run them (both rent the same training). $150,000 / ($34,624 − $4,178) = 4.9 months: 1-1A's
    # cumulative cost ($182,879 in month 4, $187,053 in month 5) falls under 2-1B's ($174,903, $213,726) in
    # month 5 and stays under.
    one, two = d.option_cost("1-1A").cumulative, d.option_cost("2-1B").cumulative
    months = 150_000 / (1_246_454.59 / 36 - (12_000.20 + 33_022.08 + 45_000 + 60_000 + 230.96 + 152.50) / 36)
    assert months == pytest.approx(4.93, abs=0.01)
    assert one[3] > two[3] and all(one[m] <= two[m] for m in range(4, 36))
    assert cmp.row("Break-even").cells[0].text == d.cost.break_even_text("1-1A") == "month 5"
    assert cmp.row("Break-even").cells[3].text == "reference"
    assert len([r for r in cmp.rows if r.group == "Trade-offs"]) == len(catalog.criteria)


def test_ruled_out_options_show_why(catalog):
    a = parse_assessment({"constraints": {"air_gapped": True, "data_classification": "regulated",
                                          "cloud_allowed_classes": ["public"]}}, catalog=catalog)
    cmp = compare(decide(catalog, a))
    assert cmp.row("Total, 36 months").cells[2].text.endswith(" ✕")
    row = cmp.row("Hard rules")
    assert row.cells[2].text == "✕ air gap, data rules"
    assert "The site is air-gapped" in row.cells[2].detail
    assert cmp.row("Rank").cells[2].text == "—"
    assert cmp.recommended == "3-1A"


def test_nothing_feasible_headline(catalog):
    a = parse_assessment({"constraints": {"air_gapped": True, "cloud_only": True}}, catalog=catalog)
    cmp = compare(decide(catalog, a))
    assert cmp.recommended is None
    assert cmp.headline == "No option is feasible; 8 of 8 are ruled out."


def test_html_escapes_and_filters(catalog):
    cell = Cell(text="<b>x</b>", detail='"quoted" & <script>')
    cols = tuple(Column(key=f"{i}-1A", scenario=i, use_case="1A", title=f"S{i}", recommended=i == 1,
                        runner_up=False, feasible=True) for i in (1, 2))
    cmp = Comparison(columns=cols, recommended="1-1A", headline="h", rows=(
        Row(group="G", label="Same", cells=(Cell(text="a"), Cell(text="a"))),
        Row(group="G", label="<Differs>", cells=(cell, Cell(text="y"))),
    ))
    html = comparison_html(cmp)
    assert "<script>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "&quot;quoted&quot; &amp;" in html
    assert "&lt;Differs&gt;" in html and ">Same<" in html
    only = comparison_html(cmp, only_differences=True)
    assert ">Same<" not in only and "&lt;Differs&gt;" in only


def test_thumbnails_inline(catalog):
    a = parse_assessment({}, catalog=catalog)
    png = render_dot(view_source(decide(catalog, a), "architecture"), "png")
    small = thumbnail(png, width=240)
    with Image.open(io.BytesIO(small)) as im:
        assert im.width == 240
    cmp = compare(decide(catalog, a))
    html = comparison_html(cmp, {"1-1A": small})
    assert html.count("data:image/png;base64,") == 1 and "Architecture of S1 · 1A" in html

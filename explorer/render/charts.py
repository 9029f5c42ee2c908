"""Plotly figures for the cost model: pages only display what these return."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from explorer.engine.cost import LINE_ITEMS, CostResult
from explorer.engine.sensitivity import Sensitivity
from explorer.engine.uncertainty import Uncertainty
from explorer.model.formatting import money
from explorer.model.vocabulary import option_key, option_short

SCENARIO_COLOURS = {1: "#1f77b4", 2: "#ff7f0e", 3: "#2ca02c", 4: "#9467bd"}
ITEM_COLOURS = {
    "cloud_training": "#ff7f0e",
    "cloud_serving": "#ffbb78",
    "capex": "#2ca02c",
    "power": "#98df8a",
    "space": "#17becf",
    "support": "#9edae5",
    "staff": "#8c564b",
    "storage": "#c49c94",
    "egress": "#d62728",
    "link": "#ff9896",
}
_FONT = dict(family="DejaVu Sans, Arial, sans-serif", size=13)


def _light_template() -> go.layout.Template:
    """plotly_white trimmed to what our scatter, bar and polar charts read.

    Assigning the whole plotly_white template deep-copies its colour scales and trace defaults: about 20 ms
    a figure, a tenth of a rerun. The layout parts we use look the same and cost about 3 ms.
    """
    full = pio.templates["plotly_white"].layout.to_plotly_json()
    keep = ("colorway", "font", "hovermode", "hoverlabel", "paper_bgcolor", "plot_bgcolor", "polar", "xaxis", "yaxis",
            "title", "shapedefaults", "annotationdefaults")
    return go.layout.Template(layout={k: full[k] for k in keep if k in full})


TEMPLATE = _light_template()


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0.0, xanchor="left"), height=height, font=_FONT, template=TEMPLATE,
        margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", yanchor="top", y=-0.15),
    )
    return fig


def totals_chart(result: CostResult, unc: Uncertainty | None = None, selected: str | None = None) -> go.Figure:
    """Total cost over the horizon for all eight options, P10–P90 as error bars, the chosen one outlined."""
    labels = [option_short(o.key) for o in result.options]
    totals = [o.total for o in result.options]
    colours = [SCENARIO_COLOURS[o.scenario] for o in result.options]
    widths = [3 if option_key(o.scenario, o.use_case) == selected else 0 for o in result.options]
    error = None
    if unc is not None:
        keys = [option_key(o.scenario, o.use_case) for o in result.options]
        error = dict(
            type="data", symmetric=False, color="#444",
            array=[max(unc.p90[k] - t, 0.0) for k, t in zip(keys, totals, strict=True)],
            arrayminus=[max(t - unc.p10[k], 0.0) for k, t in zip(keys, totals, strict=True)],
        )
    fig = go.Figure(
        go.Bar(
            x=labels, y=totals, marker=dict(color=colours, line=dict(color="#000", width=widths)),
            error_y=error, text=[money(t) for t in totals], textposition="inside", textangle=0,
            insidetextanchor="start", textfont=dict(size=11),
            hovertemplate="%{x}: %{y:$,.0f}<extra></extra>", name="Total",
        )
    )
    fig.update_yaxes(title=f"Total over {result.horizon_months} months ({result.currency})", tickformat="$,.3s")
    title = "Total cost of each option"
    if unc is not None:
        title += f" (whiskers: P10–P90 of {unc.samples:,} samples)"
    return _layout(fig, title)


def cumulative_chart(
    result: CostResult, unc: Uncertainty | None = None, selected: tuple[int, str] | None = None
) -> go.Figure:
    """Cumulative cost month by month; the chosen option's P10–P90 band and its break-even month."""
    months = np.arange(1, result.horizon_months + 1)
    sel_key = option_key(*selected) if selected else None
    traces: list[go.Scatter] = []
    if unc is not None and sel_key is not None and unc.cumulative_p90[sel_key].any():
        traces.append(go.Scatter(x=months, y=unc.cumulative_p90[sel_key], mode="lines", line=dict(width=0),
                                 showlegend=False, hoverinfo="skip"))
        traces.append(go.Scatter(x=months, y=unc.cumulative_p10[sel_key], mode="lines", line=dict(width=0),
                                 fill="tonexty", fillcolor="rgba(100,100,100,0.18)",
                                 name=f"{option_short(sel_key)} P10–P90", hoverinfo="skip"))
    for o in result.options:
        chosen = o.key == sel_key
        reference = o.key == result.reference
        traces.append(go.Scatter(
            x=months, y=o.cumulative, mode="lines", name=option_short(o.key)
            + (" (all-cloud reference)" if reference else ""),
            line=dict(color=SCENARIO_COLOURS[o.scenario], width=4 if chosen else 1.8,
                      dash="solid" if o.use_case == "1A" else "dot"),
            hovertemplate="month %{x}: %{y:$,.0f}<extra>" + option_short(o.key) + "</extra>",
        ))
    shapes, annotations = [], []
    if selected is not None:
        chosen_cost = result.option(*selected)
        if chosen_cost.break_even_month is not None and sel_key != result.reference:
            m = chosen_cost.break_even_month
            shapes.append(dict(type="line", x0=m, x1=m, xref="x", y0=0, y1=1, yref="paper",
                               line=dict(color="#000", dash="dash", width=1.5)))
            annotations.append(dict(x=m, y=float(chosen_cost.cumulative[m - 1]),
                                    text=f"break-even vs all-cloud: month {m}", showarrow=True, arrowhead=2, ax=40,
                                    ay=-40, bgcolor="rgba(255,255,255,0.85)"))
    # One Figure from every trace at once: adding traces one by one re-validates the figure each time.
    fig = go.Figure(data=traces, layout=dict(
        shapes=shapes, annotations=annotations,
        xaxis=dict(title="Month", range=[0.5, result.horizon_months + 0.5]),
        yaxis=dict(title=f"Cumulative cost ({result.currency})", tickformat="$,.3s"),
    ))
    return _layout(fig, "Cumulative cost by month", height=430)


def breakdown_chart(result: CostResult) -> go.Figure:
    """Each option's total stacked by line item."""
    labels = [option_short(o.key) for o in result.options]
    fig = go.Figure()
    for item, name in LINE_ITEMS.items():
        values = [o.line_items[item] for o in result.options]
        if not any(values):
            continue
        fig.add_trace(go.Bar(x=labels, y=values, name=name, marker_color=ITEM_COLOURS[item],
                             hovertemplate="%{x}: %{y:$,.0f}<extra>" + name + "</extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=f"Total over {result.horizon_months} months ({result.currency})", tickformat="$,.3s")
    return _layout(fig, "Breakdown by line item", height=430)


def per_million_chart(result: CostResult) -> go.Figure:
    """Cost per million generated tokens (total cost / tokens generated over the horizon)."""
    rows = [(o, o.per_million_tokens) for o in result.options]
    fig = go.Figure(
        go.Bar(
            x=[option_short(o.key) for o, _ in rows], y=[v or 0.0 for _, v in rows],
            marker_color=[SCENARIO_COLOURS[o.scenario] for o, _ in rows],
            text=[f"${v:,.2f}" if v is not None else "n/a" for _, v in rows], textposition="outside",
            hovertemplate="%{x}: %{y:$,.2f} per million tokens<extra></extra>",
        )
    )
    fig.update_yaxes(title=f"{result.currency} per million generated tokens", tickformat="$,.2f")
    title = "Cost per million generated tokens"
    if result.tokens_generated <= 0:
        title += " (no tokens generated: not defined)"
    return _layout(fig, title, height=340)


def tornado_chart(sens: Sensitivity, top: int = 12) -> go.Figure:
    """The inputs that move the chosen option's total most, ±pct% each, largest at the top."""
    rows = list(sens.rows[:top])[::-1]
    base = sens.base_total
    labels = [r.label if len(r.label) <= 44 else r.label[:42] + "…" for r in rows]
    low = [r.low_total - base for r in rows]
    high = [r.high_total - base for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=labels, x=low, base=base, orientation="h", name=f"input −{sens.pct:g}%",
                         marker_color="#4c78a8", customdata=[r.low_total for r in rows],
                         hovertemplate="%{y}: %{customdata:$,.0f}<extra>−</extra>"))
    fig.add_trace(go.Bar(y=labels, x=high, base=base, orientation="h", name=f"input +{sens.pct:g}%",
                         marker_color="#f58518", customdata=[r.high_total for r in rows],
                         hovertemplate="%{y}: %{customdata:$,.0f}<extra>+</extra>"))
    fig.add_vline(x=base, line=dict(color="#000", width=1))
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title=f"Total of S{sens.scenario} · {sens.use_case}", tickformat="$,.3s", nticks=5)
    height = max(320, 110 + 30 * len(rows))
    fig = _layout(fig, f"What moves the total most (each input ±{sens.pct:g}%)", height=height)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1.0, xanchor="right"),
                      margin=dict(t=80))
    return fig

"""Plotly figures for the cost model: pages only display what these return."""

from __future__ import annotations

import html
import textwrap

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from explorer.engine.cost import LINE_ITEMS, CostResult, OptionCost
from explorer.engine.sensitivity import Sensitivity
from explorer.engine.uncertainty import Uncertainty
from explorer.model.formatting import money, months
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
    "residual": "#7f7f7f",
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


RULED_OUT = "✕ ruled out"


def cost_label(o: OptionCost, sep: str = "<br>") -> str:
    """An option on a chart axis or legend, marked when a hard rule rules it out."""
    return option_short(o.key) + ("" if o.feasible else f"{sep}{RULED_OUT}")


def _ruled_out_marker(options: list[OptionCost]) -> dict:
    """Hatched bars for ruled-out options."""
    return dict(pattern=dict(shape=["" if o.feasible else "x" for o in options], fgcolor="#ffffff", size=7))


def totals_chart(result: CostResult, unc: Uncertainty | None = None, selected: str | None = None) -> go.Figure:
    """Total cost over the horizon for all eight options, P10–P90 as whiskers and P50 as a diamond, the chosen
    one outlined, ruled-out options hatched and labelled. A point estimate outside its own whisker says why."""
    options = list(result.options)
    labels = [cost_label(o) for o in options]
    totals = [o.total for o in options]
    colours = [SCENARIO_COLOURS[o.scenario] if o.feasible else "#b0b0b0" for o in options]
    widths = [3 if o.key == selected else 0 for o in options]
    error = None
    traces: list = []
    outside: list[str] = []
    if unc is not None:
        keys = [o.key for o in options]
        # Whiskers from P10 to P90 wherever the bar's top is; drawn from the bar, so they reach its band.
        error = dict(
            type="data", symmetric=False, color="#444",
            array=[max(unc.p90[k] - t, 0.0) for k, t in zip(keys, totals, strict=True)],
            arrayminus=[max(t - unc.p10[k], 0.0) for k, t in zip(keys, totals, strict=True)],
        )
        outside = [k for k, t in zip(keys, totals, strict=True) if not unc.p10[k] <= t <= unc.p90[k]]
        traces.append(go.Scatter(
            x=labels, y=[unc.p50[k] for k in keys], mode="markers", name="P50 (median of the samples)",
            marker=dict(symbol="diamond", size=9, color="#222", line=dict(color="#fff", width=1)),
            hovertemplate="%{x}: P50 %{y:$,.0f}<extra></extra>"))
    bar = go.Bar(
        x=labels, y=totals, marker=dict(color=colours, line=dict(color="#000", width=widths),
                                        **_ruled_out_marker(options)),
        error_y=error, text=[money(t) + (" ◆" if o.key in outside else "") for o, t in zip(options, totals,
                                                                                          strict=True)],
        textposition="inside", textangle=0, insidetextanchor="start", textfont=dict(size=11),
        hovertemplate="%{x}: %{y:$,.0f}<extra></extra>", name="Point estimate",
    )
    fig = go.Figure([bar, *traces])
    fig.update_yaxes(title=f"Total over {months(result.horizon_months)} ({result.currency})", tickformat="$,.3s")
    title = "Total cost of each option"
    if unc is not None:
        title += f"<br><sup>Whiskers: P10–P90 of {unc.samples:,} samples</sup>"  # two lines: whole in a column
    fig = _layout(fig, title)
    if unc is not None:
        fig.update_layout(margin=dict(t=75))
    if outside:
        fig.add_annotation(
            text=_wrap("◆ the point estimate lies outside its own P10–P90 band: it prices every input at the "
                       "catalog's value, and the ranges reach further above those values than below, so most "
                       "samples cost more (see P50).", 56),
            xref="paper", yref="paper", x=0, y=1.0, xanchor="left", yanchor="bottom", showarrow=False,
            align="left", font=dict(size=11))
        fig.update_layout(margin=dict(t=150))
    return fig


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
            x=months, y=o.cumulative, mode="lines", name=cost_label(o, " ")
            + (" (break-even reference)" if reference else ""),
            line=dict(color=SCENARIO_COLOURS[o.scenario] if o.feasible else "#a0a0a0", width=4 if chosen else 1.8,
                      dash=("solid" if o.use_case == "1A" else "dot") if o.feasible else "dashdot"),
            opacity=1.0 if o.feasible else 0.6,
            hovertemplate="month %{x}: %{y:$,.0f}<extra>" + cost_label(o, " ") + "</extra>",
        ))
    shapes, annotations = [], []
    if selected is not None:
        chosen_cost = result.option(*selected)
        if (chosen_cost.break_even_month is not None and result.reference is not None
                and sel_key != result.reference):
            m = chosen_cost.break_even_month
            shapes.append(dict(type="line", x0=m, x1=m, xref="x", y0=0, y1=1, yref="paper",
                               line=dict(color="#000", dash="dash", width=1.5)))
            annotations.append(dict(x=m, y=float(chosen_cost.cumulative[m - 1]),
                                    text=f"break-even vs {option_short(result.reference)}: month {m}", showarrow=True,
                                    arrowhead=2, ax=40, ay=-40, bgcolor="rgba(255,255,255,0.85)"))
    # One Figure from every trace at once: adding traces one by one re-validates the figure each time.
    fig = go.Figure(data=traces, layout=dict(
        shapes=shapes, annotations=annotations,
        xaxis=dict(title="Month", range=[0.5, result.horizon_months + 0.5]),
        yaxis=dict(title=f"Cumulative cost ({result.currency})", tickformat="$,.3s"),
    ))
    return _layout(fig, "Cumulative cost by month", height=430)


def breakdown_chart(result: CostResult) -> go.Figure:
    """Each option's total stacked by line item."""
    labels = [cost_label(o) for o in result.options]
    fig = go.Figure()
    for item, name in LINE_ITEMS.items():
        values = [o.line_items[item] for o in result.options]
        if not any(values):
            continue
        fig.add_trace(go.Bar(x=labels, y=values, name=name,
                             marker=dict(color=ITEM_COLOURS[item], **_ruled_out_marker(list(result.options))),
                             hovertemplate="%{x}: %{y:$,.0f}<extra>" + name + "</extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=f"Total over {months(result.horizon_months)} ({result.currency})", tickformat="$,.3s")
    return _layout(fig, "Breakdown by line item", height=430)


def per_million_chart(result: CostResult) -> go.Figure:
    """Cost per million generated tokens (total cost / tokens generated over the horizon)."""
    rows = [(o, o.per_million_tokens) for o in result.options]
    fig = go.Figure(
        go.Bar(
            x=[cost_label(o) for o, _ in rows], y=[v or 0.0 for _, v in rows],
            marker=dict(color=[SCENARIO_COLOURS[o.scenario] if o.feasible else "#b0b0b0" for o, _ in rows],
                        **_ruled_out_marker([o for o, _ in rows])),
            text=[f"${v:,.2f}" if v is not None else "n/a" for _, v in rows], textposition="outside",
            hovertemplate="%{x}: %{y:$,.2f} per million tokens<extra></extra>",
        )
    )
    fig.update_yaxes(title=f"{result.currency} per million generated tokens", tickformat="$,.2f")
    title = "Cost per million generated tokens"
    if result.tokens_generated <= 0:
        title += " (no tokens generated: not defined)"
    return _layout(fig, title, height=340)


def tornado_rows(sens: Sensitivity, top: int = 12) -> list:
    """The rows the tornado draws, bottom to top: up to three regime changes (always shown, below), then the
    largest plain swings, the largest at the top."""
    changed = [r for r in sens.rows if r.regime_change][:3]
    plain = [r for r in sens.rows if not r.regime_change][: max(top - len(changed), 0)]
    return (plain + changed)[::-1]


# Characters per line of the tornado's notes. They start at the plot's left edge, right of the input names, so they
# have the plot's width: about 430 px in the Explorer's column at 1280 px, at 11 px a character is about 6.5 px.
NOTE_WRAP = 60


def tornado_chart(sens: Sensitivity, top: int = 12) -> go.Figure:
    """The inputs that move the chosen option's total most, ±pct% each, largest at the top.

    A step that changed the sizing regime (no batch meets the TPOT target any more, the model no longer fits)
    is listed below the plain swings with what happened; a bar past the plain swings' scale is cut there and
    labelled with its real total, so one such step never hides every other bar.
    """
    rows = tornado_rows(sens, top)
    base = sens.base_total
    plain = [r for r in rows if not r.regime_change]
    reach = max([abs(t - base) for r in plain for t in (r.low_total, r.high_total)], default=0.0)
    limit = reach * 1.25 if reach > 0 else None

    def label(r) -> str:
        text = r.label if len(r.label) <= 40 else r.label[:38] + "…"
        return text + " ⚠" if r.regime_change else text

    def clipped(total: float) -> float:
        delta = total - base
        return delta if limit is None else max(min(delta, limit), -limit)

    labels = [label(r) for r in rows]
    fig = go.Figure()
    for side, sign, colour in (("low", "−", "#4c78a8"), ("high", "+", "#f58518")):
        totals = [getattr(r, f"{side}_total") for r in rows]
        notes = [getattr(r, f"{side}_note") for r in rows]
        cut = [limit is not None and abs(t - base) > limit for t in totals]
        fig.add_trace(go.Bar(
            y=labels, x=[clipped(t) for t in totals], base=base, orientation="h", name=f"input {sign}{sens.pct:g}%",
            marker=dict(color=colour, pattern=dict(shape=["/" if n else "" for n in notes])),
            text=[f"{money(t)} (off scale)" if c else "" for t, c in zip(totals, cut, strict=True)],
            textposition="inside", insidetextanchor="middle", textfont=dict(color="#111", size=12),
            customdata=[[t, n or "a plain swing"] for t, n in zip(totals, notes, strict=True)],
            hovertemplate="%{y}: %{customdata[0]:$,.0f}<br>%{customdata[1]}<extra>" + sign + "</extra>"))
    fig.add_vline(x=base, line=dict(color="#000", width=1))
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title=f"Total of S{sens.scenario} · {sens.use_case}", tickformat="$,.3s", nticks=5)
    changed = [r for r in rows if r.regime_change][::-1]
    pct = f"{sens.pct:g}%"
    notes = [f"⚠ {r.label}: " + "; ".join(f"at {sign}{pct}, {n}" for sign, n in (("−", r.low_note), ("+", r.high_note))
                                          if n)
             for r in changed]
    text = "<br>".join(_wrap(html.escape(n), NOTE_WRAP) for n in notes)
    lines = text.count("<br>") + 1 if notes else 0
    height = max(320, 110 + 30 * len(rows) + (22 + 16 * lines if lines else 0))
    fig = _layout(fig, f"What moves the total most (each input ±{sens.pct:g}%)", height=height)
    if notes:
        fig.add_annotation(text=text, xref="paper", yref="paper", x=0, y=0, yshift=-62, xanchor="left",
                           yanchor="top", showarrow=False, align="left", font=dict(size=11))
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1.0, xanchor="right"),
                      margin=dict(t=80, b=(72 if lines else 50) + 16 * lines))
    return fig


def _wrap(text: str, width: int) -> str:
    """Plotly annotations do not wrap: lines of at most ``width`` characters."""
    return "<br>".join(textwrap.wrap(text, width))

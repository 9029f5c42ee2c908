"""Governance charts: a radar of the criterion ratings of a few options, as a plotly Figure."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from explorer.engine.governance import TradeOffs

# Colour-blind-safe (Okabe-Ito) colours, one per trace in order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


def radar_figure(
    tables: Sequence[TradeOffs],
    names: Sequence[str] | None = None,
    *,
    scale: tuple[int, int] = (1, 5),
    height: int = 420,
) -> go.Figure:
    """One closed polygon per option over every criterion; hovering a point shows its rating and weight.

    ``names`` label the traces (default "Scenario N · 1A"); the first trace is drawn filled.
    """
    if not tables:
        raise ValueError("radar_figure needs at least one trade-off table")
    names = list(names) if names is not None else [f"Scenario {t.scenario} · {t.use_case}" for t in tables]
    if len(names) != len(tables):
        raise ValueError(f"radar_figure got {len(tables)} tables but {len(names)} names")
    traces = []
    for i, (table, name) in enumerate(zip(tables, names, strict=True)):
        labels = [r.name for r in table.rows]
        ratings = [r.rating for r in table.rows]
        weights = [r.weight for r in table.rows]
        colour = PALETTE[i % len(PALETTE)]
        traces.append(
            go.Scatterpolar(
                r=[*ratings, ratings[0]],
                theta=[*labels, labels[0]],
                customdata=[*weights, weights[0]],
                name=name,
                mode="lines+markers",
                line={"color": colour, "width": 2.5 if i == 0 else 1.8, "dash": "solid" if i < 2 else "dot"},
                fill="toself" if i == 0 else "none",
                opacity=0.9,
                hovertemplate="%{theta}: %{r}/5 (weight %{customdata:g})<extra>" + name + "</extra>",
            )
        )
    fig = go.Figure(data=traces)  # all traces at once: adding them one by one re-validates the figure
    fig.update_layout(
        polar={"radialaxis": {"range": [0, scale[1]], "tickvals": list(range(scale[0], scale[1] + 1)),
                              "tickfont": {"size": 10}},
               "angularaxis": {"tickfont": {"size": 11}}},
        showlegend=True,
        legend={"orientation": "h", "y": -0.12, "x": 0.5, "xanchor": "center"},
        margin={"l": 105, "r": 105, "t": 30, "b": 40},  # room for "Compliance evidence" beside the circle
        height=height,
        font={"family": "DejaVu Sans, sans-serif"},
    )
    return fig

"""The page layer's only Streamlit caches: plotly figures and thumbnails, built once per content.

The engine caches its own stages by content; what is left to cache here is building the figures, which
costs tens of milliseconds each. A figure is shared read-only by every session (``st.plotly_chart`` only
serialises it). Each key is the decision's content (catalog version, choice-free assessment, weights)
plus what the figure shows; the decision object itself is passed unhashed.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from explorer import Decision
from explorer.engine.pipeline import choice_free
from explorer.model.vocabulary import split_key
from explorer.render import charts
from explorer.render.charts_governance import radar_figure
from explorer.render.compare_html import thumbnail
from explorer.render.graphviz import render_dot


def content(decision: Decision) -> tuple[object, ...]:
    """What a decision's figures depend on, as a hashable key."""
    return (decision.catalog.version, choice_free(decision.assessment), tuple(sorted(decision.weights.items())))


@st.cache_resource(max_entries=256, show_spinner=False)
def _radar(_decision: Decision, key: tuple[object, ...], shown: tuple[str, ...], names: tuple[str, ...],
           height: int) -> go.Figure:
    del key
    tables = [_decision.option(*split_key(k)).trade_offs for k in shown]
    return radar_figure(tables, list(names), height=height)


def radar(decision: Decision, shown: list[str], names: list[str], height: int = 400) -> go.Figure:
    return _radar(decision, content(decision), tuple(shown), tuple(names), height)


@st.cache_resource(max_entries=512, show_spinner=False)
def _cost_figure(_decision: Decision, key: tuple[object, ...], chosen: str, name: str) -> go.Figure:
    del key
    d = _decision
    result, selected = d.require_cost(), split_key(chosen)
    if name == "cumulative":
        return charts.cumulative_chart(result, d.uncertainty(), selected)
    if name == "totals":
        return charts.totals_chart(result, d.uncertainty(), chosen)
    if name == "breakdown":
        return charts.breakdown_chart(result)
    if name == "per_million":
        return charts.per_million_chart(result)
    return charts.tornado_chart(d.sensitivity(), top=8 if name == "tornado_top" else 12)


COST_FIGURES = ("cumulative", "totals", "breakdown", "per_million", "tornado", "tornado_top")


def cost_figure(decision: Decision, name: str) -> go.Figure:
    """One cost chart of the chosen option (``COST_FIGURES``), built once per content."""
    return _cost_figure(decision, content(decision), decision.key, name)


@st.cache_data(max_entries=64, show_spinner=False)
def thumb(source: str) -> bytes:
    """A 240 px thumbnail of a diagram, by its DOT source."""
    return thumbnail(render_dot(source, "png"), width=240)

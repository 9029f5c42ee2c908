"""A session's first paint: the page and its diagram first, the charts out of sight a moment later.

A new visitor's browser has to load and run plotly.js before it draws a chart, and when the charts come in the same
run as the diagram that work delays the diagram (bench/bench_room.py --second-visitors, BENCHMARKS.md). So on a
session's first run the Explorer leaves its charts out, and reruns at once when that run ends: the browser has drawn
the page by the time the charts arrive. The follow-up run is answered from the content caches.
"""

from __future__ import annotations

import streamlit as st

from pages.parts import state

DONE = "_first_paint_done"


def charts_now() -> bool:
    """Whether this run may draw charts (False only on a session's first run)."""
    return bool(st.session_state.get(DONE))


def waiting() -> None:
    """What stands where a chart will be, for the moment between the two runs."""
    st.caption("Drawing the chart…")


def follow_up() -> None:
    """At the end of a page's run: after a session's first run, rerun at once to draw the charts (showing again
    the notice this run showed, such as a bad link's)."""
    if not st.session_state.get(DONE):
        st.session_state[DONE] = True
        if st.session_state.get(state.SHOWN):
            st.session_state[state.NOTICE] = st.session_state[state.SHOWN]
        st.rerun()

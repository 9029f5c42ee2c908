"""A session's first paint: the page and its diagram first, the charts out of sight a moment later.

A new visitor's browser has to load and run plotly.js before it draws a chart, and when the charts come in the same
run as the diagram that work delays the diagram (bench/bench_room.py --second-visitors, BENCHMARKS.md). So on a
session's first run the Explorer leaves its charts out, and reruns when that run ends. The follow-up run waits a
moment first (EXPLORER_FOLLOW_UP_DELAY_S, default 1 s, 0 to 5): plotly.js is a 4.7 MB script for the browser to load
and compile, and when it arrives while the browser is still drawing the diagram the diagram takes up to twice as long
(BENCHMARKS.md, "The second visitor"). The follow-up run is answered from the content caches.
"""

from __future__ import annotations

import math
import os
import time

import streamlit as st

from pages.parts import state

DONE = "_first_paint_done"
PENDING = "_first_paint_follow_up"  # the next run is the follow-up: it waits a moment before it draws


def _delay_s() -> float:
    """The follow-up run's pause in seconds, from EXPLORER_FOLLOW_UP_DELAY_S: a number from 0 to 5 (clamped); 1 if
    the variable is not a number."""
    raw = os.environ.get("EXPLORER_FOLLOW_UP_DELAY_S", "1.0")
    try:
        seconds = float(raw)
    except ValueError:
        return 1.0
    return min(max(seconds, 0.0), 5.0) if not math.isnan(seconds) else 1.0


def pause_before_charts() -> None:
    """At the start of the follow-up run, before it takes its turn to run: wait a moment, so that the browser has
    drawn the page and its diagram before plotly.js (4.7 MB to load and compile) competes with it."""
    if st.session_state.pop(PENDING, False):
        time.sleep(_delay_s())


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
        st.session_state[PENDING] = True
        if st.session_state.get(state.SHOWN):
            st.session_state[state.NOTICE] = st.session_state[state.SHOWN]
        st.rerun()

"""The frame every page runs in: the catalog, the session's assessment, the shared sidebar, and the decision.

app.py draws the frame and then runs the page its navigation picked. Each page calls :func:`page`, which
reads the widgets into the assessment and takes the decision (every engine stage is cached by content).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import runpy
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from explorer import Assessment, Catalog, Decision, ExplorerError, decide, load_catalog
from explorer.model.formatting import sentence, slug
from explorer.model.link import default_weights
from explorer.render.markdown import literal
from pages.parts import sidebar, state, view

APP = Path(__file__).resolve().parent.parent.parent / "app.py"



def _run_slots() -> int:
    """How many sessions' scripts may run at once in this process (``EXPLORER_RUN_SLOTS``, 1 to 16; default 1)."""
    raw = os.environ.get("EXPLORER_RUN_SLOTS", "1").strip()
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 16 else 1


# One script run at a time per process. Every session's script is a thread under one interpreter lock, and the
# server's event loop, which sends every session's messages, needs that lock once per message: with many scripts
# runnable at once the loop waits behind them (each hand-over of the lock can take its 5 ms switch interval), so a
# room's reruns queued for seconds while the process used a third of a core. Queued runs wait here, off the lock.
# Measured with bench/bench_room.py (BENCHMARKS.md): 40 sessions on one process, p95 2.1 s -> 0.10 s.
_SLOTS = threading.BoundedSemaphore(_run_slots())
SLOT_WAIT_S = 10.0  # a run never waits longer than this for its turn (a stuck run cannot stall the others)

_IN_APP: contextvars.ContextVar[bool] = contextvars.ContextVar("in_app", default=False)
# Where this run's sidebar keeps the assessment file (its download is drawn once the page has read its widgets).
_FILE_BOX: contextvars.ContextVar[DeltaGenerator | None] = contextvars.ContextVar("file_box", default=None)


@dataclass(frozen=True)
class Page:
    catalog: Catalog
    assessment: Assessment
    decision: Decision


@contextlib.contextmanager
def in_app() -> Iterator[None]:
    """Marks the runs of app.py's navigation (see :func:`page`), and runs them one at a time (see ``_SLOTS``)."""
    token = _IN_APP.set(True)
    acquired = _SLOTS.acquire(timeout=SLOT_WAIT_S)
    try:
        yield
    finally:
        if acquired:
            _SLOTS.release()
        _IN_APP.reset(token)


def catalog() -> Catalog:
    """The catalog; or one sentence naming the bad file, and the run stops."""
    try:
        return load_catalog()
    except ExplorerError as exc:
        st.error(literal(f"The app's data could not be loaded. {exc}"))
        st.stop()


def frame() -> None:
    """What every page shares, drawn by app.py before the page: state from the link, then the sidebar."""
    cat = catalog()
    state.init_state(cat)
    view.configure()
    _FILE_BOX.set(sidebar.sidebar(cat))


def guard() -> None:
    """The one guard against Streamlit's legacy ``pages/`` discovery; every page calls it first.

    On the very first request of a fresh server process, a deep link such as ``/compare`` runs
    ``pages/compare.py`` directly, before any ``st.navigation`` call (DESIGN.md, PagesManager). Such a run
    is handed to app.py. A session's first run declares app.py's navigation (which ends the legacy mode for
    the whole process) and reruns, as an ordinary run of app.py. A later run (AppTest runs every run this
    way) runs app.py's navigation in the same run, so the click that started it is not lost.
    """
    if not _IN_APP.get():
        app = runpy.run_path(str(APP), run_name="handover")
        if state.STATE not in st.session_state:  # the session's first run: rerun as an ordinary run of app.py
            app["navigation"]()
            st.rerun()
        app["main"]()
        st.stop()


def page() -> Page:
    """The assessment as the widgets say, and its decision (after any page widgets are drawn)."""
    cat = catalog()
    weights = state.current_weights(cat)
    assessment = state.current_assessment(cat, weights)
    sidebar.downloads(_FILE_BOX.get() or st.sidebar, assessment.to_yaml(), assessment.customer)
    try:
        decision = decide(cat, assessment, weights)
    except ExplorerError as exc:  # weights that cannot be used: say so, and decide with the defaults
        st.error(literal(f"{sentence(str(exc))} Showing the default weights until one is raised."),
                 icon=":material/balance:")
        decision = decide(cat, assessment, default_weights(cat))
    for warning in decision.warnings:  # accepted, but far outside the catalog's ranges
        st.warning(literal(f"Check this input: {warning}"), icon=":material/error:")
    return Page(catalog=cat, assessment=assessment, decision=decision)


def file_stem(assessment: Assessment, view: str) -> str:
    return f"{slug(assessment.customer or 'explorer')}-s{assessment.scenario}-{assessment.use_case}-{view}"

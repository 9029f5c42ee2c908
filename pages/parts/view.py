"""How the app is shown, not what it assesses: the projector-first style and presenter mode (``present=1``).

Presenter mode is view state: it travels in the link next to the assessment, never in the assessment file.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from explorer import Decision
from explorer.model.link import present_from_link
from explorer.model.vocabulary import option_words

PRESENT = "present"  # the toggle's widget key
VIEW = "_present"  # the canonical presenter-mode flag, kept while pages that do not draw the toggle run
SIDEBAR_PX = 256  # the sidebar's width when shown: Streamlit's default 300 px is a quarter of a projector's 1280

# Projector-first: no empty band above the title, labels that wrap instead of being cut, headings that stay
# whole. (Streamlit offers no setting for these; the selectors are its own test ids and key classes.) The sidebar's
# width is also set here: a fresh server's first session draws the sidebar before the page config arrives, at
# Streamlit's 300 px (the price: the sidebar cannot be dragged wider).
STYLE = f"""
section[data-testid=stSidebar][data-collapsed=false] {{width: {SIDEBAR_PX}px !important}}
[data-testid=stMainBlockContainer] {{padding: 2.25rem 2rem 2rem 2rem}}
[data-testid=stMain] h1 {{padding-top: 0; padding-bottom: 0.25rem; font-size: 2.1rem}}
[data-testid=stMain] h2, [data-testid=stMain] h3 {{padding-top: 0.25rem}}
[data-testid=stMetricLabel], [data-testid=stMetricLabel] * {{white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; height: auto !important}}
[data-testid=stMetricValue] > div {{white-space: normal !important; overflow: visible !important}}
[data-testid=stTable] th {{white-space: normal}}
.st-key-diagram img {{max-height: max(460px, calc(100vh - 330px)); width: auto !important; max-width: 100%;
  object-fit: contain; margin: 0 auto; display: block}}
"""
# Presenter mode: larger type for the back of the room, and the diagram as tall as the screen allows.
PRESENTER_STYLE = """
[data-testid=stMain] {font-size: 1.2rem}
[data-testid=stMain] p, [data-testid=stMain] li, [data-testid=stMain] td, [data-testid=stMain] th,
[data-testid=stMain] label p {font-size: 1.2rem !important}
[data-testid=stMainBlockContainer] {padding-top: 3.5rem}
[data-testid=stMain] h1 {font-size: 2rem}
.st-key-diagram img {max-height: calc(100vh - 300px)}
"""

# The step-through: the four scenarios with each use case, in the order the seed tells them.
STEPS: tuple[tuple[int, str], ...] = tuple((s, u) for s in (1, 2, 3, 4) for u in ("1A", "1B"))


def from_link(params: Mapping[str, str | list[str]]) -> str:
    """Take presenter mode from a session's first link; returns a sentence if the link's value is unusable."""
    st.session_state[VIEW], problem = present_from_link(params)
    return problem


def presenting() -> bool:
    """Whether presenter mode is on: the toggle's value in this run, else the session's, else the link's."""
    if PRESENT in st.session_state or VIEW in st.session_state:
        return bool(st.session_state.get(PRESENT, st.session_state.get(VIEW, False)))
    return present_from_link(st.query_params.to_dict())[0]  # a session's first run, before its state is read


def sidebar_state() -> str | int:
    """The sidebar as the page opens: closed when presenting, else a projector-friendly width."""
    return "collapsed" if presenting() else SIDEBAR_PX


def configure() -> None:
    """The page's frame for this view: the sidebar (again, for a toggle in this session) and the style."""
    st.set_page_config(initial_sidebar_state=sidebar_state())
    st.html(f"<style>{STYLE}{PRESENTER_STYLE if presenting() else ''}</style>")


def toggle(container) -> bool:
    """The presenter-mode toggle (kept across pages and in the link); returns whether it is on."""
    st.session_state[PRESENT] = presenting()  # seeded from the session: the widget is not drawn on every page
    on = container.toggle("Presenter mode", key=PRESENT,
                          help="Sidebar closed, larger type, the diagram as large as the screen allows. "
                               "The ← and → keys (or Previous and Next) step through the four scenarios with "
                               "both use cases.")
    st.session_state[VIEW] = on
    return on


def _step(delta: int) -> None:
    """Move the Scenario and Use case pickers ``delta`` steps along :data:`STEPS` (wrapping round)."""
    here = (int(st.session_state["scenario"]), str(st.session_state["use_case"]))
    index = STEPS.index(here) if here in STEPS else 0
    st.session_state["scenario"], st.session_state["use_case"] = STEPS[(index + delta) % len(STEPS)]


def stepper(previous_col, position_col, next_col) -> None:
    """Previous and Next, also on the ← and → keys, and where the step-through is."""
    previous_col.button("Back", key="step_previous", icon=":material/arrow_back:", shortcut="Left",
                        on_click=_step, args=(-1,), width="stretch")
    next_col.button("Next", key="step_next", icon=":material/arrow_forward:", shortcut="Right",
                    on_click=_step, args=(1,), width="stretch")
    here = (int(st.session_state["scenario"]), str(st.session_state["use_case"]))
    if here in STEPS:
        position_col.markdown(f"**{STEPS.index(here) + 1} of {len(STEPS)}**")


def diagram_alt(decision: Decision, title: str) -> str:
    """Alt text for a diagram image: which option it draws, where each stage runs, and what crosses the boundary."""
    option = decision.chosen
    stages = "; ".join(f"{p.stage}: {p.label.lower()}" for p in option.stages.values())
    flows = len(option.flows)
    crossing = (f"{flows} data flow{'s cross' if flows != 1 else ' crosses'} the premises/cloud boundary"
                if flows else "no data crosses the premises/cloud boundary")
    status = "" if option.feasible else " The option is ruled out by a hard rule."
    return f"{title} diagram of {option_words(option.key)}: {stages}; {crossing}.{status}"

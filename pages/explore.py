"""Explorer: pick a scenario and a use case; see placement, diagrams and trade-offs side by side.

Projector-first: at 1280×800 the placement and the architecture diagram are in the first screen. Presenter mode
(``present=1``) closes the sidebar, enlarges the type and the diagram, and steps through the options by key.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer.model.formatting import duration
from explorer.model.vocabulary import option_label, split_key
from explorer.render.tables import trade_off_html
from pages.parts import cache, cost_panel, decision_panel, diagram_panel, paint, shell, state, view

shell.guard()
st.title("Deployment Scenario Explorer")
cat = shell.catalog()
state.bind("scenario", "use_case")
scenarios = {s.id: s for s in cat.scenarios}
use_cases = {u.id: u for u in cat.use_cases}
presenting = view.presenting()
widths = [4.4, 1.3, 1.4, 0.8, 1.4, 2.3] if presenting else [5, 2, 2]
row = st.columns(widths, vertical_alignment="bottom")
row[0].selectbox("Scenario", list(scenarios), key="scenario",
                 format_func=lambda i: f"Scenario {i}: {scenarios[i].name}")
row[1].segmented_control("Use case", list(use_cases), key="use_case", required=True,
                         help="1A: train in the cloud, infer on premises. 1B: train and serve in the cloud.")
if presenting:
    view.stepper(row[2], row[3], row[4])
view.toggle(row[-1])
page = shell.page()
state.show_notice()
decision, assessment = page.decision, page.assessment
scenario, use_case = scenarios[assessment.scenario], use_cases[assessment.use_case]
option = decision.chosen

col_tables, col_diagrams = st.columns([1, 3] if presenting else [2, 3], gap="medium")
with col_tables:
    st.subheader("Stage placement")
    placement = pd.DataFrame([{"Stage": p.stage.capitalize(), "Runs": p.label, "Why": p.reason}
                              for p in option.stages.values()]).set_index("Stage")
    st.table(placement[["Runs"]] if presenting else placement)  # the room reads the why from the presenter
    decision_panel.status(decision)
    st.caption(f"**Scenario {scenario.id}: {scenario.name}.** {scenario.locality}  \n"
               f"**Use case {use_case.id}: {use_case.name}.** {use_case.summary}")
    for conflict in option.conflicts:
        st.info(conflict, icon=":material/call_split:")
    for sentence in decision.contradictions:
        st.warning(f"Contradictory constraints. {sentence}", icon=":material/report:")
    decision_panel.cautions(decision)
with col_diagrams:
    diagram_panel.show(decision, assessment)

st.subheader("Data crossing the boundary")
if option.flows:
    gbps = assessment.constraints.uplink_gbps
    st.table(pd.DataFrame([{"What": f.what, "Direction": f.direction.replace("_", " "),
                            "Volume": f.label.split(": ", 1)[1], "GB per month": f"{f.bytes_per_month / 1e9:,.2f}",
                            f"Transfer at {gbps:g} Gbit/s": duration(f.transfer_hours)
                            + ("" if f.fits_cadence else " ⚠")}
                           for f in option.flows]).set_index("What"))
    for f in option.flows:
        if not f.fits_cadence:
            st.warning(f.transfer_warning(gbps), icon=":material/schedule:")
else:
    st.caption("Nothing crosses the premises/cloud boundary in this option.")

col_ratings, col_radar = st.columns([3, 2], gap="medium")
with col_ratings:
    st.subheader("Governance and privacy trade-offs")
    rated = (f" The seed's ratings are those of option {option.rated_as}, which places every stage the same way "
             "for this kind of model." if option.rated_as != option.key else "")
    st.caption(f"Score {option.breakdown}. Ratings 1 (weak) to 5 (strong) for the customer: cost profile, "
               "elasticity and operational burden are computed from this assessment's cost model (marked ⚙); the "
               f"others are judgements drawn from the seed's rationale. Weights are set in the sidebar.{rated}")
    st.html(trade_off_html(option.trade_offs))
with col_radar:
    st.subheader("Trade-offs at a glance")
    best = decision.recommended
    shown = list(dict.fromkeys(k for k in (option.key, best.key if best else None, best.runner_up if best else None)
                               if k))
    roles = {k: " (this)" if k == option.key else " (recommended)" if best and k == best.key else " (runner-up)"
             for k in shown}
    names = [option_label(k) + roles[k] + ("" if decision.option(*split_key(k)).feasible else " ✕ ruled out")
             for k in shown]
    if paint.charts_now():
        st.plotly_chart(cache.radar(decision, shown, names), key="radar", config={"displaylogo": False})
    else:
        paint.waiting()

cost_panel.show(decision)
paint.follow_up()

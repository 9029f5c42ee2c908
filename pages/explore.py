"""Explorer: pick a scenario and a use case; see placement, diagrams and trade-offs side by side."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import ExplorerError
from explorer.model.formatting import duration
from explorer.model.vocabulary import option_label, split_key
from explorer.render import MEDIA_TYPES, render_view
from explorer.render.markdown import literal
from explorer.render.tables import rating_style, trade_off_html
from pages.parts import cache, cost_panel, decision_panel, paint, shell, state

DIAGRAMS = {"architecture": ("Architecture", "Architecture: the public cloud drawn around the premises; red edges "
                                             "cross the boundary."),
            "c4-context": ("C4 context", "C4 system context, laid out as in the seed.")}

shell.guard()
st.title("Deployment Scenario Explorer")
cat = shell.catalog()
state.bind("scenario", "use_case")
scenarios = {s.id: s for s in cat.scenarios}
use_cases = {u.id: u for u in cat.use_cases}
left, right = st.columns([3, 2])
left.selectbox("Scenario", list(scenarios), key="scenario", format_func=lambda i: f"Scenario {i}: {scenarios[i].name}")
right.segmented_control("Use case", list(use_cases), key="use_case", required=True,
                        help="1A: train in the cloud, infer on premises. 1B: train and serve in the cloud.")
page = shell.page()
state.show_notice()
decision, assessment = page.decision, page.assessment
scenario, use_case = scenarios[assessment.scenario], use_cases[assessment.use_case]
option = decision.chosen

st.markdown(f"**Scenario {scenario.id}: {scenario.name}.** {scenario.locality}  \n"
            f"**Use case {use_case.id}: {use_case.name}.** {use_case.summary}")
for conflict in option.conflicts:
    st.info(conflict, icon=":material/call_split:")
for sentence in decision.contradictions:
    st.warning(f"Contradictory constraints. {sentence}", icon=":material/report:")
decision_panel.show(decision)

col_tables, col_diagrams = st.columns([2, 3], gap="large")
with col_tables:
    st.subheader("Stage placement")
    st.table(pd.DataFrame([{"Stage": p.stage.capitalize(), "Runs": p.label, "Why": p.reason}
                           for p in option.stages.values()]).set_index("Stage"))
    st.markdown("**Data crossing the boundary**")
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

    st.subheader("Governance and privacy trade-offs")
    rated = (f" The seed's ratings are those of option {option.rated_as}, which places every stage the same way "
             "for this kind of model." if option.rated_as != option.key else "")
    st.caption(f"Score {option.breakdown}. Ratings 1 (weak) to 5 (strong) for the customer: cost profile, "
               "elasticity and operational burden are computed from this assessment's cost model (marked ⚙); the "
               f"others are judgements drawn from the seed's rationale. Weights are set in the sidebar.{rated}")
    st.html(trade_off_html(option.trade_offs))
    rationale = st.expander("Rationale for every rating", key="rationale", on_change="rerun")
    if rationale.open:  # lazy: the styled table cost every rerun about 8 ms of CPU (AppTest), now only while open
        with rationale:
            ratings = pd.DataFrame([{"Criterion": r.name + (" ⚙" if r.computed else ""), "Rating": r.shown,
                                     "Rationale": r.rationale}
                                    for r in option.trade_offs.rows]).set_index("Criterion")
            st.table(ratings.style.map(rating_style, subset=["Rating"]))

with col_diagrams:
    st.subheader("Generated diagrams")
    tabs = st.tabs([title for title, _ in DIAGRAMS.values()], key="diagram_tab", on_change="rerun")
    for tab, (view, (_, caption)) in zip(tabs, DIAGRAMS.items(), strict=True):
        if not tab.open:  # lazy: only the diagram in sight is drawn
            continue
        with tab:
            try:
                # SVG: a quarter of PNG's time (Graphviz skips rasterising the icons). A ruled-out option's
                # diagrams carry a banner and a watermark, downloads included.
                svg = render_view(decision, view, "svg")
            except ExplorerError as exc:
                st.error(literal(exc))
                continue
            st.image(svg.decode("utf-8"), caption=caption, width="stretch")
            stem = shell.file_stem(assessment, view)
            cols = st.columns(3)
            for col, fmt in zip(cols, ("png", "pdf", "svg"), strict=True):
                data = svg if fmt == "svg" else (lambda f=fmt, v=view: render_view(decision, v, f))
                col.download_button(fmt.upper(), data,
                                    f"{stem}.{fmt}", MEDIA_TYPES[fmt], key=f"dl_{view}_{fmt}",
                                    icon=":material/download:", on_click="ignore")

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

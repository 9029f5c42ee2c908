"""Explorer: pick a scenario and a use case; see placement, diagrams and trade-offs side by side."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import ExplorerError, place_option, trade_offs
from explorer.render import MEDIA_TYPES, render_dot, view_source
from pages import common, cost_panel

cat, assessment = common.page_setup()

st.title("Deployment Scenario Explorer")
common.show_notice()

scenarios = {s.id: s for s in cat.scenarios}
use_cases = {u.id: u for u in cat.use_cases}
left, right = st.columns([3, 2])
left.selectbox("Scenario", list(scenarios), key="scenario",
               format_func=lambda i: f"Scenario {i}: {scenarios[i].name}")
right.segmented_control("Use case", list(use_cases), key="use_case", required=True,
                        help="1A: train in the cloud, infer on premises. 1B: train and serve in the cloud.")
scenario = scenarios[assessment.scenario]
use_case = use_cases[assessment.use_case]
option = place_option(cat, assessment, assessment.scenario, assessment.use_case)
table = trade_offs(cat, assessment.scenario, assessment.use_case)

st.markdown(f"**Scenario {scenario.id}: {scenario.name}.** {scenario.locality}  \n"
            f"**Use case {use_case.id}: {use_case.name}.** {use_case.summary}")
for conflict in option.conflicts:
    st.info(conflict, icon=":material/call_split:")

col_tables, col_diagrams = st.columns([2, 3], gap="large")
with col_tables:
    st.subheader("Stage placement")
    st.table(
        pd.DataFrame(
            [{"Stage": p.stage.capitalize(), "Runs": p.label, "Why": p.reason} for p in option.stages.values()]
        ).set_index("Stage")
    )
    st.markdown("**Data crossing the boundary**")
    if option.flows:
        st.dataframe(
            pd.DataFrame(
                [
                    {"What": f.what, "Direction": f.direction.replace("_", " "),
                     "Volume": f.label.split(": ", 1)[1], "Per month (GB)": round(f.bytes_per_month / 1e9, 2)}
                    for f in option.flows
                ]
            ),
            hide_index=True,
            key="flow_table",
        )
    else:
        st.caption("Nothing crosses the premises/cloud boundary in this option.")

    st.subheader("Governance and privacy trade-offs")
    st.caption(f"Weighted score {table.score:.0f}/100. Ratings 1 (weak) to 5 (strong) for the customer; "
               "they are judgements drawn from the seed's rationale, and say so.")
    ratings = pd.DataFrame(
        [{"Criterion": r.name, "Rating": r.rating, "Rationale": r.rationale} for r in table.rows]
    ).set_index("Criterion")
    st.table(ratings.style.map(common.rating_style, subset=["Rating"]))

with col_diagrams:
    st.subheader("Generated diagrams")
    for tab, view, caption in zip(
        st.tabs(["Architecture", "C4 context"]),
        ("architecture", "c4-context"),
        ("Architecture: the public cloud drawn around the premises; red edges cross the boundary.",
         "C4 system context, laid out as in the seed."),
        strict=True,
    ):
        with tab:
            try:
                source = view_source(cat, assessment, view)
                png = render_dot(source, "png")
            except ExplorerError as exc:
                st.error(str(exc))
                continue
            st.image(png, caption=caption, width="stretch")
            stem = common.file_stem(assessment, view)
            cols = st.columns(3)
            cols[0].download_button("PNG", png, f"{stem}.png", MEDIA_TYPES["png"], key=f"dl_{view}_png",
                                    icon=":material/download:", on_click="ignore")
            cols[1].download_button("PDF", lambda s=source: render_dot(s, "pdf"), f"{stem}.pdf",
                                    MEDIA_TYPES["pdf"], key=f"dl_{view}_pdf", icon=":material/download:",
                                    on_click="ignore")
            cols[2].download_button("SVG", lambda s=source: render_dot(s, "svg"), f"{stem}.svg",
                                    MEDIA_TYPES["svg"], key=f"dl_{view}_svg", icon=":material/download:",
                                    on_click="ignore")

cost_panel.show(cat, assessment)

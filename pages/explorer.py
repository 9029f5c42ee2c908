"""Explorer: pick a scenario and a use case; see placement, diagrams and trade-offs side by side."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import ExplorerError, TradeOffs
from explorer.charts_governance import radar_figure
from explorer.placement import no_option_message
from explorer.render import MEDIA_TYPES, render_dot, view_source
from pages import common, cost_panel


@st.cache_resource(max_entries=256, show_spinner=False)
def _radar(tables_json: tuple[str, ...], names: tuple[str, ...]):
    """The radar, built once per content and shared read-only (st.plotly_chart never changes a figure)."""
    return radar_figure([TradeOffs.model_validate_json(t) for t in tables_json], list(names), height=400)


cat, assessment = common.page_setup()
weights = common.weights(cat)

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
result, thresholds = common.decision(cat, assessment, weights)
option = result.option(assessment.scenario, assessment.use_case)
table = option.trade_offs

st.markdown(f"**Scenario {scenario.id}: {scenario.name}.** {scenario.locality}  \n"
            f"**Use case {use_case.id}: {use_case.name}.** {use_case.summary}")
for conflict in option.conflicts:
    st.info(conflict, icon=":material/call_split:")
for sentence in result.contradictions:
    st.warning(f"Contradictory constraints. {sentence}", icon=":material/report:")

# --- the decision: is this option open, what is recommended, what would flip it ---------------
col_option, col_best = st.columns(2, gap="large")
with col_option:
    if option.violations:
        st.error("**This option is ruled out.**  \n" + "  \n".join(f"✕ {v.message}." for v in option.violations),
                 icon=":material/block:")
    else:
        st.success(f"**This option is feasible**: score {option.score:.0f}/100.", icon=":material/check_circle:")
    if option.cautions:
        st.warning("**Soft penalties**  \n" + "  \n".join(f"{v.message} (−{v.penalty:g} points)."
                                                          for v in option.cautions), icon=":material/warning:")
with col_best:
    best = result.recommended
    if best is None:
        st.error(no_option_message(result), icon=":material/block:")
        for r in result.relax[1:3]:
            st.caption(r.message)
    else:
        here = best.key == option.key
        title = ("**Recommended: this option.**" if here else
                 f"**Recommended: scenario {best.scenario} with use case {best.use_case}.**")
        st.info(f"{title}  \n{best.reasons[0]}", icon=":material/star:")
        with st.expander("Why, and what would flip it"):
            st.markdown("\n".join(f"- {r}" for r in best.reasons[1:]))
            flips = [t for t in thresholds if t.kind == "recommendation"]
            costs = [t for t in thresholds if t.kind != "recommendation"]
            if flips:
                st.markdown("**What would flip it**  \n" + "\n".join(f"- {t.message}" for t in flips[:6]))
            else:
                st.caption("No single change of the cloud round trip, the TTFT target, the traffic or one weight "
                           "(0 to 5) flips this recommendation.")
            st.markdown("**What would change the cheapest option**")
            st.caption("The score weighs governance ratings and penalties, not cost: traffic, horizon, GPU prices "
                       "and utilisation change which feasible option is cheapest, and whether the recommendation "
                       "costs more than the runner-up.")
            if costs:
                st.markdown("\n".join(f"- {t.message}" for t in costs[:6]))
            else:
                st.caption("From 1/100 to 100 times today's traffic, over horizons of 1 to 240 months and at 1/20 "
                           "to 20 times today's GPU prices, the cheapest feasible option stays the same.")

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
        st.table(
            pd.DataFrame(
                [
                    {"What": f.what, "Direction": f.direction.replace("_", " "),
                     "Volume": f.label.split(": ", 1)[1], "GB per month": f"{f.bytes_per_month / 1e9:,.2f}"}
                    for f in option.flows
                ]
            ).set_index("What")
        )
    else:
        st.caption("Nothing crosses the premises/cloud boundary in this option.")

    st.subheader("Governance and privacy trade-offs")
    rated = (f" Rated as option {option.rated_as}, which places every stage the same way."
             if option.rated_as != option.key else "")
    st.caption(f"Score {option.score:.0f}/100 = governance {option.governance_score:.1f} − penalties "
               f"{option.penalty:g}. Ratings 1 (weak) to 5 (strong) for the customer are judgements drawn from "
               f"the seed's rationale; weights are set in the sidebar.{rated}")
    st.html(common.trade_off_html(table))
    with st.expander("Rationale for every rating"):
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

    st.subheader("Trade-offs at a glance")
    shown = [option.key]
    if result.recommended and result.recommended.key not in shown:
        shown.append(result.recommended.key)
    if result.recommended and result.recommended.runner_up and result.recommended.runner_up not in shown:
        shown.append(result.recommended.runner_up)
    tables = [result.option(int(k.split("-")[0]), k.split("-")[1]).trade_offs for k in shown]
    names = [common.option_label(k) + (" (this)" if k == option.key else
                                       " (recommended)" if result.recommended and k == result.recommended.key
                                       else " (runner-up)") for k in shown]
    st.plotly_chart(_radar(tuple(t.model_dump_json() for t in tables), tuple(names)), key="radar",
                    config={"displaylogo": False})

cost_panel.show(cat, assessment)

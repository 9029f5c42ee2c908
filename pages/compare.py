"""Compare: all eight scenario × use case options side by side, with the differences marked."""

from __future__ import annotations

import streamlit as st

from explorer import ExplorerError
from explorer.engine.scoring import no_option_message
from explorer.model.vocabulary import option_label
from explorer.render import view_source
from explorer.render.compare import compare
from explorer.render.compare_html import comparison_html
from explorer.render.markdown import literal
from pages.parts import cache, shell, state

shell.guard()
page = shell.page()
decision = page.decision
st.markdown("### Compare all options")
state.show_notice()

comparison = compare(decision)
for sentence in decision.contradictions:
    st.warning(f"Contradictory constraints. {sentence}", icon=":material/report:")
top_left, top_right = st.columns([4, 1], vertical_alignment="center")
if decision.recommended is None:
    top_left.error(no_option_message(decision), icon=":material/block:")
else:
    top_left.markdown(f"**{comparison.headline}** {decision.recommended.reasons[0]}")
only_diff = top_right.toggle("Differences only", key="compare_only_diff")

thumbs: dict[str, bytes] = {}
for col in comparison.columns:
    try:
        thumbs[col.key] = cache.thumb(view_source(decision, "architecture", key=col.key))
    except ExplorerError as exc:  # one diagram failing must not hide the table
        st.caption(f"Diagram for {col.title} unavailable: {literal(exc)}")
st.html(comparison_html(comparison, thumbs, only_differences=only_diff))

with st.expander("Every violation and penalty in full"):
    for o in decision.options:
        lines = [f"✕ {v.message}." for v in o.violations] + [f"− {v.message} (−{v.penalty:g})." for v in o.cautions]
        if lines:
            st.markdown(f"**{option_label(o.key)}**  \n" + "  \n".join(lines))

radar = st.expander("Radar of selected options", key="compare_radar_open", on_change="rerun")
with radar:
    keys = [c.key for c in comparison.columns]
    best = decision.recommended
    default = [k for k in (comparison.recommended, best.runner_up if best else None) if k]
    chosen = st.multiselect("Options", keys, default=default or keys[:2], key="compare_radar",
                            format_func=option_label)
    if chosen and radar.open:
        st.plotly_chart(cache.radar(decision, chosen, [option_label(k) for k in chosen], height=420),
                        key="compare_radar_chart", config={"displaylogo": False})

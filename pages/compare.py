"""Compare: all eight scenario × use case options side by side, with the differences marked."""

from __future__ import annotations

import streamlit as st

from explorer import ExplorerError
from explorer.charts_governance import radar_figure
from explorer.compare import compare, comparison_html, thumbnail
from explorer.placement import no_option_message
from explorer.render import render_dot, view_source
from pages import common

cat, assessment = common.page_setup()
weights = common.weights(cat)

st.markdown("### Compare all options")
common.show_notice()


@st.cache_data(max_entries=64, show_spinner=False)
def _thumb(source: str) -> bytes:
    return thumbnail(render_dot(source, "png"), width=240)


result, _ = common.decision(cat, assessment, weights)
comparison = compare(cat, assessment, weights, result=result)
for sentence in result.contradictions:
    st.warning(f"Contradictory constraints. {sentence}", icon=":material/report:")
top_left, top_right = st.columns([4, 1], vertical_alignment="center")
if result.recommended is None:
    top_left.error(no_option_message(result), icon=":material/block:")
else:
    top_left.markdown(f"**{comparison.headline}** {result.recommended.reasons[0]}")
only_diff = top_right.toggle("Differences only", key="compare_only_diff")

thumbs: dict[str, bytes] = {}
for col in comparison.columns:
    try:
        thumbs[col.key] = _thumb(view_source(cat, assessment.with_choice(col.scenario, col.use_case), "architecture"))
    except ExplorerError as exc:  # one diagram failing must not hide the table
        st.caption(f"Diagram for {col.title} unavailable: {exc}")
st.html(comparison_html(comparison, thumbs, only_differences=only_diff))

with st.expander("Every violation and penalty in full"):
    for o in result.options:
        lines = [f"✕ {v.message}." for v in o.violations] + [f"− {v.message} (−{v.penalty:g})." for v in o.cautions]
        if lines:
            st.markdown(f"**{common.option_label(o.key)}**  \n" + "  \n".join(lines))

with st.expander("Radar of selected options"):
    keys = [c.key for c in comparison.columns]
    default = [k for k in (comparison.recommended, result.recommended.runner_up if result.recommended else None) if k]
    chosen = st.multiselect("Options", keys, default=default or keys[:2], key="compare_radar",
                            format_func=common.option_label)
    if chosen:
        st.plotly_chart(
            radar_figure([result.option(int(k[0]), k[2:]).trade_offs for k in chosen],
                         [common.option_label(k) for k in chosen], height=420),
            key="compare_radar_chart", config={"displaylogo": False},
        )

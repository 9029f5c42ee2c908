"""Diagrams: every view of the chosen option, a format picker and a download for each."""

from __future__ import annotations

import streamlit as st

from explorer import ExplorerError
from explorer.render import (
    EXTENSIONS,
    FORMATS,
    MEDIA_TYPES,
    MERMAID_VIEWS,
    VIEW_FORMATS,
    VIEW_TITLES,
    VIEWS,
    render_view,
)
from explorer.render.markdown import literal
from pages.parts import shell, state
from pages.parts.view import diagram_alt as view_alt

FORMAT_NAMES = {"png": "PNG", "svg": "SVG", "pdf": "PDF", "mermaid": "Mermaid", "dot": "DOT",
                "zip": "DOT + icons (zip)"}
# PNG sizes: the slide default (at least 2,400 px on the long side), or a multiple of the diagram's own size.
SCALES = {"slide": None, "1": 1.0, "2": 2.0, "3": 3.0, "4": 4.0}
SCALE_NAMES = {"slide": "Slide", "1": "1×", "2": "2×", "3": "3×", "4": "4×"}
CAPTIONS = {
    "architecture": "Provider icons; the public cloud drawn around the premises; red edges cross the boundary.",
    "c4-context": "C4 system context, as in the seed: the cloud boundary around the premises.",
    "c4-container": "C4 containers: each zone's software system and its containers.",
    "sequence": "Every relation as a message, in lifecycle order; dashed arrows are replies.",
    "flowchart": "The seed's four scenarios; the chosen one highlighted with its resolved stages.",
}

shell.guard()
st.title("Diagrams")
cat = shell.catalog()
state.bind("scenario", "use_case")  # the Explorer's pickers, under the same keys: one choice across pages
scenarios = {s.id: s.name for s in cat.scenarios}
pick_scenario, pick_use_case = st.columns([3, 2], vertical_alignment="bottom")
pick_scenario.selectbox("Scenario", list(scenarios), key="scenario",
                        format_func=lambda i: f"Scenario {i}: {scenarios[i]}")
pick_use_case.segmented_control("Use case", [u.id for u in cat.use_cases], key="use_case", required=True,
                                help="1A: train in the cloud, infer on premises. 1B: train and serve in the cloud.")
page = shell.page()
decision, assessment = page.decision, page.assessment
state.show_notice()
st.caption("Every diagram is a view of one architecture model, so they always agree with each other and with the "
           "placement.")

left, middle, right = st.columns([4.2, 2.6, 1.7], vertical_alignment="bottom")  # whole at 1280 px
fmt = left.segmented_control("Download format", list(FORMATS), format_func=FORMAT_NAMES.__getitem__,
                             key="diagram_format", default="png", required=True)
scale = SCALES[middle.segmented_control(
    "PNG size", list(SCALES), format_func=SCALE_NAMES.__getitem__, key="diagram_scale", default="slide",
    required=True, help="Slide: at least 2,400 px on the long side. 1× to 4×: times the diagram's own size "
                        "(96 dpi). Every PNG says its DPI.")]
overlay = right.toggle("Governance overlay", key="overlay",
                       help="Show each element's and each flow's data classification and residency zone.")
if fmt == "mermaid":
    st.info(f"Mermaid source exists for {', '.join(VIEW_TITLES[v].lower() for v in MERMAID_VIEWS)}.",
            icon=":material/info:")

for row in range(0, len(VIEWS), 2):
    for col, view in zip(st.columns(2, gap="large"), VIEWS[row:row + 2], strict=False):
        with col.container(border=True):
            st.subheader(VIEW_TITLES[view])
            try:
                preview = render_view(decision, view, "png", overlay=overlay, scale=scale)
            except ExplorerError as exc:
                st.error(literal(exc))
                continue
            st.image(preview, caption=CAPTIONS[view], width="stretch",
                     alt=view_alt(decision, VIEW_TITLES[view]))
            stem = shell.file_stem(assessment, view)
            if fmt not in VIEW_FORMATS[view]:
                st.caption(f"No {FORMAT_NAMES[fmt]} for this view; pick one of "
                           f"{', '.join(FORMAT_NAMES[f] for f in VIEW_FORMATS[view])}.")
                continue
            try:
                payload = render_view(decision, view, fmt, overlay=overlay, scale=scale if fmt == "png" else None)
            except ExplorerError as exc:
                st.error(literal(exc))
                continue
            st.download_button(f"Download {FORMAT_NAMES[fmt]}", payload, f"{stem}.{EXTENSIONS[fmt]}",
                               MEDIA_TYPES[fmt], key=f"download_{view}", icon=":material/download:",
                               on_click="ignore")
            if fmt in ("mermaid", "dot"):
                with st.expander(f"{FORMAT_NAMES[fmt]} source"):
                    st.code(payload.decode("utf-8"), language="text")

"""The Explorer's diagrams: the architecture and the C4 context of the chosen option, one tab drawn at a time."""

from __future__ import annotations

import streamlit as st

from explorer import Assessment, Decision, ExplorerError
from explorer.render import MEDIA_TYPES, render_view
from explorer.render.markdown import literal
from pages.parts import shell, view

DIAGRAMS = {"architecture": ("Architecture", "Architecture: the public cloud drawn around the premises; red edges "
                                             "cross the boundary."),
            "c4-context": ("C4 context", "C4 system context, laid out as in the seed.")}


def show(decision: Decision, assessment: Assessment) -> None:
    """The tabs, the open one's diagram (as tall as the window allows) and its downloads."""
    tabs = st.tabs([title for title, _ in DIAGRAMS.values()], key="diagram_tab", on_change="rerun")
    for tab, (name, (title, caption)) in zip(tabs, DIAGRAMS.items(), strict=True):
        if not tab.open:  # lazy: only the diagram in sight is drawn
            continue
        with tab:
            try:
                # SVG: a quarter of PNG's time (Graphviz skips rasterising the icons). A ruled-out option's
                # diagrams carry a banner and a watermark, downloads included.
                svg = render_view(decision, name, "svg")
            except ExplorerError as exc:
                st.error(literal(exc))
                continue
            with st.container(key="diagram"):
                st.image(svg.decode("utf-8"), caption=caption, width="stretch", alt=view.diagram_alt(decision, title))
            stem = shell.file_stem(assessment, name)
            cols = st.columns(3)
            for col, fmt in zip(cols, ("png", "pdf", "svg"), strict=True):
                data = svg if fmt == "svg" else (lambda f=fmt, v=name: render_view(decision, v, f))
                col.download_button(fmt.upper(), data, f"{stem}.{fmt}", MEDIA_TYPES[fmt], key=f"dl_{name}_{fmt}",
                                    icon=":material/download:", on_click="ignore")

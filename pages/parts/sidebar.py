"""The shared sidebar: presets, customer, model, constraints, weights, workload and the assessment file.

Drawn by app.py before the page runs, so its widgets keep their state on every page switch.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from explorer import Catalog, ExplorerError, decide, parse_assessment
from explorer.model.formatting import slug
from explorer.model.vocabulary import split_key
from pages.parts import sections, state, uploads

# The sidebar's folding sections, by label: the key is the expander's, which tests and load tools open.
SECTIONS = {"Constraints": "sidebar_constraints", "Criterion weights": "sidebar_weights",
            "Workload": "sidebar_workload"}


def _load_preset(cat: Catalog) -> None:
    """Load the chosen preset, on the option the decision recommends for it (or its own, if none is open)."""
    preset_id = st.session_state.get("preset")
    if not preset_id:
        return
    try:
        assessment = parse_assessment(cat.preset(preset_id).assessment, f"preset '{preset_id}'", cat)
        best = decide(cat, assessment, state.current_weights(cat)).recommended
        if best is not None:
            assessment = assessment.with_choice(*split_key(best.key))
        state.replace_assessment(assessment)
        st.session_state.pop(state.NOTICE, None)
        st.session_state["preset"] = None
    except ExplorerError as exc:
        state.notify(str(exc))


def sidebar(cat: Catalog) -> DeltaGenerator:
    """The assessment inputs every page shares; returns the place for the assessment file's download."""
    state.bind(*(k for k in state.FIELDS if k not in state.PAGE_KEYS))
    sb = st.sidebar
    sb.header("Assessment")
    presets = {p.id: p.name for p in cat.presets}
    sb.selectbox("Preset", list(presets), format_func=presets.__getitem__, key="preset", index=None,
                 placeholder="Choose a preset…", on_change=_load_preset, args=(cat,),
                 help="A worked example: choosing one loads its whole assessment, on the option recommended for "
                      "it. The box then empties again, so it never names a preset the page no longer shows.")
    sb.text_input("Customer", key="customer", max_chars=200, placeholder="Shown in every title")
    models = {m.id: m.name for m in cat.models}
    sb.selectbox("Model", list(models), format_func=models.__getitem__, key="model")
    file_box = sb.container(border=True, key="assessment_file")
    with file_box:
        st.markdown("**Assessment file**")
        st.file_uploader("Load an assessment (YAML or JSON)", type=["yaml", "yml", "json"], key="upload",
                         on_change=uploads.assessment_file, args=(cat,))
        st.file_uploader("Price book (YAML or CSV: key, value)", type=["yaml", "yml", "csv"], key="price_book",
                         on_change=uploads.price_book, args=(cat,),
                         help="Your negotiated prices for any catalog keys (see the Cost page's table). They "
                              "replace the catalog's, and travel with the assessment as price overrides.")
    # Drawn only while open (``on_change="rerun"``): a closed section sends nothing, and its fields keep their
    # values in the assessment (state.bind seeds them again when it opens). A room's reruns stay small.
    drawers = (sections.constraints, sections.weights, sections.workload)
    for (label, key), draw in zip(SECTIONS.items(), drawers, strict=True):
        section = sb.expander(label, key=key, on_change="rerun")
        with section:
            if section.open:
                draw(cat)
    return file_box


def downloads(where: DeltaGenerator, yaml_text: str, customer: str) -> None:
    """Save: the assessment as the widgets now say, as a file (drawn in the sidebar's file box)."""
    where.download_button("Save the assessment (YAML)", yaml_text, f"{slug(customer or 'assessment')}.yaml",
                          "application/yaml", key="download_yaml", on_click="ignore", icon=":material/download:",
                          width="stretch")

"""Reference: the seed's Tables 1 and 2, the use-case narratives, steps and sequences."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from explorer import ExplorerError
from explorer.model.vocabulary import LOCATION_LABELS, STAGES
from explorer.render import MEDIA_TYPES, render_dot
from explorer.render.markdown import literal
from explorer.render.mermaid import use_case_sequence_mermaid
from explorer.render.sequence import use_case_sequence_dot
from pages.parts import shell, state

shell.guard()
page = shell.page()
cat, assessment = page.catalog, page.assessment

st.title("Reference")
state.show_notice()
st.caption("The customer's source document, as the app uses it.")

st.subheader("Table 2: Locality of operations in AI deployment scenarios")
rows = []
for s in cat.scenarios:
    row = {"Scenario": f"Scenario {s.id}", "Description": s.description, "Locality": s.locality}
    row.update({stage.capitalize(): LOCATION_LABELS[s.stages.get(stage)] for stage in STAGES})
    rows.append(row)
st.table(pd.DataFrame(rows).set_index("Scenario"))

st.subheader("Table 1: Perspectives on training application vs. generative AI application")
st.table(
    pd.DataFrame(
        [{"Aspect": p.aspect, "Training application": p.training_application,
          "Generative AI application": p.generative_ai_application} for p in cat.perspectives]
    ).set_index("Aspect")
)

st.subheader("Use cases")
names = {u.id: f"Use case {u.id}: {u.name}" for u in cat.use_cases}
chosen = st.segmented_control("Show use case", list(names), format_func=names.__getitem__,
                              key="reference_use_case", default=assessment.use_case, required=True)
uc = cat.use_case(chosen)
st.markdown(f"#### {names[uc.id]}")
st.write(uc.summary)
for number, step in enumerate(uc.steps, start=1):
    st.markdown(f"**{number}. {step.title}**\n" + "\n".join(f"- {point}" for point in step.points))

with st.expander(f"Why use case {uc.id}? {uc.why.title}", expanded=False):
    st.write(uc.why.intro)
    for section in uc.why.sections:
        st.markdown(f"**{section.title}**")
        for point in section.points:
            st.markdown(f"*{point.title}*\n" + "\n".join(f"- {line}" for line in point.text))
    st.write(uc.why.summary)

st.markdown(f"**Sequence diagram: {uc.sequence.title}**")
source = use_case_sequence_dot(uc)
try:
    st.image(render_dot(source, "png"), width="content",
             alt=f"Sequence diagram of use case {uc.id}, {uc.sequence.title}: its participants and their messages "
                 "in order, as the table below lists them.")
    cols = st.columns(4)
    stem = f"use-case-{uc.id}-sequence"
    cols[0].download_button("PNG", render_dot(source, "png"), f"{stem}.png", MEDIA_TYPES["png"],
                            key="seq_png", icon=":material/download:", on_click="ignore")
    cols[1].download_button("SVG", lambda: render_dot(source, "svg"), f"{stem}.svg", MEDIA_TYPES["svg"],
                            key="seq_svg", icon=":material/download:", on_click="ignore")
    cols[2].download_button("PDF", lambda: render_dot(source, "pdf"), f"{stem}.pdf", MEDIA_TYPES["pdf"],
                            key="seq_pdf", icon=":material/download:", on_click="ignore")
except ExplorerError as exc:
    st.error(literal(exc))
with st.expander("Mermaid source, for pasting into a wiki"):
    st.code(use_case_sequence_mermaid(uc), language="text")
who = {p.id: p.name for p in uc.sequence.participants}
st.dataframe(
    pd.DataFrame(
        [{"#": i, "From": who[m.sender], "To": who[m.receiver], "Message": m.text + (" (reply)" if m.reply else "")}
         for i, m in enumerate(uc.sequence.messages, start=1)]
    ),
    hide_index=True,
    key="sequence_table",
)

"""Report: one button builds the whole assessment as a PDF, with progress, then offers it for download."""

from __future__ import annotations

import streamlit as st

from explorer import ExplorerError
from explorer.render.documents import DOCUMENT_MEDIA_TYPES, document_bytes, document_filename
from explorer.render.kaleido_export import warm_up_in_background
from explorer.render.markdown import literal
from explorer.render.report import SECTIONS, build_report
from pages.parts import shell, state

REPORT = "_report"  # (assessment JSON, PDF bytes) of the last report built in this session

shell.guard()
page = shell.page()
decision, assessment = page.decision, page.assessment
warm_up_in_background()  # Chromium for the charts starts while the user reads the page
st.title("Report")
state.show_notice()
customer = literal(assessment.customer or "the customer")  # the customer's name is shown, never rendered
st.markdown(f"One PDF of the whole assessment for {customer}, to attach to a proposal. It holds:")
st.markdown("\n".join(f"- {s.title}" for s in SECTIONS))

key = assessment.model_dump_json()
if st.button("Build the report", key="build_report", type="primary", icon=":material/picture_as_pdf:"):
    bar = st.progress(0.0, text="Starting")
    try:
        pdf = build_report(decision, progress=lambda fraction, message: bar.progress(fraction, text=message))
    except ExplorerError as exc:
        bar.empty()
        st.error(literal(exc))
    else:
        bar.empty()
        st.session_state[REPORT] = (key, pdf)

built = st.session_state.get(REPORT)
if built is not None and built[0] == key:
    pdf = built[1]
    st.success(f"The report is ready ({len(pdf) / 1e6:.1f} MB).", icon=":material/check_circle:")
    st.download_button("Download the report (PDF)", pdf, f"{shell.file_stem(assessment, 'report')}.pdf",
                       "application/pdf", key="download_report", icon=":material/download:", on_click="ignore")
elif built is not None:
    st.caption("The assessment changed since the last report; build it again.")

st.subheader("The deck and the estimate as data")
st.markdown("A 16:9 PowerPoint deck (title, placement, cost, trade-offs and each diagram, with speaker notes), and "
            "the estimate of all eight options as JSON (the same as `python -m explorer cost --json`), CSV or a "
            "spreadsheet. Each file is made when you click its button.")
DOCUMENTS = (("deck", "pptx", "Deck (PowerPoint)", ":material/slideshow:"),
             ("estimate", "xlsx", "Estimate (Excel)", ":material/table_view:"),
             ("estimate", "csv", "Estimate (CSV)", ":material/download:"),
             ("estimate", "json", "Estimate (JSON)", ":material/data_object:"))
if decision.cost is None:
    st.info(f"The estimate needs a cost: {decision.cost_error}", icon=":material/info:")
for column, (view, fmt, label, icon) in zip(st.columns(len(DOCUMENTS)), DOCUMENTS, strict=True):
    column.download_button(label, lambda view=view, fmt=fmt: document_bytes(decision, view, fmt),
                           document_filename(assessment, view, fmt), DOCUMENT_MEDIA_TYPES[fmt], key=f"download_{fmt}",
                           icon=icon, on_click="ignore", disabled=view == "estimate" and decision.cost is None,
                           width="stretch")

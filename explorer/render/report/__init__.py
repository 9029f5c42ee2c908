"""The PDF report of one decision, to attach to a proposal: an ordered list of section builders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from explorer.engine.decision import Decision
from explorer.model.errors import ExplorerError
from explorer.render.diagrams import VIEW_TITLES, render_views
from explorer.render.kaleido_export import figure_to_image
from explorer.render.report.context import CostFigures, Progress, ReportContext, Section
from explorer.render.report.cost_section import CHART_WIDTH, cost_images, cost_section, usd
from explorer.render.report.pdf import ReportPDF, _shorten, clean
from explorer.render.report.sections import (
    REPORT_DPI,
    REPORT_VIEWS,
    _long_date,
    contents_page,
    diagrams_section,
    inputs_section,
    placement_section,
    score_figure,
    title_page,
    trade_off_figure,
    trade_offs_section,
)

FLOW_BELOW = 1 / 3  # a section starts on the page before when that page is filled less than this

SECTIONS: list[Section] = [
    Section("Title page", title_page),
    Section("Contents", contents_page, new_page=False),  # on the title page, below the summary
    Section("Inputs and assumptions", inputs_section),
    Section("Placement", placement_section),
    Section("Cost summary and charts", cost_section),
    Section("Trade-offs", trade_offs_section),
    Section("Diagrams", diagrams_section, new_page=False),
]


def report_context(decision: Decision, today: dt.date | None = None,
                   progress: Progress | None = None) -> ReportContext:
    """Everything the sections print, read from the decision: placement, cost, trade-offs, diagrams, charts.

    The cost analyses and the plotly charts (kaleido's browser) run on a worker thread beside the Graphviz
    diagrams; progress is only ever reported from the calling thread.
    """
    note = progress or (lambda _f, _m: None)
    note(0.05, "Reading the decision")
    base = ReportContext(decision=decision, date=today or dt.date.today())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-charts") as pool:
        charted = pool.submit(_cost_and_charts, base)
        note(0.1, "Drawing the diagrams: " + ", ".join(VIEW_TITLES[v] for v in REPORT_VIEWS))
        pngs = render_views(decision, [(view, "png") for view in REPORT_VIEWS], dpi=REPORT_DPI)  # Graphviz in parallel
        diagrams = {f"view:{view}": png for view, png in zip(REPORT_VIEWS, pngs, strict=True)}
        note(0.5, "Drawing the charts")
        ctx = charted.result()
    ctx.images.update(diagrams)
    return ctx


def _cost_and_charts(base: ReportContext) -> ReportContext:
    """The decision's cost and its analyses (the same calls as the Cost page, so the numbers match) and charts."""
    images = {
        "trade_off_chart": figure_to_image(trade_off_figure(base), width=CHART_WIDTH, height=520),
        "score_chart": figure_to_image(score_figure(base), width=CHART_WIDTH, height=420),
    }
    d = base.decision
    cost, cost_error = None, d.cost_error
    if d.cost is not None:
        try:
            cost = CostFigures(result=d.cost, sensitivity=d.sensitivity(), uncertainty=d.uncertainty())
        except ExplorerError as exc:  # the report still builds; the cost section says why it has no figures
            cost_error = str(exc)
    ctx = replace(base, cost=cost, cost_error=cost_error, images=images)
    ctx.images.update(cost_images(ctx))
    return ctx


def build_report(decision: Decision, *, today: dt.date | None = None, sections: Sequence[Section] | None = None,
                 progress: Progress | None = None) -> bytes:
    """The report as PDF bytes. ``progress(fraction, message)`` is called as it builds."""
    note = progress or (lambda _f, _m: None)
    day = today or dt.date.today()
    customer = decision.assessment.customer or "Customer"
    title = f"{_shorten(customer, 60)}: deployment scenario assessment, {_long_date(day)}"
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-fonts") as pool:
        document = pool.submit(ReportPDF, title)  # parsing the fonts overlaps drawing the diagrams and charts
        ctx = report_context(decision, day, note)
        pdf = document.result()
    parts = list(SECTIONS if sections is None else sections)
    for i, section in enumerate(parts):
        note(0.7 + 0.25 * i / len(parts), f"Writing {section.title.lower()}")
        # A section opens a page, unless that would leave the page before it nearly empty (a table's last rows,
        # or the fresh page the contents placeholder leaves behind): then it flows on below them.
        if section.new_page and (pdf.page == 0 or pdf.filled >= FLOW_BELOW):
            pdf.add_page()
        section.build(pdf, ctx)
    note(0.97, "Finishing the PDF")
    out = bytes(pdf.output())
    note(1.0, "Done")
    return out


__all__ = ["SECTIONS", "ReportContext", "ReportPDF", "Section", "build_report", "clean", "report_context", "usd"]

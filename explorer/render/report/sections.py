"""The report's sections before the cost: title, contents, inputs, placement, trade-offs and diagrams."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
from fpdf import FPDF

from explorer.model.formatting import count, duration, every_months, format_bytes, months
from explorer.model.vocabulary import LOCATION_LABELS, METHOD_NAMES, PROVIDER_NAMES, STAGES, option_label
from explorer.render.charts import TEMPLATE
from explorer.render.diagrams import VIEW_CAPTIONS, VIEW_TITLES
from explorer.render.report.context import ReportContext
from explorer.render.report.cost_section import price_rows
from explorer.render.report.pdf import ACCENT, FONT, INK, MUTED, RULE, ReportPDF, clean, png_size

REPORT_VIEWS = ("architecture", "c4-context", "c4-container", "sequence", "flowchart")
REPORT_DPI = 120  # the diagrams' PNG resolution in the report
# Diagram pages: side margins, and the space above (running header, title) and below (caption, footer), in mm.
DIAGRAM_SIDE, DIAGRAM_TOP, DIAGRAM_BOTTOM = 10.0, 29.0, 30.0


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def title_page(pdf: ReportPDF, ctx: ReportContext) -> None:
    a, cat = ctx.assessment, ctx.catalog
    scenario, use_case = cat.scenario(a.scenario), cat.use_case(a.use_case)
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 8, style="F")
    pdf.set_fill_color(255, 255, 255)
    pdf.set_y(36)
    pdf.para("DEPLOYMENT SCENARIO ASSESSMENT", size=11, style="B", colour=MUTED)
    pdf.set_font(FONT, "B", 28)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 13, clean(ctx.customer), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(3)
    pdf.para("Where AI training, serving, inference and data should run: on premises or in the public cloud.",
             size=13, colour=MUTED)
    pdf.ln(10)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(6)
    rows = [
        ("Option assessed", f"Scenario {scenario.id}: {scenario.name}, with use case {use_case.id}: {use_case.name}"),
        ("Cloud provider", PROVIDER_NAMES[a.constraints.cloud_provider]),
        ("Model", cat.model(a.workload.model).name),
        ("Data classification", a.constraints.data_classification.capitalize()),
    ]
    rec = ctx.decision.recommended
    if rec is not None:
        rows.append(("Recommended option",
                     f"Scenario {rec.scenario}: {cat.scenario(rec.scenario).name}, use case {rec.use_case}"))
    rows.append(("Date", _long_date(ctx.date)))
    for label, value in rows:
        pdf.set_font(FONT, "B", 10)
        pdf.set_text_color(*MUTED)
        pdf.cell(48, 6, label)
        pdf.set_font(FONT, size=10)
        pdf.set_text_color(*INK)
        pdf.multi_cell(pdf.epw - 48, 6, clean(value), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)
    pdf.ln(2)
    pdf.para("Prepared with the Deployment Scenario Explorer. Every default figure carries its source and date "
             "in the section on inputs and assumptions; ratings marked as estimates are judgements.",
             size=8, colour=MUTED)


CONTENTS_SPACE = 80  # mm the contents need (a heading and a line per section); less left moves them over a page


def contents_page(pdf: ReportPDF, ctx: ReportContext) -> None:
    """The contents, linked to each section, where the page has room (below the title page's summary)."""
    if pdf.remaining < CONTENTS_SPACE:
        pdf.add_page()
    pdf.ln(4)
    pdf.insert_toc_placeholder(_render_contents, pages=1, allow_extra_pages=True)


def _render_contents(pdf: FPDF, outline: list) -> None:
    # fpdf2 calls this at the very end, with x wherever the last page left it.
    pdf.set_x(pdf.l_margin)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)
    pdf.set_font(FONT, "B", 14)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 8, "Contents", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(2)
    pdf.set_text_color(*INK)
    for entry in outline:
        if entry.level > 0:
            continue
        pdf.set_font(FONT, size=11)
        # Land on the heading itself (a section may open part-way down a page), 4 mm above it. fpdf2 turns y into
        # a height with the height of the page being written (this portrait one), whatever the target's shape.
        link = pdf.add_link(page=entry.page_number, y=max(0.0, (pdf.h_pt - entry.dest.top) / pdf.k - 4))
        pdf.cell(pdf.epw - 20, 7.5, entry.name, link=link)
        pdf.cell(20, 7.5, str(entry.page_number), align="R", new_x="LMARGIN", new_y="NEXT", link=link)


def inputs_section(pdf: ReportPDF, ctx: ReportContext) -> None:
    a, cat = ctx.assessment, ctx.catalog
    w, c = a.workload, a.constraints
    pdf.heading("Inputs and assumptions")
    pdf.para("What the customer told us, as entered in the assessment. Every value can be changed in the app "
             "and the report rebuilt.", colour=MUTED)
    model = cat.model(w.model)
    owned = c.owned_gpus
    rows = [
        ("Customer", ctx.customer),
        ("Scenario and use case", f"Scenario {a.scenario}, use case {a.use_case}"),
        ("Horizon", months(a.horizon_months)),
        ("Model", f"{model.name} ({model.params_b:g} B parameters, {model.licence_name})"),
        ("Fine-tuning", f"{_upper_first(METHOD_NAMES[w.finetune_method])}; {count(w.dataset_tokens)} tokens × "
                        f"{w.epochs:g} epochs"),
        ("Retraining", every_months(w.retrain_every_months) if w.retrain_every_months else "never"),
        ("Requests", f"{w.requests_per_day:,.0f} per day, peak × {w.peak_factor:g}; "
                     f"{w.input_tokens:,} tokens in, {w.output_tokens:,} out"),
        ("Latency targets", f"time to first token {w.ttft_target_ms:g} ms; per output token {w.tpot_target_ms:g} ms"),
        ("Data classification", c.data_classification),
        ("Residency", c.residency.replace("_", " ")),
        ("Compliance", ", ".join(c.compliance) or "none"),
        ("Air-gapped site", "yes" if c.air_gapped else "no"),
        ("Model licence", c.model_licence),
        ("GPUs already owned", f"{owned.count} × {cat.gpu(owned.gpu).name}" if owned.count else "none"),
        ("Procurement lead time", f"{c.procurement_weeks:g} weeks"),
        ("Cloud round trip", f"{c.cloud_rtt_ms:g} ms"),
        ("Cloud provider", PROVIDER_NAMES[c.cloud_provider]),
    ]
    rows += [(f"Price override: {key}", f"{value:,.4g}") for key, value in sorted(a.prices.items())]
    rows.insert(10, ("Data classes policy allows in the cloud", ", ".join(c.cloud_allowed_classes) or "none"))
    pdf.heading("The assessment", level=2)
    pdf.grid(("Input", "Value"), rows, (32, 68))
    for warning in ctx.decision.warnings:
        pdf.bullet(f"Check this input: {warning}", size=9)
    pdf.heading("Assumptions and their sources", level=2)
    assumptions = [
        (x.description, f"{x.value:g} {x.unit}", x.source + (" (estimate)" if x.estimate else ""), x.as_of.isoformat())
        for x in cat.assumptions
    ]
    assumptions.append((
        f"{model.name}: {model.params_b:g} B parameters, {model.layers} layers, {model.kv_heads} KV heads",
        f"{model.context_tokens:,} tokens context", model.source, model.as_of.isoformat(),
    ))
    pdf.grid(("Assumption", "Value", "Source", "As of"), assumptions, (34, 16, 38, 12))
    prices = price_rows(ctx)
    if prices:
        if pdf.get_y() > pdf.h - pdf.b_margin - 80:  # keep the heading with the first rows
            pdf.add_page()
        pdf.heading("Prices and efficiency factors used by the cost model", level=2)
        pdf.para("Every price and factor the cost model read for this assessment. Each key can be overridden in "
                 "the assessment's prices (the Cost page's table); overrides are marked.", size=9,
                 colour=MUTED)
        pdf.grid(("Item and key", "Value", "Source", "As of", "Estimate"), prices, (34, 19, 44, 12, 11), size=7)


def placement_section(pdf: ReportPDF, ctx: ReportContext) -> None:
    o, cat = ctx.option, ctx.catalog
    pdf.heading("Placement")
    pdf.para(f"Scenario {o.scenario} ({o.scenario_name}) with use case {o.use_case}: where each stage runs, and why.")
    pdf.grid(("Stage", "Runs", "Why"),
             [(s.capitalize(), LOCATION_LABELS[p.location], p.reason) for s, p in o.stages.items()], (14, 16, 70))
    for conflict in o.conflicts:
        pdf.bullet(conflict)
    for v in o.violations:
        pdf.bullet(f"Ruled out ({v.rule}): {v.message}.")
    pdf.heading("Data crossing the premises/cloud boundary", level=2)
    if o.flows:
        direction = {"to_cloud": "to the cloud", "to_premises": "to the premises", "both": "both ways"}
        gbps = ctx.assessment.constraints.uplink_gbps
        pdf.grid(
            ("What", "From → to", "Direction", "Each time", "How often", "Per month", f"At {gbps:g} Gbit/s"),
            [(f.what, f"{f.source} → {f.target}", direction[f.direction], format_bytes(f.bytes_per_event),
              f.cadence, format_bytes(f.bytes_per_month),
              duration(f.transfer_hours) + ("" if f.fits_cadence else " (!)")) for f in o.flows],
            (29, 16, 12, 10, 13, 10, 10),
        )
        for f in o.flows:
            if not f.fits_cadence:
                pdf.bullet(f.transfer_warning(gbps), size=9)
    else:
        pdf.para("Nothing crosses the boundary in this option: every stage and the data stay in one place.")
    pdf.heading("All eight options", level=2)
    rows = []
    for opt in ctx.decision.options:
        mark = "chosen" if (opt.scenario, opt.use_case) == (o.scenario, o.use_case) else ""
        rec = ctx.decision.recommended
        if rec is not None and (rec.scenario, rec.use_case) == (opt.scenario, opt.use_case):
            mark = f"{mark}, recommended" if mark else "recommended"
        rows.append((
            f"{opt.scenario} / {opt.use_case}", *(LOCATION_LABELS[opt.location(s)] for s in STAGES),
            "yes" if opt.feasible else "ruled out", f"{opt.score:.0f}", mark,
        ))
    pdf.grid(("Option", "Training", "Serving", "Inference", "Data", "Feasible", "Score", ""), rows,
             (11, 14, 14, 14, 16, 11, 8, 16), size=8)
    rec = ctx.decision.recommended
    if rec is not None:
        pdf.para(f"Recommended: scenario {rec.scenario} ({cat.scenario(rec.scenario).name}), "
                 f"use case {rec.use_case}.", style="B")
        for reason in rec.reasons:
            pdf.bullet(reason, size=9)


def trade_off_figure(ctx: ReportContext) -> go.Figure:
    """Ratings per criterion: the chosen option as bars, the other seven as grey markers."""
    chosen = ctx.trade_offs[ctx.chosen_key]
    names = [r.name for r in chosen.rows]
    fig = go.Figure()
    fig.add_bar(x=names, y=[r.rating for r in chosen.rows], name=f"Chosen: {ctx.chosen_key}",
                marker_color="#1168BD", opacity=0.9)
    for key, table in ctx.trade_offs.items():
        if key == ctx.chosen_key:
            continue
        fig.add_scatter(x=names, y=[r.rating for r in table.rows], mode="markers", name=key,
                        marker={"size": 7, "color": "rgba(90,90,90,0.55)", "symbol": "diamond"},
                        showlegend=key == next(k for k in ctx.trade_offs if k != ctx.chosen_key),
                        legendgroup="others")
    fig.data[1].name = "Other options (one marker each)"
    hi = ctx.catalog.scale.max
    fig.update_layout(
        template=TEMPLATE, font={"family": "DejaVu Sans", "size": 12}, bargap=0.35,
        margin={"l": 50, "r": 20, "t": 40, "b": 120}, legend={"orientation": "h", "y": 1.12, "x": 0},
        yaxis={"title": "Rating (higher is better for the customer)", "range": [0, hi + 0.3], "dtick": 1},
        xaxis={"tickangle": -35},
    )
    return fig


def score_figure(ctx: ReportContext) -> go.Figure:
    """Every option's score, as the app shows it: weighted ratings minus penalties; ruled-out options hatched."""
    options = ctx.decision.options
    keys = [o.key for o in options]
    scores = [o.score for o in options]
    colours = ["#1168BD" if k == ctx.chosen_key else "#A0AEC0" for k in keys]
    labels = [option_label(o.key) + ("" if o.feasible else "<br>✕ ruled out") for o in options]
    fig = go.Figure(go.Bar(x=labels, y=scores,
                           marker=dict(color=colours, pattern=dict(shape=["" if o.feasible else "x" for o in options],
                                                                   fgcolor="#ffffff", size=7)),
                           text=[f"{s:.0f}" for s in scores], textposition="outside"))
    fig.update_layout(
        template=TEMPLATE, font={"family": "DejaVu Sans", "size": 12},
        margin={"l": 50, "r": 20, "t": 30, "b": 110}, yaxis={"title": "Score (0-100)", "range": [0, 105]},
        xaxis={"tickangle": -30}, showlegend=False,
    )
    return fig


def trade_offs_section(pdf: ReportPDF, ctx: ReportContext) -> None:
    chosen = ctx.trade_offs[ctx.chosen_key]
    pdf.heading("Governance and privacy trade-offs")
    pdf.para(f"Ratings from {ctx.catalog.scale.min} (weak) to {ctx.catalog.scale.max} (strong) for the customer, "
             f"weighted by importance. Score of the chosen option: {ctx.option.breakdown}. Ratings marked "
             "(computed) come from this assessment's cost model; the others are the seed's judgements.")
    every_estimate = all(r.estimate for r in chosen.rows)
    pdf.grid(("Criterion", "Weight", "Rating", "Rationale"),
             [(r.name + (" (computed)" if r.computed else "") + (" (estimate)" if r.estimate and not every_estimate
                                                                  else ""),
               f"{r.weight:g}", r.shown, r.rationale) for r in chosen.rows], (22, 9, 9, 60))
    if every_estimate:
        pdf.para("Every rating is an estimate: an analyst's judgement drawn from the sources listed below.",
                 size=8, style="I", colour=MUTED)
    pdf.heading("Where the ratings come from", level=2)
    for source in sorted({r.source for r in chosen.rows}):
        pdf.bullet(source, size=7.5)
    if pdf.remaining < 80:  # keep the heading with a chart of a readable size
        pdf.add_page()
    pdf.heading("The chosen option against the other seven", level=2)
    pdf.figure(ctx.images["trade_off_chart"], "Bars: the chosen option's ratings. Grey diamonds: each of the "
               "other seven options.", max_h=95, min_h=60)
    pdf.figure(ctx.images["score_chart"], "Score of every option (weighted ratings minus penalties, as in the app); "
               "the chosen one in blue, ruled-out options hatched.", max_h=80, min_h=55)


def diagram_page(width_px: int, height_px: int, dpi: float = REPORT_DPI) -> tuple[str, float]:
    """The A4 orientation ("P" or "L") that prints a diagram largest, and the width in mm it is printed at:
    as large as the page allows, but never beyond its natural size at ``dpi`` (which would only blur it).
    Portrait when both print it the same size."""
    natural = width_px / dpi * 25.4
    sizes = []
    for orientation, (page_w, page_h) in (("P", (210.0, 297.0)), ("L", (297.0, 210.0))):
        box_w, box_h = page_w - 2 * DIAGRAM_SIDE, page_h - DIAGRAM_TOP - DIAGRAM_BOTTOM
        sizes.append((min(box_w, box_h * width_px / height_px, natural), orientation == "P", orientation))
    width, _, orientation = max(sizes)
    return orientation, width


def diagrams_section(pdf: ReportPDF, ctx: ReportContext) -> None:
    """One diagram per page, turned and with narrow side margins so that it prints as large as A4 allows."""
    margins = pdf.l_margin, pdf.t_margin, pdf.r_margin
    pdf.set_margins(DIAGRAM_SIDE, margins[1], DIAGRAM_SIDE)
    for i, view in enumerate(REPORT_VIEWS):
        png = ctx.images[f"view:{view}"]
        width_px, height_px = png_size(png)
        orientation, width = diagram_page(width_px, height_px)
        pdf.add_page(orientation=orientation)
        if i == 0:
            pdf.start_section("Diagrams", level=0)
        pdf.start_section(VIEW_TITLES[view], level=1)
        pdf.set_font(FONT, "B", 13)
        pdf.set_text_color(*ACCENT)
        pdf.cell(0, 7, clean(f"Diagrams: {VIEW_TITLES[view]}"), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(*INK)
        pdf.ln(1)
        pdf.figure(png, VIEW_CAPTIONS[view], max_h=width * height_px / width_px)
    pdf.set_margins(*margins)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]

"""The report's cost section: totals, charts, the sizing behind them, and every price with its source."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from explorer.engine.cost import LINE_ITEMS
from explorer.engine.uncertainty import band_note
from explorer.model.formatting import count, months, quantity, scientific, usd
from explorer.model.vocabulary import METHOD_NAMES, PROVIDER_NAMES, option_key, option_short
from explorer.render.charts import breakdown_chart, cumulative_chart, tornado_chart, tornado_rows
from explorer.render.kaleido_export import figure_to_image
from explorer.render.report.context import ReportContext
from explorer.render.report.pdf import MUTED, ReportPDF, _shorten

CHART_WIDTH = 900  # pixels across a chart as drawn; the page prints it about 480 pt wide

_NUMERIC = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")




def _chart(fig: go.Figure, height: int | None = None) -> bytes:
    """A cost chart as the report prints it: the PDF heading replaces the figure's own title."""
    fig = as_printed(fig, height)
    return figure_to_image(fig, width=CHART_WIDTH, height=int(fig.layout.height))


def as_printed(fig: go.Figure, height: int | None = None) -> go.Figure:
    """The figure laid out for the page: no title, narrow margins, except the room it keeps below for notes."""
    fig = go.Figure(fig)
    height = height or int(fig.layout.height or 420)
    margin_top = 60 if fig.layout.legend.y is not None and fig.layout.legend.y >= 1 else 20
    # A figure that keeps room below its plot (the tornado, for its axis title and regime-change notes) keeps it.
    bottom = max(int(fig.layout.margin.b or 0), 10)
    fig.update_layout(title=None, height=height, margin={"t": margin_top, "l": 10, "r": 20, "b": bottom})
    axis = fig.layout.xaxis if fig.layout.xaxis.tickformat else fig.layout.yaxis
    axis.tickformat = "$~s"  # $500k, $1M, $1.5M and $0, rather than $1.50M and $0.00
    return fig


def _wrap(text: str, width: int) -> str:
    """Plotly axis label on up to two lines (plotly does not wrap)."""
    lines = textwrap.wrap(text, width)
    if len(lines) > 2:
        lines = [lines[0], _shorten(" ".join(lines[1:]), width)]
    return "<br>".join(lines)


def cost_images(ctx: ReportContext) -> dict[str, bytes]:
    """The three cost charts, through the shared kaleido session (built by the engine's chart builders)."""
    if ctx.cost is None:
        return {}
    a = ctx.assessment
    result, sens, unc = ctx.cost.result, ctx.cost.sensitivity, ctx.cost.uncertainty
    images = {
        "cost_cumulative": _chart(cumulative_chart(result, unc, (a.scenario, a.use_case)), 520),
        "cost_breakdown": _chart(breakdown_chart(result), 470),
    }
    if sens.rows:
        top = 10
        fig = tornado_chart(sens, top=top)
        labels = [_wrap(r.label, 34) + (" ⚠" if r.regime_change else "") for r in tornado_rows(sens, top)]
        for trace in fig.data:
            trace.y = labels
        below = int(fig.layout.margin.b) - 10  # the room it keeps below its plot, beyond the report's usual margin
        images["cost_tornado"] = _chart(fig, 130 + 40 * min(top, len(sens.rows)) + below)
    return images


def cost_section(pdf: ReportPDF, ctx: ReportContext) -> None:
    a, cat = ctx.assessment, ctx.catalog
    pdf.heading("Cost summary and charts")
    if ctx.cost is None:
        pdf.para(ctx.cost_error)
        return
    result, unc = ctx.cost.result, ctx.cost.uncertainty
    chosen = result.option(a.scenario, a.use_case)
    c = a.costing
    pricing = {"on_demand": "on-demand", "committed": "1-year committed"}[c.cloud_pricing]
    capex = {"buy": "bought up front", "lease": "leased", "amortise": "amortised"}[a.capex]
    pdf.para(
        f"All eight options over {months(result.horizon_months)}, in US dollars. In the cloud, "
        f"{cat.gpu(result.cloud_gpu).name} GPUs from {PROVIDER_NAMES[result.provider]} at {pricing} prices; "
        "on premises, "
        f"{cat.gpu(result.onprem_gpu).name} servers {capex}. P10/P50/P90 come from {unc.samples:,} samples of "
        f"{len(unc.inputs)} uncertain prices and efficiencies, each between its catalog low and high; the total "
        "uses the catalog defaults, and where a range reaches further above its default than below, P50 sits "
        "above the total. Break-even is the first month from which an option's cumulative cost stays at or "
        f"below the reference's. {result.reference_note} Options marked 'ruled out' break a hard rule: they "
        f"are costed for comparison only. {result.finance_note}",
        size=9, colour=MUTED,
    )
    rows = []
    for o in result.options:
        notes = []
        if (o.scenario, o.use_case) == (a.scenario, a.use_case):
            notes.append("chosen")
        if o.key == result.reference:
            notes.append("reference")
        if not o.feasible:
            notes.append("ruled out")
        label = option_short(option_key(o.scenario, o.use_case)) + (f" ({', '.join(notes)})" if notes else "")
        rows.append((label, usd(o.total), usd(unc.p10[o.key]), usd(unc.p50[o.key]), usd(unc.p90[o.key]),
                     usd(o.per_million_tokens, cents=True), result.break_even_text(o.key)))
    pdf.grid(("Option", "Total", "P10", "P50", "P90", "Per million tokens", "Break-even"), rows,
             (31, 12.5, 12.5, 12.5, 12.5, 15, 13), size=8, align=_NUMERIC)
    for note in result.notes:
        pdf.bullet(note, size=9)
    for line in (result.serving_note, result.serving_choice):
        if line:
            pdf.bullet(line, size=9)

    pdf.heading(f"The chosen option, {option_short(option_key(a.scenario, a.use_case))}: line items", level=2)
    horizon = result.horizon_months
    items = [(LINE_ITEMS[k], v) for k, v in chosen.line_items.items() if v > 0]
    total = chosen.total
    rows = [(name, usd(v), usd(v / horizon), f"{v / total:.1%}" if total else "") for name, v in items]
    rows.append(("Total", usd(total), usd(total / horizon), "100%" if total else ""))
    pdf.grid(("Line item", f"Over {months(horizon)}", "Per month (average)", "Share"), rows, (46, 20, 20, 14),
             size=8.5, align=("LEFT", "RIGHT", "RIGHT", "RIGHT"), total_row=True)
    key = option_key(a.scenario, a.use_case)
    note = band_note(chosen.total, unc.p10[key], unc.p50[key], unc.p90[key], unc.samples)
    pdf.para(
        f"Present value {usd(chosen.present_value)}; "
        f"P10 {usd(unc.p10[key])}, P50 {usd(unc.p50[key])}, P90 {usd(unc.p90[key])}; "
        f"{usd(chosen.per_million_tokens, cents=True)} per million generated tokens "
        f"({result.tokens_generated / 1e9:,.2f} billion tokens over the horizon); "
        f"break-even{' against ' + option_short(result.reference) if result.reference else ''}: "
        f"{result.break_even_text(key)}. {note}",
        size=9,
    )
    _sizing(pdf, ctx)

    if pdf.get_y() > pdf.h - pdf.b_margin - 130:  # keep the heading with its chart
        pdf.add_page()
    pdf.heading("Cumulative cost and break-even", level=2)
    pdf.figure(ctx.images["cost_cumulative"], "Cumulative cost month by month; the thick line is the chosen "
               "option, with its P10-P90 band shaded and its break-even month against the reference marked. "
               "Solid lines: use case 1A; dotted: 1B; grey dash-dot: ruled out.", max_h=118)
    if pdf.get_y() > pdf.h - pdf.b_margin - 120:
        pdf.add_page()
    pdf.heading("Breakdown by line item", level=2)
    pdf.figure(ctx.images["cost_breakdown"], "Each option's total over the horizon, stacked by line item.",
               max_h=108)
    if "cost_tornado" in ctx.images:
        if pdf.get_y() > pdf.h - pdf.b_margin - 110:
            pdf.add_page()
        pdf.heading("What moves the total most", level=2)
        pct = ctx.cost.sensitivity.pct
        pdf.figure(ctx.images["cost_tornado"], f"The chosen option's total when each input moves by ±{pct:g}%, "
                   "the largest swing at the top; the vertical line is the total at the defaults.", max_h=100)



def _sizing(pdf: ReportPDF, ctx: ReportContext) -> None:
    """GPUs, memory, throughput and latency behind the chosen option's cost."""
    assert ctx.cost is not None
    a, cat, result = ctx.assessment, ctx.catalog, ctx.cost.result
    w = a.workload
    o = ctx.option
    if pdf.get_y() > pdf.h - pdf.b_margin - 100:  # the table is ~90 mm: keep it on one page
        pdf.add_page()
    pdf.heading("The sizing behind it", level=2)
    where = {"public_cloud": f"in {PROVIDER_NAMES[result.provider]}", "local": "on premises"}
    train_at, serve_at = o.location("training"), o.location("serving")
    training = {"public_cloud": result.training_cloud, "local": result.training_local}.get(train_at)
    serving = {"public_cloud": result.serving_cloud, "local": result.serving_local}.get(serve_at)
    rows: list[tuple[str, str]] = []
    if training is not None:
        gpu = cat.gpu(training.gpu)
        runs = -(-a.horizon_months // w.retrain_every_months) if w.retrain_every_months else 1
        rows += [
            ("Fine-tuning", f"{_upper_first(METHOD_NAMES.get(training.method, training.method))} {where[train_at]}, "
                            f"{count(training.tokens)} tokens per run, {runs} run{'s' if runs != 1 else ''} "
                            f"over the horizon"),
            ("GPUs for fine-tuning", f"{training.gpus} × {gpu.name}: at least {training.gpus_for_memory} to hold the "
                                     f"training state and {training.gpus_for_time} to finish within "
                                     f"{a.costing.training_days:g} days, rounded up to whole nodes"),
            ("Memory per GPU", f"{training.memory_gb_per_gpu:,.1f} GB of {gpu.memory_gb:g} GB "
                               f"({training.activations_gb_per_gpu:,.1f} GB of it activations)"),
            ("Compute", f"{scientific(training.flops)} FLOPs at {training.mfu:.0%} model-FLOPs utilisation: "
                        f"{training.gpu_hours:,.0f} GPU-hours, {training.wall_clock_hours:,.1f} h wall clock per run"),
        ]
    else:
        rows.append(("Fine-tuning", "none in this option" if w.finetune_method != "none" or train_at == "not_specified"
                     else "none: the model is used as published"))
    if serving is not None:
        gpu = cat.gpu(serving.gpu)
        tpot = f"{serving.tpot_ms:,.1f} ms (target {w.tpot_target_ms:g} ms{'' if serving.tpot_met else ', not met'})"
        rows += [
            ("Serving", f"{serving.precision.upper()} {where[serve_at]}, bound by {serving.bound}"),
            ("GPUs for serving", f"{serving.gpus} × {gpu.name}: {serving.replicas} replica"
                                 f"{'s' if serving.replicas != 1 else ''} × {serving.tensor_parallel} GPUs "
                                 f"(tensor parallel), batch {serving.batch}"),
            ("Memory per GPU", f"{serving.memory_gb_per_gpu:,.1f} GB of {gpu.memory_gb:g} GB "
                               f"(weights {serving.weights_gb_per_gpu:,.1f} GB, "
                               f"KV cache {serving.kv_gb_per_gpu:,.1f} GB)"),
            ("Throughput", f"{serving.tokens_per_second_per_replica:,.0f} generated tokens/s and "
                           f"{serving.requests_per_second_per_replica:,.2f} requests/s per replica"),
            ("Time to first token (TTFT)", f"{serving.ttft_ms:,.0f} ms (target {w.ttft_target_ms:g} ms)"),
            ("Time per output token (TPOT)", tpot),
        ]
    else:
        rows.append(("Serving", "none: no stage of this option serves the model"))
    chosen = result.option(a.scenario, a.use_case)
    if chosen.serving_mode == "per_token":
        rows.append(("Cloud serving", f"per token on {result.endpoint}: {usd(chosen.cloud_serving_per_token)} over "
                                      f"the horizon, against {usd(chosen.cloud_serving_dedicated)} on dedicated GPUs"))
    elif chosen.serving_mode == "dedicated":
        busy = chosen.cloud_utilisation or 0.0
        rows.append(("Cloud serving", f"dedicated: {chosen.cloud_serving_gpus} GPUs at the peak hour, "
                                      f"{chosen.cloud_gpus_average:,.1f} on average, {busy:.0%} busy"))
    if chosen.onprem_gpus:
        owned = chosen.onprem_gpus - chosen.onprem_gpus_new
        rows.append(("GPUs on premises", f"{chosen.onprem_gpus} running, of which {owned} already owned and "
                                         f"{chosen.onprem_gpus_new} bought"))
    pdf.grid(("Quantity", "Value"), rows, (31, 69), size=8.5)


def price_rows(ctx: ReportContext) -> list[tuple[str, ...]]:
    """Every price and efficiency factor the cost model read, with its source; overrides flagged."""
    cat, a = ctx.catalog, ctx.assessment
    keys = list(ctx.cost.result.used) if ctx.cost is not None else []
    keys += [k for k in a.prices if k not in keys and k in cat.price_items]
    rows = []
    for key in keys:
        item = cat.price_items[key]
        value = ctx.cost.result.prices[key] if ctx.cost is not None else a.prices[key]
        shown = quantity(value, item.unit)
        if key in a.prices:
            shown += f" (override; default {quantity(item.value)})"
        rows.append((f"{item.label}\n{key}", shown, item.source, item.as_of, "yes" if item.estimate else ""))
    return rows


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]

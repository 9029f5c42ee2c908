"""The PDF report of one assessment, to attach to a proposal: an ordered list of section builders."""

from __future__ import annotations

import datetime as dt
import io
import math
import struct
import textwrap
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import plotly.graph_objects as go
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from explorer.architecture import ArchitectureModel
from explorer.assessment import Assessment
from explorer.catalog import LOCATION_LABELS, SCENARIO_IDS, STAGES, USE_CASE_IDS, Catalog, option_key
from explorer.charts import breakdown_chart, cumulative_chart, tornado_chart
from explorer.cost import LINE_ITEMS, REFERENCE, CostAnalysis, analyse
from explorer.errors import ExplorerError, RenderError
from explorer.governance import TradeOffs, all_trade_offs
from explorer.kaleido_export import figure_to_image
from explorer.placement import OptionPlacement, PlacementResult, format_bytes, place
from explorer.render import VIEW_TITLES, chosen_option, view_source
from explorer.render.graphviz import render_dot

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FALLBACK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT = "DejaVu"
INK = (33, 37, 41)
MUTED = (100, 110, 120)
ACCENT = (17, 104, 189)
RULE = (200, 205, 212)
HEADING_FILL = (232, 240, 250)
_NB_ALIAS = "¤N"  # as wide as a page count, so right-aligned footers stay aligned
PROVIDERS = {"aws": "AWS", "azure": "Microsoft Azure", "gcp": "Google Cloud", "ibm": "IBM Cloud"}
REPORT_VIEWS = ("architecture", "c4-context", "c4-container", "sequence", "flowchart")
_VIEW_CAPTIONS = {
    "architecture": "Provider icons; the public cloud drawn around the premises. Red edges cross the boundary.",
    "c4-context": "C4 system context: the cloud boundary around the premises boundary, as in the seed.",
    "c4-container": "C4 containers: each zone's software system and its containers, with technologies.",
    "sequence": "Every relation of the architecture as a message, in lifecycle order; dashed arrows are replies.",
    "flowchart": "The seed's flowchart of the four scenarios; the chosen one is highlighted.",
}


def clean(text: object) -> str:
    """User or catalog text as it may appear in the PDF: printable, and never mistaken for the page-count alias."""
    flat = "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in str(text))
    return flat.replace(_NB_ALIAS, "¤ N")


# --- the document ----------------------------------------------------------------------------


class ReportPDF(FPDF):
    """A4 portrait, DejaVu Sans with a CJK fallback, a running header and a numbered footer."""

    def __init__(self, running_title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.running_title = _shorten(clean(running_title), 120)
        self.set_margins(18, 20, 18)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages(_NB_ALIAS)
        for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"), ("I", "DejaVuSans-Oblique.ttf"),
                            ("BI", "DejaVuSans-BoldOblique.ttf")):
            self.add_font(FONT, style, FONT_DIR / name)
        fallbacks = []
        if FALLBACK_FONT.is_file():
            # Regular and bold only: each parse of the CJK font costs ~0.5 s; italic text falls back to regular.
            for style in ("", "B"):
                self.add_font("WenQuanYi", style, FALLBACK_FONT)
            fallbacks.append("WenQuanYi")
        self.set_fallback_fonts(fallbacks, exact_match=False)
        self.set_font(FONT, size=10)
        self.set_text_color(*INK)
        self.set_title(clean(running_title))
        self.set_creator("Deployment Scenario Explorer")
        self.set_lang("en")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.set_xy(self.l_margin, 9)
        self.cell(self.epw, 5, self.running_title, align="L")
        self.set_draw_color(*RULE)
        self.line(self.l_margin, 15, self.w - self.r_margin, 15)
        self.set_xy(self.l_margin, self.t_margin)
        self.set_text_color(*INK)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(self.epw / 2, 5, "Deployment Scenario Explorer", align="L")
        self.cell(self.epw / 2, 5, f"Page {self.page_no()} of {_NB_ALIAS}", align="R")
        self.set_text_color(*INK)

    # Small helpers the section builders share.

    def heading(self, text: str, level: int = 1) -> None:
        if level == 1:
            self.start_section(clean(text), level=0)
            self.set_font(FONT, "B", 16)
            self.set_text_color(*ACCENT)
            self.multi_cell(0, 8, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
            self.ln(2)
        else:
            if self.get_y() > self.h - 50:
                self.add_page()
            self.ln(2)
            self.set_font(FONT, "B", 12)
            self.set_text_color(*INK)
            self.multi_cell(0, 6, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
            self.ln(1)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def para(self, text: str, size: float = 10, style: str = "", colour: tuple[int, int, int] = INK) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)
        self.ln(1.5)

    def bullet(self, text: str, size: float = 10) -> None:
        self.set_font(FONT, size=size)
        x = self.l_margin
        self.set_x(x + 3)
        self.cell(4, size * 0.5, "•")
        self.multi_cell(self.epw - 7, size * 0.5, clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
        self.ln(0.8)

    def grid(self, headings: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float],
             size: float = 8.5, align: str | tuple[str, ...] = "LEFT", total_row: bool = False) -> None:
        """A table whose cells wrap and whose heading repeats on every page it spans.

        ``align`` is one alignment or one per column; ``total_row`` sets the last row in bold.
        """
        self.set_font(FONT, size=size)
        self.set_draw_color(*RULE)
        heading_style = FontFace(emphasis="BOLD", fill_color=HEADING_FILL, color=INK)
        with self.table(
            col_widths=tuple(widths), width=self.epw, text_align=align, line_height=size * 0.5,
            headings_style=heading_style, borders_layout="HORIZONTAL_LINES", padding=1.2,
            first_row_as_headings=True, repeat_headings=1,
            cell_fill_color=(247, 249, 252), cell_fill_mode="ROWS",
        ) as table:
            table.row([clean(h) for h in headings])
            for i, row in enumerate(rows):
                style = FontFace(emphasis="BOLD") if total_row and i == len(rows) - 1 else None
                table.row([clean(c) for c in row], style=style)
        self.set_font(FONT, size=10)
        self.ln(3)

    def figure(self, png: bytes, caption: str, *, max_h: float | None = None) -> None:
        """An image scaled to the width left on the page (never wider, never taller than ``max_h``)."""
        width_px, height_px = png_size(png)
        avail_h = (max_h if max_h is not None else self.h - self.b_margin - self.get_y() - 12)
        w = self.epw
        h = w * height_px / width_px
        if h > avail_h:
            h = avail_h
            w = h * width_px / height_px
        if self.get_y() + h + 10 > self.h - self.b_margin:  # keep the caption with its image
            self.add_page(orientation=self.cur_orientation)
        x = self.l_margin + (self.epw - w) / 2
        self.image(_opaque(png), x=x, y=self.get_y(), w=w, h=h)
        self.set_y(self.get_y() + h + 2)
        self.para(caption, size=8, style="I", colour=MUTED)


def _opaque(png: bytes) -> Image.Image:
    """The image on white, without an alpha channel: fpdf2 embeds it several times faster that way."""
    with Image.open(io.BytesIO(png)) as img:
        if img.mode in ("RGBA", "LA", "P"):
            rgba = img.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return img.convert("RGB")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise RenderError("A report image is not a PNG.")
    return struct.unpack(">II", png[16:24])


# --- what every section can read -------------------------------------------------------------


@dataclass(frozen=True)
class ReportContext:
    catalog: Catalog
    assessment: Assessment
    placement: PlacementResult
    option: OptionPlacement
    model: ArchitectureModel
    trade_offs: dict[str, TradeOffs]
    date: dt.date
    images: dict[str, bytes] = field(default_factory=dict)
    cost: CostAnalysis | None = None  # None when the cost model cannot price the assessment
    cost_error: str = ""  # the engine's one-sentence reason, then

    @property
    def customer(self) -> str:
        return self.assessment.customer or "Customer"

    @property
    def chosen_key(self) -> str:
        return option_key(self.assessment.scenario, self.assessment.use_case)


class Section(NamedTuple):
    """One part of the report: its title (for progress and the contents) and the function that writes it."""

    title: str
    build: Callable[[ReportPDF, ReportContext], None]
    new_page: bool = True


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def title_page(pdf: ReportPDF, ctx: ReportContext) -> None:
    a, cat = ctx.assessment, ctx.catalog
    scenario, use_case = cat.scenario(a.scenario), cat.use_case(a.use_case)
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 8, style="F")
    pdf.set_fill_color(255, 255, 255)
    pdf.set_y(62)
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
        ("Cloud provider", PROVIDERS[a.constraints.cloud_provider]),
        ("Model", cat.model(a.workload.model).name),
        ("Data classification", a.constraints.data_classification.capitalize()),
    ]
    rec = ctx.placement.recommended
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
    pdf.set_y(pdf.h - 40)
    pdf.para("Prepared with the Deployment Scenario Explorer. Every default figure carries its source and date "
             "in the section on inputs and assumptions; ratings marked as estimates are judgements.",
             size=8, colour=MUTED)


def contents_page(pdf: ReportPDF, ctx: ReportContext) -> None:
    pdf.insert_toc_placeholder(_render_contents, pages=1)


def _render_contents(pdf: FPDF, outline: list) -> None:
    # fpdf2 calls this at the very end, with x wherever the last page left it.
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 10, "Contents", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(4)
    pdf.set_text_color(*INK)
    for entry in outline:
        if entry.level > 0:
            continue
        pdf.set_font(FONT, size=11)
        link = pdf.add_link(page=entry.page_number)
        pdf.cell(pdf.epw - 20, 8, entry.name, link=link)
        pdf.cell(20, 8, str(entry.page_number), align="R", new_x="LMARGIN", new_y="NEXT")


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
        ("Horizon", f"{a.horizon_months} months"),
        ("Model", f"{model.name} ({model.params_b:g} B parameters, {model.licence_name})"),
        ("Fine-tuning", f"{METHOD_NAMES.get(w.finetune_method, 'none')}; {count(w.dataset_tokens)} tokens × "
                        f"{w.epochs:g} epochs"),
        ("Retraining", f"every {w.retrain_every_months} months" if w.retrain_every_months else "never"),
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
        ("Cloud provider", PROVIDERS[c.cloud_provider]),
    ]
    rows += [(f"Price override: {key}", f"{value:,.4g}") for key, value in sorted(a.prices.items())]
    pdf.heading("The assessment", level=2)
    pdf.grid(("Input", "Value"), rows, (32, 68))
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
    prices = _price_rows(ctx)
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
        pdf.grid(
            ("What", "From → to", "Direction", "Each time", "How often", "Per month"),
            [(f.what, f"{f.source} → {f.target}", direction[f.direction], format_bytes(f.bytes_per_event),
              f.cadence, format_bytes(f.bytes_per_month)) for f in o.flows],
            (26, 20, 14, 12, 16, 12),
        )
    else:
        pdf.para("Nothing crosses the boundary in this option: every stage and the data stay in one place.")
    pdf.heading("All eight options", level=2)
    rows = []
    for opt in ctx.placement.options:
        mark = "chosen" if (opt.scenario, opt.use_case) == (o.scenario, o.use_case) else ""
        rec = ctx.placement.recommended
        if rec is not None and (rec.scenario, rec.use_case) == (opt.scenario, opt.use_case):
            mark = f"{mark}, recommended" if mark else "recommended"
        rows.append((
            f"{opt.scenario} / {opt.use_case}", *(LOCATION_LABELS[opt.location(s)] for s in STAGES),
            "yes" if opt.feasible else "ruled out", f"{opt.score:.0f}", mark,
        ))
    pdf.grid(("Option", "Training", "Serving", "Inference", "Data", "Feasible", "Score", ""), rows,
             (11, 14, 14, 14, 16, 11, 8, 16), size=8)
    rec = ctx.placement.recommended
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
        template="plotly_white", font={"family": "DejaVu Sans", "size": 12}, bargap=0.35,
        margin={"l": 50, "r": 20, "t": 40, "b": 120}, legend={"orientation": "h", "y": 1.12, "x": 0},
        yaxis={"title": "Rating (higher is better for the customer)", "range": [0, hi + 0.3], "dtick": 1},
        xaxis={"tickangle": -35},
    )
    return fig


def score_figure(ctx: ReportContext) -> go.Figure:
    keys = [option_key(s, u) for s in SCENARIO_IDS for u in USE_CASE_IDS]
    scores = [ctx.trade_offs[k].score for k in keys]
    colours = ["#1168BD" if k == ctx.chosen_key else "#A0AEC0" for k in keys]
    fig = go.Figure(go.Bar(x=[f"Scenario {k.replace('-', ', use case ')}" for k in keys], y=scores,
                           marker_color=colours, text=[f"{s:.0f}" for s in scores], textposition="outside"))
    fig.update_layout(
        template="plotly_white", font={"family": "DejaVu Sans", "size": 12},
        margin={"l": 50, "r": 20, "t": 30, "b": 110}, yaxis={"title": "Weighted score (0-100)", "range": [0, 105]},
        xaxis={"tickangle": -30}, showlegend=False,
    )
    return fig


def trade_offs_section(pdf: ReportPDF, ctx: ReportContext) -> None:
    chosen = ctx.trade_offs[ctx.chosen_key]
    pdf.heading("Governance and privacy trade-offs")
    pdf.para(f"Ratings from {ctx.catalog.scale.min} (weak) to {ctx.catalog.scale.max} (strong) for the customer, "
             f"weighted by importance. Weighted score of the chosen option: {chosen.score:.0f} out of 100.")
    every_estimate = all(r.estimate for r in chosen.rows)
    pdf.grid(("Criterion", "Weight", "Rating", "Rationale"),
             [(r.name + (" (estimate)" if r.estimate and not every_estimate else ""), f"{r.weight:g}",
               str(r.rating), r.rationale) for r in chosen.rows], (22, 9, 9, 60))
    if every_estimate:
        pdf.para("Every rating is an estimate: an analyst's judgement drawn from the sources listed below.",
                 size=8, style="I", colour=MUTED)
    if pdf.get_y() > pdf.h - pdf.b_margin - 110:  # keep the heading with its chart
        pdf.add_page()
    pdf.heading("The chosen option against the other seven", level=2)
    pdf.figure(ctx.images["trade_off_chart"], "Bars: the chosen option's ratings. Grey diamonds: each of the "
               "other seven options.", max_h=95)
    pdf.figure(ctx.images["score_chart"], "Weighted score of every option; the chosen one in blue.", max_h=80)
    pdf.heading("Where the ratings come from", level=2)
    for source in sorted({r.source for r in chosen.rows}):
        pdf.bullet(source, size=7.5)


def diagrams_section(pdf: ReportPDF, ctx: ReportContext) -> None:
    for i, view in enumerate(REPORT_VIEWS):
        png = ctx.images[f"view:{view}"]
        width_px, height_px = png_size(png)
        # One diagram per page; a wide one turns the page, so it is printed as large as it can be.
        pdf.add_page(orientation="L" if width_px > 1.15 * height_px else "P")
        if i == 0:
            pdf.heading("Diagrams")
        pdf.heading(VIEW_TITLES[view], level=2)
        pdf.figure(png, _VIEW_CAPTIONS[view])


# --- cost ------------------------------------------------------------------------------------

COST_SAMPLES = 2000  # uncertainty samples: the same as the Cost page (pages/cost_panel.SAMPLES)
_NUMERIC = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")


def usd(value: float | None, cents: bool = False) -> str:
    """US dollars with thousands separators: whole dollars, or cents for small unit prices."""
    if value is None:
        return "n/a"
    return f"${value:,.2f}" if cents else f"${value:,.0f}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
METHOD_NAMES = {"full": "Full fine-tuning", "lora": "LoRA", "qlora": "QLoRA"}


def quantity(value: float, unit: str = "") -> str:
    """A catalog figure for print: thousands separators, dollars for USD units (``$37,500 per GPU``)."""
    number = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if unit == "USD":
        return f"${number}"
    if unit.startswith("USD "):
        return f"${number} {unit.removeprefix('USD ')}"
    return f"{number} {unit}".strip()


def count(value: float) -> str:
    """A large count in words (``4.0 billion``), or with thousands separators."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.1f} {word}"
    return f"{value:,.0f}"


def scientific(value: float) -> str:
    """``1.13 × 10²¹``."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    return f"{value / 10 ** exponent:.2f} × 10{str(exponent).translate(_SUPERSCRIPT)}"


def _option_label(scenario: int, use_case: str) -> str:
    return f"S{scenario} · {use_case}"


def _break_even_text(ctx: ReportContext, key: str, month: int | None) -> str:
    assert ctx.cost is not None
    if key == ctx.cost.result.reference:
        return "reference"
    return "never" if month is None else f"month {month}"


def _chart(fig: go.Figure, height: int | None = None) -> bytes:
    """A cost chart as the report prints it: the PDF heading replaces the figure's own title."""
    fig = go.Figure(fig)
    height = height or int(fig.layout.height or 420)
    margin_top = 60 if fig.layout.legend.y is not None and fig.layout.legend.y >= 1 else 20
    fig.update_layout(title=None, height=height, margin={"t": margin_top, "l": 10, "r": 20, "b": 10})
    axis = fig.layout.xaxis if fig.layout.xaxis.tickformat else fig.layout.yaxis
    axis.tickformat = "$~s"  # $500k, $1M, $1.5M and $0, rather than $1.50M and $0.00
    return figure_to_image(fig, width=900, height=height)


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
        labels = [_wrap(r.label, 34) for r in sens.rows[:top]][::-1]  # the builder's order: largest at the top
        for trace in fig.data:
            trace.y = labels
        images["cost_tornado"] = _chart(fig, 130 + 40 * min(top, len(sens.rows)))
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
    capex = {"buy": "bought up front", "amortise": "amortised"}[c.capex]
    pdf.para(
        f"All eight options over {result.horizon_months} months, in US dollars. In the cloud, "
        f"{cat.gpu(result.cloud_gpu).name} GPUs from {PROVIDERS[result.provider]} at {pricing} prices; on premises, "
        f"{cat.gpu(result.onprem_gpu).name} servers {capex}. P10/P50/P90 come from {unc.samples:,} samples of "
        f"{len(unc.inputs)} uncertain prices and efficiencies, each between its catalog low and high; the total "
        "uses the catalog defaults, and where a range reaches further above its default than below, P50 sits "
        "above the total. Break-even is the first month from which an option's "
        f"cumulative cost stays at or below the all-cloud option ({_option_label(*REFERENCE)}).",
        size=9, colour=MUTED,
    )
    rows = []
    feasible = {(o.scenario, o.use_case): o.feasible for o in ctx.placement.options}
    for o in result.options:
        notes = []
        if (o.scenario, o.use_case) == (a.scenario, a.use_case):
            notes.append("chosen")
        if o.key == result.reference:
            notes.append("all-cloud")
        if not feasible.get((o.scenario, o.use_case), True):
            notes.append("ruled out")
        label = _option_label(o.scenario, o.use_case) + (f" ({', '.join(notes)})" if notes else "")
        rows.append((label, usd(o.total), usd(unc.p10[o.key]), usd(unc.p50[o.key]), usd(unc.p90[o.key]),
                     usd(o.per_million_tokens, cents=True), _break_even_text(ctx, o.key, o.break_even_month)))
    pdf.grid(("Option", "Total", "P10", "P50", "P90", "Per million tokens", "Break-even"), rows,
             (31, 12.5, 12.5, 12.5, 12.5, 15, 13), size=8, align=_NUMERIC)
    for note in result.notes:
        pdf.bullet(note, size=9)

    pdf.heading(f"The chosen option, {_option_label(a.scenario, a.use_case)}: line items", level=2)
    months = result.horizon_months
    items = [(LINE_ITEMS[k], v) for k, v in chosen.line_items.items() if v > 0]
    total = chosen.total
    rows = [(name, usd(v), usd(v / months), f"{v / total:.1%}" if total else "") for name, v in items]
    rows.append(("Total", usd(total), usd(total / months), "100%" if total else ""))
    pdf.grid(("Line item", f"Over {months} months", "Per month (average)", "Share"), rows, (46, 20, 20, 14),
             size=8.5, align=("LEFT", "RIGHT", "RIGHT", "RIGHT"), total_row=True)
    key = option_key(a.scenario, a.use_case)
    pdf.para(
        f"P10 {usd(unc.p10[key])}, P50 {usd(unc.p50[key])}, P90 {usd(unc.p90[key])}; "
        f"{usd(chosen.per_million_tokens, cents=True)} per million generated tokens "
        f"({result.tokens_generated / 1e9:,.2f} billion tokens over the horizon); break-even against all-cloud: "
        f"{_break_even_text(ctx, key, chosen.break_even_month)}.",
        size=9,
    )
    _sizing(pdf, ctx)

    if pdf.get_y() > pdf.h - pdf.b_margin - 130:  # keep the heading with its chart
        pdf.add_page()
    pdf.heading("Cumulative cost and break-even", level=2)
    pdf.figure(ctx.images["cost_cumulative"], "Cumulative cost month by month; the thick line is the chosen "
               "option, with its P10-P90 band shaded and its break-even month against all-cloud marked. Solid lines: "
               "use case 1A; dotted: 1B.", max_h=118)
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
    where = {"public_cloud": f"in {PROVIDERS[result.provider]}", "local": "on premises"}
    train_at, serve_at = o.location("training"), o.location("serving")
    training = {"public_cloud": result.training_cloud, "local": result.training_local}.get(train_at)
    serving = {"public_cloud": result.serving_cloud, "local": result.serving_local}.get(serve_at)
    rows: list[tuple[str, str]] = []
    if training is not None:
        gpu = cat.gpu(training.gpu)
        runs = -(-a.horizon_months // w.retrain_every_months) if w.retrain_every_months else 1
        rows += [
            ("Fine-tuning", f"{METHOD_NAMES.get(training.method, training.method)} {where[train_at]}, "
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
    if chosen.onprem_gpus:
        owned = chosen.onprem_gpus - chosen.onprem_gpus_new
        rows.append(("GPUs on premises", f"{chosen.onprem_gpus} running, of which {owned} already owned and "
                                         f"{chosen.onprem_gpus_new} bought"))
    pdf.grid(("Quantity", "Value"), rows, (31, 69), size=8.5)


def _price_rows(ctx: ReportContext) -> list[tuple[str, ...]]:
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


SECTIONS: list[Section] = [
    Section("Title page", title_page),
    Section("Contents", contents_page),
    Section("Inputs and assumptions", inputs_section),
    Section("Placement", placement_section),
    Section("Cost summary and charts", cost_section),
    Section("Trade-offs", trade_offs_section),
    Section("Diagrams", diagrams_section, new_page=False),
]

Progress = Callable[[float, str], None]


def report_context(catalog: Catalog, assessment: Assessment, today: dt.date | None = None,
                   progress: Progress | None = None) -> ReportContext:
    """Everything the sections print, computed once: placement, cost, trade-offs, diagrams and charts.

    The cost model and the plotly charts (kaleido's browser) run on a worker thread beside the Graphviz
    diagrams; progress is only ever reported from the calling thread.
    """
    note = progress or (lambda _f, _m: None)
    note(0.05, "Placing every option")
    option, model = chosen_option(catalog, assessment)
    base = ReportContext(
        catalog=catalog, assessment=assessment, placement=place(catalog, assessment), option=option, model=model,
        trade_offs=all_trade_offs(catalog), date=today or dt.date.today(),
    )
    diagrams: dict[str, bytes] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-charts") as pool:
        charted = pool.submit(_cost_and_charts, base)
        for i, view in enumerate(REPORT_VIEWS):
            note(0.1 + 0.35 * i / len(REPORT_VIEWS), f"Drawing a diagram: {VIEW_TITLES[view]}")
            diagrams[f"view:{view}"] = render_dot(view_source(catalog, assessment, view), "png", 120)
        note(0.5, "Drawing the charts")
        ctx = charted.result()
    ctx.images.update(diagrams)
    return ctx


def _cost_and_charts(base: ReportContext) -> ReportContext:
    """The cost analysis (the same call as the Cost page, so the numbers match the UI) and every chart."""
    images = {
        "trade_off_chart": figure_to_image(trade_off_figure(base), width=900, height=520),
        "score_chart": figure_to_image(score_figure(base), width=900, height=420),
    }
    cost, cost_error = None, ""
    try:
        cost = analyse(base.catalog, base.assessment, samples=COST_SAMPLES)
    except ExplorerError as exc:  # the report still builds; the cost section says why it has no figures
        cost_error = str(exc)
    ctx = replace(base, cost=cost, cost_error=cost_error, images=images)
    ctx.images.update(cost_images(ctx))
    return ctx


def build_report(catalog: Catalog, assessment: Assessment, *, today: dt.date | None = None,
                 sections: Sequence[Section] | None = None, progress: Progress | None = None) -> bytes:
    """The report as PDF bytes. ``progress(fraction, message)`` is called as it builds."""
    note = progress or (lambda _f, _m: None)
    day = today or dt.date.today()
    title = f"{_shorten(assessment.customer or 'Customer', 60)}: deployment scenario assessment, {_long_date(day)}"
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-fonts") as pool:
        document = pool.submit(ReportPDF, title)  # parsing the fonts overlaps drawing the diagrams and charts
        ctx = report_context(catalog, assessment, day, note)
        pdf = document.result()
    parts = list(SECTIONS if sections is None else sections)
    for i, section in enumerate(parts):
        note(0.7 + 0.25 * i / len(parts), f"Writing {section.title.lower()}")
        # The contents placeholder leaves a fresh page behind it: use that rather than a blank one.
        fresh = pdf.page > 0 and pdf.get_y() <= pdf.t_margin + 0.5
        if section.new_page and not fresh:
            pdf.add_page()
        section.build(pdf, ctx)
    note(0.97, "Finishing the PDF")
    out = bytes(pdf.output())
    note(1.0, "Done")
    return out


__all__ = ["COST_SAMPLES", "SECTIONS", "ReportContext", "ReportPDF", "Section", "build_report", "clean",
           "report_context", "usd"]

"""The deck: a 16:9 PowerPoint of one decision, with editable tables and text and each diagram on its own slide.

Every figure is read from the decision (the estimate's rows for the cost), never recomputed; every piece of
user text goes in as literal text, cleaned of characters XML cannot hold. Text is set in Calibri, the Office
default: PowerPoint has it, and LibreOffice draws it with its metric twin Carlito (or its default sans).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.slide import Slide
from pptx.text.text import Font
from pptx.util import Emu, Inches, Pt

from explorer.engine.decision import Decision
from explorer.model.formatting import months, usd
from explorer.model.vocabulary import LOCATION_LABELS, PROVIDER_NAMES, STAGES, option_label
from explorer.render.diagrams import VIEW_CAPTIONS, VIEW_TITLES, VIEWS, render_views
from explorer.render.estimate import OptionRow, option_rows
from explorer.render.graphviz import SLIDE_PICTURE_IN
from explorer.render.report.pdf import png_size

FONT = "Calibri"
DECK_SCALE: float | None = None  # the diagrams' PNG scale: None is the slide default, ≥ 2,400 px on the long side
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.45)
BODY_TOP = Inches(1.25)
DIAGRAM_TOP = Inches(1.1)  # a diagram's picture, SLIDE_PICTURE_IN high: 1.1 + 6.3 leaves 0.1 in below it
ACCENT = RGBColor(0x11, 0x68, 0xBD)
INK = RGBColor(0x21, 0x25, 0x29)
MUTED = RGBColor(0x64, 0x6E, 0x78)


def slide_text(text: object, *, one_line: bool = False) -> str:
    """User or catalog text as a slide may hold it: printable characters only; a line break stays a line break
    (or becomes a space on one line), so words are never glued together."""
    flat = "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in str(text).replace("\r\n", "\n"))
    return " ".join(flat.split()) if one_line else flat


def build_deck(decision: Decision, *, today: dt.date | None = None,
               images: dict[str, bytes] | None = None) -> bytes:
    """The deck as PPTX bytes. ``images`` (view -> PNG) saves drawing the diagrams again when a caller has them."""
    day = today or dt.date.today()
    pngs = images or dict(zip(VIEWS, render_views(decision, [(v, "png") for v in VIEWS], scale=DECK_SCALE),
                              strict=True))
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    _title_slide(deck, decision, day)
    _placement_slide(deck, decision)
    _options_slide(deck, decision)
    if decision.cost is not None:
        _cost_slide(deck, decision)
    _trade_offs_slide(deck, decision)
    for view in VIEWS:
        _diagram_slide(deck, decision, view, pngs[view])
    deck.core_properties.title = slide_text(f"{_customer(decision)}: deployment scenario assessment", one_line=True)
    deck.core_properties.author = "Deployment Scenario Explorer"
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _customer(decision: Decision) -> str:
    return decision.assessment.customer or "Customer"


def _blank(deck: Presentation, title: str, notes: Sequence[str]) -> Slide:
    """A slide with its title in an editable text box and the speaker notes set."""
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # the blank layout: no placeholders to leave empty
    _text(slide, title, MARGIN, Inches(0.35), WIDTH - 2 * MARGIN, Inches(0.8), size=28, bold=True, colour=ACCENT)
    slide.notes_slide.notes_text_frame.text = slide_text("\n".join(n for n in notes if n))
    return slide


def _text(slide: Slide, text: str, left: Emu, top: Emu, width: Emu, height: Emu, *, size: float,
          bold: bool = False, colour: RGBColor = INK) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for i, line in enumerate(slide_text(text).split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = line
        _font(run.font, size, bold, colour)


def _font(font: Font, size: float, bold: bool = False, colour: RGBColor = INK) -> None:
    font.name, font.size, font.bold = FONT, Pt(size), bold
    font.color.rgb = colour


def _table(slide: Slide, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], *,
           size: float = 12, top: Emu = BODY_TOP, right: Sequence[int] = ()) -> None:
    """A native table (editable in PowerPoint): ``widths`` are shares of the slide's body width."""
    body = WIDTH - 2 * MARGIN
    height = Inches(0.4) * (len(rows) + 1)
    table = slide.shapes.add_table(len(rows) + 1, len(headings), MARGIN, top, body, height).table
    scale = sum(widths)
    for i, share in enumerate(widths):
        table.columns[i].width = Emu(int(body * share / scale))
    for r, cells in enumerate([headings, *rows]):
        for c, value in enumerate(cells):
            cell = table.cell(r, c)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.margin_top = cell.margin_bottom = Inches(0.04)
            frame = cell.text_frame
            frame.word_wrap = True
            para = frame.paragraphs[0]
            para.alignment = PP_ALIGN.RIGHT if c in right else PP_ALIGN.LEFT
            run = para.add_run()
            run.text = slide_text(value, one_line=True)
            _font(run.font, size, bold=r == 0, colour=RGBColor(0xFF, 0xFF, 0xFF) if r == 0 else INK)


def _title_slide(deck: Presentation, decision: Decision, day: dt.date) -> None:
    a, cat = decision.assessment, decision.catalog
    rec = decision.recommended
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, WIDTH, Inches(0.25))
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
    band.line.fill.background()
    _text(slide, "DEPLOYMENT SCENARIO ASSESSMENT", MARGIN, Inches(1.6), WIDTH - 2 * MARGIN, Inches(0.5), size=16,
          bold=True, colour=MUTED)
    _text(slide, _customer(decision), MARGIN, Inches(2.2), WIDTH - 2 * MARGIN, Inches(1.6), size=40, bold=True)
    lines = [
        "Where AI training, serving, inference and data should run: on premises or in the public cloud.",
        f"Option assessed: {option_label(decision.key)}, {cat.scenario(a.scenario).name}",
        (f"Recommended: {option_label(rec.key)}, {cat.scenario(rec.scenario).name}" if rec is not None
         else "Recommended: no option meets every hard rule"),
        f"Cloud provider: {PROVIDER_NAMES[a.constraints.cloud_provider]}. Model: {cat.model(a.workload.model).name}.",
        f"{day.day} {day.strftime('%B %Y')}",
    ]
    _text(slide, "\n".join(lines), MARGIN, Inches(4.2), WIDTH - 2 * MARGIN, Inches(2.4), size=18, colour=MUTED)
    slide.notes_slide.notes_text_frame.text = slide_text("\n".join(
        ["Why this option:", *(rec.reasons if rec is not None else ()), *decision.contradictions,
         *(f"Check this input: {w}" for w in decision.warnings)]))


def _placement_slide(deck: Presentation, decision: Decision) -> None:
    o = decision.chosen
    notes = [f"{s.capitalize()}: {LOCATION_LABELS[p.location]}. {p.reason}" for s, p in o.stages.items()]
    notes += [*o.conflicts, *(f"Ruled out ({v.rule}): {v.message}." for v in o.violations)]
    slide = _blank(deck, f"Placement: {option_label(o.key)}", notes)  # one line: the name goes below the table
    rows = [(s.capitalize(), LOCATION_LABELS[p.location], p.reason) for s, p in o.stages.items()]
    _table(slide, ("Stage", "Runs", "Why"), rows, (14, 16, 70), size=13)
    verdict = f"Scenario {o.scenario}, {o.scenario_name}: " + (
        "feasible, no hard rule rules it out." if o.feasible else "ruled out. " + " ".join(
            f"{v.message}." for v in o.violations))
    _text(slide, verdict, MARGIN, Inches(6.2), WIDTH - 2 * MARGIN, Inches(1.0), size=14, bold=not o.feasible,
          colour=INK if o.feasible else RGBColor(0xB0, 0x1E, 0x1E))


def _options_slide(deck: Presentation, decision: Decision) -> None:
    rec = decision.recommended
    notes = [f"{option_label(o.key)}: ruled out. " + " ".join(f"{v.message}." for v in o.violations)
             for o in decision.options if not o.feasible]
    if rec is not None:
        notes = [f"Recommended: {option_label(rec.key)}.", *rec.reasons, *notes]
    slide = _blank(deck, "All eight options: where each stage runs", notes)
    rows = []
    for o in decision.options:
        marks = [m for m, on in (("chosen", o.key == decision.key), ("recommended", rec is not None and
                                                                      o.key == rec.key)) if on]
        rows.append((option_label(o.key) + (f" ({', '.join(marks)})" if marks else ""),
                     *(LOCATION_LABELS[o.location(s)] for s in STAGES), "yes" if o.feasible else "ruled out",
                     f"{o.score:.0f}", ", ".join(v.rule for v in o.violations)))
    _table(slide, ("Option", *(s.capitalize() for s in STAGES), "Feasible", "Score", "Hard rules broken"), rows,
           (23, 11, 11, 11, 13, 8, 6, 17), size=11, right=(6,))


def _cost_slide(deck: Presentation, decision: Decision) -> None:
    result = decision.require_cost()
    rows: list[OptionRow] = option_rows(decision)
    notes = [f"Total cost over {months(result.horizon_months)} in {result.currency}; P10/P50/P90 from "
             f"{decision.uncertainty().samples:,} samples of the uncertain prices.", result.reference_note,
             result.finance_note, *result.notes]
    slide = _blank(deck, f"Cost over {months(result.horizon_months)}, all eight options", notes)
    _table(slide, ("Option", "Total", "Present value", "Per million tokens", "Break-even", "P10", "P50", "P90"),
           [(r.label + (f" ({r.marks})" if r.marks else ""), usd(r.total), usd(r.present_value),
             usd(r.per_million_tokens, cents=True), r.break_even, usd(r.p10), usd(r.p50), usd(r.p90))
            for r in rows],
           (25, 10, 10, 10, 9, 9, 9, 9), size=12, right=(1, 2, 3, 5, 6, 7))
    _text(slide, result.break_even_label + ". Ruled-out options are costed for comparison only.", MARGIN,
          Inches(5.2), WIDTH - 2 * MARGIN, Inches(0.5), size=12, colour=MUTED)


def _trade_offs_slide(deck: Presentation, decision: Decision) -> None:
    o = decision.chosen
    scale = decision.catalog.scale
    notes = [f"Score: {o.breakdown}.", *(f"{r.name}: {r.rationale} (source: {r.source})" for r in o.trade_offs.rows)]
    slide = _blank(deck, f"Trade-offs of {option_label(o.key)} (ratings {scale.min}-{scale.max}, higher is better)",
                   notes)
    _table(slide, ("Criterion", "Weight", "Rating", "Why"),
           [(r.name + (" (computed)" if r.computed else ""), f"{r.weight:g}", r.shown, r.rationale)
            for r in o.trade_offs.rows], (22, 7, 7, 64), size=10, right=(1, 2))


def _diagram_slide(deck: Presentation, decision: Decision, view: str, png: bytes) -> None:
    title = f"{VIEW_TITLES[view]}: {option_label(decision.key)}"
    slide = _blank(deck, title, [VIEW_CAPTIONS[view]])
    w_px, h_px = png_size(png)
    # The picture area is wider than the body of the other slides (narrow side margins, just below the
    # title): the diagrams' text is shown as large as the slide allows. Their layouts are chosen for it.
    box_w, box_h = (Inches(side) for side in SLIDE_PICTURE_IN)
    scale = min(box_w / w_px, box_h / h_px)
    w, h = int(w_px * scale), int(h_px * scale)
    picture = slide.shapes.add_picture(io.BytesIO(png), (WIDTH - w) // 2, DIAGRAM_TOP, Emu(w), Emu(h))
    picture.name = f"{VIEW_TITLES[view]} diagram"
    # Alt text for screen readers: PowerPoint reads the picture's description (cNvPr/@descr).
    picture._element.nvPicPr.cNvPr.set("descr", slide_text(f"{title}. {VIEW_CAPTIONS[view]}", one_line=True))

"""The C4 views are legible where they are shown, measured on the real PDF page and the real slide.

The size a word is printed at is its font size in Graphviz's own drawing (the view's SVG: the same layout the
PNG rasterises) times the factor by which the report or the deck shrinks that drawing to place it, which we
read back from the PDF's content stream and from the picture's size on the slide. The rules:

- report (A4): no C4 text smaller than 8 pt on paper (the body text is 10 pt), and the picture within the page;
- deck (16:9, 13.33 in wide): no C4 text smaller than 12 pt on the slide, which is 16 px when the slide is
  shown 1,280 px wide (1,280 px / 960 pt); and the PNG has at least as many pixels as the picture is shown at
  there, so the text is not blurred by enlarging.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pptx import Presentation
from pypdf import PdfReader

from explorer.engine.decision import Decision, decide
from explorer.model.loading import parse_assessment
from explorer.render import VIEWS, render_view, render_views
from explorer.render.deck import DECK_SCALE, build_deck
from explorer.render.diagrams import VIEW_TITLES
from explorer.render.graphviz import png_size
from explorer.render.report import ReportContext, ReportPDF
from explorer.render.report.sections import REPORT_DPI, REPORT_VIEWS, diagrams_section

DAY = dt.date(2026, 11, 23)
C4 = ("c4-context", "c4-container")
PRESETS = (None, "regulated-bank", "cloud-first-retailer", "air-gapped-plant", "hipaa-hospital")
CASES = [(preset, scenario) for preset in PRESETS for scenario in (1, 2, 3, 4)]
EMU_PER_PT = 12700
REPORT_FLOOR_PT = 8.0
SLIDE_FLOOR_PT = 12.0
SHOWN_PX = 1280


def _decision(catalog, preset: str | None, scenario: int) -> Decision:
    raw = {} if preset is None else dict(catalog.preset(preset).assessment)
    return decide(catalog, parse_assessment({**raw, "scenario": scenario}))


def _drawing(decision: Decision, view: str) -> tuple[float, float]:
    """The smallest font size in the view's drawing and the drawing's width, both in points (Graphviz's SVG)."""
    svg = render_view(decision, view, "svg").decode()
    width = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
    assert 'transform="scale(1 1)' in svg  # Graphviz draws at its own size: the font sizes are true points
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes, view
    return min(sizes), width


@pytest.mark.parametrize(("preset", "scenario"), CASES)
def test_c4_text_prints_at_8_pt_or_more_in_the_report(catalog, preset, scenario):
    decision = _decision(catalog, preset, scenario)
    pngs = render_views(decision, [(v, "png") for v in REPORT_VIEWS], dpi=REPORT_DPI)
    ctx = ReportContext(decision=decision, date=DAY, images={f"view:{v}": p for v, p in zip(REPORT_VIEWS, pngs,
                                                                                          strict=True)})
    pdf = ReportPDF("Legibility")
    diagrams_section(pdf, ctx)  # the report's own diagram pages, as build_report writes them
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    for view in C4:
        page = next(p for p in reader.pages if f"Diagrams: {VIEW_TITLES[view]}" in p.extract_text())
        content = page.get_contents().get_data().decode("latin-1")
        w, _, _, h, x, y = (float(v) for v in re.search(
            r"([\d.]+) (0) (0) ([\d.]+) ([\d.]+) ([\d.]+) cm\s*/I", content).groups())
        # The picture lies within the page.
        assert x >= 0 and y >= 0
        assert x + w <= float(page.mediabox.width) and y + h <= float(page.mediabox.height)
        smallest, drawing_w = _drawing(decision, view)
        png_w, _ = png_size(pngs[REPORT_VIEWS.index(view)])
        assert png_w == pytest.approx(drawing_w * REPORT_DPI / 72, abs=3)  # the PNG is this drawing
        printed = smallest * w / drawing_w
        assert printed >= REPORT_FLOOR_PT, (view, round(printed, 2))


@pytest.mark.parametrize(("preset", "scenario"), CASES)
def test_c4_text_is_12_pt_or_more_on_a_slide(catalog, preset, scenario):
    decision = _decision(catalog, preset, scenario)
    pngs = dict(zip(VIEWS, render_views(decision, [(v, "png") for v in VIEWS], scale=DECK_SCALE), strict=True))
    deck = Presentation(io.BytesIO(build_deck(decision, today=DAY, images=pngs)))
    slide_w_pt = deck.slide_width / EMU_PER_PT
    pictures = {shape.name: shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13}
    for view in C4:
        picture = pictures[f"{VIEW_TITLES[view]} diagram"]
        placed_pt = picture.width / EMU_PER_PT
        assert picture.left >= 0 and picture.left + picture.width <= deck.slide_width
        assert picture.top >= 0 and picture.top + picture.height <= deck.slide_height
        smallest, drawing_w = _drawing(decision, view)
        on_slide = smallest * placed_pt / drawing_w
        shown_px = on_slide * SHOWN_PX / slide_w_pt
        assert on_slide >= SLIDE_FLOOR_PT, (view, round(on_slide, 2), round(shown_px, 1))
        # Shown 1,280 px wide, the picture takes placed_pt × 1,280 / 960 px; the PNG has at least as many.
        png_w, _ = png_size(pngs[view])
        assert png_w >= placed_pt * SHOWN_PX / slide_w_pt, view

"""The C4 views are legible where they are shown, measured on the real PDF page and the real slide.

The size a word is printed at is its font size in Graphviz's own drawing (the view's SVG: the same layout the
PNG rasterises) times the factor by which the report or the deck shrinks that drawing to place it, which we
read back from the PDF (its content stream with pypdf, and the image's resolution on the page with poppler's
``pdfimages -list``) and from the picture's size on the slide. The diagrams are raster images in the PDF, so
``pdftotext -bbox`` cannot see their words; the image's printed resolution is what sets their size. The rules:

- report (A4): no C4 text smaller than 8 pt on paper (the body text is 10 pt), and the picture within the page;
  for every preset, scenario and use case, with and without the classification overlay;
- deck (16:9, 13.33 in wide): no C4 text smaller than 14 px when the slide is shown 1,280 px wide (10.5 pt of
  the slide: 1,280 px across 960 pt), the size of the app's own captions; and the PNG has at least as many
  pixels as the picture is shown at there, so the text is not blurred by enlarging.
"""
from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import subprocess

import pytest
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from explorer.engine.decision import Decision, decide
from explorer.model.catalog import load_catalog
from explorer.model.loading import parse_assessment
from explorer.render import VIEWS, render_view, render_views, view_source
from explorer.render.deck import DECK_SCALE, build_deck
from explorer.render.diagrams import VIEW_TITLES
from explorer.render.graphviz import layout_size, png_size, render_dot
from explorer.render.report import ReportContext, ReportPDF
from explorer.render.report.sections import REPORT_DPI, REPORT_VIEWS, diagram_page, diagrams_section

DAY = dt.date(2026, 11, 23)
C4 = ("c4-context", "c4-container")
PRESETS = (None, *(p.id for p in load_catalog().presets))  # the defaults, and every preset in data/presets.yaml
CASES = [(preset, scenario, use_case) for preset in PRESETS for scenario in (1, 2, 3, 4) for use_case in ("1A", "1B")]
REPORT_FLOOR_PT = 8.0
SLIDE_FLOOR_PX = 14.0  # see the module's docstring
SHOWN_PX = 1280


def _placeholder() -> bytes:
    """A plain picture for the views other than C4, which these tests do not measure (it keeps them fast)."""
    out = io.BytesIO()
    Image.new("RGB", (1600, 900), "white").save(out, "PNG")
    return out.getvalue()


def _pictures(decision: Decision, views: tuple[str, ...], **draw: object) -> dict[str, bytes]:
    """Each view's PNG: the C4 views drawn (``draw`` as the report or the deck draws them), the others plain."""
    pngs = render_views(decision, [(v, "png") for v in C4], **draw)  # type: ignore[arg-type]
    drawn = dict(zip(C4, pngs, strict=True))
    return {v: drawn.get(v) or _placeholder() for v in views}


def _decision(catalog, preset: str | None, scenario: int, use_case: str = "1A") -> Decision:
    raw = {} if preset is None else dict(catalog.preset(preset).assessment)
    return decide(catalog, parse_assessment({**raw, "scenario": scenario, "use_case": use_case}))


def _drawing(decision: Decision, view: str, overlay: bool = False) -> tuple[float, float, float]:
    """The smallest font size in the view's drawing and the drawing's width and height, all in points
    (Graphviz's SVG)."""
    svg = render_view(decision, view, "svg", overlay=overlay).decode()
    width, height = (float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    assert 'transform="scale(1 1)' in svg  # Graphviz draws at its own size: the font sizes are true points
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes, view
    return min(sizes), width, height


def _image_ppi(pdf: bytes, tmp_path) -> dict[int, float]:
    """Poppler's reading of each page's image resolution (``pdfimages -list``: x-ppi), by page number."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    rows = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    out = {}
    for row in rows.splitlines()[2:]:  # two heading lines
        cols = row.split()
        out[int(cols[0])] = float(cols[12])  # page, num, type, width, height, color, comp, bpc, enc, interp,
    return out                               # object, ID, x-ppi, y-ppi, size, ratio


@pytest.mark.parametrize(("preset", "scenario", "use_case"), CASES)
def test_c4_text_prints_at_8_pt_or_more_in_the_report(catalog, tmp_path, preset, scenario, use_case):
    decision = _decision(catalog, preset, scenario, use_case)
    pngs = _pictures(decision, REPORT_VIEWS, dpi=REPORT_DPI)
    ctx = ReportContext(decision=decision, date=DAY, images={f"view:{v}": p for v, p in pngs.items()})
    pdf = ReportPDF("Legibility")
    diagrams_section(pdf, ctx)  # the report's own diagram pages, as build_report writes them
    data = bytes(pdf.output())
    reader = PdfReader(io.BytesIO(data))
    ppi = _image_ppi(data, tmp_path)
    for view in C4:
        number, page = next((n, p) for n, p in enumerate(reader.pages, 1)
                            if f"Diagrams: {VIEW_TITLES[view]}" in p.extract_text())
        content = page.get_contents().get_data().decode("latin-1")
        w, _, _, h, x, y = (float(v) for v in re.search(
            r"([\d.]+) (0) (0) ([\d.]+) ([\d.]+) ([\d.]+) cm\s*/I", content).groups())
        # The picture lies within the page.
        assert x >= 0 and y >= 0
        assert x + w <= float(page.mediabox.width) and y + h <= float(page.mediabox.height)
        smallest, drawing_w, _ = _drawing(decision, view)
        png_w, _ = png_size(pngs[view])
        assert png_w == pytest.approx(drawing_w * REPORT_DPI / 72, abs=3)  # the PNG is this drawing
        printed = smallest * w / drawing_w
        assert printed >= REPORT_FLOOR_PT, (view, round(printed, 2))
        # Poppler's own reading: the PNG has REPORT_DPI / 72 pixels per point of the drawing and is printed at
        # x-ppi pixels per inch, so a word of s pt prints at s × REPORT_DPI / x-ppi pt.
        assert smallest * REPORT_DPI / ppi[number] == pytest.approx(printed, rel=0.02)


@pytest.mark.parametrize("overlay", [False, True])
@pytest.mark.parametrize("preset", PRESETS)
def test_c4_text_of_every_option_would_print_at_8_pt_or_more(catalog, preset, overlay):
    """Every scenario and use case, with and without the overlay, placed as the report places a diagram
    (``diagram_page``: the orientation and the width in mm) from the size of its PNG at REPORT_DPI."""
    for scenario, use_case in itertools.product((1, 2, 3, 4), ("1A", "1B")):
        decision = _decision(catalog, preset, scenario, use_case)
        for view in C4:
            smallest, drawing_w, drawing_h = _drawing(decision, view, overlay)
            _, width_mm = diagram_page(round(drawing_w * REPORT_DPI / 72), round(drawing_h * REPORT_DPI / 72))
            printed = smallest * (width_mm / 25.4 * 72) / drawing_w
            assert printed >= REPORT_FLOOR_PT, (scenario, use_case, view, round(printed, 2))


@pytest.mark.parametrize(("preset", "scenario", "use_case"), CASES)
def test_c4_text_is_legible_on_a_slide(catalog, preset, scenario, use_case):
    decision = _decision(catalog, preset, scenario, use_case)
    pngs = _pictures(decision, VIEWS, scale=DECK_SCALE)
    deck = Presentation(io.BytesIO(build_deck(decision, today=DAY, images=pngs)))
    px_per_emu = SHOWN_PX / deck.slide_width  # the slide shown 1,280 px wide
    pictures = {shape.name: shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13}
    for view in C4:
        picture = pictures[f"{VIEW_TITLES[view]} diagram"]
        assert picture.left >= 0 and picture.left + picture.width <= deck.slide_width
        assert picture.top >= 0 and picture.top + picture.height <= deck.slide_height
        smallest, drawing_w, _ = _drawing(decision, view)
        png_w, _ = png_size(pngs[view])
        in_png = smallest * png_w / drawing_w  # the smallest text's size in the picture's own pixels
        shown = picture.width * px_per_emu  # the picture's width on the screen, in pixels
        shown_px = in_png * shown / png_w
        on_slide = shown_px * 72 / 96  # the same in points of the slide (1,280 px across 960 pt)
        assert shown_px >= SLIDE_FLOOR_PX, (view, round(shown_px, 1), round(on_slide, 2))
        assert png_w >= shown, view  # never enlarged on the screen: the text stays sharp


def test_the_layout_is_measured_at_the_size_graphviz_draws(catalog):
    """The C4 layout is chosen on ``dot -Tjson``'s size; the SVG of the same source is that size plus the
    graph's padding on each side (pad=0.1 in: 7.2 pt)."""
    source = view_source(_decision(catalog, "regulated-bank", 4), "c4-container")
    assert 'pad="0.1"' in source or "pad=0.1" in source
    width, height = layout_size(source)
    svg = render_dot(source, "svg").decode()
    svg_w, svg_h = (float(v) for v in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    assert svg_w == pytest.approx(width + 2 * 7.2, abs=1.5)
    assert svg_h == pytest.approx(height + 2 * 7.2, abs=1.5)

"""The deck: opened with python-pptx and checked against the engine, slide by slide."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from explorer import Assessment
from explorer.cli import main
from explorer.engine.decision import decide
from explorer.model.formatting import usd
from explorer.model.loading import load_assessment
from explorer.model.vocabulary import LOCATION_LABELS, STAGES, option_label, option_short
from explorer.render.deck import DECK_SCALE, FONT, build_deck, slide_text
from explorer.render.diagrams import VIEW_TITLES, VIEWS

PRESETS = ("regulated-bank", "cloud-first-retailer")


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


# Placeholder pictures keep the content tests fast; test_diagrams_are_drawn_at_slide_resolution draws the real ones.
SMALL = {view: _png(1600, 900) if i % 2 else _png(700, 1200) for i, view in enumerate(VIEWS)}


@pytest.fixture(scope="module", params=PRESETS)
def decision(request, catalog):
    return decide(catalog, load_assessment(f"preset:{request.param}", catalog))


def _open(decision, **kwargs) -> Presentation:
    return Presentation(io.BytesIO(build_deck(decision, images=kwargs.pop("images", SMALL), **kwargs)))


def _title(slide) -> str:
    return slide.shapes[0].text_frame.text


def _table(slide) -> list[list[str]]:
    table = next(s for s in slide.shapes if s.has_table).table
    return [[cell.text for cell in row.cells] for row in table.rows]


def _slide(deck, start: str):
    return next(s for s in deck.slides if s.shapes[0].has_text_frame and _title(s).startswith(start))


def test_sixteen_by_nine_with_a_slide_per_part(decision):
    deck = _open(decision)
    assert (deck.slide_width, deck.slide_height) == (Emu(12191695), Emu(6858000))  # 13.333 × 7.5 in
    titles = [_title(s) for s in list(deck.slides)[1:]]
    assert titles[:4] == [
        f"Placement: {option_label(decision.key)}",
        "All eight options: where each stage runs",
        f"Cost over {decision.assessment.horizon_months} months, all eight options",
        f"Trade-offs of {option_label(decision.key)} (ratings 1-5, higher is better)",
    ]
    assert titles[4:] == [f"{VIEW_TITLES[v]}: {option_label(decision.key)}" for v in VIEWS]
    for slide in deck.slides:  # the reasons are in the speaker notes
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip()


def test_cost_table_shows_the_engines_numbers(decision):
    result, unc = decision.require_cost(), decision.uncertainty()
    rows = _table(_slide(_open(decision), "Cost over"))
    assert rows[0] == ["Option", "Total", "Present value", "Per million tokens", "Break-even", "P10", "P50", "P90"]
    assert len(rows) == 9
    for row, o in zip(rows[1:], result.options, strict=True):
        assert row[0].startswith(option_short(o.key))
        assert ("ruled out" in row[0]) is (not o.feasible)
        assert row[1:] == [usd(o.total), usd(o.present_value), usd(o.per_million_tokens, cents=True),
                           result.break_even_text(o.key), usd(unc.p10[o.key]), usd(unc.p50[o.key]),
                           usd(unc.p90[o.key])]


def test_placement_tables_show_every_stage_and_option(decision):
    deck = _open(decision)
    chosen = _table(_slide(deck, "Placement:"))
    assert chosen[0] == ["Stage", "Runs", "Why"]
    assert [r[:2] for r in chosen[1:]] == [[s.capitalize(), LOCATION_LABELS[decision.chosen.location(s)]]
                                           for s in STAGES]
    every = _table(_slide(deck, "All eight options"))
    for row, o in zip(every[1:], decision.options, strict=True):
        assert row[0].startswith(option_label(o.key))
        assert row[1:5] == [LOCATION_LABELS[o.location(s)] for s in STAGES]
        assert row[5] == ("yes" if o.feasible else "ruled out") and row[6] == f"{o.score:.0f}"
        assert row[7] == ", ".join(v.rule for v in o.violations)


def test_trade_offs_table(decision):
    rows = _table(_slide(_open(decision), "Trade-offs"))
    assert [r[2] for r in rows[1:]] == [r.shown for r in decision.chosen.trade_offs.rows]


def test_text_is_editable_in_one_installed_font(decision):
    deck = _open(decision)
    fonts = set()
    for slide in deck.slides:
        for shape in slide.shapes:
            frames = [c.text_frame for row in shape.table.rows for c in row.cells] if shape.has_table else (
                [shape.text_frame] if shape.has_text_frame else [])
            fonts |= {run.font.name for frame in frames for p in frame.paragraphs for run in p.runs}
    assert fonts == {FONT}


def test_pictures_fit_the_slide_and_keep_their_shape(decision):
    deck = _open(decision)
    for slide, view in zip(list(deck.slides)[-len(VIEWS):], VIEWS, strict=True):
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) == 1
        p = pictures[0]
        assert p.left >= 0 and p.top >= 0
        assert p.left + p.width <= deck.slide_width and p.top + p.height <= deck.slide_height
        w_px, h_px = Image.open(io.BytesIO(SMALL[view])).size
        assert p.width / p.height == pytest.approx(w_px / h_px, rel=1e-3)
        assert p._element.nvPicPr.cNvPr.get("descr").startswith(VIEW_TITLES[view])  # alt text


def test_diagrams_are_drawn_at_slide_resolution(catalog):
    d = decide(catalog, load_assessment("preset:regulated-bank", catalog))
    deck = Presentation(io.BytesIO(build_deck(d)))
    assert DECK_SCALE is None  # the slide default of explorer.render.graphviz.render_png
    for slide in list(deck.slides)[-len(VIEWS):]:
        picture = next(s for s in slide.shapes if s.shape_type == 13)
        with Image.open(io.BytesIO(picture.image.blob)) as img:
            assert max(img.size) >= 2400 and img.info.get("dpi")  # slide-ready, with its DPI recorded


@pytest.mark.parametrize(("customer", "shown"), [
    ("First Line Bank\nSecond Line Ltd", "First Line Bank Second Line Ltd"),
    ("<b>Evil & Co</b>\x07\x00 {{x}}", "<b>Evil & Co</b> {{x}}"),
    ("A\r\nB", "A B"),
])
def test_customer_name_is_literal_and_never_glued(catalog, customer, shown):
    a = Assessment.model_validate({**load_assessment("preset:regulated-bank", catalog).model_dump(),
                                   "customer": customer})
    deck = _open(decide(catalog, a))
    assert deck.slides[0].shapes[2].text_frame.text == shown
    assert deck.core_properties.title == f"{shown}: deployment scenario assessment"


def test_unvalidated_text_keeps_its_line_breaks(catalog):
    # A name that skipped the model's cleaning still reaches the slide as text: its line break is a paragraph.
    a = load_assessment("preset:regulated-bank", catalog).model_copy(update={"customer": "First\nSecond\x00"})
    deck = _open(decide(catalog, a))
    assert [p.text for p in deck.slides[0].shapes[2].text_frame.paragraphs] == ["First", "Second "]
    assert deck.core_properties.title == "First Second : deployment scenario assessment"  # \x00 became a space


def test_slide_text_keeps_words_apart():
    assert slide_text("a\nb") == "a\nb"
    assert slide_text("a\nb", one_line=True) == "a b"
    assert slide_text("a\tb\x0bc") == "a b c"


def test_cli_writes_the_deck(tmp_path, capsys):
    out = tmp_path / "deck.pptx"
    assert main(["export", "preset:hipaa-hospital", "--view", "deck", "--format", "pptx", "--out", str(out)]) == 0
    assert f"Wrote deck as pptx to {out}" in capsys.readouterr().out
    assert len(Presentation(str(out)).slides) == 5 + len(VIEWS)


def test_a_pricing_error_leaves_a_deck_without_the_cost_slide(catalog):
    a = Assessment(customer="Acme", constraints={"cloud_provider": "ibm"}, costing={"gpu": "h200"})
    d = decide(catalog, a)
    assert d.cost is None
    titles = [_title(s) for s in list(_open(d).slides)[1:]]
    assert not any(t.startswith("Cost over") for t in titles) and len(titles) == 3 + len(VIEWS)

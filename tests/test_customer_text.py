"""Words as every renderer shows them: a line break in the customer's name (a space, never glued), the cadence."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from explorer import Assessment
from explorer.engine.decision import decide
from explorer.model.loading import parse_assessment_text
from explorer.render import render_view, view_source
from explorer.render.report import build_report

TYPED = "First Line Bank\nSecond Line Ltd"
SHOWN = "First Line Bank Second Line Ltd"


@pytest.mark.parametrize(("typed", "kept"), [
    (TYPED, SHOWN),
    ("Acme\r\n\r\nBank", "Acme Bank"),
    ("Acme\tBank\x00", "Acme Bank"),
    ("  Acme  Bank  ", "Acme Bank"),
    ("銀行\u2028Bank", "銀行 Bank"),
])
def test_line_breaks_and_tabs_become_one_space(typed, kept):
    assert Assessment(customer=typed).customer == kept


def test_a_loaded_file_with_a_multi_line_name_keeps_the_words_apart(catalog):
    a = parse_assessment_text('customer: "First Line Bank\\nSecond Line Ltd"\nscenario: 4\n', "upload.yaml", catalog)
    assert a.customer == SHOWN


@pytest.fixture(scope="module")
def decision(catalog):
    return decide(catalog, Assessment(customer=TYPED, scenario=4, use_case="1A"))


@pytest.mark.parametrize("view", ["architecture", "c4-context", "c4-container", "sequence"])
def test_dot_and_svg_keep_the_words_apart(decision, view):
    assert SHOWN in view_source(decision, view)
    svg = render_view(decision, view, "svg").decode("utf-8")
    words = " ".join(re.sub(r"<[^>]+>", " ", svg).split())
    assert "BankSecond" not in words and "First Line Bank Second Line Ltd" in words


@pytest.mark.parametrize("view", ["c4-context", "sequence"])
def test_mermaid_keeps_the_words_apart(decision, view):
    source = view_source(decision, view, fmt="mermaid")
    assert "First Line Bank Second Line Ltd" in source and "BankSecond" not in source


def test_pdf_report_keeps_the_words_apart(decision):
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(build_report(decision))).pages)
    assert "First Line Bank Second Line Ltd" in " ".join(text.split())
    assert "BankSecond" not in text


@pytest.mark.parametrize(("every", "cadence"), [(1, "every month"), (3, "every 3 months"), (12, "every 12 months")])
def test_retraining_cadence_reads_as_english(catalog, every, cadence):
    a = Assessment.model_validate({"scenario": 1, "use_case": "1A", "workload": {"retrain_every_months": every}})
    decision = decide(catalog, a)
    flow = next(f for f in decision.chosen.flows if f.id == "training_data")
    assert flow.cadence == cadence
    source = view_source(decision, "architecture")
    assert "1 months" not in source and cadence.split()[-1] in source


def test_a_one_month_horizon_is_one_month():
    from explorer.model.formatting import every_months, months

    assert (months(1), months(36), every_months(1), every_months(2)) == (
        "1 month", "36 months", "every month", "every 2 months")


def test_a_one_month_horizon_reads_one_month_in_the_deck_the_report_and_the_reasons(catalog):
    from PIL import Image
    from pptx import Presentation

    from explorer.render import VIEWS
    from explorer.render.deck import build_deck
    from explorer.render.report import SECTIONS

    decision = decide(catalog, Assessment.model_validate({"horizon_months": 1}))
    plain = io.BytesIO()
    Image.new("RGB", (160, 90), "white").save(plain, "PNG")
    deck = Presentation(io.BytesIO(build_deck(decision, images=dict.fromkeys(VIEWS, plain.getvalue()))))
    slides = [" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
              + " " + slide.notes_slide.notes_text_frame.text for slide in deck.slides]
    cost_slide = next(t for t in slides if t.startswith("Cost over"))
    assert cost_slide.startswith("Cost over 1 month, all eight options")
    assert "Total cost over 1 month in USD" in cost_slide
    report = build_report(decision, sections=[s for s in SECTIONS if s.title in (
        "Title page", "Inputs and assumptions", "Cost summary and charts")])
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(report)).pages)
    assert "Horizon 1 month" in text and "Over 1 month" in text and "All eight options over 1 month," in text
    assert decision.recommended is not None
    reasons = [*decision.recommended.reasons, *(r.rationale for o in decision.options for r in o.trade_offs.rows)]
    assert any("over 1 month" in r for r in reasons)
    for words in (*slides, text, *reasons):
        assert not re.search(r"\b1 months\b", words), words


def test_every_count_of_months_in_the_code_goes_through_the_helpers():
    """No f-string puts a number before "month(s)" by itself: ``months()`` and ``every_months()`` pick the
    number's form, so a count of one never reads "1 months". Checked over the engine, the renderers and pages."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    own = re.compile(r"\{[^{}]+\}\s+months?\b")  # "{n} months", "{horizon} month"
    found = [f"{path.relative_to(root)}:{i}: {line.strip()}"
             for folder in ("explorer", "pages") for path in sorted((root / folder).rglob("*.py"))
             if path.name != "formatting.py"
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if own.search(line)]
    assert found == []
    # The check itself finds such a string.
    assert own.search('f"over {horizon} months"') and not own.search('f"over {months(horizon)}"')

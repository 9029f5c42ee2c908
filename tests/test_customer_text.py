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

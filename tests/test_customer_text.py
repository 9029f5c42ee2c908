"""A line break in a customer's name separates words in every renderer: DOT, SVG, Mermaid, PDF (never glued)."""

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

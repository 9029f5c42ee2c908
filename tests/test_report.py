"""The PDF report: several pages, every section, hostile text, sections a caller can insert, charts via kaleido."""

from __future__ import annotations

import datetime as dt
import io
import re

import plotly.graph_objects as go
import pytest
from pypdf import PdfReader

from explorer import Assessment, ExplorerError, RenderError
from explorer.kaleido_export import figure_to_image, kaleido_options
from explorer.report import SECTIONS, Section, build_report, clean, png_size

CUSTOMER = 'Ünïcødé "<script>alert(1)</script>" 銀行 %%{init}%% [x](y) ¤N'
DAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def report(catalog) -> tuple[bytes, list[tuple[float, str]]]:
    steps: list[tuple[float, str]] = []
    a = Assessment(customer=CUSTOMER, scenario=4, use_case="1A")
    pdf = build_report(catalog, a, today=DAY, progress=lambda f, m: steps.append((f, m)))
    return pdf, steps


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_report_is_a_multi_page_pdf_with_every_section(report):
    pdf, _ = report
    assert pdf.startswith(b"%PDF-")
    pages = _pages(pdf)
    # title, contents, inputs, placement, trade-offs (two pages with the charts), five diagrams
    assert len(pages) >= 10
    text = "\n".join(pages)
    for heading in ("Contents", "Inputs and assumptions", "Placement", "Data crossing the premises/cloud boundary",
                    "All eight options", "Governance and privacy trade-offs", "Diagrams", "Architecture",
                    "C4 system context", "C4 containers", "Sequence", "The four scenarios"):
        assert heading in text, heading
    assert "23 November 2026" in pages[0]
    assert "Scenario 4: Serving in Public Cloud with Local Inference" in pages[0]


def test_title_page_shows_the_customer_literally(report):
    pages = _pages(report[0])
    flat = pages[0].replace("\n", " ")
    for part in ("Ünïcødé", '"<script>alert(1)</script>"', "銀行", "%%{init}%%", "[x](y)"):
        assert part in flat, part
    # The page-count alias in a user's text is never replaced by the page count.
    assert "¤ N" in flat


def test_every_page_after_the_title_has_a_header_and_a_numbered_footer(report):
    pages = _pages(report[0])
    n = len(pages)
    for i, text in enumerate(pages[1:], start=2):
        assert f"Page {i} of {n}" in text
        assert "deployment scenario assessment, 23 November 2026" in text
    assert "Page 1 of" not in pages[0]


def test_contents_lists_sections_with_pages(report):
    contents = _pages(report[0])[1]
    assert "Inputs and assumptions 3" in contents
    assert "Placement 4" in contents


def test_placement_lists_the_boundary_flows(report, catalog):
    text = "\n".join(_pages(report[0]))
    # Scenario 4 / 1A: serving in the cloud, inference local -> prompts cross; data is exchanged.
    assert "Prompts and completions" in text
    assert "Corporate data kept in sync" in text


def test_progress_runs_from_start_to_done(report):
    _, steps = report
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0 and steps[-1][1] == "Done"
    assert any(m == "Drawing the charts" for _, m in steps)


def test_sections_are_an_ordered_list_a_caller_can_extend(catalog):
    titles = [s.title for s in SECTIONS]
    assert titles == ["Title page", "Contents", "Inputs and assumptions", "Placement", "Trade-offs", "Diagrams"]

    def cost(pdf, ctx):
        pdf.heading("Cost summary and charts")
        pdf.para(f"Inserted for {ctx.customer}.")

    parts = list(SECTIONS)
    parts.insert(titles.index("Placement") + 1, Section("Cost summary and charts", cost))
    pdf = build_report(catalog, Assessment(customer="Acme"), today=DAY, sections=parts)
    pages = _pages(pdf)
    cost_page = next(i for i, t in enumerate(pages) if "Inserted for Acme." in t)
    placement_page = next(i for i, t in enumerate(pages) if "All eight options" in t)
    trade_page = next(i for i, t in enumerate(pages) if "Governance and privacy trade-offs" in t and i > 1)
    assert placement_page < cost_page < trade_page
    assert "Cost summary and charts" in pages[1]  # listed in the contents


def test_clean_keeps_text_but_drops_control_characters():
    assert clean("a\x00b\x1bc\nd") == "a b c\nd"
    assert clean("Page ¤N") == "Page ¤ N"


def test_png_size_reads_the_header_and_rejects_other_bytes():
    png = figure_to_image(go.Figure(go.Bar(x=[1], y=[1])), width=300, height=200, scale=1)
    assert png_size(png) == (300, 200)
    with pytest.raises(RenderError, match=r"A report image is not a PNG\."):
        png_size(b"GIF89a" + b"\0" * 30)


def test_kaleido_runs_offline_with_mathjax_off():
    from kaleido import PageGenerator

    options = kaleido_options()
    assert options["mathjax"] is False
    page = PageGenerator(mathjax=False).generate_index()
    assert "http://" not in page and "https://" not in page
    assert "plotly.min.js" in page


def test_chart_image_formats_and_error():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    assert figure_to_image(fig, "svg", width=300, height=200).lstrip().startswith(b"<svg")
    message = '"gif" is not a chart image format. Choose from: png, svg, pdf.'
    with pytest.raises(ExplorerError, match=re.escape(message)):
        figure_to_image(fig, "gif")

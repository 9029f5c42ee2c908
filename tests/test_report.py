"""The PDF report: several pages, every section, hostile text, sections a caller can insert, charts via kaleido."""

from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
from pypdf import PdfReader

from explorer import Assessment, ExplorerError, RenderError
from explorer.engine.decision import SAMPLES, decide
from explorer.model.formatting import count, quantity, scientific, usd
from explorer.render.kaleido_export import figure_to_image, kaleido_options
from explorer.render.report import SECTIONS, Section, build_report, clean
from explorer.render.report.pdf import png_size

CUSTOMER = 'Ünïcødé "<script>alert(1)</script>" 銀行 %%{init}%% [x](y) ¤N'
DAY = dt.date(2026, 11, 23)
ASSESSMENT = Assessment(customer=CUSTOMER, scenario=4, use_case="1A", prices={"onprem:pue": 1.3})


@pytest.fixture(scope="module")
def report(catalog) -> tuple[bytes, list[tuple[float, str]]]:
    steps: list[tuple[float, str]] = []
    pdf = build_report(decide(catalog, ASSESSMENT), today=DAY, progress=lambda f, m: steps.append((f, m)))
    return pdf, steps


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_report_is_a_multi_page_pdf_with_every_section(report):
    pdf, _ = report
    assert pdf.startswith(b"%PDF-")
    pages = _pages(pdf)
    # title and contents, inputs (with the prices table), placement, cost (three pages), trade-offs (two),
    # five diagrams
    assert len(pages) >= 14
    text = "\n".join(pages)
    for heading in ("Contents", "Inputs and assumptions", "Placement", "Data crossing the premises/cloud boundary",
                    "All eight options", "Cost summary and charts", "The sizing behind it",
                    "Cumulative cost and break-even", "Breakdown by line item", "What moves the total most",
                    "Governance and privacy trade-offs", "Diagrams", "Architecture",
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


def _starts(pdf: bytes) -> dict[str, int]:
    """Each top-level section's title -> its 0-based page, from the PDF's bookmarks."""
    reader = PdfReader(io.BytesIO(pdf))
    return {item.title: reader.get_destination_page_number(item) for item in reader.outline
            if not isinstance(item, list)}


def test_contents_lists_sections_with_pages(report):
    pages = _pages(report[0])
    contents = pages[0]  # on the title page, below the summary
    starts = _starts(report[0])
    assert starts["Inputs and assumptions"] == 1 and "Inputs and assumptions 2" in contents
    for title in ("Placement", "Cost summary and charts", "Governance and privacy trade-offs", "Diagrams"):
        assert title in pages[starts[title]], title
        assert f"{title} {starts[title] + 1}" in contents, title


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
    assert titles == ["Title page", "Contents", "Inputs and assumptions", "Placement", "Cost summary and charts",
                      "Trade-offs", "Diagrams"]

    def notes(pdf, ctx):
        pdf.heading("Notes from the workshop")
        pdf.para(f"Inserted for {ctx.customer}.")

    parts = [s for s in SECTIONS if s.title not in ("Cost summary and charts", "Diagrams")]
    parts.insert(titles.index("Placement") + 1, Section("Notes", notes))
    pdf = build_report(decide(catalog, Assessment(customer="Acme")), today=DAY, sections=parts)
    pages = _pages(pdf)
    body = "\n".join(pages[1:])  # after the title page and its contents; sections may share a page
    assert body.index("All eight options") < body.index("Inserted for Acme.") < body.index(
        "Governance and privacy trade-offs")
    assert "Notes from the workshop" in pages[0]  # listed in the contents
    assert "Cost summary and charts" not in "\n".join(pages)  # left out on request


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


# --- the cost section ------------------------------------------------------------------------


def _flat(text: str) -> str:
    return " ".join(text.split())


def _dollars(value: float) -> str:
    """Whole dollars with thousands separators, written independently of the report's formatter."""
    return "$" + format(round(value), ",")


@pytest.fixture(scope="module")
def engine(catalog):
    """The Cost page's reading of the decision: its cost and its analyses, with the app's number of samples."""
    d = decide(catalog, ASSESSMENT)
    return SimpleNamespace(result=d.require_cost(), uncertainty=d.uncertainty(SAMPLES), sensitivity=d.sensitivity())


def _cost_pages(pdf: bytes) -> list[str]:
    """The pages the cost section is printed on (the first and last may share it with its neighbours)."""
    starts = _starts(pdf)
    return _pages(pdf)[starts["Cost summary and charts"]:starts["Governance and privacy trade-offs"] + 1]


def test_cost_section_totals_equal_the_engines(report, engine):
    text = "\n".join(_cost_pages(report[0]))
    result, unc = engine.result, engine.uncertainty
    assert len(result.options) == 8
    for o in result.options:
        # One table row per option: label, total, P10, P50, P90, per million tokens, break-even.
        per_million = f"${o.per_million_tokens:,.2f}"
        if o.key == result.reference:
            be = "reference"
        elif result.reference is None:
            be = "n/a"
        else:
            be = "never" if o.break_even_month is None else f"month {o.break_even_month}"
        cells = [_dollars(o.total), _dollars(unc.p10[o.key]), _dollars(unc.p50[o.key]), _dollars(unc.p90[o.key]),
                 per_million, be]
        row = next(line for line in text.splitlines() if line.startswith(f"S{o.scenario} · {o.use_case}"))
        assert row.endswith(" ".join(cells)), row
    chosen = next(line for line in text.splitlines() if line.startswith("S4 · 1A"))
    assert "(chosen" in chosen
    ref = f"S{result.reference[0]} · {result.reference[2:]} (reference"
    assert ref in text


def test_cost_section_line_items_add_up_to_the_total(report, engine):
    text = "\n".join(_cost_pages(report[0]))
    chosen = engine.result.option(4, "1A")
    months = engine.result.horizon_months
    assert months == 36  # the default horizon
    # Scenario 4 / 1A with defaults: fine-tuning and serving in the cloud, no on-premises GPUs.
    assert chosen.line_items["capex"] == 0 and "On-premises GPU servers" not in text
    printed = 0
    for item, label in (("cloud_training", "Cloud GPU-hours for training and retraining"),
                        ("cloud_serving", "Cloud serving (GPU-hours or tokens)"), ("link", "Dedicated link")):
        value = chosen.line_items[item]
        assert value > 0
        # over the horizon, per month = total / 36, share = item / option total
        assert f"{label} {_dollars(value)} {_dollars(value / 36)} {value / chosen.total * 100:.1f}%" in text, label
        printed += value
    assert printed <= chosen.total
    assert f"Total {_dollars(chosen.total)} {_dollars(chosen.total / 36)} 100%" in text
    assert abs(sum(chosen.line_items.values()) - chosen.total) < 1e-6 * chosen.total


def test_cost_section_shows_the_sizing_behind_the_chosen_option(report, engine, catalog):
    text = _flat("\n".join(_cost_pages(report[0])))
    w = ASSESSMENT.workload
    # Scenario 4 / 1A with defaults fine-tunes and serves in the cloud (AWS).
    s = engine.result.serving_cloud
    gpu = catalog.gpu(s.gpu)
    assert s.gpus == s.replicas * s.tensor_parallel
    assert f"GPUs for serving {s.gpus} × {gpu.name}: {s.replicas} replica" in text
    assert f"× {s.tensor_parallel} GPUs (tensor parallel), batch {s.batch}" in text
    assert f"{s.memory_gb_per_gpu:,.1f} GB of {gpu.memory_gb:g} GB" in text
    assert f"{s.tokens_per_second_per_replica:,.0f} generated tokens/s" in text
    assert f"Time to first token (TTFT) {s.ttft_ms:,.0f} ms (target {w.ttft_target_ms:g} ms)" in text
    assert f"Time per output token (TPOT) {s.tpot_ms:,.1f} ms (target {w.tpot_target_ms:g} ms)" in text
    t = engine.result.training_cloud
    assert f"GPUs for fine-tuning {t.gpus} × {catalog.gpu(t.gpu).name}" in text
    assert f"{t.gpu_hours:,.0f} GPU-hours" in text
    # 36 months, retraining every 3 months by default: runs in months 0, 3, ..., 33 -> 36 / 3 = 12 runs.
    assert w.retrain_every_months == 3
    assert "12 runs over the horizon" in text
    assert "GPUs on premises" not in text


def test_inputs_list_the_prices_used_with_sources_and_overrides(report, engine, catalog):
    pages, starts = _pages(report[0]), _starts(report[0])
    text = _flat("\n".join(pages[starts["Inputs and assumptions"]:starts["Placement"] + 1]))
    assert "Prices and efficiency factors used by the cost model" in text
    for key in engine.result.used:
        assert key in text, key
        assert _flat(catalog.price_items[key].as_of) in text
    # The override: 1.3 against the catalog's default PUE, flagged.
    default = catalog.price_items["onprem:pue"].value
    assert f"1.3 ratio (override; default {default:.4g})" in text
    cloud_key = next(k for k in engine.result.used if k.endswith(":on_demand"))  # e.g. aws:h100-sxm:on_demand
    price = catalog.price_items[cloud_key].value
    assert f"${price:.4g} per GPU-hour" in text  # dollars, not "12.29 USD per GPU-hour"


def test_cost_section_adds_pages(report, catalog):
    without = build_report(decide(catalog, ASSESSMENT), today=DAY,
                           sections=[s for s in SECTIONS if s.title != "Cost summary and charts"])
    assert len(_pages(report[0])) >= len(_pages(without)) + 3  # summary, sizing and curves, breakdown and tornado


def test_a_pricing_error_leaves_one_sentence_and_a_whole_report(catalog):
    a = Assessment(customer="Acme", constraints={"cloud_provider": "ibm"}, costing={"gpu": "h200"},
                   prices={"onprem:pue": 1.4})
    with pytest.raises(ExplorerError):
        decide(catalog, a).require_cost()
    parts = [s for s in SECTIONS if s.title != "Diagrams"]
    pdf = build_report(decide(catalog, a), today=DAY, sections=parts)
    pages = _pages(pdf)
    text = _flat("\n".join(pages))
    sentence = "The cloud provider ibm has no NVIDIA H200 SXM 141GB price; choose a cloud GPU from: h100-sxm, l4, l40s."
    assert sentence in text
    assert "Cost summary and charts" in pages[0]
    assert "Per million tokens" not in text and "The sizing behind it" not in text
    assert "Governance and privacy trade-offs" in text  # the rest of the report is there
    assert "1.4 ratio (override; default" in text  # overrides are still listed


def test_report_number_formats():
    assert usd(1_020_174.28) == "$1,020,174"
    assert usd(62.0686, cents=True) == "$62.07"
    assert usd(None) == "n/a"
    assert quantity(37_500, "USD per GPU") == "$37,500 per GPU"
    assert quantity(12.29, "USD per GPU-hour") == "$12.29 per GPU-hour"
    assert quantity(0.6667, "fraction of 6·N·D") == "0.6667 fraction of 6·N·D"
    assert quantity(200_000, "USD") == "$200,000"
    assert count(4e9) == "4.0 billion"  # 4,000,000,000 / 1e9
    assert count(2.5e6) == "2.5 million"
    assert count(999) == "999"
    assert scientific(1.1296e21) == "1.13 × 10²¹"  # 1.1296e21 / 1e21 = 1.13
    assert scientific(0.002) == "2.00 × 10⁻³"
    assert scientific(0) == "0"

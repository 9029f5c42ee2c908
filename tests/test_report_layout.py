"""The report's layout: a contents that links to every section, no near-empty page, diagrams as large as A4 allows."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from explorer import Assessment
from explorer.engine.decision import decide
from explorer.model.loading import load_assessment
from explorer.render.diagrams import VIEW_TITLES
from explorer.render.report import SECTIONS, build_report
from explorer.render.report.sections import DIAGRAM_SIDE, REPORT_DPI, REPORT_VIEWS, diagram_page

DAY = dt.date(2026, 11, 23)
MM = 72 / 25.4  # PDF points per millimetre
HOSTILE = Assessment(customer="First Line Bank\nSecond Line Ltd <b>&amp;</b>", scenario=4, use_case="1A")


@pytest.fixture(scope="module", params=["hostile-scenario-4", "hipaa-hospital"])
def report(request, catalog, tmp_path_factory) -> tuple[Path, PdfReader]:
    hostile = request.param.startswith("hostile")
    assessment = HOSTILE if hostile else load_assessment(f"preset:{request.param}", catalog)
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    path.write_bytes(build_report(decide(catalog, assessment), today=DAY))
    return path, PdfReader(path)


def _sections(reader: PdfReader) -> dict[str, int]:
    """Each top-level section's title -> its 0-based page, from the PDF's outline (bookmarks)."""
    return {item.title: reader.get_destination_page_number(item) for item in reader.outline
            if not isinstance(item, list)}


def test_contents_on_the_title_page_link_to_every_section(report):
    _, reader = report
    sections = _sections(reader)
    assert list(sections) == ["Inputs and assumptions", "Placement", "Cost summary and charts",
                              "Governance and privacy trade-offs", "Diagrams"]
    first = reader.pages[0]
    text = first.extract_text()
    assert "Contents" in text
    targets: dict[int, list[float]] = {}
    for annot in first["/Annots"]:
        link = annot.get_object()
        assert link["/Subtype"] == "/Link"
        dest = link["/Dest"]
        targets.setdefault(reader.get_page_number(dest[0].get_object()), []).append(float(dest[3]))
    for title, page in sections.items():
        assert f"{title} {page + 1}" in text, title  # the printed page number is 1-based
        assert page in targets, title  # the name and the number both link there
        # ...and land on the heading: its text sits at most 15 mm below the link's top.
        heading_top = _text_top(reader.pages[page], title)
        assert all(0 <= top - heading_top <= 15 * MM for top in targets[page]), title


def _text_top(page, needle: str) -> float:
    """The height (PDF points from the bottom) at which ``needle`` is first printed on the page."""
    found: list[float] = []

    def visit(text, _cm, tm, _font, _size):
        if needle[:12] in text and not found:
            found.append(tm[5])

    page.extract_text(visitor_text=visit)
    assert found, needle
    return found[0]


def _reach(path: Path) -> list[float]:
    """How far down its body each page is printed (0 = nothing below the running header, 1 = to the footer),
    read from the rendered pixels: text, tables and images alike."""
    out = []
    subprocess.run(["pdftoppm", "-gray", "-r", "25", str(path), str(path.with_suffix(""))], check=True)
    for png in sorted(path.parent.glob(f"{path.stem}-*.pgm")):
        with Image.open(png) as img:
            w, h = img.size
            mm = h / (297 if h > w else 210)
            top, bottom = int(19 * mm), int(h - 17 * mm)  # below the header rule, above the footer
            pixels = img.load()
            inked = [y for y in range(top, bottom) if any(pixels[x, y] < 200 for x in range(w))]
            out.append((inked[-1] - top) / (bottom - top) if inked else 0.0)
    return out


def test_no_page_is_near_empty(report):
    path, reader = report
    reach = _reach(path)
    assert len(reach) == len(reader.pages)
    # Before, the contents had a page to itself (reach 0.20) and the trade-offs' last sources spilled onto one
    # (0.14); now every page is printed at least a third of the way down.
    assert min(reach) >= 1 / 3, [round(r, 2) for r in reach]


def test_each_diagram_is_printed_as_large_as_a4_allows(report, catalog):
    _, reader = report
    diagrams = _sections(reader)["Diagrams"]
    for offset, view in enumerate(REPORT_VIEWS):
        page = reader.pages[diagrams + offset]
        assert f"Diagrams: {VIEW_TITLES[view]}" in page.extract_text()
        image = page.images[0].image
        orientation, width_mm = diagram_page(*image.size)
        landscape = page.mediabox.width > page.mediabox.height
        assert landscape is (orientation == "L"), view
        content = page.get_contents().get_data().decode("latin-1")
        printed = [float(m.group(1)) for m in re.finditer(r"([\d.]+) 0 0 [\d.]+ [\d.]+ [\d.]+ cm\s*/I", content)]
        assert printed[0] == pytest.approx(width_mm * MM, abs=0.5 * MM), view
        # Never enlarged beyond its natural size: at least REPORT_DPI pixels per printed inch.
        assert image.size[0] / (printed[0] / 72) >= REPORT_DPI * 0.999, view


def test_diagram_page_turns_wide_diagrams_by_hand():
    # Portrait box: 210 - 2 × 10 = 190 mm wide, 297 - 29 - 30 = 238 mm high; landscape box 277 × 151 mm.
    assert DIAGRAM_SIDE == 10
    # 1,200 × 1,600 px (3:4): portrait prints min(190, 238 × 0.75 = 178.5) = 178.5 mm wide;
    # landscape min(277, 151 × 0.75 = 113.25) = 113.25 mm -> portrait.
    assert diagram_page(1200, 1600) == ("P", pytest.approx(178.5))
    # 2,000 × 1,000 px (2:1): portrait min(190, 476) = 190 mm; landscape min(277, 302) = 277 mm -> landscape.
    assert diagram_page(2000, 1000) == ("L", pytest.approx(277))
    # A square: portrait min(190, 238) = 190; landscape min(277, 151) = 151 -> portrait.
    assert diagram_page(1000, 1000) == ("P", pytest.approx(190))
    # A small one is printed at its natural size: 600 px at 120 dpi = 5 in = 127 mm (both fit it: portrait).
    assert diagram_page(600, 300, dpi=120) == ("P", pytest.approx(127))


def test_customer_name_with_a_newline_is_not_glued(catalog):
    pdf = build_report(decide(catalog, HOSTILE), today=DAY, sections=[s for s in SECTIONS if s.title == "Title page"])
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "First Line Bank Second Line Ltd <b>&amp;</b>" in " ".join(text.split())  # a space, never glued
    assert "BankSecond" not in text
    running = PdfReader(io.BytesIO(build_report(decide(catalog, HOSTILE), today=DAY, sections=[
        s for s in SECTIONS if s.title in ("Title page", "Inputs and assumptions")]))).pages[1].extract_text()
    assert running.startswith("First Line Bank Second Line Ltd <b>&amp;</b>: deployment scenario assessment")
    assert "Customer First Line Bank Second Line Ltd" in running

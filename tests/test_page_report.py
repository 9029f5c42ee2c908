"""The Report page: one button, progress while it builds, then a download of the PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from explorer.render.estimate_xlsx import SHEETS

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 240


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(str(ROOT / "pages" / "report.py"))
    at.run()
    return at


def test_smoke_lists_the_sections():
    at = _app()
    assert not at.exception and not at.error
    assert at.title[0].value == "Report"
    assert any("- Inputs and assumptions" in m.value for m in at.markdown)
    assert at.button(key="build_report")
    assert not at.get("download_button") or all(b.key != "download_report" for b in at.get("download_button"))


def test_build_then_download_and_rebuild_after_a_change():
    at = _app()
    at.button(key="build_report").click().run()
    assert not at.exception and not at.error
    assert any("The report is ready" in s.value for s in at.success)
    assert any(b.key == "download_report" for b in at.get("download_button"))
    pdf = at.session_state["_report"][1]
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 10
    at.sidebar.text_input(key="customer").set_value("Globex").run()
    assert any("build it again" in c.value for c in at.caption)


@pytest.mark.browser
def test_browser_builds_and_downloads_the_report(page, app_url, tmp_path):
    page.navigate(f"{app_url}/", "Report")
    page.get_by_role("button", name="Build the report").click()
    button = page.get_by_role("button", name="Download the report (PDF)")
    button.wait_for(timeout=180_000)
    with page.expect_download() as info:
        button.click()
    target = tmp_path / "report.pdf"
    info.value.save_as(target)
    assert len(PdfReader(target).pages) >= 10
    assert page.requests.external == []


def test_deck_and_estimate_buttons():
    at = _app()
    assert not at.exception and not at.error
    buttons = {b.proto.id.rsplit("-", 1)[-1]: b.proto for b in at.get("download_button")}
    assert [buttons[k].label for k in ("download_pptx", "download_xlsx", "download_csv", "download_json")] == [
        "Deck (PowerPoint)", "Estimate (Excel)", "Estimate (CSV)", "Estimate (JSON)"]
    assert all(buttons[k].deferred_file_id and not buttons[k].disabled
               for k in ("download_pptx", "download_xlsx", "download_csv", "download_json"))


@pytest.mark.browser
def test_browser_downloads_the_deck_and_the_estimate(page, app_url, tmp_path):
    page.navigate(f"{app_url}/", "Report")
    saved = {}
    for label, fmt in (("Deck (PowerPoint)", "pptx"), ("Estimate (Excel)", "xlsx"), ("Estimate (CSV)", "csv")):
        with page.expect_download(timeout=120_000) as info:
            page.get_by_role("button", name=label).click()
        name = info.value.suggested_filename
        view = "deck" if fmt == "pptx" else "estimate"
        assert re.fullmatch(rf"[a-z0-9-]+-{view}-s[1-4]-1[ab]\.{fmt}", name), name
        saved[fmt] = tmp_path / name
        info.value.save_as(saved[fmt])
    assert len(Presentation(str(saved["pptx"])).slides) >= 9
    assert load_workbook(saved["xlsx"]).sheetnames == list(SHEETS)
    assert saved["csv"].read_text(encoding="utf-8").startswith("option,scenario,use_case,")
    assert page.requests.external == []

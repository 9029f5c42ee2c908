"""The Diagrams page: gallery of every view, the format picker, the overlay toggle, downloads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.render import VIEWS

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(str(ROOT / "pages" / "diagrams.py"))
    at.run()
    return at



def test_smoke_shows_every_view(catalog):
    at = _app()
    assert not at.exception and not at.error
    assert at.title[0].value == "Diagrams"
    assert [s.value for s in at.subheader] == ["Architecture", "C4 system context", "C4 containers", "Sequence",
                                               "The four scenarios"]
    assert [b.label for b in at.get("download_button")].count("Download PNG") == len(VIEWS)


def test_format_picker_and_overlay_change_the_downloads():
    at = _app()
    at.session_state["diagram_format"] = "mermaid"
    at.toggle(key="overlay").set_value(True)
    at.run()
    assert not at.exception and not at.error
    assert any("Mermaid source exists for" in i.value for i in at.info)
    codes = [c.value for c in at.code]
    assert len(codes) == 3  # flowchart, c4-context, sequence
    c4 = next(c for c in codes if c.startswith("C4Context"))
    assert re.search(r"\[(PUBLIC|INTERNAL|CONFIDENTIAL|REGULATED), ", c4)  # the overlay, kept as typed in C4
    captions = " ".join(c.value for c in at.caption)
    assert "No Mermaid for this view" in captions


def test_png_size_picker_draws_previews_and_downloads_at_that_scale(monkeypatch):
    import explorer.render.diagrams as drawing

    asked: list[float | None] = []
    real = drawing.render_png
    monkeypatch.setattr(drawing, "render_png", lambda source, scale=None: asked.append(scale) or real(source, scale))
    at = _app()
    assert at.session_state["diagram_scale"] == "slide"
    assert set(asked) == {None}  # the slide default: at least 2,400 px on the long side
    asked.clear()
    at.session_state["diagram_scale"] = "3"
    at.run()
    assert not at.exception and not at.error
    assert asked and set(asked) == {3.0}
    assert [b.label for b in at.get("download_button")].count("Download PNG") == len(VIEWS)


def test_dot_bundle_is_a_download_for_every_view():
    at = _app()
    at.session_state["diagram_format"] = "zip"
    at.run()
    assert not at.exception and not at.error
    assert [b.label for b in at.get("download_button")].count("Download DOT + icons (zip)") == len(VIEWS)


@pytest.mark.browser
def test_browser_downloads_a_self_contained_svg(page, app_url, tmp_path):
    page.navigate(f"{app_url}/", "Diagrams")
    page.get_by_text("SVG", exact=True).click()
    button = page.get_by_role("button", name="Download SVG").first
    button.wait_for()
    with page.expect_download() as info:
        button.click()
    target = tmp_path / "architecture.svg"
    info.value.save_as(target)
    svg = target.read_text()
    assert svg.startswith("<?xml") and "data:image/png;base64," in svg
    assert 'href="/' not in svg
    assert page.requests.external == []


def test_the_diagrams_page_has_the_explorers_pickers():
    at = _app()
    assert at.selectbox(key="scenario").value == 1 and at.segmented_control(key="use_case").value == "1A"
    at.selectbox(key="scenario").set_value(4)
    at.segmented_control(key="use_case").set_value("1B")
    at.run()
    assert not at.exception and not at.error
    assert at.query_params["scenario"] in ("4", ["4"]) and at.query_params["use_case"] in ("1B", ["1B"])
    images = at.get("image")
    assert len(images) == len(VIEWS)
    alts = [i.proto.imgs[0].alt for i in images]
    assert alts[0].startswith("Architecture diagram of scenario 4 with use case 1B: training: public cloud; ")
    assert all(" diagram of scenario 4 with use case 1B: " in a for a in alts)
    # The same keys on the Explorer: the choice made here is the one shown there.
    at.switch_page(str(ROOT / "pages" / "explore.py")).run()
    assert at.selectbox(key="scenario").value == 4 and at.segmented_control(key="use_case").value == "1B"

"""Every Mermaid export, rendered by Mermaid's own CLI (mmdc, Debian's Chromium): it parses, has its colours,
shows its text literally and has a sensible shape.

All exports go through ONE browser page (tools/mermaid/render-all.mjs: mmdc's own page and mermaid.js, one
diagram after another; mmdc's Markdown mode opens a page per diagram at once and times out on two cores).
`make setup-test` installs the CLI under tools/mermaid with `npm ci`.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from explorer import Assessment
from explorer.engine.decision import decide
from explorer.model.vocabulary import option_key
from explorer.render import MERMAID_VIEWS, view_source
from explorer.render.mermaid import use_case_sequence_mermaid
from tests.conftest import ROOT

TOOLS = ROOT / "tools" / "mermaid"
MMDC = TOOLS / "node_modules" / ".bin" / "mmdc"
RENDER_ALL = TOOLS / "render-all.mjs"
HOSTILE = 'First Line Bank\nSecond; Line (Ltd) "quoted" <b>bold</b> #59; %%{init}%% & {x} [y] `z`'
CLOUD_BOX = "rgb(238,244,251)"

pytestmark = pytest.mark.skipif(
    not MMDC.exists() and not os.environ.get("CI"),
    reason="Mermaid's CLI is not installed here (make setup-test installs it); CI always runs this test",
)


def _exports(catalog) -> dict[str, str]:
    """Every Mermaid export the app and the CLI offer: each view × option × overlay, a hostile customer's, and
    the seed's two use-case sequences (the Reference page)."""
    out: dict[str, str] = {}
    for customer in ("Acme Bank", HOSTILE):
        decision = decide(catalog, Assessment(customer=customer))
        for option in decision.options:
            key = option_key(option.scenario, option.use_case)
            for view in MERMAID_VIEWS:
                for overlay in (False, True) if customer == "Acme Bank" else (False,):
                    name = f"{'hostile' if customer == HOSTILE else 'acme'}-{key}-{view}-{int(overlay)}"
                    out[name] = view_source(decision, view, overlay=overlay, fmt="mermaid", key=key)
    for use_case in catalog.use_cases:
        out[f"seed-{use_case.id}-sequence"] = use_case_sequence_mermaid(use_case)
    return out


@pytest.fixture(scope="module")
def rendered(catalog, tmp_path_factory) -> dict[str, str]:
    """The SVG mmdc draws for each export, by name."""
    assert MMDC.exists(), f"{MMDC} is missing: run make setup-test"
    exports = _exports(catalog)
    work: Path = tmp_path_factory.mktemp("mermaid")
    (work / "in").mkdir()
    (work / "out").mkdir()
    for name, source in exports.items():
        (work / "in" / f"{name}.mmd").write_text(source, encoding="utf-8")
    done = subprocess.run(
        ["node", str(RENDER_ALL), str(TOOLS / "puppeteer.json"), str(work / "in"), str(work / "out")],
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    errors = json.loads((work / "out" / "errors.json").read_text(encoding="utf-8"))
    assert errors == {}, errors
    return {name: (work / "out" / f"{name}.svg").read_text(encoding="utf-8") for name in exports}


def _size(svg: str) -> tuple[float, float]:
    match = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg)
    assert match, "the SVG has no viewBox"
    return float(match.group(1)), float(match.group(2))


def _text(svg: str) -> str:
    """The SVG's visible text, entities decoded once (as a browser shows it), words one space apart."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", svg, flags=re.S)))
    return " ".join(text.split())


def test_every_export_renders_without_a_syntax_error(catalog, rendered):
    assert len(rendered) == len(_exports(catalog)) == 2 * 8 * 3 + 8 * 3 + 2
    for name, svg in rendered.items():
        assert "Syntax error" not in svg and "Parse error" not in svg, name
        width, height = _size(svg)
        assert 200 < width < 4000 and 100 < height < 4000, (name, width, height)


def test_flowchart_is_a_readable_block_not_a_strip(rendered):
    for name, svg in rendered.items():
        if name.endswith("-flowchart-0") or name.endswith("-flowchart-1"):
            width, height = _size(svg)
            assert width / height < 2.5 and height > 400, (name, width, height)
            # Scenario 1 on top, then 2, 3 and 4 below it: each scenario's group is placed by a translate().
            tops = {int(n): float(y) for y, n in re.findall(
                r'translate\([-\d.]+, ?([-\d.]+)\)"><g class="clusters"><g class="cluster" id="my-svg-S(\d)"', svg)}
            assert sorted(tops) == [1, 2, 3, 4], name
            assert tops[1] < tops[2] < tops[3] < tops[4], (name, tops)


def test_sequence_boxes_keep_their_colour_and_label(catalog, rendered):
    sources = _exports(catalog)
    for name, svg in rendered.items():
        if f"box {CLOUD_BOX} " in sources[name]:
            assert f'fill="{CLOUD_BOX}"' in svg, name
        assert "rgb(" not in _text(svg), name  # a colour is a colour, never words in a label
    assert "Public cloud (AWS)" in _text(rendered["acme-4-1A-sequence-0"])


def test_c4_context_shows_text_literally_and_two_way_relations(rendered):
    for name, svg in rendered.items():
        if "-c4-context-" in name:
            text = _text(svg)
            assert "&#" not in text and "#59;" not in text.replace("＃59;", ""), name
    four = _text(rendered["acme-4-1A-c4-context-0"])
    assert "System of record; exchanged with the cloud" in four
    assert "Corporate data kept in sync" in four
    # The two-headed relation: one path with an arrowhead at both ends.
    assert re.search(r'marker-start="url\(#[^"]*arrowend\)"', rendered["acme-4-1A-c4-context-0"])
    hostile = _text(rendered["hostile-4-1A-c4-context-0"])
    assert "First Line Bank Second; Line (Ltd) 'quoted' ＜b＞bold＜/b＞ ＃59; ％％{init}％％ & {x} [y] `z` premises" \
        in hostile

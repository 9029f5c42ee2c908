"""Slide-ready diagrams, checked on Graphviz's own layout (`dot -Tjson`): landscape, on-site flows inside the
premises, edges that do not cross, arrowheads on icons, two-way data drawn two-headed, PNG pixels and DPI,
and a DOT bundle that draws on another machine."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile

import pytest

from explorer import Assessment
from explorer.architecture import architecture_of
from explorer.engine.decision import decide
from explorer.model.catalog import load_catalog
from explorer.model.loading import parse_assessment
from explorer.render import VIEWS, render_view, view_source
from explorer.render.crossings import crossings, drawn_edges, lines_cross, spline
from explorer.render.graphviz import SLIDE_PX, layout_json, png_dpi, png_size

OPTIONS = [(s, u) for s in (1, 2, 3, 4) for u in ("1A", "1B")]
PRESETS = (None, *(p.id for p in load_catalog().presets))  # the defaults, and every preset in data/presets.yaml


def _layout(source: str) -> dict:
    return json.loads(layout_json(source))  # the layout the app measures (and caches), parsed


def _bb(layout: dict, name: str) -> tuple[float, float, float, float]:
    obj = next(o for o in layout["objects"] if o["name"] == name)
    return tuple(float(v) for v in obj["bb"].split(","))  # type: ignore[return-value]


@pytest.fixture(scope="module")
def layouts(catalog) -> dict[tuple[int, str], tuple[dict, object]]:
    out = {}
    for scenario, use_case in OPTIONS:
        decision = decide(catalog, Assessment(scenario=scenario, use_case=use_case))
        out[(scenario, use_case)] = (_layout(view_source(decision, "architecture")), architecture_of(decision))
    return out


@pytest.fixture(scope="module")
def overlay_layouts(catalog) -> dict[tuple[int, str], tuple[dict, object]]:
    """The same with the governance overlay: each label carries its classification and residency too."""
    out = {}
    for scenario, use_case in OPTIONS:
        decision = decide(catalog, Assessment(customer="Acme Bank", scenario=scenario, use_case=use_case))
        source = view_source(decision, "architecture", overlay=True)
        out[(scenario, use_case)] = (_layout(source), architecture_of(decision))
    return out


@pytest.mark.parametrize("option", OPTIONS)
def test_the_architecture_is_landscape(layouts, option):
    layout, _ = layouts[option]
    x0, y0, x1, y1 = (float(v) for v in layout["bb"].split(","))
    assert x1 - x0 > 1.4 * (y1 - y0)  # wider than tall, near a 16:9 slide


@pytest.mark.parametrize("overlay", [False, True])
@pytest.mark.parametrize("option", OPTIONS)
def test_flows_that_stay_on_site_are_drawn_inside_the_premises(layouts, overlay_layouts, option, overlay):
    layout, model = (overlay_layouts if overlay else layouts)[option]
    left, bottom, right, top = _bb(layout, "cluster_premises")
    edges = drawn_edges(layout)
    zone = {e.id: e.zone for e in model.elements}
    # Scenario 2 with use case 1B runs everything but the users in the cloud: nothing stays on site there.
    on_site = [r for r in model.relations if zone[r.source] == zone[r.target] == "premises"]
    assert bool(on_site) == (option != (2, "1B"))
    for r in on_site:
        edge = edges.get((r.source, r.target)) or edges[(r.target, r.source)]
        for x, y in spline(edge):
            assert left < x < right and bottom < y < top, (r.label, (x, y))
        # Its label sits inside the box too, clear of the boundary line (at least 10 pt from it).
        lx, ly = (float(v) for v in edge["lp"].split(","))
        assert left + 10 < lx < right - 10 and bottom + 10 < ly < top - 10, r.label


@pytest.mark.parametrize("option", OPTIONS)
def test_no_two_edgeslines_cross(layouts, option):
    layout, _ = layouts[option]
    assert crossings(layout) == []


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("preset", PRESETS)
def test_no_two_edges_cross_for_any_preset(catalog, preset, option):
    """The defaults and every preset in every scenario and use case, in each Graphviz view with boxes and flows (the
    architecture and both C4 views), with and without the overlay. The regulated bank and the air-gapped
    plant train on site and, in scenario 4, serve from the cloud: there the flow to the data's copy crossed
    the flows to serving (the request and the trained model) in the architecture and both C4 views, until
    the application, training and the data stood in one column (or, in the C4 context, the data above the
    application and the copy above serving)."""
    scenario, use_case = option
    raw = {} if preset is None else dict(catalog.preset(preset).assessment)
    decision = decide(catalog, parse_assessment({**raw, "scenario": scenario, "use_case": use_case}))
    for view in ("architecture", "c4-context", "c4-container"):
        for overlay in (False, True):
            assert crossings(_layout(view_source(decision, view, overlay=overlay))) == [], (view, overlay)


def test_the_crossing_check_finds_a_crossing():
    # By hand: the diagonals of a square cross at its centre; two parallel lines and two that meet at an end
    # point do not.
    assert lines_cross([(0, 0), (10, 10)], [(0, 10), (10, 0)])
    assert not lines_cross([(0, 0), (10, 0)], [(0, 5), (10, 5)])
    assert not lines_cross([(0, 0), (10, 0)], [(10, 0), (10, 10)])
    # On Graphviz's own layout: K3,3 cannot be drawn in the plane without two edges that share no node
    # crossing, so whatever dot draws, the check must find at least one such pair.
    k33 = "digraph { " + " ".join(f"{a} -> {b};" for a in "abc" for b in "xyz") + " }"
    assert crossings(_layout(k33))


def test_every_edge_ends_on_an_icon_never_on_a_name(catalog):
    source = view_source(decide(catalog, Assessment(scenario=4, use_case="1A")), "architecture")
    edges = [line for line in source.splitlines() if " -> " in line]
    assert edges
    for line in edges:
        assert re.search(r'headport="?icon', line) and re.search(r'tailport="?icon', line), line
    # Each icon is a cell of its own, named "icon", above (or below) the cell with the name.
    assert source.count('<td port="icon"') == len(architecture_of(
        decide(catalog, Assessment(scenario=4, use_case="1A"))).elements)


def test_data_kept_in_sync_is_one_two_headed_edge_named_as_in_the_flow_table(catalog):
    decision = decide(catalog, Assessment(scenario=4, use_case="1A"))
    flow = next(f for f in decision.chosen.flows if f.id == "data_sync")
    # The flow table's row: 800 input tokens × 4 bytes per token × 50,000 requests a day = 160,000,000 B.
    assert flow.what == "Corporate data kept in sync" and flow.direction == "both"
    assert flow.bytes_per_event == 800 * 4 * 50_000 == 160e6
    assert flow.label == "Corporate data kept in sync: 160 MB per day"
    for view in ("architecture", "c4-context", "c4-container"):
        source = view_source(decision, view)
        both = [line for line in source.splitlines() if "dir=both" in line]
        assert len(both) == 1, view
        assert both[0].lstrip().startswith("data -> data_cloud")
        label = " ".join(re.sub(r"<[^>]+>", " ", both[0].split("label=<", 1)[1]).split())
        assert label.startswith("Corporate data kept in sync: 160 MB per day"), label
        assert "Data exchange:" not in source and "Data exchange<" not in source
    assert "BiRel(data, data_cloud" in view_source(decision, "c4-context", fmt="mermaid")
    # Options without exchanged data have nothing two-way.
    one_way = view_source(decide(catalog, Assessment(scenario=3)), "architecture")
    assert "dir=both" not in one_way


@pytest.mark.parametrize("view", VIEWS)
def test_every_png_is_slide_sized_with_its_dpi(catalog, view):
    decision = decide(catalog, Assessment(scenario=4, use_case="1B"))
    png = render_view(decision, view, "png")
    width, height = png_size(png)
    assert max(width, height) >= SLIDE_PX
    assert png_dpi(png) is not None and png_dpi(png) >= 191.99  # 192 dpi is stored as 7,559 px/m
    small = render_view(decision, view, "png", scale=1)
    # Scale 1 is Graphviz's own size at 96 dpi; the default is at least twice that.
    assert png_dpi(small) == pytest.approx(96, abs=0.02)
    assert width >= 2 * png_size(small)[0] - 2


def test_a_ruled_out_options_png_keeps_its_dpi_under_the_watermark(catalog):
    a = Assessment.model_validate({"scenario": 2, "constraints": {"air_gapped": True}})
    decision = decide(catalog, a)
    assert not decision.chosen.feasible
    png = render_view(decision, "architecture", "png", scale=2)
    assert png_dpi(png) == pytest.approx(192, abs=0.02)


def test_the_dot_bundle_draws_with_its_icons_on_another_machine(catalog, tmp_path):
    decision = decide(catalog, Assessment(scenario=2, use_case="1B"))  # OpenShift: our own icon as well
    bundle = render_view(decision, "architecture", "zip")
    plain = render_view(decision, "architecture", "dot").decode()
    # "Another machine": a folder that shares nothing with this checkout or its virtual environment.
    elsewhere = tmp_path / "elsewhere"
    with zipfile.ZipFile(io.BytesIO(bundle)) as z:
        names = z.namelist()
        z.extractall(elsewhere)
    assert "architecture.dot" in names and "README.txt" in names
    icons = [n for n in names if n.startswith("icons/")]
    assert any(n.startswith("icons/custom/") for n in icons) and any(n.startswith("icons/diagrams/") for n in icons)
    dot_text = (elsewhere / "architecture.dot").read_text()
    assert dot_text == plain  # the DOT export is the bundle's file
    assert "site-packages" not in dot_text and not re.search(r'(src|image)="/', dot_text)
    refs = re.findall(r'<img src="([^"]+)"', dot_text)
    assert sorted(set(refs)) == sorted(icons)
    done = subprocess.run(["dot", "-Tsvg", "architecture.dot"], cwd=elsewhere, capture_output=True, text=True,
                          timeout=120, check=False, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0 and "Warning" not in done.stderr and "No such file" not in done.stderr, done.stderr
    drawn = re.findall(r'xlink:href="([^"]+)"', done.stdout)
    assert sorted(set(drawn)) == sorted(icons)  # every icon drawn, from the bundle
    shutil.rmtree(elsewhere)


@pytest.mark.parametrize("view", ["c4-context", "sequence", "flowchart"])
def test_views_without_icons_bundle_just_their_dot(catalog, view):
    bundle = render_view(decide(catalog, Assessment()), view, "zip")
    with zipfile.ZipFile(io.BytesIO(bundle)) as z:
        assert sorted(z.namelist()) == sorted([f"{view}.dot", "README.txt"])

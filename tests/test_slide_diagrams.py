"""Slide-ready diagrams, checked on Graphviz's own layout (`dot -Tjson`): landscape, on-site flows inside the
premises, edges that do not cross, arrowheads on icons, two-way data drawn two-headed, PNG pixels and DPI,
and a DOT bundle that draws on another machine."""

from __future__ import annotations

import io
import itertools
import json
import re
import shutil
import subprocess
import zipfile

import pytest

from explorer import Assessment
from explorer.architecture import architecture_of
from explorer.engine.decision import decide
from explorer.render import VIEWS, render_view, view_source
from explorer.render.graphviz import SLIDE_PX, png_dpi, png_size

OPTIONS = [(s, u) for s in (1, 2, 3, 4) for u in ("1A", "1B")]
Point = tuple[float, float]


def _layout(source: str) -> dict:
    done = subprocess.run(["dot", "-Tjson"], input=source.encode(), capture_output=True, timeout=120, check=True)
    return json.loads(done.stdout)


def _bezier(points: list[list[float]], steps: int = 12) -> list[Point]:
    """A Graphviz B-spline (cubic pieces sharing end points) as a polyline."""
    out: list[Point] = []
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i:i + 4]
        for k in range(steps + 1):
            t = k / steps
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def _edges(layout: dict) -> dict[tuple[str, str], dict]:
    names = {o["_gvid"]: o["name"] for o in layout["objects"]}
    # Invisible edges only rank the nodes (the cloud's right of the premises'); they are never drawn.
    return {(names[e["tail"]], names[e["head"]]): e for e in layout["edges"] if "invis" not in e.get("style", "")}


def _spline(edge: dict) -> list[Point]:
    return [p for op in edge["_draw_"] if op["op"] in ("b", "B") for p in _bezier(op["points"])]


def _bb(layout: dict, name: str) -> tuple[float, float, float, float]:
    obj = next(o for o in layout["objects"] if o["name"] == name)
    return tuple(float(v) for v in obj["bb"].split(","))  # type: ignore[return-value]


def _segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def _cross(one: list[Point], two: list[Point]) -> bool:
    return any(_segments_cross(a, b, c, d) for a, b in itertools.pairwise(one) for c, d in itertools.pairwise(two))


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
    edges = _edges(layout)
    zone = {e.id: e.zone for e in model.elements}
    # Scenario 2 with use case 1B runs everything but the users in the cloud: nothing stays on site there.
    on_site = [r for r in model.relations if zone[r.source] == zone[r.target] == "premises"]
    assert bool(on_site) == (option != (2, "1B"))
    for r in on_site:
        edge = edges.get((r.source, r.target)) or edges[(r.target, r.source)]
        for x, y in _spline(edge):
            assert left < x < right and bottom < y < top, (r.label, (x, y))
        # Its label sits inside the box too, clear of the boundary line (at least 10 pt from it).
        lx, ly = (float(v) for v in edge["lp"].split(","))
        assert left + 10 < lx < right - 10 and bottom + 10 < ly < top - 10, r.label


@pytest.mark.parametrize("option", OPTIONS)
def test_no_two_edges_cross(layouts, option):
    layout, _ = layouts[option]
    drawn = {key: _spline(e) for key, e in _edges(layout).items()}
    for (k1, s1), (k2, s2) in itertools.combinations(drawn.items(), 2):
        if set(k1) & set(k2):
            continue  # edges that share a node meet there, which is not a crossing
        assert not _cross(s1, s2), (k1, k2)


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

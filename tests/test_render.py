"""Every view in every format, self-contained SVG, hostile text, the cache, and errors with one sentence."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from explorer import Assessment, ExplorerError, ExportError, UnknownChoiceError
from explorer.engine.decision import decide
from explorer.model.cache import clear_all as clear_cache
from explorer.render import (
    FORMATS,
    MERMAID_VIEWS,
    VIEW_FORMATS,
    VIEWS,
    check_view_format,
    render_dot,
    render_view,
    view_source,
)
from explorer.render.views import resolve_icon

HOSTILE = [
    'Quote " and \' and back\\slash',
    "<script>alert('x')</script> & <b>bold</b>",
    '%%{init: {"theme": "dark"}}%% graph TD; A-->B',
    "Brackets [x] (y) {z} <w> |v| ; # %",
    "銀行 Ünïcødé Банк بنك 🚀",
    "W" * 200,
]
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml", "zip": b"PK\x03\x04"}
PAIRS = [(v, f) for v in VIEWS for f in VIEW_FORMATS[v]]


@pytest.fixture(scope="module")
def hostile_assessment() -> Assessment:
    return Assessment(customer=HOSTILE[1], scenario=4, use_case="1B")


@pytest.mark.parametrize(("view", "fmt"), PAIRS)
def test_every_view_exports_in_every_format(catalog, view, fmt):
    a = Assessment(customer="Acme Bank", scenario=4, use_case="1A")
    payload = render_view(decide(catalog, a), view, fmt)
    if fmt in MAGIC:
        assert payload.startswith(MAGIC[fmt])
    elif fmt == "dot":
        assert payload.decode().lstrip().startswith("digraph")
    else:
        first = payload.decode().splitlines()[0]
        assert first in ("flowchart TB", "C4Context", "sequenceDiagram")
    if fmt == "svg":
        ET.fromstring(payload)  # well-formed XML


def test_views_and_formats_are_the_documented_ones():
    assert VIEWS == ("architecture", "c4-context", "c4-container", "sequence", "flowchart")
    assert FORMATS == ("png", "svg", "pdf", "mermaid", "dot", "zip")
    assert [v for v in VIEWS if "mermaid" in VIEW_FORMATS[v]] == sorted(MERMAID_VIEWS, key=VIEWS.index)
    assert all(set(VIEW_FORMATS[v]) >= {"png", "svg", "pdf", "dot", "zip"} for v in VIEWS)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("overlay", [False, True])
@pytest.mark.parametrize("provider", ["aws", "azure", "gcp", "ibm"])
def test_svg_is_self_contained(catalog, view, overlay, provider):
    a = Assessment(scenario=4, use_case="1B", constraints={"cloud_provider": provider})
    svg = render_view(decide(catalog, a), view, "svg", overlay=overlay).decode()
    refs = re.findall(r'(?:xlink:)?href="([^"]*)"', svg)
    assert all(ref.startswith(("data:", "#")) for ref in refs), refs
    assert "/site-packages/" not in svg and "/assets/" not in svg
    if view == "architecture":
        assert refs and all(ref.startswith("data:image/png;base64,") for ref in refs)


def test_openshift_custom_icon_is_embedded(catalog):
    a = Assessment(scenario=2, use_case="1B", constraints={"cloud_provider": "aws"})
    assert "openshift.png" in view_source(decide(catalog, a), "architecture")
    svg = render_view(decide(catalog, a), "architecture", "svg").decode()
    assert "openshift.png" not in svg and "data:image/png;base64," in svg


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_customer_names_are_escaped_everywhere(catalog, text):
    a = Assessment(customer=text, scenario=4, use_case="1B")
    for view in VIEWS:
        svg = render_view(decide(catalog, a), view, "svg", overlay=True).decode()
        ET.fromstring(svg)
        assert "<script" not in svg
        assert render_view(decide(catalog, a), view, "png").startswith(MAGIC["png"])
    for view in MERMAID_VIEWS:
        text_out = render_view(decide(catalog, a), view, "mermaid", overlay=True).decode()
        assert "%%" not in text_out and "<script" not in text_out
        for line in text_out.splitlines()[1:]:
            assert not line.lstrip().startswith("%%")


def test_hostile_text_shows_literally_in_the_svg(catalog, hostile_assessment):
    svg = render_view(decide(catalog, hostile_assessment), "c4-context", "svg").decode()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in svg or "&lt;script&gt;alert('x')" in svg


def test_overlay_adds_classification_and_residency(catalog):
    a = Assessment(customer="Acme", scenario=4, use_case="1A", constraints={"data_classification": "regulated"})
    for view in ("architecture", "c4-context", "c4-container", "sequence"):
        plain = view_source(decide(catalog, a), view)
        shown = view_source(decide(catalog, a), view, overlay=True)
        assert "REGULATED" not in plain and "REGULATED" in shown, view
        assert "#B91C1C" in shown  # the regulated colour
    assert "On premises (Acme site)" in view_source(decide(catalog, a), "architecture", overlay=True)


def test_flowchart_highlights_the_chosen_scenario_and_its_resolution(catalog):
    a = Assessment(scenario=2, use_case="1B")
    dot = view_source(decide(catalog, a), "flowchart")
    assert dot.count("subgraph cluster_s") == 4
    assert "penwidth=3" in dot.split("subgraph cluster_s2")[1].split("subgraph")[0]
    assert dot.count("resolved: Public cloud") == 2  # serving and inference, left open by scenario 2
    mer = view_source(decide(catalog, a), "flowchart", fmt="mermaid")
    assert "class S2_training,S2_serving,S2_inference,S2_data chosen" in mer


def test_cached_view_is_the_same_object(catalog):
    a = Assessment(customer="Cache test")
    first = render_view(decide(catalog, a), "architecture", "png")
    assert render_view(decide(catalog, a), "architecture", "png") is first
    clear_cache()
    assert render_view(decide(catalog, a), "architecture", "png") == first


def test_dpi_makes_a_larger_png(catalog):
    source = view_source(decide(catalog, Assessment()), "flowchart")
    assert len(render_dot(source, "png", 144)) > len(render_dot(source, "png"))


@pytest.mark.parametrize(
    ("view", "fmt", "error", "message"),
    [
        ("nope", "png", UnknownChoiceError, '"nope" is not a valid view. Choose from: architecture, c4-context'),
        ("architecture", "gif", UnknownChoiceError, '"gif" is not a valid format. Choose from: png, svg, pdf'),
        ("architecture", "mermaid", ExportError,
         "The architecture view has no mermaid export; choose from png, svg, pdf, dot, zip (Mermaid exists only for "
         "flowchart, c4-context, sequence)."),
        ("c4-container", "mermaid", ExportError, "The c4-container view has no mermaid export"),
    ],
)
def test_bad_view_or_format_is_one_sentence(catalog, view, fmt, error, message):
    with pytest.raises(error, match=re.escape(message)):
        check_view_format(view, fmt)
    with pytest.raises(ExplorerError):
        render_view(decide(catalog, Assessment()), view, fmt)


def test_graphviz_error_is_one_sentence():
    with pytest.raises(ExplorerError, match="Graphviz could not draw the diagram"):
        render_dot("digraph { a -> }", "png")


def test_unknown_icon_class_is_a_catalog_error():
    with pytest.raises(ExplorerError, match=r"diagrams\.aws\.nope\.Nothing is not a node class"):
        resolve_icon("diagrams.aws.nope.Nothing")
    with pytest.raises(ExplorerError, match=r"custom icon missing\.png is missing"):
        resolve_icon("custom:missing.png")

"""Diagrams v1: the architecture and C4 context views render, safely, concurrently, cached by content."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from explorer.architecture import build_architecture
from explorer.engine.decision import decide
from explorer.model.assessment import Assessment
from explorer.model.cache import clear_all as clear_cache
from explorer.model.errors import RenderError, UnknownChoiceError
from explorer.render import render_dot, render_view, view_source
from explorer.render.graphviz import embed_svg_images, html_label

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}
HOSTILE = 'Acme "Bank" <script>alert(1)</script> & {x} [y] \\n \\l é 日本語'


@pytest.mark.parametrize("view", ["architecture", "c4-context"])
@pytest.mark.parametrize("fmt", ["png", "pdf", "svg", "dot"])
def test_every_view_renders_in_every_format(catalog, view, fmt):
    data = render_view(decide(catalog, Assessment(scenario=4, use_case="1B")), view, fmt)
    if fmt == "dot":
        assert data.startswith(b"digraph")
    else:
        assert data.startswith(MAGIC[fmt])
    if fmt == "svg":
        assert not re.search(rb'href="/', data), "SVG must not point at local files"


def clusters_of(source: str, node: str) -> list[str]:
    """The clusters around ``node``'s definition in DOT ``source``, outermost first."""
    stack: list[str] = []
    for line in source.splitlines():
        opened = re.match(r"\s*subgraph (cluster_\w+) \{", line)
        if opened:
            stack.append(opened.group(1))
        elif line.strip() == "}" and stack:
            stack.pop()
        elif re.match(rf"\s*{node} \[", line):
            return list(stack)
    raise AssertionError(f"{node} is not defined")


def test_architecture_draws_cloud_around_premises(catalog):
    source = view_source(decide(catalog, Assessment(scenario=1, use_case="1A")), "architecture")
    assert clusters_of(source, "users") == ["cluster_cloud", "cluster_premises"]  # premises nested in the cloud
    # Nodes sit where the placement puts them: training in the cloud, serving and inference inside the premises.
    assert clusters_of(source, "training") == ["cluster_cloud"]
    assert clusters_of(source, "serving") == clusters_of(source, "inference") == ["cluster_cloud", "cluster_premises"]
    # Edge labels wrap (a line break is <br/> in the HTML label), so read them with spaces.
    flat = source.replace("<br/>", " ")
    assert "Training data: 8.0 GB every 3" in flat
    assert "Fine-tuned weights: 141 GB" in flat


def test_provider_icons_follow_the_choice(catalog):
    aws = view_source(decide(catalog, Assessment(scenario=2, use_case="1B")), "architecture")
    azure = view_source(decide(catalog, Assessment.model_validate(
        {"scenario": 2, "use_case": "1B", "constraints": {"cloud_provider": "azure"}})), "architecture")
    assert "resources/aws/ml/sagemaker-training-job.png" in aws
    assert "resources/azure/" in azure and "resources/aws/ml" not in azure
    assert "openshift.png" in aws  # use case 1B hosts the application on OpenShift


def test_c4_context_mirrors_the_seed(catalog):
    source = view_source(decide(catalog, Assessment(scenario=4, use_case="1A")), "c4-context")
    assert "subgraph cluster_cloud" in source and "subgraph cluster_premises" in source
    assert "[External system]" in source  # cloud systems drawn as external systems, as in the seed
    assert "Prompts and completions" in source.replace("<br/>", " ")  # labels are wrapped to stay narrow


def test_every_relation_of_the_model_is_drawn(catalog):
    a = Assessment(scenario=4, use_case="1B")
    model = build_architecture(catalog, a, decide(catalog, a).option(4, "1B"))
    for view in ("architecture", "c4-context"):
        source = view_source(decide(catalog, a), view)
        for e in model.elements:
            assert re.search(rf"^\s*{e.id} \[", source, re.M), (view, e.id)
        for r in model.relations:
            # An edge may be written from its head with dir=back (the architecture stacks a pair that way).
            assert re.search(rf"^\s*{r.source} -> {r.target} |^\s*{r.target} -> {r.source} .*dir=back", source,
                             re.M), (view, r)


@pytest.mark.parametrize("view", ["architecture", "c4-context"])
def test_hostile_customer_text_is_escaped(catalog, view):
    a = Assessment(customer=HOSTILE)
    source = view_source(decide(catalog, a), view)
    assert "<script>" not in source
    assert "&lt;script&gt;" in source and "&quot;Bank&quot;" in source
    assert "日本語" in source
    svg = render_view(decide(catalog, a), view, "svg")
    assert b"<script>" not in svg
    assert render_view(decide(catalog, a), view, "png").startswith(MAGIC["png"])


def test_html_label_keeps_text_literal():
    assert html_label('a<b>&"c"\nd') == "<a&lt;b&gt;&amp;&quot;c&quot;<br/>d>"
    assert html_label("") == "< >"
    assert html_label("x", bold=True, size=9) == '<<font point-size="9"><b>x</b></font>>'


def test_rendering_is_cached_by_content(catalog):
    a = Assessment(scenario=2, use_case="1A", customer="Cache Test Ltd")
    clear_cache()
    first = render_view(decide(catalog, a), "architecture", "png")
    assert render_dot.cache_info().misses == 1
    same = Assessment(scenario=2, use_case="1A", customer="Cache Test Ltd")
    second = render_view(decide(catalog, same), "architecture",
                         "png")
    assert second is first  # same content, same bytes object: no Graphviz run
    assert render_dot.cache_info().misses == 1


def test_source_is_deterministic(catalog):
    a = Assessment(scenario=3, use_case="1B")
    again = decide(catalog, a.model_copy())
    assert view_source(decide(catalog, a), "architecture") == view_source(again, "architecture")


def test_concurrent_renders_do_not_clash(catalog, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    clear_cache()
    jobs = [Assessment(scenario=s, use_case=u, customer=f"Tenant {i}")
            for i, (s, u) in enumerate([(s, u) for s in (1, 2, 3, 4) for u in ("1A", "1B")] * 2)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda a: render_view(decide(catalog, a), "architecture", "svg"), jobs))
    for a, svg in zip(jobs, results, strict=True):
        assert f"{a.customer} premises".encode() in svg
    assert os.listdir(tmp_path) == [], "rendering must never write into the working directory"


def test_unknown_view_and_format(catalog):
    with pytest.raises(UnknownChoiceError, match='"c4" is not a valid view. Choose from: architecture, c4-context, '):
        view_source(decide(catalog, Assessment()), "c4")
    with pytest.raises(UnknownChoiceError, match='"gif" is not a valid format. Choose from: png, svg, pdf, mermaid'):
        render_view(decide(catalog, Assessment()), "architecture", "gif")
    with pytest.raises(RenderError, match='"jpg" is not a valid format'):
        render_dot("digraph {}", "jpg")


def test_graphviz_failure_is_one_sentence():
    with pytest.raises(RenderError, match="Graphviz could not draw the diagram: .*syntax error"):
        render_dot("digraph { a -> }", "png")


def test_missing_dot_binary(monkeypatch):
    monkeypatch.setattr("explorer.render.graphviz.shutil.which", lambda name: None)
    with pytest.raises(RenderError, match="Graphviz's 'dot' program is not installed"):
        render_dot("digraph { missing_dot_test }", "png")


def test_svg_embedding(tmp_path):
    icon = tmp_path / "i.png"
    icon.write_bytes(b"\x89PNG fake")
    svg = f'<svg><image xlink:href="{icon}"/><a href="#x"/><image href="data:image/png;base64,AA"/></svg>'.encode()
    out = embed_svg_images(svg)
    assert b'xlink:href="data:image/png;base64,iVBORyBmYWtl"' in out
    assert b'href="#x"' in out and b'href="data:image/png;base64,AA"' in out
    with pytest.raises(RenderError, match="refers to an icon file that does not exist: gone.png"):
        embed_svg_images(b'<image xlink:href="/nowhere/gone.png"/>')

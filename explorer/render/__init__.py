"""Diagram rendering: views of the architecture model to DOT, and DOT to PNG/SVG/PDF."""

from __future__ import annotations

from explorer.assessment import Assessment
from explorer.catalog import Catalog
from explorer.errors import UnknownChoiceError
from explorer.render.graphviz import FORMATS, embed_svg_images, html_label, render_dot
from explorer.render.views import architecture_dot, c4_context_dot, resolve_icon

VIEWS = ("architecture", "c4-context")
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "dot": "text/vnd.graphviz"}


def view_source(catalog: Catalog, assessment: Assessment, view: str) -> str:
    """The DOT source of one view of the assessment's chosen option."""
    from explorer.architecture import build_architecture
    from explorer.placement import place_option

    if view not in VIEWS:
        raise UnknownChoiceError("view", view, VIEWS)
    option = place_option(catalog, assessment, assessment.scenario, assessment.use_case)
    model = build_architecture(catalog, assessment, option)
    if view == "architecture":
        return architecture_dot(catalog, model)
    return c4_context_dot(model)


def render_view(catalog: Catalog, assessment: Assessment, view: str, fmt: str) -> bytes:
    """One view in one format, as bytes. Rendering is cached by the DOT content."""
    if fmt not in FORMATS:
        raise UnknownChoiceError("format", fmt, FORMATS)
    return render_dot(view_source(catalog, assessment, view), fmt)


__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "VIEWS",
    "embed_svg_images",
    "html_label",
    "render_dot",
    "render_view",
    "resolve_icon",
    "view_source",
]

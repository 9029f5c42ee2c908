"""The renderer floor: diagrams (Graphviz, Mermaid), charts, tables, the comparison and the report."""

from __future__ import annotations

from explorer.render.diagrams import (
    EXTENSIONS,
    FORMATS,
    IMAGE_FORMATS,
    MEDIA_TYPES,
    MERMAID_VIEWS,
    VIEW_FORMATS,
    VIEW_TITLES,
    VIEWS,
    check_view_format,
    render_view,
    render_views,
    view_source,
)
from explorer.render.graphviz import embed_svg_images, html_label, render_dot

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "IMAGE_FORMATS",
    "MEDIA_TYPES",
    "MERMAID_VIEWS",
    "VIEWS",
    "VIEW_FORMATS",
    "VIEW_TITLES",
    "check_view_format",
    "embed_svg_images",
    "html_label",
    "render_dot",
    "render_view",
    "render_views",
    "view_source",
]

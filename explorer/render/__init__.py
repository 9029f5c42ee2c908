"""Diagram rendering: views of the architecture model to DOT or Mermaid, and DOT to PNG/SVG/PDF."""

from __future__ import annotations

import threading
from collections import OrderedDict

from explorer.architecture import ArchitectureModel, build_architecture
from explorer.assessment import Assessment
from explorer.catalog import Catalog
from explorer.errors import ExportError, UnknownChoiceError
from explorer.placement import OptionPlacement, place_option
from explorer.render.flowchart import flowchart_dot
from explorer.render.graphviz import embed_svg_images, html_label, render_dot
from explorer.render.mermaid import c4_context_mermaid, flowchart_mermaid, sequence_mermaid
from explorer.render.mermaid import escape as mermaid_escape
from explorer.render.sequence import sequence_dot, sequence_steps
from explorer.render.views import (
    CLASSIFICATION_COLOURS,
    architecture_dot,
    c4_container_dot,
    c4_context_dot,
    resolve_icon,
)

VIEWS = ("architecture", "c4-context", "c4-container", "sequence", "flowchart")
FORMATS = ("png", "svg", "pdf", "mermaid", "dot")
IMAGE_FORMATS = ("png", "svg", "pdf")
MERMAID_VIEWS = ("flowchart", "c4-context", "sequence")
# Which formats each view exports: every view as an image and as DOT; Mermaid where Mermaid has the diagram type.
VIEW_FORMATS: dict[str, tuple[str, ...]] = {
    view: (*IMAGE_FORMATS, *(("mermaid",) if view in MERMAID_VIEWS else ()), "dot") for view in VIEWS
}
VIEW_TITLES = {
    "architecture": "Architecture",
    "c4-context": "C4 system context",
    "c4-container": "C4 containers",
    "sequence": "Sequence",
    "flowchart": "The four scenarios",
}
MEDIA_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "dot": "text/vnd.graphviz",
    "mermaid": "text/vnd.mermaid",
}
EXTENSIONS = {"png": "png", "svg": "svg", "pdf": "pdf", "dot": "dot", "mermaid": "mmd"}


def check_view_format(view: str, fmt: str) -> None:
    """Raise one clear sentence unless ``view`` exists and exports to ``fmt``."""
    if view not in VIEWS:
        raise UnknownChoiceError("view", view, VIEWS)
    if fmt not in FORMATS:
        raise UnknownChoiceError("format", fmt, FORMATS)
    if fmt not in VIEW_FORMATS[view]:
        raise ExportError(
            f'The {view} view has no {fmt} export; choose from {", ".join(VIEW_FORMATS[view])} '
            f'(Mermaid exists only for {", ".join(MERMAID_VIEWS)}).'
        )


def chosen_option(catalog: Catalog, assessment: Assessment) -> tuple[OptionPlacement, ArchitectureModel]:
    """The placement and the architecture model of the assessment's chosen scenario and use case."""
    option = place_option(catalog, assessment, assessment.scenario, assessment.use_case)
    return option, build_architecture(catalog, assessment, option)


def view_source(catalog: Catalog, assessment: Assessment, view: str, *, overlay: bool = False,
                fmt: str = "dot") -> str:
    """The DOT (or, with ``fmt="mermaid"``, the Mermaid) source of one view of the chosen option."""
    check_view_format(view, fmt)
    option, model = chosen_option(catalog, assessment)
    if fmt == "mermaid":
        if view == "flowchart":
            return flowchart_mermaid(catalog, option)
        if view == "c4-context":
            return c4_context_mermaid(model, overlay)
        return sequence_mermaid(model, overlay)
    if view == "architecture":
        return architecture_dot(catalog, model, overlay)
    if view == "c4-context":
        return c4_context_dot(model, overlay)
    if view == "c4-container":
        return c4_container_dot(model, overlay)
    if view == "sequence":
        return sequence_dot(model, overlay)
    return flowchart_dot(catalog, option)


class _ViewCache:
    """Rendered views by content (catalog, assessment, view, format, overlay), shared by all sessions.

    The catalog is kept alive with its entries, so its ``id`` can never be reused for another one.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._items: OrderedDict[tuple[object, ...], tuple[Catalog, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> bytes | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            self._items.move_to_end(key)
            return hit[1]

    def put(self, key: tuple[object, ...], catalog: Catalog, payload: bytes) -> None:
        with self._lock:
            self._items[key] = (catalog, payload)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_cache = _ViewCache()


def render_view(catalog: Catalog, assessment: Assessment, view: str, fmt: str, *, overlay: bool = False) -> bytes:
    """One view in one format, as bytes. A repeated request is answered from a cache keyed by content."""
    check_view_format(view, fmt)
    key = (id(catalog), assessment.model_dump_json(), view, fmt, overlay)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    if fmt == "mermaid":
        payload = view_source(catalog, assessment, view, overlay=overlay, fmt="mermaid").encode("utf-8")
    else:
        payload = render_dot(view_source(catalog, assessment, view, overlay=overlay), fmt)
    _cache.put(key, catalog, payload)
    return payload


def clear_cache() -> None:
    """Forget every rendered view (benchmarks use it to measure cold renders)."""
    _cache.clear()
    render_dot.cache_clear()


__all__ = [
    "CLASSIFICATION_COLOURS",
    "EXTENSIONS",
    "FORMATS",
    "IMAGE_FORMATS",
    "MEDIA_TYPES",
    "MERMAID_VIEWS",
    "VIEWS",
    "VIEW_FORMATS",
    "VIEW_TITLES",
    "check_view_format",
    "chosen_option",
    "clear_cache",
    "embed_svg_images",
    "html_label",
    "mermaid_escape",
    "render_dot",
    "render_view",
    "resolve_icon",
    "sequence_steps",
    "view_source",
]

"""Diagrams: each view of an option of the decision, as DOT or Mermaid, and DOT drawn to PNG/SVG/PDF."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from explorer.architecture import architecture_of
from explorer.engine.decision import Decision
from explorer.model.cache import content_cached
from explorer.model.errors import ExportError, UnknownChoiceError
from explorer.model.vocabulary import split_key
from explorer.render.bundle import dot_bundle, portable_dot
from explorer.render.c4 import c4_container_dot, c4_context_dot
from explorer.render.flowchart import flowchart_dot
from explorer.render.graphviz import check_scale, render_dot, render_png
from explorer.render.mermaid import c4_context_mermaid, flowchart_mermaid, sequence_mermaid
from explorer.render.sequence import sequence_dot
from explorer.render.views import architecture_dot
from explorer.render.watermark import watermark

VIEWS = ("architecture", "c4-context", "c4-container", "sequence", "flowchart")
FORMATS = ("png", "svg", "pdf", "mermaid", "dot", "zip")  # zip: the DOT with its icons beside it
IMAGE_FORMATS = ("png", "svg", "pdf")
MERMAID_VIEWS = ("flowchart", "c4-context", "sequence")
# Which formats each view exports: every view as an image, as DOT and as a DOT bundle; Mermaid where Mermaid
# has the diagram type.
VIEW_FORMATS: dict[str, tuple[str, ...]] = {
    view: (*IMAGE_FORMATS, *(("mermaid",) if view in MERMAID_VIEWS else ()), "dot", "zip") for view in VIEWS
}
VIEW_TITLES = {
    "architecture": "Architecture",
    "c4-context": "C4 system context",
    "c4-container": "C4 containers",
    "sequence": "Sequence",
    "flowchart": "The four scenarios",
}
VIEW_CAPTIONS = {  # what each view shows: its caption in the report, its speaker note in the deck
    "architecture": "Provider icons; the public cloud drawn around the premises. Red edges cross the boundary.",
    "c4-context": "C4 system context: the cloud boundary around the premises boundary, as in the seed.",
    "c4-container": "C4 containers: each zone's software system and its containers, with technologies.",
    "sequence": "Every relation of the architecture as a message, in lifecycle order; dashed arrows are replies.",
    "flowchart": "The seed's flowchart of the four scenarios; the chosen one is highlighted.",
}
MEDIA_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "dot": "text/vnd.graphviz",
    "mermaid": "text/vnd.mermaid",
    "zip": "application/zip",
}
EXTENSIONS = {"png": "png", "svg": "svg", "pdf": "pdf", "dot": "dot", "mermaid": "mmd", "zip": "zip"}


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


def view_source(decision: Decision, view: str, *, overlay: bool = False, fmt: str = "dot",
                key: str | None = None) -> str:
    """The DOT (or, with ``fmt="mermaid"``, the Mermaid) source of one view of an option of the decision.

    The chosen option by default, or the option ``key`` (``3-1A``).
    """
    check_view_format(view, fmt)
    option = decision.chosen if key is None else decision.option(*split_key(key))
    catalog = decision.catalog
    if view == "flowchart":
        return flowchart_mermaid(catalog, option) if fmt == "mermaid" else flowchart_dot(catalog, option)
    model = architecture_of(decision, option.key)
    if fmt == "mermaid":
        if view == "c4-context":
            return c4_context_mermaid(model, overlay)
        return sequence_mermaid(model, overlay)
    if view == "architecture":
        return architecture_dot(catalog, model, overlay)
    if view == "c4-context":
        return c4_context_dot(model, overlay)
    if view == "c4-container":
        return c4_container_dot(model, overlay)
    return sequence_dot(model, overlay)


def render_view(decision: Decision, view: str, fmt: str, *, overlay: bool = False, key: str | None = None,
                scale: float | None = None) -> bytes:
    """One view in one format, as bytes (Graphviz's output is cached by the source it draws).

    A PNG is ``scale`` × the diagram's own size; the default (None) is slide-ready: at least
    2,400 px on the long side. Every PNG states its DPI.
    """
    check_view_format(view, fmt)
    check_scale(scale)
    source = view_source(decision, view, overlay=overlay, fmt="mermaid" if fmt == "mermaid" else "dot", key=key)
    if fmt == "mermaid":
        return source.encode("utf-8")
    if fmt == "dot":  # icons named relative to the file, as in the bundle, never by a path on this machine
        return portable_dot(source)[0].encode("utf-8")
    if fmt == "zip":
        return dot_bundle(source, view)
    return _marked(decision, key, _draw(source, fmt, None, scale), fmt)


def _draw(source: str, fmt: str, dpi: int | None, scale: float | None) -> bytes:
    """A fixed ``dpi`` (the report's) wins; otherwise PNGs follow ``scale`` and the rest are vector."""
    if fmt == "png" and dpi is None:
        return render_png(source, scale)
    return render_dot(source, fmt, dpi)


def _marked(decision: Decision, key: str | None, data: bytes, fmt: str) -> bytes:
    """A ruled-out option's image carries a watermark besides its title banner."""
    option = decision.chosen if key is None else decision.option(*split_key(key))
    return data if option.feasible or fmt not in IMAGE_FORMATS else _watermarked(data, fmt)


@content_cached("watermarked diagrams", 64)
def _watermarked(data: bytes, fmt: str) -> bytes:
    return watermark(data, fmt)


def render_views(decision: Decision, views: Sequence[tuple[str, str]], *, dpi: int | None = None,
                 key: str | None = None, scale: float | None = None) -> list[bytes]:
    """Several (view, format) renders of one decision at once: Graphviz runs as a subprocess per diagram, so
    they overlap on a second core. PNGs at a fixed ``dpi``, or else at ``scale`` as in render_view."""
    check_scale(scale)
    sources = [(view_source(decision, v, key=key), f) for v, f in views]
    if len(sources) == 1:
        drawn = [_draw(sources[0][0], sources[0][1], dpi, scale)]
    else:
        with ThreadPoolExecutor(max_workers=min(4, len(sources)), thread_name_prefix="graphviz") as pool:
            drawn = list(pool.map(lambda sf: _draw(sf[0], sf[1], dpi, scale), sources))
    return [_marked(decision, key, data, f) for data, (_, f) in zip(drawn, sources, strict=True)]

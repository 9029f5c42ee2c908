"""The C4 system context and container views, drawn with the `diagrams` library's C4 nodes.

They print on an A4 page and on a 16:9 slide, so they are built to be shrunk as little as possible: every
word at least C4_TEXT points in the drawing, short wrapped lines in boxes that grow to their text, left to
right, tight spacing; and of the layouts Graphviz can make of them, the one that prints largest in a slide's
picture area is kept (see ``_c4_dot``).
"""

from __future__ import annotations

from diagrams import Cluster, Edge, Node
from diagrams.c4 import C4Node, SystemBoundary

from explorer.architecture import ArchitectureModel, Element, Relation
from explorer.model.cache import content_cached
from explorer.render.graphviz import SLIDE_PICTURE_IN, layout_size
from explorer.render.views import (
    CLASSIFICATION_COLOURS,
    CROSSING,
    FONT,
    _cache_key,
    _cloud_after_premises,
    _esc,
    _graph_attrs,
    _lines,
    _rank_hint,
    _SourceOnly,
    _two_way,
    badge,
    boundary_label,
)

C4_NAME, C4_TEXT = 16, 14  # points: element names; everything else (kinds, descriptions, relations, badges)
_WRAP = 18  # characters per line of an element's kind and description (about 150 pt at 14 pt)
_EDGE_WRAP = 14  # characters per line of a relation's label: it stands between two columns
_FILL = {"person": "#08427B", "container": "#1168BD", "datastore": "#1168BD", "external": "#6B7280"}


def _label(name: str, kind: str, description: str, e: Element, overlay: bool) -> str:
    body = f'<font point-size="{C4_NAME}"><b>{_lines(name, _WRAP, 2)}</b></font><br/>'
    body += f'<font point-size="{C4_TEXT}">[{_lines(kind, _WRAP, 3)}]</font><br/>'
    body += f'<font point-size="{C4_TEXT}">{_lines(description, _WRAP, 5)}</font>'
    if overlay:
        body += (
            f'<br/><font point-size="{C4_TEXT}"><b>■ {_esc(e.classification.upper())}</b>'
            f"<br/>{_lines(e.residency, _WRAP, 3)}</font>"
        )
    return f"<{body}>"


def _node(e: Element, *, level: str, outside: bool, overlay: bool) -> Node:
    """One element as a C4 box. At the context level every element is a system; the cloud's are external."""
    # Not fixed in size: each box grows to its own text, from a common minimum.
    attrs = {"nodeid": e.id, "fontname": FONT, "width": "1.9", "height": "1.0", "fixedsize": "false",
             "margin": "0.12"}
    if e.kind == "person":
        kind, fill, shape = "Person", _FILL["person"], {"style": "rounded,filled"}
    elif level == "context":
        kind = "External system" if outside else "System"
        fill, shape = _FILL["external" if outside else "container"], {}
        if e.kind == "datastore":
            kind = "External data store" if outside else "Data store"
            shape = {"shape": "cylinder"}
    else:
        kind = f"{'Database' if e.kind == 'datastore' else 'Container'}: {e.technology}"
        fill = _FILL["external" if outside else e.kind]
        shape = {"shape": "cylinder"} if e.kind == "datastore" else {}
    description = e.description
    label = _label(e.name, kind, description, e, overlay)
    if overlay:  # the border carries the classification's colour
        attrs.update({"color": CLASSIFICATION_COLOURS[e.classification], "penwidth": "5"})
    return C4Node(e.name, e.technology, description, label=label, fillcolor=fill, **shape, **attrs)


def _edge(r: Relation, overlay: bool) -> Edge:
    text = f"{r.label} [{r.technology}]" if r.technology else r.label
    body = f'<font point-size="{C4_TEXT}">{_lines(text, _EDGE_WRAP, 6)}</font>'
    if overlay:
        body += "<br/>" + badge(r.classification, r.residency, size=C4_TEXT, width=_EDGE_WRAP + 4)
    extra: dict[str, str] = {"fontcolor": "#374151"}
    if r.crosses_boundary:
        extra.update({"color": CROSSING["color"], "style": "dashed,bold", "penwidth": "1.6"})
    if overlay:
        extra["color"] = CLASSIFICATION_COLOURS[r.classification]
    # diagrams.c4.Relationship would wrap and escape the label itself; ours carries the overlay badge.
    return Edge(label=f"<{body}>", fontname=FONT, **{"style": "dashed", "color": "gray50", **extra}, **_rank_hint(r),
                **_two_way(r))


def _boundary(b_id: str, name: str, colour: str) -> Cluster:
    # Wrapped narrow: a boundary is at least as wide as its name, and a long name would widen a whole column.
    return SystemBoundary(
        b_id, label=boundary_label(name, C4_TEXT, 26, 3), fontname=FONT, margin="8", fontcolor=colour,
        pencolor=colour, labeljust="l",
    )


def c4_context_dot(model: ArchitectureModel, overlay: bool = False) -> str:
    """The C4 system context, laid out like the seed's: the cloud boundary drawn around the premises."""
    return _c4_dot(_cache_key(model), "context", overlay)


def c4_container_dot(model: ArchitectureModel, overlay: bool = False) -> str:
    """The C4 container view: each zone's software system as a boundary around its containers."""
    return _c4_dot(_cache_key(model), "container", overlay)


def fit(size: tuple[float, float]) -> float:
    """The scale at which a drawing of ``size`` points fits a diagram slide's picture area (larger is better)."""
    box_w, box_h = (side * 72 for side in SLIDE_PICTURE_IN)
    return min(box_w / size[0], box_h / size[1])


@content_cached("C4 DOT", 256)
def _c4_dot(model_json: str, level: str, overlay: bool) -> str:
    """Two layouts, and the one that prints larger on a slide: the cloud's elements in a column of their own
    right of the premises (best when they form one column), or placed in the premises' own columns above
    or below them (best when they form a chain, such as the corporate data feeding training in the cloud).
    Graphviz lays out each (``dot -Tplain``, no drawing) to measure it."""
    model = ArchitectureModel.model_validate_json(model_json)
    beside = _c4_source(model, level, overlay, cloud_beside=True)
    if not model.in_zone("cloud") or not model.in_zone("premises"):  # type: ignore[arg-type]
        return beside
    stacked = _c4_source(model, level, overlay, cloud_beside=False)
    return max((beside, stacked), key=lambda source: fit(layout_size(source)))  # the first on a tie


def _c4_source(model: ArchitectureModel, level: str, overlay: bool, *, cloud_beside: bool) -> str:
    cloud, premises = model.boundary("cloud"), model.boundary("premises")
    systems = {s.zone: s for s in model.systems}
    nodes: dict[str, Node] = {}
    title = f"{'System context' if level == 'context' else 'Containers'}: {model.title}"
    attrs = _graph_attrs(title, model.banner, nodesep="0.18", ranksep="0.2", pad="0.1")

    def place(zone: str, outside: bool) -> None:
        members = model.in_zone(zone)  # type: ignore[arg-type]
        people = [e for e in members if e.kind == "person"]
        for e in people:
            nodes[e.id] = _node(e, level=level, outside=outside, overlay=overlay)
        rest = [e for e in members if e.kind != "person"]
        if level == "container" and zone in systems and rest:
            s = systems[zone]
            with _boundary(f"system_{zone}", f"{s.name} [Software system]", "#1F2937"):
                for e in rest:
                    nodes[e.id] = _node(e, level=level, outside=outside, overlay=overlay)
        else:
            for e in rest:
                nodes[e.id] = _node(e, level=level, outside=outside, overlay=overlay)

    with _SourceOnly("", direction="LR", show=False, graph_attr=attrs) as d:
        with _boundary("cloud", cloud.name, "#2B6CB0"):
            with _boundary("premises", premises.name, "#3F7A26"):
                place("premises", outside=False)
            place("cloud", outside=True)
        for r in model.relations:
            nodes[r.source] >> _edge(r, overlay) >> nodes[r.target]
        zone = {e.id: e.zone for e in model.elements}
        if zone["inference"] == zone["data"]:  # the application and its data in one column
            d.dot.body.append("\t{rank=same; inference; data}\n")
        if cloud_beside:
            _cloud_after_premises(d, model)
    return d.dot.source

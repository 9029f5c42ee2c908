"""The C4 system context and container views, drawn with the `diagrams` library's C4 nodes.

They print on an A4 page and on a 16:9 slide, so they are built to be shrunk as little as possible: every
word at least C4_TEXT points in the drawing, short wrapped lines in boxes that grow to their text, left to
right, tight spacing; and of the layouts Graphviz can make of them, the one that prints largest in a slide's
picture area is kept (see ``_c4_dot``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from diagrams import Cluster, Diagram, Edge, Node
from diagrams.c4 import C4Node, SystemBoundary

from explorer.architecture import ArchitectureModel, Element, Relation
from explorer.model.cache import content_cached
from explorer.render.crossings import crossings
from explorer.render.graphviz import SLIDE_PICTURE_IN, layout_json, layout_size
from explorer.render.views import (
    CLASSIFICATION_COLOURS,
    CROSSING,
    FONT,
    _cache_key,
    _esc,
    _graph_attrs,
    _lines,
    _rank_hint,
    _SourceOnly,
    _trains_on_site_serves_in_cloud,
    _two_way,
    badge,
    boundary_label,
    title_label,
    wrap,
)

C4_NAME, C4_TEXT = 16, 14  # points: element names; everything else (kinds, descriptions, relations, badges)
# The layouts tried (see _c4_dot): the cloud's column beside the premises or not, and the characters per line
# of an element's kind and description (18 is about 150 pt at 14 pt; wider boxes make a shorter drawing).
_LAYOUTS = ((True, 18), (False, 18), (True, 24), (False, 24), (True, 30), (False, 30))
_TITLE_WRAP = 70  # characters per line of the title while the layouts are compared (about 700 pt at 16 pt bold)
_TITLE_PT_PER_CHAR = 10.0  # a generous average width of a 16 pt bold character, to wrap the title to a drawing
_EDGE_WRAP = 14  # characters per line of a relation's label: it stands between two columns
_CHAR_EM = 0.62  # a generous average width of a DejaVu Sans character, in ems
_FILL = {"person": "#08427B", "container": "#1168BD", "datastore": "#1168BD", "external": "#6B7280"}


def _label(name: str, kind: str, description: str, e: Element, overlay: bool, wrap: int) -> str:
    body = f'<font point-size="{C4_NAME}"><b>{_lines(name, wrap, 2)}</b></font><br/>'
    body += f'<font point-size="{C4_TEXT}">[{_lines(kind, wrap, 4)}]</font><br/>'
    body += f'<font point-size="{C4_TEXT}">{_lines(description, wrap, 5)}</font>'
    if overlay:
        body += (
            f'<br/><font point-size="{C4_TEXT}"><b>■ {_esc(e.classification.upper())}</b>'
            f"<br/>{_lines(e.residency, wrap, 3)}</font>"
        )
    return f"<{body}>"


def _node(e: Element, *, level: str, outside: bool, overlay: bool, wrap: int) -> Node:
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
    label = _label(e.name, kind, description, e, overlay, wrap)
    if overlay:  # the border carries the classification's colour
        attrs.update({"color": CLASSIFICATION_COLOURS[e.classification], "penwidth": "5"})
    return C4Node(e.name, e.technology, description, label=label, fillcolor=fill, **shape, **attrs)


def _edge(r: Relation, overlay: bool, ranks: dict[str, str], *, beside: bool = False, **drawn: str | bool) -> Edge:
    """A relation's edge. ``beside``: the label stands right of the line, for an edge between two elements of
    one column (Graphviz centres such a label on the line, which then runs through its words)."""
    text = f"{r.label} [{r.technology}]" if r.technology else r.label
    body = f'<font point-size="{C4_TEXT}">{_lines(text, _EDGE_WRAP, 6)}</font>'
    longest = max(len(line) for line in wrap(text, _EDGE_WRAP, 6))
    if overlay:
        body += "<br/>" + badge(r.classification, r.residency, size=C4_TEXT, width=_EDGE_WRAP + 4)
        longest = max(longest, *(len(line) for line in wrap(r.residency, _EDGE_WRAP + 4, 3)))
    if beside:  # an empty cell as wide as the words, left of them: the label's centre, on the line, is its edge
        spacer = round((longest + 2) * C4_TEXT * _CHAR_EM)
        body = (f'<table border="0" cellborder="0" cellpadding="0" cellspacing="0"><tr>'
                f'<td fixedsize="true" width="{spacer}" height="1"></td><td>{body}</td></tr></table>')
    extra: dict[str, str] = {"fontcolor": "#374151"}
    if r.crosses_boundary:
        extra.update({"color": CROSSING["color"], "style": "dashed,bold", "penwidth": "1.6"})
    if overlay:
        extra["color"] = CLASSIFICATION_COLOURS[r.classification]
    # diagrams.c4.Relationship would wrap and escape the label itself; ours carries the overlay badge.
    return Edge(label=f"<{body}>", fontname=FONT, **{"style": "dashed", "color": "gray50", **extra}, **ranks,
                **(drawn or _two_way(r)))


def _ranks(model: ArchitectureModel) -> dict[tuple[str, str], dict[str, str]]:
    """Each relation's rank attributes. When training stays on site and serving is in the cloud (scenario 4
    of a regulated customer), the trained model ranks serving after training, as in the architecture view:
    serving then stands level with training, below the data's copy, and the trained model and the data kept
    in sync run side by side. Left free, serving rose above the copy and the two crossed."""
    return {(r.source, r.target): {} if _trains_on_site_serves_in_cloud(model) else _rank_hint(r)
            for r in model.relations}


def _boundary(b_id: str, name: str, colour: str) -> Cluster:
    # Wrapped narrow: a boundary is at least as wide as its name, and a long name would widen a whole column.
    return SystemBoundary(
        b_id, label=boundary_label(name, C4_TEXT, 26, 3), fontname=FONT, margin="8", fontcolor=colour,
        pencolor=colour, labeljust="l",
    )


def _cloud_after_premises(d: Diagram, model: ArchitectureModel, ranks: dict[tuple[str, str], dict[str, str]]) -> None:
    """Left to right, every element in the cloud stands right of every element on the premises (invisible
    edges, which only rank): the premises' box then holds its own columns, and the cloud's services stand
    in a column of their own beside it, instead of above or below the premises where flows must cross."""
    linked = {link for link, hint in ranks.items() if not hint}
    for a in model.in_zone("premises"):  # type: ignore[arg-type]
        for b in model.in_zone("cloud"):  # type: ignore[arg-type]
            if (a.id, b.id) not in linked:
                d.dot.edge(a.id, b.id, style="invis", weight="0")


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
    """Of a few layouts, the one with the fewest crossing edges (none, where any has none), and of those the
    one that prints largest on a slide. The cloud's elements either stand in a column
    of their own right of the premises (best when they form one column) or in the premises' own columns,
    above or below them (best when they form a chain, such as the corporate data feeding training in the
    cloud); and the boxes are narrow or wide (for a drawing too wide or too tall for a slide). Graphviz lays
    out each (``dot -Tjson``, no drawing) to measure it and to trace its edges."""
    model = ArchitectureModel.model_validate_json(model_json)
    both_zones = bool(model.in_zone("cloud")) and bool(model.in_zone("premises"))  # type: ignore[arg-type]
    # Training on site and serving in the cloud: also the application, training and the data in one column.
    columns = (False, True) if _trains_on_site_serves_in_cloud(model) else (False,)
    layouts = {(beside, wrap, column): _c4_source(model, level, overlay, cloud_beside=beside, wrap=wrap,
                                                  column=column)
               for column in columns for beside, wrap in _LAYOUTS if beside or both_zones}
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="c4-layouts") as pool:  # Graphviz on both cores
        traced = dict(zip(layouts, pool.map(layout_json, layouts.values()), strict=True))
    best = max(layouts, key=lambda k: (-len(crossings(traced[k])), fit(layout_size(layouts[k]))))
    source = layouts[best]
    # The title wrapped to the chosen drawing's width: fewer lines, a shorter drawing, never a wider one.
    width = layout_size(source)[0]
    if (chars := int(width / _TITLE_PT_PER_CHAR)) > _TITLE_WRAP:
        beside, wrap, column = best
        wider = _c4_source(model, level, overlay, cloud_beside=beside, wrap=wrap, column=column, title_wrap=chars)
        if (layout_size(wider)[0] <= width and fit(layout_size(wider)) >= fit(layout_size(source))
                and len(crossings(layout_json(wider))) <= len(crossings(layout_json(source)))):
            return wider
    return source


def _c4_source(model: ArchitectureModel, level: str, overlay: bool, *, cloud_beside: bool, wrap: int,
               column: bool = False, title_wrap: int = _TITLE_WRAP) -> str:
    """One layout. With ``column`` (training on site, serving in the cloud) the application, training and
    the data stand in one column, top to bottom, and the cloud's copy of the data below serving: the request
    and the trained model then run side by side to serving, and the data kept in sync along the bottom."""
    cloud, premises = model.boundary("cloud"), model.boundary("premises")
    systems = {s.zone: s for s in model.systems}
    nodes: dict[str, Node] = {}
    title = f"{'System context' if level == 'context' else 'Containers'}: {model.title}"
    # The title wraps (at about 700 pt while layouts are compared) so that it does not set the drawing's width.
    attrs = _graph_attrs(title, model.banner, nodesep="0.18", ranksep="0.2", pad="0.1",
                         label=title_label(title, model.banner, width=title_wrap))

    def place(zone: str, outside: bool) -> None:
        members = model.in_zone(zone)  # type: ignore[arg-type]
        people = [e for e in members if e.kind == "person"]
        for e in people:
            nodes[e.id] = _node(e, level=level, outside=outside, overlay=overlay, wrap=wrap)
        rest = [e for e in members if e.kind != "person"]
        if column:  # Graphviz keeps this order down a column when nothing forces another: the copy first
            rest.sort(key=lambda e: e.kind != "datastore")
        if level == "container" and zone in systems and rest:
            s = systems[zone]
            with _boundary(f"system_{zone}", f"{s.name} [Software system]", "#1F2937"):
                for e in rest:
                    nodes[e.id] = _node(e, level=level, outside=outside, overlay=overlay, wrap=wrap)
        else:
            for e in rest:
                nodes[e.id] = _node(e, level=level, outside=outside, overlay=overlay, wrap=wrap)

    with _SourceOnly("", direction="LR", show=False, graph_attr=attrs) as d:
        with _boundary("cloud", cloud.name, "#2B6CB0"):
            with _boundary("premises", premises.name, "#3F7A26"):
                place("premises", outside=False)
            place("cloud", outside=True)
        ranks = _ranks(model)
        zone = {e.id: e.zone for e in model.elements}
        stacked = column or zone["inference"] == zone["data"]  # one above the other in a column
        for r in model.relations:
            hints = ranks[(r.source, r.target)]
            if column and (r.source, r.target) == ("inference", "data"):
                # Written from the lower node to the upper one, which is how Graphviz stacks nodes of one
                # column; the arrow still points at the data, round training on the left.
                edge = _edge(r, overlay, hints, tailport="w", headport="w", forward=r.bidirectional, reverse=True)
                d.connect(nodes["data"], nodes["inference"], edge)
                continue
            flat = (r.source, r.target) == (("data", "training") if column else ("inference", "data"))
            nodes[r.source] >> _edge(r, overlay, hints, beside=flat and stacked) >> nodes[r.target]
        if column:
            d.dot.body.append("\t{rank=same; inference; training; data}\n")
            d.dot.edge("training", "inference", style="invis")
        elif stacked:  # the application and its data in one column
            d.dot.body.append("\t{rank=same; inference; data}\n")
        if cloud_beside:
            _cloud_after_premises(d, model, ranks)
    return d.dot.source

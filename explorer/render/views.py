"""The architecture view (with the `diagrams` library), and the labels and hints the other Graphviz views share."""

from __future__ import annotations

import html
import importlib
import textwrap
from pathlib import Path

import diagrams
from diagrams import Cluster, Diagram, Edge, Node
from diagrams.custom import Custom

from explorer.architecture import ArchitectureModel, Element, Relation
from explorer.model.cache import content_cached
from explorer.model.catalog import Catalog
from explorer.model.errors import CatalogError
from explorer.render.graphviz import BANNER_RED, html_label

ASSETS = Path(__file__).resolve().parent.parent.parent / "assets"
CROSSING = {"color": "#C0392B", "fontcolor": "#C0392B", "penwidth": "2.0", "style": "bold"}
INTERNAL = {"color": "#4A5568", "fontcolor": "#2D3748"}
# Governance overlay: one colour per data classification, from calm to alarming.
CLASSIFICATION_COLOURS = {
    "public": "#2E7D32",
    "internal": "#1565C0",
    "confidential": "#B45309",
    "regulated": "#B91C1C",
}
FONT = "DejaVu Sans"
_WRAP = 28  # characters per line in node and edge labels


class _SourceOnly(Diagram):
    """A Diagram that collects nodes and edges but never renders or writes a file."""

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        diagrams.setdiagram(None)


def resolve_icon(spec: str) -> tuple[type[Node], str | None]:
    """A node class (or the Custom class and an icon path) for one entry of data/icons.yaml."""
    if spec.startswith("custom:"):
        path = ASSETS / "icons" / spec.removeprefix("custom:")
        if not path.is_file():
            raise CatalogError("icons.yaml", "icons", f"custom icon {path.name} is missing from assets/icons/")
        return Custom, str(path)
    module_name, _, class_name = spec.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError):
        raise CatalogError("icons.yaml", "icons", f"{spec} is not a node class of the diagrams library") from None
    if not (isinstance(cls, type) and issubclass(cls, Node)):
        raise CatalogError("icons.yaml", "icons", f"{spec} is not a node class of the diagrams library")
    return cls, None


def icon_spec(catalog: Catalog, element: Element, provider: str) -> str:
    place = provider if element.zone == "cloud" else "premises"
    return catalog.icon_classes(element.icon)[place]


def wrap(text: str, width: int = _WRAP, max_lines: int = 3) -> list[str]:
    return textwrap.wrap(text, width=width, max_lines=max_lines, placeholder=" …") or [""]


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def badge(classification: str, residency: str, *, size: int = 9, width: int = 34) -> str:
    """The governance overlay as an HTML-like label fragment: a coloured classification and the zone."""
    colour = CLASSIFICATION_COLOURS[classification]
    zone = "<br/>".join(_esc(line) for line in wrap(residency, width, 3))
    return (
        f'<font point-size="{size}" color="{colour}"><b>■ {_esc(classification.upper())}</b></font>'
        f'<br/><font point-size="{size}" color="{colour}">{zone}</font>'
    )


def _lines(text: str, width: int = _WRAP, max_lines: int = 3) -> str:
    return "<br/>".join(_esc(line) for line in wrap(text, width, max_lines))


def _node_label(e: Element, overlay: bool) -> tuple[str, int]:
    """An HTML-like label under an icon, and how many text lines it has (to size the node)."""
    name = wrap(e.name, 24, 2)
    tech = wrap(e.technology, 30, 2) if e.technology else []
    body = f'<b>{"<br/>".join(_esc(x) for x in name)}</b>'
    if tech:
        body += f'<br/><font point-size="10" color="#4A5568">{"<br/>".join(_esc(x) for x in tech)}</font>'
    lines = len(name) + len(tech)
    if overlay:
        body += "<br/>" + badge(e.classification, e.residency)
        lines += 1 + len(wrap(e.residency, 34, 2))
    return f"<{body}>", lines


def _edge_label(r: Relation, overlay: bool, size: int = 10, width: int = 30) -> str:
    body = f'<font point-size="{size}">{_lines(r.label, width, 3)}</font>'
    if overlay:
        body += "<br/>" + badge(r.classification, r.residency, size=size - 1, width=max(width, 20))
    return f"<{body}>"


def icon_file(spec: str) -> Path:
    """The image file of one icons.yaml entry: our own under assets/icons/, or the one diagrams ships."""
    cls, path = resolve_icon(spec)
    if path is not None:
        return Path(path)
    # Where diagrams' Node._load_icon looks: its resources folder beside the package.
    file = Path(diagrams.__file__).resolve().parent.parent / str(cls._icon_dir) / str(cls._icon)
    if not file.is_file():
        raise CatalogError("icons.yaml", "icons", f"{spec} has no icon file in the diagrams library")
    return file


ICON_PX = 64  # the icon's side in points: large enough for a slide, small beside its name


def _icon_node(spec: str, element: Element, overlay: bool, *, name_above: bool = False) -> Node:
    """An icon and its name, in one HTML-like table. Edges end at the icon's cell (port ``icon``), so an
    arrowhead never lands on the name or the technology line beside it. ``name_above`` puts the name over
    the icon, leaving the icon's underside free for an edge straight down."""
    label, _ = _node_label(element, overlay)
    src = _esc(str(icon_file(spec)))
    icon = (f'<tr><td port="icon" fixedsize="true" width="{ICON_PX}" height="{ICON_PX}">'
            f'<img src="{src}" scale="true"/></td></tr>')
    text = f"<tr><td>{label[1:-1]}</td></tr>"
    rows = text + icon if name_above else icon + text
    table = f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="2">{rows}</table>>'

    return Node(table, nodeid=element.id, shape="plaintext", margin="0", fixedsize="false", width="0", height="0",
                style="", fontname=FONT, fontsize="12")


def title_label(title: str, banner: str = "", width: int = 100) -> str:
    """The diagram's title, and under it in red the ruled-out banner when there is one (both escaped), wrapped
    at about ``width`` characters."""
    narrow = width < 100  # more, shorter lines: nothing is cut
    label = html_label("\n".join(wrap(title, width, 3 if narrow else 2)), bold=True, size=16)
    if not banner:
        return label
    lines = "<br/>".join(html.escape(t, quote=True) for t in wrap(banner, width + width // 10, 4 if narrow else 3))
    return f'<{label[1:-1]}<br/><font color="{BANNER_RED}" point-size="14"><b>{lines}</b></font>>'


def _graph_attrs(title: str, banner: str = "", **extra: str) -> dict[str, str]:
    attrs = {
        "label": title_label(title, banner),
        "labelloc": "t",
        "fontname": FONT,
        "pad": "0.3",
        "nodesep": "0.7",
        "ranksep": "0.8",
        "splines": "spline",
        "newrank": "true",
    }
    attrs.update(extra)
    return attrs


def boundary_label(name: str, size: int = 13, width: int = 48, max_lines: int = 2) -> str:
    """A boundary's name, wrapped so a long customer name cannot stretch the whole diagram."""
    return html_label("\n".join(wrap(name, width, max_lines)), bold=True, size=size)


def _cluster_attrs(name: str, fill: str, pen: str, size: int = 13) -> dict[str, str]:
    return {
        "label": boundary_label(name, size),
        "bgcolor": fill,
        "pencolor": pen,
        "fontname": FONT,
        "fontcolor": pen,
        "style": "rounded",
        "margin": "20",
        "labeljust": "l",
    }


def _cache_key(model: ArchitectureModel) -> str:
    return model.model_dump_json()


def _rank_hint(r: Relation) -> dict[str, str]:
    """Shipping the trained model must not push serving below training: it keeps the picture compact."""
    return {"constraint": "false"} if (r.source, r.target) == ("training", "serving") else {}


def _two_way(r: Relation) -> dict[str, bool]:
    """A relation that carries data both ways is one edge with two arrowheads (diagrams writes dir=both)."""
    return {"reverse": True} if r.bidirectional else {}


# --- the architecture diagram --------------------------------------------------------------

# Left to right, the order a request and a model travel: people, the application and its data, then
# training and serving. Fixing the order of the nodes inside each rank keeps the two flows of the
# picture (the user's request along the top, the data and the model along the bottom) from crossing.
_ARCH_ORDER = ("users", "data", "inference", "data_cloud", "training", "serving")
_ARCH_RANKS = (("users",), ("inference", "data"), ("data_cloud", "training"), ("serving",))


def _stacked_upper(model: ArchitectureModel) -> str:
    """Which of the application and its data stands on top when they share a zone ("" when they do not).

    The application, normally: its request runs along the top row to serving. But when training runs in
    the other zone and serving in theirs (scenario 1 with cloud training), Graphviz lifts the data towards
    training to keep the data's flow clear of the request's, and the names must follow. When training stays
    on site and serving is in the cloud, the data stands at the bottom of a column of three (see
    ``_arch_ranks``), its name above its icon.
    """
    zone = {e.id: e.zone for e in model.elements}
    if zone["inference"] != zone["data"]:
        return ""
    if zone["training"] != zone["data"] and zone["serving"] == zone["data"]:
        return "data"
    if _trains_on_site_serves_in_cloud(model):
        return "data"
    return "inference"


def _arch_ranks(model: ArchitectureModel) -> dict[tuple[str, str], dict[str, str]]:
    """Each relation's rank attributes. When training stays on site and serving is in the cloud (scenario 4
    of a regulated customer), the application, training and the data stand in one column, top to bottom,
    and the trained model ranks serving after training: the cloud's services then form a column of their own
    right of the premises, serving on top beside the application's request and the trained model, the
    data's copy below beside the data. Otherwise Graphviz puts training in the cloud's column, below the
    cloud's services, and the request, the model and the copy cross on their way up."""
    out = {(r.source, r.target): _rank_hint(r) for r in model.relations}
    if _trains_on_site_serves_in_cloud(model):
        out[("training", "serving")] = {}
    return out


def _trains_on_site_serves_in_cloud(model: ArchitectureModel) -> bool:
    zone = {e.id: e.zone for e in model.elements}
    return zone["training"] == zone["data"] == "premises" and zone["serving"] == "cloud"


def architecture_dot(catalog: Catalog, model: ArchitectureModel, overlay: bool = False) -> str:
    """The architecture diagram: provider icons, the public cloud drawn around the premises."""
    specs = tuple(sorted((e.id, icon_spec(catalog, e, model.provider)) for e in model.elements))
    return _architecture_dot(_cache_key(model), specs, overlay)


@content_cached("architecture DOT", 256)
def _architecture_dot(model_json: str, specs: tuple[tuple[str, str], ...], overlay: bool) -> str:
    model = ArchitectureModel.model_validate_json(model_json)
    icon = dict(specs)
    nodes: dict[str, Node] = {}
    cloud, premises = model.boundary("cloud"), model.boundary("premises")
    order = {e: i for i, e in enumerate(_ARCH_ORDER)}

    def ordered(zone: str) -> list[Element]:
        return sorted(model.in_zone(zone), key=lambda e: order.get(e.id, len(order)))  # type: ignore[arg-type]

    # Left to right, landscape for a slide: the premises on the left inside the public cloud, the cloud's
    # own services to their right, as in the seed's C4 picture.
    attrs = _graph_attrs(model.title, model.banner, nodesep="0.55", ranksep="1.1", ordering="out")
    upper = _stacked_upper(model)
    rank = _arch_ranks(model)
    with _SourceOnly("", direction="LR", show=False, graph_attr=attrs) as d:
        with Cluster("cloud", graph_attr=_cluster_attrs(cloud.name, "#EEF4FB", "#2B6CB0")):
            # A wider margin: labels of flows that run beside a column of the premises stay inside its box.
            premises_attrs = {**_cluster_attrs(premises.name, "#F3F8EC", "#3F7A26"), "margin": "32"}
            with Cluster("premises", graph_attr=premises_attrs):
                for e in ordered("premises"):
                    nodes[e.id] = _icon_node(icon[e.id], e, overlay, name_above=e.id == upper)
            for e in ordered("cloud"):
                nodes[e.id] = _icon_node(icon[e.id], e, overlay, name_above=e.id == upper)
        for r in model.relations:
            style = dict(CROSSING if r.crosses_boundary else INTERNAL)
            if overlay:
                style["color"] = CLASSIFICATION_COLOURS[r.classification]
            ports = {"tailport": "icon", "headport": "icon"}
            if (r.source, r.target) == ("inference", "data") and _trains_on_site_serves_in_cloud(model):
                # Training stands between the two in their column: the flow goes round it on the left, from
                # the application's side to the data's, clear of the flows that leave to the right.
                edge = Edge(label=_edge_label(r, overlay, width=16), fontname=FONT, tailport="icon:w",
                            headport="icon:w", **style)
                nodes[r.source] >> edge >> nodes[r.target]
                continue
            if upper and (r.source, r.target) == ("inference", "data"):
                # Written from the lower node to the upper one, which is how Graphviz stacks a same-rank pair;
                # the arrow still points at the data, straight from icon to icon, between the two names.
                lower = "data" if upper == "inference" else "inference"
                # A narrow label: it stands beside the edge within the premises' column, clear of the boundary.
                edge = Edge(label=_edge_label(r, overlay, width=16), fontname=FONT, tailport="icon:n",
                            headport="icon:s",
                            forward=upper == "data", reverse=upper == "inference", **style)
                d.connect(nodes[lower], nodes[upper], edge)
                continue
            # The trained model often runs straight up or down beside its column: a narrow label stays inside.
            width = 16 if (r.source, r.target) == ("training", "serving") else 30
            edge = Edge(label=_edge_label(r, overlay, width=width), fontname=FONT, **ports, **style,
                        **rank[r.source, r.target], **_two_way(r))
            nodes[r.source] >> edge >> nodes[r.target]
        # The application and the data it reads stand one above the other when they share a zone: the
        # picture stays about as wide as a slide, and the data's onward flows run along the bottom row.
        if _trains_on_site_serves_in_cloud(model):
            d.dot.body.append("\t{rank=same; inference; data; training}\n")
        elif upper:
            d.dot.body.append("\t{rank=same; inference; data}\n")
    return d.dot.source

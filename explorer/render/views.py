"""Diagram views of the architecture model, drawn with the `diagrams` library."""

from __future__ import annotations

import functools
import importlib
from pathlib import Path

import diagrams
from diagrams import Cluster, Diagram, Edge, Node
from diagrams.c4 import Container, Database, Person, Relationship, System, SystemBoundary
from diagrams.custom import Custom

from explorer.architecture import ArchitectureModel, Element
from explorer.catalog import Catalog
from explorer.errors import CatalogError
from explorer.render.graphviz import html_label

ASSETS = Path(__file__).resolve().parent.parent.parent / "assets"
CROSSING = {"color": "#C0392B", "fontcolor": "#C0392B", "penwidth": "2.0", "style": "bold"}
INTERNAL = {"color": "#4A5568", "fontcolor": "#2D3748"}
_FONT = "DejaVu Sans"


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


def _icon_node(spec: str, element: Element, label: str) -> Node:
    cls, path = resolve_icon(spec)
    attrs = {"fontname": _FONT, "fontsize": "12"}
    if path is not None:
        return Custom(label, path, nodeid=element.id, **attrs)
    return cls(label, nodeid=element.id, **attrs)


def _graph_attrs(title: str) -> dict[str, str]:
    return {
        "label": html_label(title, bold=True, size=18),
        "labelloc": "t",
        "fontname": _FONT,
        "pad": "0.4",
        "nodesep": "0.9",
        "ranksep": "1.2",
        "splines": "spline",
    }


def _cluster_attrs(name: str, fill: str, pen: str) -> dict[str, str]:
    return {
        "label": html_label(name, bold=True, size=14),
        "bgcolor": fill,
        "pencolor": pen,
        "fontname": _FONT,
        "style": "rounded",
        "margin": "24",
    }


def architecture_dot(catalog: Catalog, model: ArchitectureModel) -> str:
    """The architecture diagram: provider icons, the public cloud drawn around the premises."""
    specs = tuple(sorted((e.id, icon_spec(catalog, e, model.provider)) for e in model.elements))
    return _architecture_dot(model.model_dump_json(), specs)


@functools.lru_cache(maxsize=256)
def _architecture_dot(model_json: str, specs: tuple[tuple[str, str], ...]) -> str:
    model = ArchitectureModel.model_validate_json(model_json)
    icon = dict(specs)
    nodes: dict[str, Node] = {}
    cloud, premises = model.boundaries[0], model.boundaries[1]
    with _SourceOnly("", direction="LR", show=False, graph_attr=_graph_attrs(model.title)) as d:
        with Cluster("cloud", graph_attr=_cluster_attrs(cloud.name, "#EEF4FB", "#5B8DEF")):
            for e in model.in_zone("cloud"):
                nodes[e.id] = _icon_node(icon[e.id], e, f"{e.name}\n{e.technology}")
            with Cluster("premises", graph_attr=_cluster_attrs(premises.name, "#F4F9EE", "#5E9E3A")):
                for e in model.in_zone("premises"):
                    nodes[e.id] = _icon_node(icon[e.id], e, f"{e.name}\n{e.technology}")
        for r in model.relations:
            style = CROSSING if r.crosses_boundary else INTERNAL
            nodes[r.source] >> Edge(label=html_label(r.label, size=11), fontname=_FONT, **style) >> nodes[r.target]
    return d.dot.source


def c4_context_dot(model: ArchitectureModel) -> str:
    """The C4 system context, laid out like the seed's: cloud boundary around the premises."""
    return _c4_context_dot(model.model_dump_json())


def _c4_node(e: Element, *, external: bool) -> Node:
    size = {"nodeid": e.id, "fontname": _FONT, "width": "3.2", "height": "1.7"}
    if e.kind == "person":
        return Person(e.name, e.description, **size)
    if e.kind == "datastore":
        return Database(e.name, e.technology, e.description, fillcolor="gray60" if external else "dodgerblue3", **size)
    if external:
        return System(e.name, e.description, external=True, **size)
    return Container(e.name, e.technology, e.description, **size)


@functools.lru_cache(maxsize=256)
def _c4_context_dot(model_json: str) -> str:
    model = ArchitectureModel.model_validate_json(model_json)
    cloud, premises = model.boundaries[0], model.boundaries[1]
    nodes: dict[str, Node] = {}
    attrs = _graph_attrs(f"System context: {model.title}")
    attrs.update({"splines": "spline", "nodesep": "1.0"})
    with _SourceOnly("", direction="TB", show=False, graph_attr=attrs) as d:
        with SystemBoundary("cloud", label=html_label(cloud.name, bold=True), fontname=_FONT):
            for e in model.in_zone("cloud"):
                nodes[e.id] = _c4_node(e, external=True)
            with SystemBoundary("premises", label=html_label(premises.name, bold=True), fontname=_FONT):
                for e in model.in_zone("premises"):
                    nodes[e.id] = _c4_node(e, external=False)
        for r in model.relations:
            extra = {"color": CROSSING["color"], "style": "dashed,bold"} if r.crosses_boundary else {}
            label = f"{r.label} [{r.technology}]" if r.technology else r.label
            nodes[r.source] >> Relationship(label, fontname=_FONT, **extra) >> nodes[r.target]
    return d.dot.source

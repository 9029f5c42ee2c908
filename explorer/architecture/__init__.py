"""The architecture floor: one model of systems, containers, stores, people and flows per option."""

from __future__ import annotations

from explorer.architecture.model import (
    ArchitectureModel,
    Boundary,
    Element,
    Relation,
    SoftwareSystem,
    architecture_of,
    build_architecture,
)

__all__ = ["ArchitectureModel", "Boundary", "Element", "Relation", "SoftwareSystem", "architecture_of",
           "build_architecture"]

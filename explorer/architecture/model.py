"""One architecture model per assessment and option; every diagram is a view of it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from explorer.engine.decision import Decision
from explorer.engine.placement import Placement
from explorer.model.assessment import Assessment
from explorer.model.cache import ContentCache
from explorer.model.catalog import Catalog
from explorer.model.errors import UnknownChoiceError
from explorer.model.vocabulary import METHOD_NAMES, PROVIDER_NAMES, split_key

Zone = Literal["premises", "cloud"]
ElementKind = Literal["person", "container", "datastore"]
Classification = Literal["public", "internal", "confidential", "regulated"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Element(_Model):
    id: str
    name: str
    kind: ElementKind
    icon: str  # a component kind in data/icons.yaml
    zone: Zone
    stage: str | None
    technology: str
    description: str
    # C4 container level: the software system this container belongs to ("" for people).
    system: str = ""
    # Governance overlay: the most sensitive data the element holds or handles, and where it lives.
    classification: Classification = "internal"
    residency: str = ""


class Relation(_Model):
    source: str
    target: str
    label: str
    technology: str = ""
    crosses_boundary: bool = False
    bytes_per_month: float = 0.0
    classification: Classification = "internal"
    residency: str = ""
    bidirectional: bool = False  # data moves both ways (the flow table's "both"): drawn with two arrowheads

    @property
    def id(self) -> str:
        return f"{self.source}->{self.target}"


class SoftwareSystem(_Model):
    """A C4 software system: the containers of one zone, drawn as a boundary in the container view."""

    id: str
    name: str
    zone: Zone
    description: str


class Boundary(_Model):
    id: Zone
    name: str
    parent: Zone | None


class ArchitectureModel(_Model):
    title: str
    customer: str
    provider: str
    scenario: int
    use_case: str
    platform: str
    elements: tuple[Element, ...]
    relations: tuple[Relation, ...]
    boundaries: tuple[Boundary, ...]
    systems: tuple[SoftwareSystem, ...] = ()
    classification: Classification = "internal"
    ruled_out: str = ""  # why a hard rule rules the option out; every view then carries a banner

    @property
    def banner(self) -> str:
        """``RULED OUT: <why>``, or empty for a feasible option."""
        return f"✕ RULED OUT: {self.ruled_out}" if self.ruled_out else ""

    def element(self, element_id: str) -> Element:
        for e in self.elements:
            if e.id == element_id:
                return e
        raise UnknownChoiceError("element", element_id, [e.id for e in self.elements])

    def in_zone(self, zone: Zone) -> list[Element]:
        return [e for e in self.elements if e.zone == zone]

    def in_system(self, system_id: str) -> list[Element]:
        return [e for e in self.elements if e.system == system_id]

    def boundary(self, zone: Zone) -> Boundary:
        for b in self.boundaries:
            if b.id == zone:
                return b
        raise UnknownChoiceError("boundary", zone, [b.id for b in self.boundaries])


def _zone(location: str) -> Zone:
    return "cloud" if location == "public_cloud" else "premises"


def build_architecture(catalog: Catalog, a: Assessment, option: Placement) -> ArchitectureModel:
    """Derive the elements and relations of one option from its placement."""
    provider = PROVIDER_NAMES[a.constraints.cloud_provider]
    use_case = catalog.use_case(option.use_case)
    model = catalog.model(a.workload.model)
    loc = {s: p.location for s, p in option.stages.items()}
    customer = a.customer or "Customer"
    openshift = use_case.platform == "openshift"
    elements: list[Element] = [
        Element(
            id="users", name="Enterprise users", kind="person", icon="users", zone="premises", stage=None,
            technology="", description="Employees and applications that ask the generative AI application",
        )
    ]

    def tech(zone: Zone, cloud: str, local: str) -> str:
        return f"{provider} {cloud}" if zone == "cloud" else local

    z = _zone(loc["training"])
    method = a.workload.finetune_method
    training_desc = (
        f"Fine-tunes {model.name} ({METHOD_NAMES[method]})"
        if method != "none"
        else f"Uses {model.name} as published, no fine-tuning"
    )
    elements.append(Element(
        id="training", name="Model training", kind="container", icon="training", zone=z, stage="training",
        technology=tech(z, "GPU training jobs", "GPU cluster"), description=training_desc,
    ))
    z = _zone(loc["serving"])
    elements.append(Element(
        id="serving", name="Model serving", kind="container", icon="serving", zone=z, stage="serving",
        technology=tech(z, "model endpoint", "GPU inference servers"),
        description=f"Hosts {model.name} behind an inference API",
    ))
    z = _zone(loc["inference"])
    on_openshift = openshift and z == "cloud"
    elements.append(Element(
        id="inference", name="Generative AI application", kind="container",
        icon="openshift" if on_openshift else "application", zone=z, stage="inference",
        technology=f"Red Hat OpenShift on {provider}" if on_openshift else tech(z, "Kubernetes", "Standalone app"),
        description="Runs inference for users with live corporate data",
    ))
    if loc["data"] == "exchanged":
        elements.append(Element(
            id="data", name="Corporate data", kind="datastore", icon="data", zone="premises", stage="data",
            technology="On-premises storage", description="System of record; exchanged with the cloud",
        ))
        elements.append(Element(
            id="data_cloud", name="Cloud data copy", kind="datastore", icon="data", zone="cloud", stage="data",
            technology=f"{provider} object storage", description="Data exchanged with the premises",
        ))
    else:
        z = _zone(loc["data"])
        elements.append(Element(
            id="data", name="Corporate data", kind="datastore", icon="data", zone=z, stage="data",
            technology=tech(z, "object storage", "On-premises storage"),
            description="Training corpus and live corporate data",
        ))

    zone_of = {e.id: e.zone for e in elements}
    flows = {f.id: f for f in option.flows}

    def rel(src: str, dst: str, default: str, flow_id: str | None = None, technology: str = "") -> Relation:
        flow = flows.get(flow_id) if flow_id else None
        crosses = zone_of[src] != zone_of[dst]
        if flow is not None:
            return Relation(
                source=src, target=dst, label=flow.label, technology=technology,
                crosses_boundary=crosses, bytes_per_month=flow.bytes_per_month, bidirectional=flow.direction == "both",
            )
        return Relation(source=src, target=dst, label=default, technology=technology, crosses_boundary=crosses)

    data_for_training = "data_cloud" if loc["data"] == "exchanged" and loc["training"] == "public_cloud" else "data"
    relations = [
        rel("users", "inference", "Ask questions", "users", "HTTPS"),
        rel("inference", "serving", "Prompts and completions", "inference", "API calls"),
        rel("training", "serving", "Trained model", "weights"),
    ]
    if method != "none":
        relations.append(rel(data_for_training, "training", "Training data", "training_data"))
    relations.append(rel("inference", "data", "Live corporate data", "inference_data"))
    if loc["data"] == "exchanged":
        # The premises' system of record and its cloud copy, kept in sync both ways: the flow table's row,
        # under its name, drawn between the two stores that hold the data.
        relations.append(rel("data", "data_cloud", "Corporate data kept in sync", "data_sync", "Secure connection"))
    scenario = catalog.scenario(option.scenario)
    residency = {
        "premises": f"On premises ({customer} site)",
        "cloud": f"{provider}, {_CLOUD_RESIDENCY[a.constraints.residency]}",
    }
    systems = tuple(
        SoftwareSystem(id=_SYSTEM_IDS[zone], name=name, zone=zone, description=desc)
        for zone, name, desc in (
            ("cloud", f"Generative AI platform on {provider}", "The stages this option runs in the public cloud"),
            ("premises", f"{customer} generative AI platform", "The stages this option runs on the premises"),
        )
        if any(e.zone == zone and e.kind != "person" for e in elements)
    )
    classification = a.constraints.data_classification
    elements, relations = _govern(elements, relations, classification, residency, trains=method != "none")
    return ArchitectureModel(
        title=f"{customer}: Scenario {option.scenario} ({scenario.name}), use case {option.use_case}",
        customer=customer,
        provider=a.constraints.cloud_provider,
        scenario=option.scenario,
        use_case=option.use_case,
        platform=use_case.platform,
        elements=tuple(elements),
        relations=tuple(relations),
        boundaries=(
            Boundary(id="cloud", name=f"Public cloud ({provider})", parent=None),
            Boundary(id="premises", name=f"{customer} premises", parent="cloud"),
        ),
        systems=systems,
        classification=classification,
        ruled_out=ruled_out_reason(option),
    )


def ruled_out_reason(option: Placement) -> str:
    """The hard rules an option breaks, in one sentence (empty when it is feasible)."""
    reasons = list(dict.fromkeys(v.reason for v in option.violations))
    text = "; ".join(reasons)
    return text[:1].upper() + text[1:] if text else ""


_SYSTEM_IDS: dict[str, str] = {"cloud": "platform_cloud", "premises": "platform_premises"}
_CLOUD_RESIDENCY = {
    "none": "any region",
    "in_country": "in-country region",
    "on_premises": "cloud region (residency requires the premises)",
}


def _govern(
    elements: list[Element], relations: list[Relation], classification: str, residency: dict[str, str], *, trains: bool
) -> tuple[list[Element], list[Relation]]:
    """Fill the C4 system and the governance overlay (classification, residency) of every element and relation.

    Everything that holds or carries corporate data takes the assessment's classification; a base model
    that is not fine-tuned was trained on public data, so its training and weights are public.
    """
    def element_class(e: Element) -> str:
        return "public" if e.id == "training" and not trains else classification

    governed = [
        e.model_copy(update={
            "system": "" if e.kind == "person" else _SYSTEM_IDS[e.zone],
            "classification": element_class(e),
            "residency": residency[e.zone],
        })
        for e in elements
    ]
    zone = {e.id: e.zone for e in elements}
    governed_rel = []
    for r in relations:
        cls = "public" if r.source == "training" and not trains else classification
        where = (
            f"Premises ↔ {residency['cloud']}"
            if r.crosses_boundary
            else residency[zone[r.source]]
        )
        governed_rel.append(r.model_copy(update={"classification": cls, "residency": where}))
    return governed, governed_rel


_CACHE: ContentCache[ArchitectureModel] = ContentCache("architecture", 256)


def architecture_of(decision: Decision, key: str | None = None) -> ArchitectureModel:
    """The architecture model of one option of the decision (the chosen one by default), cached by content.

    A view of the decision, built by the floor above the engine: the engine never imports it.
    """
    option = decision.chosen if key is None else decision.option(*split_key(key))
    a = decision.assessment
    cache_key = (decision.catalog.version, a.customer, a.workload.model_dump_json(),
                 a.constraints.model_dump_json(), option.placement.model_dump_json())
    return _CACHE.get(cache_key, lambda: build_architecture(decision.catalog, a, option.placement))

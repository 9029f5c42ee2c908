"""The architecture model: elements, C4 systems, the governance overlay, and one model behind every view."""

from __future__ import annotations

import re

import pytest

from explorer import Assessment, build_architecture, decide
from explorer.model.vocabulary import CLASSIFICATIONS, SCENARIO_IDS, USE_CASE_IDS
from explorer.render import VIEWS, view_source
from explorer.render.sequence import sequence_steps

OPTIONS = [(s, u) for s in SCENARIO_IDS for u in USE_CASE_IDS]


def model_for(catalog, a: Assessment, scenario: int, use_case: str):
    return build_architecture(catalog, a, decide(catalog, a).option(scenario, use_case))


@pytest.mark.parametrize(("scenario", "use_case"), OPTIONS)
def test_every_element_has_a_system_classification_and_residency(catalog, scenario, use_case):
    a = Assessment(constraints={"data_classification": "regulated"})
    m = model_for(catalog, a, scenario, use_case)
    system_ids = {s.id for s in m.systems}
    for e in m.elements:
        assert e.classification in CLASSIFICATIONS
        assert e.residency
        if e.kind == "person":
            assert e.system == ""
        else:
            assert e.system in system_ids
            assert next(s for s in m.systems if s.id == e.system).zone == e.zone
    for r in m.relations:
        assert r.classification == "regulated"
        assert r.residency.startswith("Premises ↔") == r.crosses_boundary


def test_residency_zone_follows_the_constraint(catalog):
    a = Assessment(customer="Acme", constraints={"residency": "in_country", "cloud_provider": "gcp"})
    m = model_for(catalog, a, 2, "1B")  # training and data in the cloud
    assert m.element("training").residency == "Google Cloud, in-country region"
    assert m.element("users").residency == "On premises (Acme site)"


def test_a_base_model_without_fine_tuning_is_public(catalog):
    a = Assessment(workload={"finetune_method": "none"}, constraints={"data_classification": "confidential"})
    m = model_for(catalog, a, 2, "1A")
    assert m.element("training").classification == "public"
    assert m.element("data").classification == "confidential"
    weights = next(r for r in m.relations if r.source == "training")
    assert weights.classification == "public"


def test_openshift_is_shown_where_the_platform_is_openshift(catalog):
    m = model_for(catalog, Assessment(), 2, "1B")
    app = m.element("inference")
    assert app.icon == "openshift" and app.zone == "cloud"
    assert "OpenShift" in app.technology
    assert model_for(catalog, Assessment(), 1, "1A").element("inference").icon == "application"


def test_systems_exist_only_for_zones_that_hold_containers(catalog):
    m = model_for(catalog, Assessment(), 3, "1A")  # everything on premises
    assert [s.zone for s in m.systems] == ["premises"]


def _ids_in_dot(source: str) -> set[str]:
    return set(re.findall(r"^\s*([a-z_]+) \[", source, re.M))


def _edges_in_dot(source: str) -> set[tuple[str, str]]:
    """Each edge as (from, to) the way its arrow points: an edge written head first says dir=back. Invisible
    edges only place the nodes (the cloud's column right of the premises) and are no relation."""
    edges = set()
    for tail, head, attrs in re.findall(r"^\s*([a-z_]+) -> ([a-z_]+) (.*)$", source, re.M):
        if "style=invis" in attrs:
            continue
        edges.add((head, tail) if "dir=back" in attrs else (tail, head))
    return edges


@pytest.mark.parametrize(("scenario", "use_case"), [(1, "1A"), (2, "1B"), (4, "1A"), (3, "1B")])
def test_every_view_shows_the_same_elements_and_relations(catalog, scenario, use_case):
    a = Assessment(customer="Acme", scenario=scenario, use_case=use_case)
    m = model_for(catalog, a, scenario, use_case)
    elements = {e.id for e in m.elements}
    relations = {(r.source, r.target) for r in m.relations}
    for view in ("architecture", "c4-context", "c4-container"):
        source = view_source(decide(catalog, a), view)
        assert _ids_in_dot(source) >= elements, view
        assert _edges_in_dot(source) == relations, view
    # The sequence: one lifeline per element, one message per relation (plus replies).
    participants, steps = sequence_steps(m)
    assert {e.id for e in participants} == elements
    assert {(s.source, s.target) for s in steps if not s.reply} == relations
    seq = view_source(decide(catalog, a), "sequence")
    assert {f"{e}_head" for e in elements} <= _ids_in_dot(seq)
    # Mermaid C4 context and sequence carry the same ids.
    c4 = view_source(decide(catalog, a), "c4-context", fmt="mermaid")
    assert set(re.findall(r"Rel\(([a-z_]+), ([a-z_]+),", c4)) == relations
    assert set(re.findall(r"(?:Person|System|SystemDb|System_Ext|SystemDb_Ext)\(([a-z_]+),", c4)) == elements
    mer = view_source(decide(catalog, a), "sequence", fmt="mermaid")
    assert set(re.findall(r"^\s+(?:actor|participant) ([a-z_]+) as", mer, re.M)) == elements
    assert set(re.findall(r"^\s+([a-z_]+)->>([a-z_]+):", mer, re.M)) == relations
    assert "flowchart" in VIEWS  # the flowchart shows scenarios, not the model: tested in test_render

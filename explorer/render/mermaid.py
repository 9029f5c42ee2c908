"""Mermaid source of the flowchart, the C4 context and the sequence, for pasting into a wiki."""

from __future__ import annotations

import re

from explorer.architecture import ArchitectureModel, Element, Relation
from explorer.engine.scoring import ScoredOption
from explorer.model.catalog import Catalog, UseCase
from explorer.model.vocabulary import LOCATION_LABELS, STAGES
from explorer.render.sequence import Message, sequence_steps

MAX_TEXT = 120
# Everything Mermaid could read as syntax inside a label: quotes, brackets, directive and comment
# markers (%%), HTML, statement separators. Mermaid decodes "#name;" / "#123;" entity codes in
# every diagram type, so each one is shown literally and parsed as nothing. One pass (translate),
# so the "#" and ";" of one code are never escaped again.
_ENTITIES = str.maketrans({
    "#": "#35;",
    "&": "#38;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "%": "#37;",
    "{": "#123;",
    "}": "#125;",
    "[": "#91;",
    "]": "#93;",
    "|": "#124;",
    ";": "#59;",
    "`": "#96;",
    "\\": "#92;",
})


def _flat(text: str, limit: int) -> str:
    """One line (a line break becomes a space, never nothing), at most ``limit`` characters."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat


def escape(text: str, limit: int = MAX_TEXT) -> str:
    """User or catalog text made safe for any Mermaid label: one line, bounded, no syntax characters."""
    return _flat(text, limit).translate(_ENTITIES)


def _q(text: str, limit: int = MAX_TEXT) -> str:
    return f'"{escape(text, limit)}"'


# Mermaid's C4 diagrams never decode "#59;" entity codes (they show them literally), but inside a quoted
# string they read everything up to the next quote as text. So C4 text is kept as typed, except the few
# characters that would end the string, start a directive or read as HTML (where a wiki's Mermaid may
# differ), swapped for look-alikes; an entity-like "#name;" keeps its look with a full-width number sign.
# The unquoted title also ends at ";", so there ";" becomes ",".
_C4_TEXT = str.maketrans({'"': "'", "%": "％", "<": "＜", ">": "＞"})
_C4_TITLE = str.maketrans({";": ","})
_ENTITY_LIKE = re.compile(r"#(?=[A-Za-z0-9]+;)")


def c4_text(text: str, limit: int = MAX_TEXT) -> str:
    """Text for a quoted string of a Mermaid C4 diagram: one line, bounded, shown literally."""
    return _ENTITY_LIKE.sub("＃", _flat(text, limit).translate(_C4_TEXT))


def c4_title(text: str, limit: int = 3 * MAX_TEXT) -> str:
    """Text for a C4 diagram's title line, shown literally."""
    return c4_text(text, limit).translate(_C4_TITLE)


def _c4q(text: str, limit: int = MAX_TEXT) -> str:
    return f'"{c4_text(text, limit)}"'


def _box_label(text: str) -> str:
    """A sequence box's label: Mermaid reads "rgb(...) label" up to the last ")", so brackets are codes."""
    return escape(text).replace("(", "#40;").replace(")", "#41;")


def _governance(item: Element | Relation) -> str:
    return f"{item.classification.upper()}, {item.residency}"


# --- the flowchart of the four scenarios ------------------------------------------------------


def flowchart_mermaid(catalog: Catalog, option: ScoredOption) -> str:
    """The seed's flowchart of the four scenarios; the chosen one is highlighted with its resolved stages.

    Top to bottom, scenario 1 first: each scenario is one row of its four stages, left to right, and
    invisible links keep the rows in order (Mermaid would otherwise lay unlinked groups side by side).
    """
    lines = ["flowchart TB"]
    for sc in catalog.scenarios:
        chosen = sc.id == option.scenario
        title = f"Scenario {sc.id}: {sc.name}" + (f" (chosen, use case {option.use_case})" if chosen else "")
        if chosen and not option.feasible:
            title += " ✕ RULED OUT"
        lines.append(f"    subgraph S{sc.id} [{_q(title)}]")
        lines.append("        direction LR")
        for stage in STAGES:
            label = _stage_label(stage, sc.stages.get(stage))
            if chosen and sc.stages.get(stage) == "not_specified":
                label += f", resolved: {LOCATION_LABELS[option.location(stage)]}"
            lines.append(f"        S{sc.id}_{stage}[{_q(label)}]")
        lines.append(f"        S{sc.id}_training --> S{sc.id}_serving")
        lines.append(f"        S{sc.id}_serving --> S{sc.id}_inference")
        lines.append(f"        S{sc.id}_inference --> S{sc.id}_data")
        lines.append("    end")
    lines.append("    " + " ~~~ ".join(f"S{sc.id}" for sc in catalog.scenarios))
    lines.append("    classDef chosen fill:#FFF7D6,stroke:#B7791F,stroke-width:2px")
    lines.append(f"    class {','.join(f'S{option.scenario}_{s}' for s in STAGES)} chosen")
    return "\n".join(lines) + "\n"


def _stage_label(stage: str, location: str) -> str:
    name = "Data location" if stage == "data" else stage.capitalize()
    return f"{name}: {LOCATION_LABELS[location]}"


# --- C4 context -----------------------------------------------------------------------------


def _c4_element(e: Element, overlay: bool) -> str:
    description = e.description + (f" [{_governance(e)}]" if overlay else "")
    if e.kind == "person":
        macro = "Person"
    elif e.kind == "datastore":
        macro = "SystemDb_Ext" if e.zone == "cloud" else "SystemDb"
    else:
        macro = "System_Ext" if e.zone == "cloud" else "System"
    return f"{macro}({e.id}, {_c4q(e.name)}, {_c4q(description, 2 * MAX_TEXT)})"


def _ruled(model: ArchitectureModel) -> str:
    """A ruled-out option's diagrams say so first, in the title."""
    return f"{model.banner} — " if model.banner else ""


def c4_context_mermaid(model: ArchitectureModel, overlay: bool = False) -> str:
    """Mermaid C4Context of the model, as in the seed: the cloud boundary around the premises boundary."""
    cloud, premises = model.boundary("cloud"), model.boundary("premises")
    lines = ["C4Context", f"title {c4_title(_ruled(model) + 'System context: ' + model.title)}"]
    lines.append(f"Enterprise_Boundary(cloud, {_c4q(cloud.name)}) {{")
    lines += [f"    {_c4_element(e, overlay)}" for e in model.in_zone("cloud")]
    lines.append(f"    Enterprise_Boundary(premises, {_c4q(premises.name)}) {{")
    lines += [f"        {_c4_element(e, overlay)}" for e in model.in_zone("premises")]
    lines += ["    }", "}"]
    for r in model.relations:
        label = r.label + (f" [{_governance(r)}]" if overlay else "")
        tech = f", {_c4q(r.technology)}" if r.technology else ""
        # Data that moves both ways is one two-headed relation, as the seed draws it.
        lines.append(f"{'BiRel' if r.bidirectional else 'Rel'}({r.source}, {r.target}, {_c4q(label)}{tech})")
    lines.append('UpdateLayoutConfig($c4ShapeInRow="3", $c4BoundaryInRow="1")')
    return "\n".join(lines) + "\n"


# --- sequence -------------------------------------------------------------------------------


def sequence_mermaid(model: ArchitectureModel, overlay: bool = False) -> str:
    """Mermaid sequenceDiagram of the model: its elements as participants grouped by zone, its relations in order."""
    participants, steps = sequence_steps(model)
    lines = ["sequenceDiagram", f"    title {escape(_ruled(model) + 'Sequence: ' + model.title, 3 * MAX_TEXT)}"]
    for zone, colour in (("premises", "rgb(243,248,236)"), ("cloud", "rgb(238,244,251)")):
        members = [e for e in participants if e.zone == zone]
        if not members:
            continue
        lines.append(f"    box {colour} {_box_label(model.boundary(zone).name)}")  # type: ignore[arg-type]
        for e in members:
            kind = "actor" if e.kind == "person" else "participant"
            lines.append(f"        {kind} {e.id} as {escape(e.name)}")
        lines.append("    end")
    for step in steps:
        lines.append(f"    {_message(step, overlay)}")
        if overlay and step.relation is not None:
            r = step.relation
            lines.append(f"    Note over {r.source},{r.target}: {escape(_governance(r))}")
    return "\n".join(lines) + "\n"


def _message(step: Message, overlay: bool) -> str:
    arrow = "-->>" if step.reply else "->>"
    return f"{step.source}{arrow}{step.target}: {escape(step.text)}"


def use_case_sequence_mermaid(use_case: UseCase) -> str:
    """Mermaid sequenceDiagram of a use case exactly as the seed document draws it."""
    seq = use_case.sequence
    lines = ["sequenceDiagram", f"    title {escape(seq.title, 2 * MAX_TEXT)}"]
    lines += [f"    participant {p.id} as {escape(p.name)}" for p in seq.participants]
    for m in seq.messages:
        arrow = "-->>" if m.reply else "->>"
        lines.append(f"    {m.sender}{arrow}{m.receiver}: {escape(m.text)}")
    return "\n".join(lines) + "\n"

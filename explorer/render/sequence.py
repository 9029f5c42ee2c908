"""Sequence diagrams of the model: lifelines and messages drawn by Graphviz (neato, pinned positions)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from explorer.architecture import ArchitectureModel, Element, Relation
from explorer.model.cache import content_cached
from explorer.model.catalog import UseCase
from explorer.render.graphviz import BANNER_RED
from explorer.render.views import CLASSIFICATION_COLOURS, FONT, wrap

# The order a lifecycle runs in: keep data in sync, train, ship the model, then answer users.
_ORDER = (
    ("data", "data_cloud"),
    ("data", "training"),
    ("data_cloud", "training"),
    ("training", "serving"),
    ("users", "inference"),
    ("inference", "data"),
    ("inference", "serving"),
)
# Replies that close a request, as in the seed's sequences ("Provide trained model").
_REPLIES = {
    ("inference", "data"): "Relevant records",
    ("inference", "serving"): "Completions",
    ("users", "inference"): "Answers",
}
_PARTICIPANT_ORDER = ("users", "inference", "data", "serving", "training", "data_cloud")
_ZONE_FILL = {"premises": "#F3F8EC", "cloud": "#EEF4FB"}
_ZONE_PEN = {"premises": "#3F7A26", "cloud": "#2B6CB0"}


@dataclass(frozen=True)
class Message:
    source: str
    target: str
    text: str
    reply: bool
    relation: Relation | None  # None for a reply


def sequence_steps(model: ArchitectureModel) -> tuple[list[Element], list[Message]]:
    """Participants (premises first, then cloud) and messages: every relation once, then its reply."""
    rank = {pair: i for i, pair in enumerate(_ORDER)}
    relations = sorted(model.relations, key=lambda r: rank.get((r.source, r.target), len(rank)))
    zone_rank = {"premises": 0, "cloud": 1}
    participants = sorted(
        model.elements,
        key=lambda e: (zone_rank[e.zone], _PARTICIPANT_ORDER.index(e.id) if e.id in _PARTICIPANT_ORDER else 99),
    )
    steps: list[Message] = []
    pending: list[Message] = []
    for r in relations:
        steps.append(Message(r.source, r.target, r.label, reply=False, relation=r))
        reply = _REPLIES.get((r.source, r.target))
        if reply is None:
            continue
        back = Message(r.target, r.source, reply, reply=True, relation=None)
        # The user's answer comes last, after the application has done its own calls.
        if r.source == "users":
            pending.append(back)
        else:
            steps.append(back)
    return participants, steps + pending


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _lifeline(node_id: str, label: str, fill: str, x: float, top: float, bottom: float, width: float,
              head_h: float, extra: str = "") -> list[str]:
    """A participant's head and foot boxes and the dashed lifeline between them."""
    lines = [
        f'  {node_id}_{end} [shape=box, style="rounded,filled", fillcolor="{fill}", fontcolor=white, '
        f'fixedsize=true, width={width}, height={head_h:.2f}, pos="{x:.2f},{y:.2f}!", label=<{label}>{extra}];'
        for end, y in (("head", top), ("foot", bottom))
    ]
    lines.append(f'  {node_id}_head -> {node_id}_foot [style=dashed, color="#9CA3AF", arrowhead=none];')
    return lines


def _message(i: int, x_from: float, x_to: float, y: float, label: str, n_lines: int, colour: str,
             reply: bool) -> list[str]:
    """Message ``i``: an arrow between two lifelines at height ``y``, its label centred above it."""
    a, b = f"s{i}_a", f"s{i}_b"
    return [
        f'  {a} [shape=point, width=0.01, style=invis, pos="{x_from:.2f},{y:.2f}!"];',
        f'  {b} [shape=point, width=0.01, style=invis, pos="{x_to:.2f},{y:.2f}!"];',
        f'  {a} -> {b} [color="{colour}", style={"dashed" if reply else "solid"}];',
        f'  s{i}_label [shape=plaintext, fontsize=9, fontcolor="{colour}", height=0.1, '
        f'pos="{(x_from + x_to) / 2:.2f},{y + 0.07 + 0.08 * n_lines:.2f}!", label=<{label}>];',
    ]


def _banner(model: ArchitectureModel) -> str:
    if not model.banner:
        return ""
    lines = "<br/>".join(_esc(t) for t in wrap(model.banner, 110, 3))
    return f'<br/><font color="{BANNER_RED}" point-size="13"><b>{lines}</b></font>'


def sequence_dot(model: ArchitectureModel, overlay: bool = False) -> str:
    return _sequence_dot(model.model_dump_json(), overlay)


@content_cached("sequence DOT", 256)
def _sequence_dot(model_json: str, overlay: bool) -> str:
    model = ArchitectureModel.model_validate_json(model_json)
    participants, steps = sequence_steps(model)
    col = 2.5  # inches between lifelines
    row = 0.75 if overlay else 0.62
    head_h = 0.95 if overlay else 0.7
    x = {e.id: i * col for i, e in enumerate(participants)}
    top = 0.0
    first = top - head_h / 2 - 0.45
    last = first - row * (len(steps) - 1)
    bottom = last - 0.45 - head_h / 2
    out = [
        "digraph sequence {",
        '  graph [layout=neato, splines=line, outputorder=nodesfirst, pad="0.3", '
        f'fontname="{FONT}", labelloc=t, label=<<b><font point-size="15">'
        f'{"<br/>".join(_esc(t) for t in wrap("Sequence: " + model.title, 100, 2))}</font></b>{_banner(model)}>];',
        f'  node [fontname="{FONT}", fontsize=10, pin=true];',
        f'  edge [fontname="{FONT}", fontsize=10, arrowsize=0.7];',
    ]
    # Zone backgrounds first, so everything else draws on top of them.
    for zone in ("premises", "cloud"):
        members = [x[e.id] for e in participants if e.zone == zone]
        if not members:
            continue
        left, right = min(members) - col / 2 + 0.08, max(members) + col / 2 - 0.08
        upper = top + head_h / 2 + 0.45  # room for the zone's name above the heads
        lower = bottom - head_h / 2 - 0.12
        mid_y = (upper + lower) / 2
        height = upper - lower
        name = _esc(wrap(model.boundary(zone).name, int((right - left) * 9), 1)[0])  # type: ignore[arg-type]
        out.append(
            f'  zone_{zone} [shape=box, style="rounded,filled", fillcolor="{_ZONE_FILL[zone]}", '
            f'color="{_ZONE_PEN[zone]}", fixedsize=true, width={right - left:.2f}, height={height:.2f}, '
            f'pos="{(left + right) / 2:.2f},{mid_y:.2f}!", label=""];'
        )
        out.append(
            f'  zone_{zone}_label [shape=plaintext, pos="{(left + right) / 2:.2f},{upper - 0.22:.2f}!", '
            f'label=<<b><font color="{_ZONE_PEN[zone]}" point-size="11">{name}</font></b>>];'
        )
    for e in participants:
        label = f"<b>{'<br/>'.join(_esc(t) for t in wrap(e.name, 24, 2))}</b>"
        border = ""
        if overlay:  # the border carries the classification's colour
            label += f'<br/><font point-size="8"><b>■ {_esc(e.classification.upper())}</b></font>'
            border = f', color="{CLASSIFICATION_COLOURS[e.classification]}", penwidth=4'
        fill = "#08427B" if e.kind == "person" else ("#1168BD" if e.zone == "premises" else "#6B7280")
        out += _lifeline(e.id, label, fill, x[e.id], top, bottom, 2.1, head_h, border)
    for i, step in enumerate(steps):
        y = first - i * row
        colour = "#374151"
        if step.relation is not None and step.relation.crosses_boundary:
            colour = "#C0392B"
        if overlay and step.relation is not None:
            colour = CLASSIFICATION_COLOURS[step.relation.classification]
        text = f"{i + 1}. {step.text}"
        lines = wrap(text, int(col * 13), 2)
        label = "<br/>".join(_esc(t) for t in lines)
        if overlay and step.relation is not None:
            r = step.relation
            label += f'<br/><font point-size="8" color="{CLASSIFICATION_COLOURS[r.classification]}">' \
                     f"{_esc(r.classification.upper())} · {_esc(r.residency)}</font>"
            lines = [*lines, ""]
        out += _message(i, x[step.source], x[step.target], y, label, len(lines), colour, step.reply)
    out.append("}")
    return "\n".join(out) + "\n"


# --- the seed's own sequences (use cases 1A and 1B) ------------------------------------------


def use_case_sequence_dot(use_case: UseCase) -> str:
    """The seed's sequence diagram of a use case, as written in the source document."""
    return _use_case_sequence_dot(use_case.model_dump_json(by_alias=True))


@content_cached("seed sequence DOT", 8)
def _use_case_sequence_dot(use_case_json: str) -> str:
    uc = UseCase.model_validate_json(use_case_json)
    seq = uc.sequence
    col, row, head_h = 2.8, 0.72, 0.7
    x = {p.id: i * col for i, p in enumerate(seq.participants)}
    first = -head_h / 2 - 0.75  # room for a three-line label above the first arrow
    bottom = first - row * (len(seq.messages) - 1) - 0.45 - head_h / 2
    title = f"Use case {uc.id}: {seq.title.split(': ', 1)[-1]}"
    out = [
        "digraph sequence {",
        '  graph [layout=neato, splines=line, outputorder=nodesfirst, pad="0.3", '
        f'fontname="{FONT}", labelloc=t, label=<<b><font point-size="15">{_esc(title)}</font></b>>];',
        f'  node [fontname="{FONT}", fontsize=10, pin=true];',
        f'  edge [fontname="{FONT}", fontsize=10, arrowsize=0.7];',
    ]
    for p in seq.participants:
        fill = "#08427B" if p.id == seq.participants[0].id else "#1168BD"
        label = "<br/>".join(_esc(t) for t in wrap(p.name, 24, 2))
        out += _lifeline(p.id, f"<b>{label}</b>", fill, x[p.id], 0.0, bottom, 2.3, head_h)
    for i, m in enumerate(seq.messages):
        lines = wrap(f"{i + 1}. {m.text}", int(col * 13), 3)
        label = "<br/>".join(_esc(t) for t in lines)
        out += _message(i, x[m.sender], x[m.receiver], first - i * row, label, len(lines), "#374151", m.reply)
    out.append("}")
    return "\n".join(out) + "\n"

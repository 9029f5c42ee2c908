"""The seed's flowchart of the four scenarios, as Graphviz; the chosen scenario is highlighted."""

from __future__ import annotations

import html
import textwrap

from explorer.engine.scoring import ScoredOption
from explorer.model.cache import content_cached
from explorer.model.catalog import Catalog
from explorer.model.vocabulary import LOCATION_LABELS, STAGES
from explorer.render.graphviz import BANNER_RED
from explorer.render.views import FONT, wrap

LOCATION_FILL = {
    "local": ("#E3F1D8", "#3F7A26"),
    "public_cloud": ("#DCEAFB", "#2B6CB0"),
    "not_specified": ("#F1F1F1", "#6B7280"),
    "exchanged": ("#EDE3F7", "#6B46C1"),
}


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def flowchart_dot(catalog: Catalog, option: ScoredOption) -> str:
    scenarios = tuple(
        (sc.id, sc.name, tuple(sc.stages.get(s) for s in STAGES)) for sc in catalog.scenarios
    )
    resolved = tuple(option.location(s) for s in STAGES)
    reasons = "; ".join(dict.fromkeys(v.reason for v in option.violations))
    banner = f"✕ RULED OUT: {reasons[:1].upper()}{reasons[1:]}" if reasons else ""
    return _flowchart_dot(scenarios, option.scenario, option.use_case, resolved, banner)


@content_cached("flowchart DOT", 64)
def _flowchart_dot(
    scenarios: tuple[tuple[int, str, tuple[str, ...]], ...], chosen: int, use_case: str, resolved: tuple[str, ...],
    banner: str = "",
) -> str:
    ruled = ""
    if banner:
        lines = "<br/>".join(_esc(t) for t in textwrap.wrap(banner, 80)[:3])
        ruled = f'<br/><font color="{BANNER_RED}" point-size="13"><b>{lines}</b></font>'

    out = [
        "digraph flowchart {",
        f'  graph [rankdir=TB, fontname="{FONT}", labelloc=t, nodesep=0.35, ranksep=0.45, pad="0.3", '
        'newrank=true, label=<<b><font point-size="16">The four deployment scenarios</font></b>'
        f'<br/><font point-size="11">Scenario {chosen} with use case {_esc(use_case)} is highlighted; '
        f"its open stages show where they were resolved.</font>{ruled}>];",
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=10, width=2.3, height=0.75, '
        "fixedsize=true];",
        '  edge [color="#4A5568", arrowsize=0.7];',
    ]
    for sc_id, name, stages in scenarios:
        is_chosen = sc_id == chosen
        title = "<br/>".join(_esc(t) for t in wrap(f"Scenario {sc_id}: {name}", 26, 3))
        pen = "#B7791F" if is_chosen else "#A0AEC0"
        out.append(f"  subgraph cluster_s{sc_id} {{")
        out.append(
            f'    graph [label=<<b>{title}</b>>, style="rounded{",filled" if is_chosen else ""}", '
            f'fillcolor="#FFF7D6", color="{pen}", penwidth={3 if is_chosen else 1}, fontsize=11, margin=12];'
        )
        for stage, location in zip(STAGES, stages, strict=True):
            fill, line = LOCATION_FILL[location]
            name_ = "Data location" if stage == "data" else stage.capitalize()
            text = f"<b>{name_}</b><br/>{_esc(LOCATION_LABELS[location])}"
            if is_chosen and location == "not_specified":
                where = resolved[STAGES.index(stage)]
                text += f'<br/><font point-size="9" color="#B7791F">resolved: {_esc(LOCATION_LABELS[where])}</font>'
            out.append(f'    s{sc_id}_{stage} [label=<{text}>, fillcolor="{fill}", color="{line}"];')
        chain = " -> ".join(f"s{sc_id}_{s}" for s in STAGES)
        out.append(f"    {chain};")
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"

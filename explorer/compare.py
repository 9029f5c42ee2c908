"""All eight options side by side: placement, feasibility, score and ratings, with the differences marked."""

from __future__ import annotations

import base64
import html
import io
from collections import Counter
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from explorer.assessment import Assessment
from explorer.catalog import STAGES, Catalog
from explorer.placement import PlacementResult, place, rank

Tone = Literal["local", "public_cloud", "exchanged", "ok", "bad", "caution", "plain", "r1", "r2", "r3", "r4", "r5"]
SHORT_PLACE = {"local": "On prem", "public_cloud": "Cloud", "exchanged": "Both"}
FAMILY_LABELS = {
    "data": "data rules", "compliance": "compliance", "air_gapped": "air gap", "latency": "latency",
    "licence": "licence", "capacity": "GPUs", "skills": "skills", "intent": "cloud only",
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Cell(_Model):
    text: str
    detail: str = ""  # shown on hover
    tone: Tone = "plain"
    differs: bool = False  # differs from the recommended option (or, with none, from the most common value)


class Row(_Model):
    group: str
    label: str
    cells: tuple[Cell, ...]
    help: str = ""

    @property
    def differs(self) -> bool:
        """Not every option has the same value in this row."""
        return len({c.text for c in self.cells}) > 1


class Column(_Model):
    key: str
    scenario: int
    use_case: str
    title: str
    recommended: bool
    runner_up: bool
    feasible: bool


class Comparison(_Model):
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    recommended: str | None
    headline: str

    def row(self, label: str) -> Row:
        for r in self.rows:
            if r.label == label:
                return r
        raise KeyError(label)


def _mark_differences(texts: list[str], reference: int | None) -> list[bool]:
    base = texts[reference] if reference is not None else Counter(texts).most_common(1)[0][0]
    return [t != base for t in texts]


def _row(group: str, label: str, cells: list[Cell], reference: int | None, help: str = "") -> Row:
    flags = _mark_differences([c.text for c in cells], reference)
    return Row(group=group, label=label, help=help,
               cells=tuple(c.model_copy(update={"differs": f}) for c, f in zip(cells, flags, strict=True)))


def compare(
    catalog: Catalog, a: Assessment, weights: Mapping[str, float] | None = None, result: PlacementResult | None = None
) -> Comparison:
    """The side-by-side table of every scenario × use case for one assessment and set of weights."""
    result = result if result is not None else place(catalog, a, weights)
    options = result.options
    best = result.recommended.key if result.recommended else None
    runner = result.recommended.runner_up if result.recommended else None
    keys = [o.key for o in options]
    ref = keys.index(best) if best else None
    rules = {r.id: r for r in catalog.rules}
    ranked = {o.key: i + 1 for i, o in enumerate(rank(options))}

    columns = tuple(
        Column(key=o.key, scenario=o.scenario, use_case=o.use_case,
               title=f"S{o.scenario} · {o.use_case}", recommended=o.key == best, runner_up=o.key == runner,
               feasible=o.feasible)
        for o in options
    )
    rows: list[Row] = []
    for stage in STAGES:
        cells = [
            Cell(text=SHORT_PLACE[o.location(stage)], detail=o.stages[stage].reason, tone=o.location(stage))
            for o in options
        ]
        rows.append(_row("Placement", stage.capitalize(), cells, ref))

    cells = []
    for o in options:
        if o.feasible:
            cells.append(Cell(text="Feasible", detail="No hard rule is broken.", tone="ok"))
        else:
            families = sorted({FAMILY_LABELS[rules[v.rule].family] for v in o.violations})
            cells.append(Cell(text="✕ " + ", ".join(families), tone="bad",
                              detail=" ".join(v.message + "." for v in o.violations)))
    rows.append(_row("Feasibility", "Hard rules", cells, ref, "Ruled out by a hard rule; hover for the reasons."))
    cells = []
    for o in options:
        if o.cautions:
            families = sorted({FAMILY_LABELS[rules[v.rule].family] for v in o.cautions})
            cells.append(Cell(text=f"−{o.penalty:g}: " + ", ".join(families), tone="caution",
                              detail=" ".join(f"{v.message} (−{v.penalty:g})." for v in o.cautions)))
        else:
            cells.append(Cell(text="none", detail="No soft rule applies."))
    rows.append(_row("Feasibility", "Soft penalties", cells, ref, "Points lost to soft rules; hover for details."))

    cells = [
        Cell(text=f"{o.score:.0f}", tone="ok" if o.key == best else "plain",
             detail=(f"Governance {o.governance_score:.1f} − penalties {o.penalty:g}"
                     + (f"; rated as {o.rated_as}" if o.rated_as != o.key else "")))
        for o in options
    ]
    rows.append(_row("Score", "Score /100", cells, ref, "Weighted governance score minus soft penalties."))
    cells = [Cell(text=f"#{ranked[o.key]}" if o.key in ranked else "—",
                  detail="Rank among the feasible options." if o.key in ranked else "Ruled out.") for o in options]
    rows.append(_row("Score", "Rank", cells, ref))

    for j, c in enumerate(catalog.criteria):
        cells = []
        for o in options:
            r = o.trade_offs.rows[j]
            cells.append(Cell(text=str(r.rating), detail=r.rationale, tone=f"r{r.rating}"))  # type: ignore[arg-type]
        weight = options[0].trade_offs.rows[j].weight
        rows.append(_row("Trade-offs", c.name, cells, ref, f"{c.question} Weight {weight:g}."))

    if best:
        b = options[ref]  # type: ignore[index]
        headline = (f"Recommended: scenario {b.scenario} with use case {b.use_case} ({b.score:.0f}/100); "
                    f"{len(ranked)} of {len(options)} options are feasible.")
    else:
        headline = f"No option is feasible; {len(options)} of {len(options)} are ruled out."
    return Comparison(columns=columns, rows=tuple(rows), recommended=best, headline=headline)


# ---------------------------------------------------------------------------
# HTML: one compact table, for a page that must fit 1600×1000 without scrolling sideways.
# ---------------------------------------------------------------------------

_TONE_CSS = {
    "local": "background:#E3F2E1", "public_cloud": "background:#DCEBFA", "exchanged": "background:#EFE3F6",
    "ok": "background:#C3E6CB;font-weight:600", "bad": "background:#F8D7DA;color:#7B1F24",
    "caution": "background:#FFF3CD", "plain": "",
    "r1": "background:#F8D7DA", "r2": "background:#FCE5CD", "r3": "background:#FFF3CD", "r4": "background:#DFF0D8",
    "r5": "background:#C3E6CB",
}

CSS = """
<style>
.cmp{border-collapse:collapse;width:100%;table-layout:fixed;font-size:12.5px;line-height:1.25}
.cmp th,.cmp td{border:1px solid #E2E8F0;padding:2px 4px;text-align:center;overflow:hidden;
  text-overflow:ellipsis;white-space:nowrap}
.cmp th.lbl,.cmp td.lbl{text-align:left;width:150px;font-weight:600;color:#2D3748}
.cmp td.grp{background:#F7FAFC;color:#4A5568;font-size:11px;text-transform:uppercase;letter-spacing:.04em;
  text-align:left;font-weight:700}
.cmp tr.same td{color:#718096}
.cmp tr.same td.lbl{font-weight:400}
.cmp td.diff{font-weight:700;text-decoration:underline 2px #B7791F;text-underline-offset:2px}
.cmp th.rec,.cmp td.rec{border-left:3px solid #2F855A;border-right:3px solid #2F855A}
.cmp th.rec{background:#C6F6D5}
.cmp th.out{color:#9B2C2C}
.cmp img{width:100%;height:64px;object-fit:contain;display:block}
.cmp .sub{font-weight:400;font-size:11px;color:#4A5568}
.cmp-legend{font-size:12px;color:#4A5568;margin:2px 0 6px 0}
.cmp-legend span{display:inline-block;padding:0 6px;margin-right:6px;border-radius:3px}
</style>
"""


def thumbnail(png: bytes, width: int = 240) -> bytes:
    """A small PNG of a diagram, for a thumbnail (the full image stays a download)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        im = im.convert("RGBA")
        height = max(1, round(im.height * width / im.width))
        small = im.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def comparison_html(
    comparison: Comparison, thumbnails: Mapping[str, bytes] | None = None, *, only_differences: bool = False
) -> str:
    """The comparison as one self-contained HTML table (images inlined), every text escaped."""
    cols = comparison.columns
    head = ['<th class="lbl">Option</th>']
    for c in cols:
        classes = " ".join(x for x in ("rec" if c.recommended else "", "" if c.feasible else "out") if x)
        badge = "★ best" if c.recommended else ("runner-up" if c.runner_up else
                                                     ("feasible" if c.feasible else "ruled out"))
        head.append(f'<th class="{classes}" title="Scenario {c.scenario}, use case {_e(c.use_case)}">'
                    f'{_e(c.title)}<br><span class="sub">{badge}</span></th>')
    lines = [CSS, '<div class="cmp-legend">'
             '<span style="font-weight:700;text-decoration:underline 2px #B7791F">underlined</span>differs from the '
             'recommended option · <span style="color:#718096">grey rows</span>are the same for every option · '
             '<span style="background:#E3F2E1">On prem</span><span style="background:#DCEBFA">Cloud</span>'
             '<span style="background:#EFE3F6">Both</span>· hover any cell for its reason</div>',
             '<table class="cmp"><thead><tr>', *head, "</tr></thead><tbody>"]
    if thumbnails:
        cells = ['<td class="lbl">Architecture</td>']
        for c in cols:
            png = thumbnails.get(c.key)
            rec = ' class="rec"' if c.recommended else ""
            if png:
                data = base64.b64encode(png).decode("ascii")
                cells.append(f'<td{rec}><img alt="Architecture of {_e(c.title)}" '
                             f'title="Architecture of {_e(c.title)}" src="data:image/png;base64,{data}"></td>')
            else:
                cells.append(f"<td{rec}>—</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    group = None
    for row in comparison.rows:
        if only_differences and not row.differs:
            continue
        if row.group != group:
            group = row.group
            lines.append(f'<tr><td class="grp" colspan="{len(cols) + 1}">{_e(group)}</td></tr>')
        cls = "" if row.differs else ' class="same"'
        cells = [f'<td class="lbl" title="{_e(row.help)}">{_e(row.label)}</td>']
        for c, cell in zip(cols, row.cells, strict=True):
            classes = " ".join(x for x in ("rec" if c.recommended else "", "diff" if cell.differs else "") if x)
            style = _TONE_CSS[cell.tone]
            cells.append(f'<td class="{classes}" style="{style}" title="{_e(cell.detail)}">{_e(cell.text)}</td>')
        lines.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)

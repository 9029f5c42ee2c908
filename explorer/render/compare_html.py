"""The comparison as HTML: one compact table, for a page that must fit 1600×1000 without scrolling sideways."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping

from PIL import Image

from explorer.render.compare import Comparison

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
.cmp th,.cmp td{border:1px solid #E2E8F0;padding:2px 4px;text-align:center;overflow-wrap:break-word}
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

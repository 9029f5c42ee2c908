"""Tables for the pages: the colour-coded trade-off table (every text escaped) and the on-premises pool."""

from __future__ import annotations

import html

from explorer.engine.cost_result import CostResult
from explorer.engine.governance import TradeOffs
from explorer.model.formatting import usd
from explorer.model.vocabulary import option_short

RATING_COLOURS = {1: "#F8D7DA", 2: "#FCE5CD", 3: "#FFF3CD", 4: "#DFF0D8", 5: "#C3E6CB"}


def rating_colour(rating: float | str) -> str:
    """A 1..5 rating's colour, red (weak) through green (strong); a computed 3.4 takes the colour of 3."""
    return RATING_COLOURS.get(round(float(rating)), "#FFFFFF")


def rating_style(rating: float | str) -> str:
    """Background colour of a 1..5 rating cell: red (weak) through green (strong)."""
    return f"background-color: {rating_colour(rating)}; text-align: center; font-weight: 600"


def trade_off_html(table: TradeOffs) -> str:
    """The trade-off table as HTML: colour-coded ratings and each rationale as wrapped text (escaped everywhere).

    Nothing is cut or left to hovering (a projector has no mouse over it): the criterion, weight and rating
    columns take the width their words need and the rationale wraps in the rest.
    """
    rows = []
    for r in table.rows:
        tip = html.escape(f"Source: {r.source}", quote=True)
        colour = rating_colour(r.rating)
        mark = ' <span title="computed from this assessment&#39;s cost model">⚙</span>' if r.computed else ""
        rows.append(
            f'<tr><td class="name">{html.escape(r.name)}{mark}</td>'
            f'<td class="num">{r.weight:g}</td>'
            f'<td class="num" style="background:{colour};font-weight:700">{r.shown}</td>'
            f'<td class="why" title="{tip}">{html.escape(r.rationale)}</td></tr>'
        )
    style = ("<style>.tot{border-collapse:collapse;width:100%;font-size:0.85em}"
             ".tot td,.tot th{border:1px solid #E2E8F0;padding:3px 6px;vertical-align:top;"
             "white-space:normal;overflow-wrap:anywhere}"
             ".tot th{background:#F7FAFC;text-align:left;white-space:nowrap}"
             ".tot td.name{white-space:nowrap}.tot td.num{text-align:center;width:1%;white-space:nowrap}"
             ".tot td.why{color:#4A5568;font-size:0.95em}</style>")
    return (style + '<table class="tot"><thead><tr><th>Criterion</th><th>Weight</th><th>Rating</th><th>Why</th>'
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def onprem_pool_rows(result: CostResult) -> list[dict[str, str]]:
    """One row per option with GPUs on premises: the pool (serving + GPUs added for training), servers, staff,
    how busy the pool is (serving and training) and the all-in cost per GPU-hour paid and per useful GPU-hour."""
    rows = []
    for o in result.options:
        if o.gpu_hours_onprem <= 0:
            continue
        serving = o.gpu_hours_onprem_busy - o.gpu_hours_onprem_training
        rows.append({
            "Option": option_short(o.key) + ("" if o.feasible else " ✕ ruled out"),
            "GPUs (serving + added for training)": f"{o.onprem_gpus} ({o.onprem_gpus - o.onprem_gpus_training} + "
                                                   f"{o.onprem_gpus_training})",
            "Servers": str(o.onprem_servers), "Staff (FTE)": f"{o.staff_fte:.2f}",
            "Pool busy": f"{o.onprem_utilisation:.1%}",
            "of which serving / training": f"{serving / o.gpu_hours_onprem:.1%} / "
                                           f"{o.gpu_hours_onprem_training / o.gpu_hours_onprem:.1%}",
            "All-in per GPU-hour": usd(o.onprem_cost_per_gpu_hour, cents=True),
            "Per useful GPU-hour": usd(o.onprem_cost_per_busy_gpu_hour, cents=True),
        })
    return rows

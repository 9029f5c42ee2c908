"""The estimate as data: the ``cost --json`` document, a rounded CSV of the eight options, and their rows.

Every number is read from the decision's cost result and its uncertainty run: nothing is recomputed here,
so the CLI, the app, the deck, the spreadsheet and the report print the same figures.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from explorer.engine.cost import CostResult
from explorer.engine.decision import SAMPLES, Decision
from explorer.engine.uncertainty import Uncertainty
from explorer.model.vocabulary import STAGES, option_key, option_short


def cost_json(decision: Decision, samples: int = SAMPLES) -> dict[str, Any]:
    """The document ``python -m explorer cost --json`` prints: the cost result, warnings, the chosen option's
    sensitivity and every option's P10/P50/P90."""
    data = decision.require_cost().to_dict()
    data["warnings"] = list(decision.warnings)
    sens, unc = decision.sensitivity(), decision.uncertainty(samples=samples)
    data["sensitivity"] = {
        "scenario": sens.scenario, "use_case": sens.use_case, "pct": sens.pct, "base_total": sens.base_total,
        "rows": [{**r.model_dump(), "swing": r.swing} for r in sens.rows],
    }
    data["uncertainty"] = {"samples": unc.samples, "inputs": list(unc.inputs), "p10": unc.p10, "p50": unc.p50,
                           "p90": unc.p90}
    return data


def json_text(data: Any) -> str:
    """JSON as the CLI prints it (indented, UTF-8 kept), with the closing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class OptionRow:
    """One option of the estimate as every export shows it (money in the result's currency, unrounded)."""

    key: str
    label: str  # "Scenario 3 / 1A"
    scenario: int
    use_case: str
    stages: dict[str, str]
    feasible: bool
    chosen: bool
    recommended: bool
    reference: bool
    total: float
    present_value: float
    per_million_tokens: float | None
    break_even_month: int | None
    break_even: str  # "month 17", "never", "reference" or "n/a", as every view words it
    p10: float
    p50: float
    p90: float
    cloud_serving_gpus: int
    onprem_gpus: int

    @property
    def marks(self) -> str:
        """"chosen, recommended, ruled out": what the tables print beside the option."""
        notes = [("chosen", self.chosen), ("recommended", self.recommended), ("reference", self.reference),
                 ("ruled out", not self.feasible)]
        return ", ".join(name for name, on in notes if on)


def option_rows(decision: Decision, unc: Uncertainty | None = None) -> list[OptionRow]:
    """The eight options' figures, read from the decision's cost and uncertainty (2,000 samples by default)."""
    result = decision.require_cost()
    unc = unc or decision.uncertainty()
    rec = decision.recommended
    best = option_key(rec.scenario, rec.use_case) if rec is not None else None
    return [
        OptionRow(
            key=o.key, label=option_short(o.key), scenario=o.scenario, use_case=o.use_case, stages=dict(o.stages),
            feasible=o.feasible, chosen=o.key == decision.key, recommended=o.key == best,
            reference=o.key == result.reference, total=o.total, present_value=o.present_value,
            per_million_tokens=o.per_million_tokens, break_even_month=o.break_even_month,
            break_even=result.break_even_text(o.key), p10=unc.p10[o.key], p50=unc.p50[o.key], p90=unc.p90[o.key],
            cloud_serving_gpus=o.cloud_serving_gpus, onprem_gpus=o.onprem_gpus,
        )
        for o in result.options
    ]


def csv_columns(currency: str) -> list[str]:
    """The CSV's headers: each money column names its currency, each count its unit."""
    c = currency.lower()
    return ["option", "scenario", "use_case", *(f"{s}_location" for s in STAGES), "feasible", "chosen",
            "recommended", f"total_{c}", f"present_value_{c}", f"per_million_tokens_{c}", "break_even_month",
            "break_even",
            f"p10_total_{c}", f"p50_total_{c}", f"p90_total_{c}", "cloud_serving_gpus", "onprem_gpus"]


def estimate_csv(decision: Decision) -> bytes:
    """The eight options as CSV: money in whole units, per million tokens in cents, an empty cell for n/a."""
    result = decision.require_cost()
    writer_buf = io.StringIO()
    writer = csv.writer(writer_buf, lineterminator="\n")
    writer.writerow(csv_columns(result.currency))
    for r in option_rows(decision):
        writer.writerow([
            r.label, r.scenario, r.use_case, *(r.stages.get(s, "") for s in STAGES), _yes(r.feasible),
            _yes(r.chosen), _yes(r.recommended), round(r.total), round(r.present_value),
            "" if r.per_million_tokens is None else f"{r.per_million_tokens:.2f}",
            "" if r.break_even_month is None else r.break_even_month, r.break_even,
            round(r.p10), round(r.p50), round(r.p90), r.cloud_serving_gpus, r.onprem_gpus,
        ])
    return writer_buf.getvalue().encode("utf-8")


def monthly_csv(result: CostResult) -> bytes:
    """Each option's cost month by month, in cents, one column per option named with its currency."""
    c = result.currency.lower()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["month", *(f"s{o.scenario}_{o.use_case.lower()}_{c}" for o in result.options)])
    for m in range(result.horizon_months):
        writer.writerow([m + 1, *(f"{o.monthly[m]:.2f}" for o in result.options)])
    return out.getvalue().encode("utf-8")


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


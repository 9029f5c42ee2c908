"""The estimate as a workbook: one sheet per table, numbers stored as numbers with number formats."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from explorer.engine.cost import LINE_ITEMS
from explorer.engine.decision import Decision
from explorer.model.vocabulary import STAGES
from explorer.render.estimate import option_rows

MONEY = '"$"#,##0'
CENTS = '"$"#,##0.00'
NUMBER = "#,##0.####"
SHEETS = ("Options", "Monthly costs", "Line items", "Inputs and assumptions")
_HEADING = Font(bold=True)
_FILL = PatternFill("solid", fgColor="E8F0FA")


def estimate_xlsx(decision: Decision) -> bytes:
    """The workbook: the eight options, their monthly costs, their line items, and every input with its source."""
    result = decision.require_cost()
    cur = result.currency
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEETS[0]
    rows = option_rows(decision)
    _table(sheet,
           ["Option", "Scenario", "Use case", *(f"{s.capitalize()} runs" for s in STAGES), "Feasible", "Marks",
            f"Total ({cur})", f"Present value ({cur})", f"Per million tokens ({cur})", "Break-even month",
            "Break-even", f"P10 total ({cur})", f"P50 total ({cur})", f"P90 total ({cur})", "Cloud serving GPUs",
            "On-premises GPUs"],
           ([r.label, r.scenario, r.use_case, *(r.stages.get(s, "") for s in STAGES), r.feasible, r.marks,
             r.total, r.present_value, r.per_million_tokens, r.break_even_month, r.break_even, r.p10, r.p50, r.p90,
             r.cloud_serving_gpus, r.onprem_gpus] for r in rows),
           {10: MONEY, 11: MONEY, 12: CENTS, 13: "0", 15: MONEY, 16: MONEY, 17: MONEY, 18: "0", 19: "0"})
    sheet.append([])
    sheet.append([f"Break-even is measured against the reference option. {result.reference_note}"])
    sheet.append([result.finance_note])

    labels = [r.label + ("" if r.feasible else " (ruled out)") for r in rows]
    monthly = book.create_sheet(SHEETS[1])
    _table(monthly, ["Month", *(f"{label} ({cur})" for label in labels)],
           ([m + 1, *(float(o.monthly[m]) for o in result.options)] for m in range(result.horizon_months)),
           {1: "0", **{i: MONEY for i in range(2, len(rows) + 2)}})

    items = book.create_sheet(SHEETS[2])
    keys = [k for k in LINE_ITEMS if any(o.line_items.get(k, 0) for o in result.options)]
    _table(items, ["Line item", "Key", *(f"{label} ({cur})" for label in labels)],
           [*([LINE_ITEMS[k], k, *(o.line_items.get(k, 0.0) for o in result.options)] for k in keys),
            ["Total", "total", *(o.total for o in result.options)]],
           {i: MONEY for i in range(3, len(rows) + 3)})
    for cell in items[items.max_row]:
        cell.font = _HEADING

    _inputs(book.create_sheet(SHEETS[3]), decision)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _inputs(sheet: Worksheet, decision: Decision) -> None:
    """The assessment as entered, then every price and factor the cost read, then the catalog's assumptions."""
    a, cat, result = decision.assessment, decision.catalog, decision.require_cost()
    heads = ["Input", "Key", "Value", "Unit", "Default", "Source", "As of", "Estimate"]
    rows: list[list[Any]] = [["Assessment: " + key, key, value, "", None, "the assessment", "", False]
                             for key, value in _flat(a.model_dump(exclude={"prices"}))]
    keys = list(result.used) + [k for k in a.prices if k not in result.used and k in cat.price_items]
    for key in keys:
        item = cat.price_items[key]
        overridden = key in a.prices
        rows.append([item.label + (" (override)" if overridden else ""), key, result.prices.get(key, a.prices.get(key)),
                     item.unit, item.value, item.source, item.as_of, item.estimate])
    rows += [[x.description, x.id, x.value, x.unit, x.value, x.source, x.as_of.isoformat(), x.estimate]
             for x in cat.assumptions]
    _table(sheet, heads, rows, {3: NUMBER, 5: NUMBER})


def _flat(data: dict[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    """Nested assessment fields as (dotted key, cell value); lists become comma-separated text."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flat(value, f"{name}.")
        elif isinstance(value, list | tuple):
            yield name, ", ".join(str(v) for v in value)
        else:
            yield name, value


def _table(sheet: Worksheet, headings: Sequence[str], rows: Iterable[Sequence[Any]],
           formats: dict[int, str]) -> None:
    """Headings in bold on a tint, frozen; ``formats`` maps a 1-based column to its number format."""
    sheet.append(list(headings))
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADING, _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # the user's text stays text: "=HYPERLINK(…)" is never a formula
        for col, fmt in formats.items():
            cell = sheet.cell(row=sheet.max_row, column=col)
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = fmt
    sheet.freeze_panes = "B2" if len(headings) > 2 else "A2"
    for i, heading in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, min(48, len(str(heading)) + 2))

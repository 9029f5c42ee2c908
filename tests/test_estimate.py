"""The estimate as data: JSON equal to `cost --json`, a rounded CSV with units, and a workbook of numbers."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from explorer import Assessment
from explorer.cli import main
from explorer.engine.decision import decide
from explorer.model.errors import ExportError
from explorer.model.loading import load_assessment
from explorer.model.vocabulary import STAGES
from explorer.render.documents import document_bytes, document_filename
from explorer.render.estimate import csv_columns, monthly_csv, option_rows
from explorer.render.estimate_xlsx import SHEETS

PRESETS = ("regulated-bank", "cloud-first-retailer")


@pytest.fixture(scope="module", params=PRESETS)
def decision(request, catalog):
    return decide(catalog, load_assessment(f"preset:{request.param}", catalog))


def test_json_export_equals_cost_json(tmp_path, capsys):
    out = tmp_path / "estimate.json"
    assert main(["export", "preset:cloud-first-retailer", "--view", "estimate", "--format", "json",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["cost", "preset:cloud-first-retailer", "--json"]) == 0
    printed = capsys.readouterr().out
    assert out.read_text(encoding="utf-8") == printed  # byte for byte: one builder, the CLI's default samples
    data = json.loads(printed)
    assert len(data["options"]) == 8 and data["uncertainty"]["samples"] == 2000


def test_rows_are_the_engines_numbers(decision):
    result, unc = decision.require_cost(), decision.uncertainty()
    rows = option_rows(decision)
    assert [r.key for r in rows] == [o.key for o in result.options]
    for r, o in zip(rows, result.options, strict=True):
        assert (r.total, r.present_value, r.per_million_tokens, r.break_even_month) == (
            o.total, o.present_value, o.per_million_tokens, o.break_even_month)
        assert (r.p10, r.p50, r.p90) == (unc.p10[o.key], unc.p50[o.key], unc.p90[o.key])
        assert r.break_even == result.break_even_text(o.key) and r.feasible == o.feasible
    assert sum(r.chosen for r in rows) == 1


def test_csv_is_rounded_with_units_in_the_headers(decision):
    result = decision.require_cost()
    text = document_bytes(decision, "estimate", "csv").decode("utf-8")
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == csv_columns("USD")
    assert {"total_usd", "present_value_usd", "per_million_tokens_usd", "p10_total_usd"} <= set(table[0])
    for row, o in zip(table, result.options, strict=True):
        # Money in whole dollars: 930,174.4 is written 930174; per million tokens in cents: 56.5913 -> 56.59.
        assert row["total_usd"] == str(round(o.total)) and "." not in row["present_value_usd"]
        assert row["per_million_tokens_usd"] == f"{o.per_million_tokens:.2f}"
        assert len(row["per_million_tokens_usd"].split(".")[1]) == 2
        assert row["break_even_month"] == ("" if o.break_even_month is None else str(o.break_even_month))
        assert row["break_even"] == result.break_even_text(o.key)
        assert row["feasible"] == ("yes" if o.feasible else "no")
        assert [row[f"{s}_location"] for s in STAGES] == [o.stages[s] for s in STAGES]


def test_csv_has_a_break_even_month_when_there_is_a_cloud_reference(catalog):
    d = decide(catalog, load_assessment("preset:cloud-first-retailer", catalog))
    table = list(csv.DictReader(io.StringIO(document_bytes(d, "estimate", "csv").decode())))
    assert any(row["break_even"] == "reference" for row in table)
    assert any(row["break_even_month"].isdigit() or row["break_even"] == "never" for row in table)


def _same(value: float | None) -> object:
    """A number as a workbook holds it: a spreadsheet keeps about 15 significant digits."""
    return None if value is None else pytest.approx(value, rel=1e-13)


def test_xlsx_has_one_sheet_per_table_with_numbers(decision):
    result, unc = decision.require_cost(), decision.uncertainty()
    book = load_workbook(io.BytesIO(document_bytes(decision, "estimate", "xlsx")))
    assert tuple(book.sheetnames) == SHEETS
    options = book["Options"]
    heads = [c.value for c in options[1]]
    col = {h: i for i, h in enumerate(heads)}
    for line, o in zip(options.iter_rows(min_row=2, max_row=9), result.options, strict=True):
        total = line[col["Total (USD)"]]
        assert total.value == _same(o.total) and total.number_format == '"$"#,##0'
        assert line[col["Present value (USD)"]].value == _same(o.present_value)
        per_m = line[col["Per million tokens (USD)"]]
        assert per_m.value == _same(o.per_million_tokens) and per_m.number_format == '"$"#,##0.00'
        assert line[col["Break-even month"]].value == o.break_even_month
        assert line[col["Break-even"]].value == result.break_even_text(o.key)
        assert [line[col[f"P{p} total (USD)"]].value for p in (10, 50, 90)] == [
            _same(unc.p10[o.key]), _same(unc.p50[o.key]), _same(unc.p90[o.key])]
        assert line[col["Feasible"]].value is o.feasible
    monthly = book["Monthly costs"]
    assert monthly.max_row == result.horizon_months + 1
    for i, o in enumerate(result.options):
        months = [r[i + 1].value for r in monthly.iter_rows(min_row=2)]
        assert sum(months) == pytest.approx(o.total)  # the months add up to the total
    items = book["Line items"]
    last = [c.value for c in items[items.max_row]]
    assert last[:2] == ["Total", "total"] and last[2:] == [_same(o.total) for o in result.options]
    for i, o in enumerate(result.options):
        assert sum(r[i + 2].value for r in items.iter_rows(min_row=2, max_row=items.max_row - 1)) == pytest.approx(
            o.total)
    inputs = book["Inputs and assumptions"]
    keys = {r[1].value: r for r in inputs.iter_rows(min_row=2)}
    assert keys["horizon_months"][2].value == decision.assessment.horizon_months
    for key in result.used:  # every price the cost read, with its value, source and date
        assert keys[key][2].value == _same(result.prices[key]) and keys[key][5].value and keys[key][6].value


def test_file_names_name_the_customer_and_the_option(catalog):
    a = load_assessment("preset:regulated-bank", catalog)
    assert document_filename(a, "estimate", "csv") == "acme-bank-estimate-s3-1a.csv"
    assert document_filename(a.model_copy(update={"customer": ""}), "deck", "pptx") == "assessment-deck-s3-1a.pptx"
    with pytest.raises(ExportError, match=r"^The estimate is exported only as json, csv or xlsx, not pptx\.$"):
        document_filename(a, "estimate", "pptx")


@pytest.mark.parametrize(("view", "fmt", "message"), [
    ("estimate", "pdf", "error: The estimate is exported only as json, csv or xlsx, not pdf.\n"),
    ("deck", "png", "error: The deck is exported only as pptx, not png.\n"),
])
def test_cli_rejects_a_format_the_document_lacks(tmp_path, capsys, view, fmt, message):
    out = tmp_path / "x.out"
    assert main(["export", "preset:regulated-bank", "--view", view, "--format", fmt, "--out", str(out)]) == 1
    assert capsys.readouterr().err == message
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_writes_the_estimate(tmp_path, capsys, fmt):
    out = tmp_path / f"estimate.{fmt}"
    assert main(["export", "preset:regulated-bank", "--view", "estimate", "--format", fmt, "--out", str(out)]) == 0
    assert f"Wrote estimate as {fmt} to {out}" in capsys.readouterr().out
    assert out.stat().st_size > 500 and [p.name for p in tmp_path.iterdir()] == [out.name]


def test_user_text_is_never_a_formula(catalog):
    evil = '=HYPERLINK("http://example.invalid","x")'
    a = Assessment.model_validate({**load_assessment("preset:regulated-bank", catalog).model_dump(), "customer": evil})
    book = load_workbook(io.BytesIO(document_bytes(decide(catalog, a), "estimate", "xlsx")))
    cell = next(r[2] for r in book["Inputs and assumptions"].iter_rows(min_row=2) if r[1].value == "customer")
    assert cell.value == evil and cell.data_type == "s"


def test_monthly_csv_in_cents_with_units(decision):
    result = decision.require_cost()
    table = list(csv.reader(io.StringIO(monthly_csv(result).decode("utf-8"))))
    assert table[0] == ["month", *(f"s{o.scenario}_{o.use_case.lower()}_usd" for o in result.options)]
    assert [row[0] for row in table[1:]] == [str(m) for m in range(1, result.horizon_months + 1)]
    for i, o in enumerate(result.options, start=1):
        cents = [row[i] for row in table[1:]]
        assert all(len(c.split(".")[1]) == 2 for c in cents)
        # Each month is rounded to the cent, so the column's sum is within half a cent a month of the total.
        assert abs(sum(float(c) for c in cents) - o.total) <= 0.005 * result.horizon_months


def test_an_estimate_that_cannot_be_priced_is_one_sentence(tmp_path, capsys):
    path = tmp_path / "a.yaml"
    path.write_text("constraints: {cloud_provider: ibm}\ncosting: {gpu: h200}\n", encoding="utf-8")
    out = tmp_path / "e.csv"
    assert main(["export", str(path), "--view", "estimate", "--format", "csv", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == ("error: The cloud provider ibm has no NVIDIA H200 SXM 141GB price; choose a cloud GPU from: "
                   "h100-sxm, l4, l40s.\n")
    assert not out.exists()

"""Price keys from before the on-premises pool still load: saved assessments, price books, links and the CLI."""

from __future__ import annotations

import json

import pytest

from explorer.cli import main
from explorer.engine.prices import resolve_prices
from explorer.model.link import from_query
from explorer.model.loading import parse_assessment
from explorer.model.price_book import parse_price_book


def test_old_power_price_overrides_the_power_price_of_the_assessments_region(catalog):
    eu = parse_assessment({"constraints": {"region": "eu"}, "prices": {"onprem:power_kwh": 0.30}}, catalog=catalog)
    assert eu.prices == {"onprem:power_kwh:eu": 0.30}
    prices = resolve_prices(catalog, eu)
    assert prices["onprem:power_kwh:eu"] == 0.30
    # The other region keeps the catalog's price (EIA's US industrial average).
    assert prices["onprem:power_kwh:us"] == catalog.price_items["onprem:power_kwh:us"].value
    us = parse_assessment({"prices": {"onprem:power_kwh": 0.12}}, catalog=catalog)  # the default region is us
    assert us.prices == {"onprem:power_kwh:us": 0.12}


def test_new_key_beside_the_old_one_wins(catalog):
    a = parse_assessment({"constraints": {"region": "eu"},
                          "prices": {"onprem:power_kwh": 0.30, "onprem:power_kwh:eu": 0.25}}, catalog=catalog)
    assert a.prices == {"onprem:power_kwh:eu": 0.25}


def test_old_staff_ratio_in_gpus_becomes_servers_per_fte(catalog):
    # 64 GPUs per FTE (the old default) ÷ 8 GPUs per server = 8 servers per FTE.
    a = parse_assessment({"prices": {"onprem:staff_gpus_per_fte": 64}}, catalog=catalog)
    assert a.prices == {"onprem:staff_servers_per_fte": 64 / 8} == {"onprem:staff_servers_per_fte": 8.0}


def test_old_staff_ratio_changes_the_staff_cost_by_hand(catalog):
    from explorer.engine.pipeline import cost_of as evaluate

    # All on premises (3-1A) buys 12 H100s: 2 servers of 8. At 16 GPUs per FTE = 2 servers per FTE, staff is
    # 2 ÷ 2 = 1 FTE, above the 0.1 floor: 1 × $200,000 × 3 years = $600,000.
    a = parse_assessment({"scenario": 3, "prices": {"onprem:staff_gpus_per_fte": 16}}, catalog=catalog)
    o = evaluate(catalog, a).option(3, "1A")
    assert o.onprem_servers == 2
    assert o.staff_fte == pytest.approx(2 / (16 / 8)) == pytest.approx(1.0)
    assert o.line_items["staff"] == pytest.approx(1.0 * 200_000 * 3)


def test_a_link_with_the_old_keys_loads(catalog):
    a = from_query({"constraints.region": "eu", "prices.onprem:power_kwh": "0.3",
                    "prices.onprem:staff_gpus_per_fte": "64"}, catalog)
    assert a.prices == {"onprem:power_kwh:eu": 0.3, "onprem:staff_servers_per_fte": 8.0}


def test_a_price_book_with_the_old_keys_loads(catalog):
    book = parse_price_book("key,value\nonprem:power_kwh,0.3\nonprem:staff_gpus_per_fte,64\n", "old.csv", catalog,
                            region="eu")
    assert book.problems == ()
    assert book.prices == {"onprem:power_kwh:eu": 0.3, "onprem:staff_servers_per_fte": 8.0}
    # Out of range is judged in the new unit: 1,000,000 GPUs ÷ 8 = 125,000 servers per FTE, above 100,000.
    bad = parse_price_book("onprem:staff_gpus_per_fte: 1000000\n", "old.yaml", catalog)
    assert bad.prices == {}
    assert bad.problems == ("entry 'onprem:staff_gpus_per_fte' (onprem:staff_servers_per_fte): 125000 is outside "
                            "1–100000 servers per FTE.",)


def test_the_cli_reads_an_old_assessment_and_an_old_price_book(catalog, tmp_path, capsys):
    saved = tmp_path / "old.json"
    saved.write_text(json.dumps({"scenario": 3, "constraints": {"region": "eu"},
                                 "prices": {"onprem:staff_gpus_per_fte": 64}}))
    book = tmp_path / "book.csv"
    book.write_text("key,value\nonprem:power_kwh,0.3\n")

    def option_3_1a(*extra: str) -> dict:
        assert main(["cost", str(saved), "--samples", "10", "--json", *extra]) == 0
        out = json.loads(capsys.readouterr().out)
        return next(o for o in out["options"] if (o["scenario"], o["use_case"]) == (3, "1A"))

    plain, priced = option_3_1a(), option_3_1a("--prices", str(book))
    # 64 GPUs per FTE ÷ 8 = 8 servers per FTE; 3-1A's 2 servers need 2 ÷ 8 = 0.25 FTE (above the 0.1 floor):
    # 0.25 × $200,000 × 3 years = $150,000.
    assert plain["line_items"]["staff"] == pytest.approx(0.25 * 200_000 * 3)
    # The book's old power key prices the EU premises: the same kWh at $0.30 instead of the catalog's EU price.
    eu = catalog.price_items["onprem:power_kwh:eu"].value
    assert priced["line_items"]["power"] == pytest.approx(plain["line_items"]["power"] * 0.30 / eu)

"""Price books: a customer's negotiated prices from YAML or CSV, one sentence per bad row, and the CLI's --prices."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.engine.decision import decide
from explorer.model.loading import parse_assessment
from explorer.model.price_book import PriceBookError, parse_price_book

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text, name", [
    ("aws:h100-sxm:on_demand: 4.1\nonprem:pue: 1.25\n", "book.yaml"),
    ("prices:\n  aws:h100-sxm:on_demand: 4.1\n  onprem:pue: 1.25\n", "book.yaml"),
    ("- {key: aws:h100-sxm:on_demand, value: 4.1}\n- {key: onprem:pue, value: 1.25}\n", "book.yml"),
    ("key,value,source\naws:h100-sxm:on_demand,4.1,our 2026 agreement\nonprem:pue,1.25,site survey\n", "book.csv"),
])
def test_every_format_reads_the_same_book(catalog, text, name):
    book = parse_price_book(text, name, catalog)
    assert book.prices == {"aws:h100-sxm:on_demand": 4.1, "onprem:pue": 1.25}
    assert book.problems == ()


def test_one_sentence_per_bad_row_and_the_good_rows_kept(catalog):
    text = ("key,value\naws:h100-sxm:on_demand,4.1\nnope:x,3\naws:egress_gb,abc\nonprem:pue,-1\n"
            "aws:h100-sxm:on_demand,5\n,2\n")
    book = parse_price_book(text, "book.csv", catalog)
    assert book.prices == {"aws:h100-sxm:on_demand": 4.1}
    assert book.problems == (
        "line 3: 'nope:x' is not a catalog price key.",
        "line 4 (aws:egress_gb): 'abc' is not a number.",
        f"line 5 (onprem:pue): -1 is outside {catalog.price_items['onprem:pue'].min:g}–"
        f"{catalog.price_items['onprem:pue'].max:g} {catalog.price_items['onprem:pue'].unit}.",
        "line 6 (aws:h100-sxm:on_demand): the key appears twice; the first value is kept.",
        "line 7 has no price key.",
    )


@pytest.mark.parametrize("text, name, message", [
    ("just words", "book.yaml", "must be a mapping of price keys to values"),
    ("a,b\n1,2\n", "book.csv", "needs a header row with 'key' and 'value' columns"),
    ("{", "book.yaml", "is not valid YAML or CSV"),
    ("[]", "book.yaml", "has no rows"),
])
def test_an_unreadable_book_is_one_sentence(catalog, text, name, message):
    with pytest.raises(PriceBookError, match=message):
        parse_price_book(text, name, catalog)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "explorer", *args], cwd=ROOT, capture_output=True, text=True)


def test_cli_prices_the_assessment_with_the_book(catalog, tmp_path):
    book = tmp_path / "book.csv"
    book.write_text("key,value\naws:h100-sxm:on_demand,4.10\n")
    assessment = tmp_path / "a.yaml"
    assessment.write_text("scenario: 2\nuse_case: 1B\n")
    out = _cli("cost", str(assessment), "--prices", str(book), "--json", "--samples", "50")
    assert out.returncode == 0, out.stderr
    priced = next(o for o in json.loads(out.stdout)["options"] if o["scenario"] == 2 and o["use_case"] == "1B")
    # By hand: the all-cloud option's GPU line items scale with the GPU-hour price, $6.88 → $4.10; nothing else
    # in it reads that price.
    base = decide(catalog, parse_assessment({}, catalog=catalog)).option_cost("2-1B")
    gpu = base.line_items["cloud_training"] + base.line_items["cloud_serving"]
    assert priced["total"] == pytest.approx(base.total - gpu * (1 - 4.10 / 6.88))
    # The assessment's own overrides win over the book.
    assessment.write_text("prices: {aws:h100-sxm:on_demand: 6.88}\n")
    again = json.loads(_cli("cost", str(assessment), "--prices", str(book), "--json", "--samples", "50").stdout)
    assert again["options"][3]["total"] == pytest.approx(base.total)


def test_cli_refuses_a_book_with_bad_rows_one_line_each(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text("key,value\nnope:x,3\naws:egress_gb,abc\n")
    out = _cli("place", "preset:regulated-bank", "--prices", str(book), "--json")
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.splitlines() == ["error: Price book 'book.csv': line 2: 'nope:x' is not a catalog price key.",
                                       "Price book 'book.csv': line 3 (aws:egress_gb): 'abc' is not a number."]
    assert "Traceback" not in out.stderr
    missing = _cli("cost", "preset:regulated-bank", "--prices", str(tmp_path / "none.csv"))
    assert missing.returncode == 1 and "cannot be read" in missing.stderr

"""Price books: a customer's negotiated prices for many catalog keys at once, from YAML or CSV.

A book is a list of (key, value) rows. YAML may be a mapping ``{key: value}``, a ``prices:`` mapping, or a
list of ``{key, value}`` rows; CSV has a header with ``key`` and ``value`` columns (any other columns, such as
``source`` or ``as_of``, are kept for the reader and ignored). Every bad row gets one sentence naming it; the
good rows are still used.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from explorer.model.catalog import Catalog
from explorer.model.errors import ExplorerError
from explorer.model.legacy_prices import new_key, new_value
from explorer.model.loading import MAX_BYTES

MAX_ROWS = 10_000


class PriceBookError(ValueError, ExplorerError):
    """A price book cannot be read at all (not YAML or CSV, too big, no rows)."""


@dataclass(frozen=True)
class PriceBook:
    prices: dict[str, float]  # the rows that validate, key -> value
    problems: tuple[str, ...]  # one sentence per bad row

    def message(self, name: str) -> str:
        """All the problems in one block, each row on its own line."""
        return "\n".join(f"Price book '{name}': {p}" for p in self.problems)


def _rows_from_yaml(data: Any) -> list[tuple[str, Any, Any]]:
    if isinstance(data, dict) and set(data) == {"prices"}:
        data = data["prices"]
    if isinstance(data, dict):
        return [(f"entry '{k}'", k, v) for k, v in data.items()]
    if isinstance(data, list):
        rows = []
        for i, row in enumerate(data, start=1):
            if isinstance(row, dict):
                rows.append((f"row {i}", row.get("key"), row.get("value")))
            else:
                rows.append((f"row {i}", None, row))
        return rows
    raise PriceBookError("A price book must be a mapping of price keys to values, or a list of {key, value} rows.")


def _rows_from_csv(text: str) -> list[tuple[str, Any, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "key" not in fields or "value" not in fields:
        raise PriceBookError("A CSV price book needs a header row with 'key' and 'value' columns.")
    rows = []
    for i, row in enumerate(reader, start=2):  # line numbers as a spreadsheet shows them
        clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        rows.append((f"line {i}", clean.get("key"), clean.get("value")))
    return rows


def parse_price_book(text: str, name: str, catalog: Catalog, region: str = "us") -> PriceBook:
    """The valid rows of a price book and one sentence for each bad one (raises when nothing is readable).

    Legacy keys are read as their new ones (explorer/model/legacy_prices.py): ``onprem:power_kwh`` prices the
    premises' ``region``, ``onprem:staff_gpus_per_fte`` becomes servers per FTE."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise PriceBookError(f"Price book '{name}' is over {MAX_BYTES / 1e6:g} MB; a price book is a few kB.")
    is_csv = name.lower().endswith(".csv") or (text.lstrip().lower().startswith("key,"))
    try:
        rows = _rows_from_csv(text) if is_csv else _rows_from_yaml(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise PriceBookError(f"Price book '{name}' is not valid YAML or CSV: {str(exc).splitlines()[0]}") from None
    except csv.Error as exc:
        raise PriceBookError(f"Price book '{name}' is not valid CSV: {exc}") from None
    if not rows:
        raise PriceBookError(f"Price book '{name}' has no rows.")
    if len(rows) > MAX_ROWS:
        raise PriceBookError(f"Price book '{name}' has {len(rows):,} rows; at most {MAX_ROWS:,} are read.")
    return _validate(rows, catalog, region)


def _validate(rows: Iterable[tuple[str, Any, Any]], catalog: Catalog, region: str = "us") -> PriceBook:
    prices: dict[str, float] = {}
    problems: list[str] = []
    for where, key, raw in rows:
        if not isinstance(key, str) or not key.strip():
            problems.append(f"{where} has no price key.")
            continue
        key, legacy = new_key(key.strip(), region), key.strip()
        item = catalog.price_items.get(key)
        if item is None:
            near = [k for k in catalog.price_items if k.split(":")[0] == key.split(":")[0]][:5]
            hint = f" Keys starting alike: {', '.join(near)}." if near else ""
            problems.append(f"{where}: '{key}' is not a catalog price key.{hint}")
            continue
        try:
            value = float(new_value(legacy, float(raw)))
        except (TypeError, ValueError):
            problems.append(f"{where} ({key}): {raw!r} is not a number.")
            continue
        if not math.isfinite(value) or not item.min <= value <= item.max:
            problems.append(f"{where} ({key}): {value:g} is outside {item.min:g}–{item.max:g} {item.unit}.")
            continue
        if key in prices:
            problems.append(f"{where} ({key}): the key appears twice; the first value is kept.")
            continue
        prices[key] = value
    return PriceBook(prices=prices, problems=tuple(problems))

"""Price keys from before the on-premises pool, still accepted: saved assessments, price books and links keep
working (the contract is extended, never renamed).

- ``onprem:power_kwh`` was the one electricity price; it now overrides the price of the assessment's region,
  ``onprem:power_kwh:<region>``.
- ``onprem:staff_gpus_per_fte`` counted GPUs per operations engineer; staff is now counted per server,
  ``onprem:staff_servers_per_fte`` = GPUs per FTE ÷ 8, the GPUs in one server of every server the catalog
  prices (the HGX-class 8-GPU servers of data/onprem_costs.yaml).

A new key given beside its old one wins: it is the more specific of the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from explorer.model.vocabulary import REGIONS

OLD_POWER = "onprem:power_kwh"
OLD_STAFF = "onprem:staff_gpus_per_fte"
NEW_STAFF = "onprem:staff_servers_per_fte"
GPUS_PER_SERVER = 8  # the legacy staff ratio counted GPUs; every server in the catalog holds 8


def new_key(key: str, region: str) -> str:
    """The key a legacy key now means (any other key is returned unchanged)."""
    if key == OLD_POWER:
        return f"{OLD_POWER}:{region if region in REGIONS else REGIONS[0]}"
    return NEW_STAFF if key == OLD_STAFF else key


def new_value(key: str, value: Any) -> Any:
    """The value in the new key's unit: GPUs per FTE become servers per FTE (÷ 8); others are unchanged."""
    if key != OLD_STAFF or isinstance(value, bool):
        return value
    try:
        return float(value) / GPUS_PER_SERVER  # a link carries the number as text
    except (TypeError, ValueError):
        return value  # not a number: the assessment's own check names it


def upgrade_prices(prices: Mapping[str, Any], region: str) -> dict[str, Any]:
    """``prices`` with the legacy keys renamed and converted; where the new key is given too, it wins."""
    upgraded = {k: v for k, v in prices.items() if new_key(k, region) == k}
    for key, value in prices.items():
        target = new_key(key, region)
        if target != key and target not in upgraded:
            upgraded[target] = new_value(key, value)
    return upgraded

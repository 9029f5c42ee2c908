"""Plausibility: inputs far outside the catalog's ranges are accepted, and flagged in one sentence each.

The schema refuses what cannot be (a negative price, NaN); this says what probably should not be (a GPU-hour
at $999,999, a prompt longer than the model's context), next to the number, without stopping the user.
"""

from __future__ import annotations

from explorer.model.assessment import Assessment
from explorer.model.catalog import Catalog
from explorer.model.formatting import count, quantity


def _times(ratio: float) -> str:
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def price_warning(catalog: Catalog, key: str, value: float) -> str:
    """One sentence when an overridden price or factor is far from the catalog's value, else empty."""
    item = catalog.price_items.get(key)
    if item is None or item.value <= 0 or value <= 0:
        return ""
    factor = catalog.assumption("plausible_price_factor")
    ratio = value / item.value
    if 1 / factor <= ratio <= factor:
        return ""
    shown, default = quantity(value, item.unit), quantity(item.value, item.unit)
    if ratio < 1e-6:  # also a denormal price, whose ratio underflows to 0
        return (f"{shown} for '{item.label}' is less than a millionth of the catalog's {default}: check the number "
                "and its unit.")
    if ratio > 1:
        return f"{shown} for '{item.label}' is {_times(ratio)} the catalog's {default}: check the number and its unit."
    return (f"{shown} for '{item.label}' is 1/{_times(1 / ratio).rstrip('×')} of the catalog's {default}: check "
            "the number and its unit.")


def warnings(catalog: Catalog, a: Assessment) -> tuple[str, ...]:
    """Every implausible input of the assessment, one sentence each (empty when all look plausible)."""
    out = [w for key, value in sorted(a.prices.items()) if (w := price_warning(catalog, key, value))]
    w = a.workload
    most = catalog.assumption("plausible_max_requests_per_day")
    if w.requests_per_day > most:
        out.append(f"{count(w.requests_per_day)} requests per day is {_times(w.requests_per_day / most)} the "
                   f"{count(most)} a day the catalog takes as the most one enterprise deployment plausibly serves.")
    largest = catalog.assumption("plausible_max_dataset_tokens")
    if w.finetune_method != "none" and w.dataset_tokens > largest:
        out.append(f"A fine-tuning set of {count(w.dataset_tokens)} tokens is larger than a whole pre-training "
                   f"corpus ({count(largest)} tokens for Llama 3).")
    model = catalog.model(w.model)  # the assessment's model id is checked against the catalog on loading
    if w.input_tokens + w.output_tokens > model.context_tokens:
        out.append(f"{w.input_tokens:,} input plus {w.output_tokens:,} output tokens per request exceed "
                   f"{model.name}'s context of {model.context_tokens:,} tokens.")
    return tuple(out)
